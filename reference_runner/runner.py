"""``run_benchmark``: LoadGen runs for each scenario and mode, then a complete bundle.

Each LoadGen run happens in its own interpreter (``loadgen_child.py`` says why); this process
only plans the runs, moves their files into the round's layout, scores accuracy from the
untruncated log, verifies TEST06 and writes the descriptive files (system, measurements, code,
model mapping).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_runner import bundle as bundle_files
from reference_runner.accuracy_files import accuracy_txt, sentence_splitter
from reference_runner.backends.base import BackendInfo
from reference_runner.compliance import verify_test06
from reference_runner.config import RunConfig
from reference_runner.datasets import Dataset, load_dataset
from reference_runner.errors import RunnerError
from reference_runner.loadgen_child import BackendSpec, LoadgenJob, build_codec, run_in_subprocess
from reference_runner.loadgen_driver import user_conf_text
from reference_runner.published_log import keep_untruncated, publish_accuracy_log
from reference_runner.rounds import RoundSettings, load_round
from reference_runner.system_info import Accelerators, cuda_accelerators, describe_system
from scoring.accuracy_log import TokenDtype
from validator.parsing import ParseError
from validator.parsing.loadgen_log import read_detail_log

# Packages named in other_software_stack, per backend: only what the run actually used.
SOFTWARE = {
    "dummy": ("mlcommons-loadgen", "numpy"),
    "hf": ("mlcommons-loadgen", "numpy", "torch", "transformers", "accelerate"),
    "vllm": ("mlcommons-loadgen", "numpy", "torch", "vllm"),
}


@dataclass(frozen=True)
class RunSummary:
    """One LoadGen run as the CLI prints it, from its detail log (the validator's parser)."""

    scenario: str
    mode: str
    validity: str | None
    tokens_per_second: object  # as logged; "-" when the run logs none
    errors: int

    @classmethod
    def of_run(cls, outdir: Path, scenario: str, mode: str) -> RunSummary:
        try:
            log = read_detail_log(outdir / "mlperf_log_detail.txt")
        except ParseError as err:
            raise RunnerError(
                f"The {scenario} {mode} run left no readable LoadGen log: {err.message}",
                code="runner.worker_failed",
            ) from err
        validity = log.get("result_validity")
        rate = (
            log.get("result_tokens_per_second")
            or log.get("result_completed_tokens_per_second")
            or "-"
        )
        return cls(
            scenario, mode, validity if isinstance(validity, str) else None, rate, len(log.errors)
        )


def _backend(config: RunConfig) -> BackendSpec:
    if config.backend == "dummy":
        options: dict[str, Any] = {
            "tokens_per_sample": config.dummy_tokens_per_sample,
            "ms_per_step": config.dummy_ms_per_step,
        }
    else:
        options = {
            "model": config.model_id,
            "device": config.device,
            "dtype": config.dtype,
            "max_new_tokens": config.max_new_tokens,
            "batch_size": config.batch_size,
        }
    return BackendSpec(name=config.backend, options=options)


def _job(config: RunConfig, scenario: str, mode: str, token_dtype: str, outdir: Path) -> LoadgenJob:
    return LoadgenJob(
        backend=_backend(config),
        tokenizer=config.tokenizer_id,
        dataset=config.dataset,
        max_samples=config.max_samples,
        scenario=scenario,
        mode=mode,
        round=config.round,
        overrides=config.overrides,
        batch_size=config.batch_size,
        token_dtype=token_dtype,
        outdir=outdir,
        progress=config.progress,
    )


def _looks_like_path(name: str) -> bool:
    """Hub ids are "org/name"; absolute or ./ ../ ~ paths are clearly local directories."""
    return name.startswith(("/", "./", "../", "~"))


def _check_plan(config: RunConfig, round_settings: RoundSettings) -> None:
    for what, name in (("model", config.model_id), ("tokenizer", config.tokenizer_id)):
        if name and _looks_like_path(name) and not Path(name).expanduser().exists():
            raise RunnerError(
                f"The {what} directory {name} does not exist. Pass a directory written by "
                "save_pretrained, or a hub id already in the local HF cache.",
                code=f"runner.missing_{what}",
            )
    if "Interactive" in config.scenarios and not round_settings.has_interactive_dir:
        raise RunnerError(
            f"Round {round_settings.name} has no Interactive scenario directory (it exists from "
            "v5.1); use --round v5.1 or later, or run Server.",
            code="runner.bad_option",
        )
    if config.device == "cuda" and config.backend != "dummy":
        try:
            import torch
        except ImportError as err:
            raise RunnerError("--device cuda needs torch.", code="runner.no_gpu") from err
        if not torch.cuda.is_available():
            raise RunnerError(
                "--device cuda was asked for, but torch sees no CUDA GPU on this machine. "
                "Run with --device cpu, or on a machine with NVIDIA GPUs and a CUDA build of "
                "torch.",
                code="runner.no_gpu",
            )


def run_benchmark(config: RunConfig) -> Path:
    """Run every requested scenario and mode and write the bundle; return the bundle root."""
    round_settings = load_round(config.round)
    _check_plan(config, round_settings)
    token_dtype = config.token_dtype or round_settings.token_dtype
    codec = build_codec(config.tokenizer_id)
    dataset = load_dataset(config.dataset, codec, config.max_samples)
    # Checked before any run, so a missing Punkt model does not surface after hours of LoadGen.
    split = sentence_splitter(config.nltk_data) if "accuracy" in config.modes else None

    summaries: list[RunSummary] = []
    backend_info: BackendInfo | None = None
    with tempfile.TemporaryDirectory(prefix="inferboard-runs-") as scratch:
        runs: dict[tuple[str, str], Path] = {}
        for scenario in config.scenarios:
            for mode in config.modes:
                outdir = Path(scratch) / scenario / mode
                job = _job(config, scenario, mode, token_dtype, outdir)
                backend_info = run_in_subprocess(job)
                runs[scenario, mode] = outdir
                summaries.append(RunSummary.of_run(outdir, scenario, mode))
        assert backend_info is not None  # RunConfig refuses an empty scenario or mode list
        layout = _layout(config, round_settings, backend_info)
        for (scenario, mode), outdir in runs.items():
            _place_run(config, layout, scenario, mode, outdir, dataset, codec, token_dtype, split)
        for scenario in config.scenarios:
            _write_measurements(config, layout, scenario, dataset, backend_info, token_dtype)
    _write_submitter_files(config, layout, backend_info)
    _print_summary(summaries, config)
    return config.out


def _layout(
    config: RunConfig, round_settings: RoundSettings, info: BackendInfo
) -> bundle_files.BundleLayout:
    benchmark = config.benchmark_name or bundle_files.safe_name(
        info.model_id.rstrip("/").split("/")[-1]
    )
    system = config.system_id or bundle_files.safe_name(
        f"inferboard-{config.backend}-{config.device}"
    )
    return bundle_files.BundleLayout(
        root=config.out,
        division="open",
        submitter=bundle_files.safe_name(config.submitter),
        system=bundle_files.safe_name(system),
        benchmark=bundle_files.safe_name(benchmark),
        round=round_settings,
    )


def _place_run(
    config: RunConfig,
    layout: bundle_files.BundleLayout,
    scenario: str,
    mode: str,
    outdir: Path,
    dataset: Dataset,
    codec: Any,
    token_dtype: TokenDtype,
    split: Any,
) -> None:
    full_log = outdir / "mlperf_log_accuracy.json"
    if mode == "performance":
        bundle_files.copy_files(
            outdir, layout.performance_dir(scenario), bundle_files.PERFORMANCE_FILES
        )
    elif mode == "accuracy":
        target_dir = layout.accuracy_dir(scenario)
        bundle_files.copy_files(outdir, target_dir, bundle_files.ACCURACY_LOG_FILES)
        target = target_dir / "mlperf_log_accuracy.json"
        references = [sample.reference for sample in dataset.samples]
        text = accuracy_txt(full_log, references, codec, token_dtype, split)
        bundle_files.write_text(target_dir / "accuracy.txt", text)
        publish_accuracy_log(full_log, target, truncate=not config.no_truncate)
        if not config.no_truncate:
            keep_untruncated(full_log, config.out, target, config.untruncated_dir)
    else:  # TEST06: the 100-sample log is published whole (spec §6)
        result = verify_test06(full_log, scenario, token_dtype)
        test_dir = layout.test06_dir(scenario)
        bundle_files.write_text(test_dir / "verify_accuracy.txt", result.verify_accuracy_txt())
        publish_accuracy_log(full_log, test_dir / "accuracy" / "mlperf_log_accuracy.json", False)


def _write_measurements(
    config: RunConfig,
    layout: bundle_files.BundleLayout,
    scenario: str,
    dataset: Dataset,
    info: BackendInfo,
    token_dtype: str,
) -> None:
    directory = layout.measurements_dir(scenario)
    bundle_files.write_text(
        directory / "user.conf", user_conf_text(scenario, len(dataset), config.overrides)
    )
    bundle_files.write_json(
        layout.measurements_json(scenario),
        {
            "input_data_types": token_dtype,
            "retraining": "No",
            "starting_weights_filename": info.model_id,
            "weight_data_types": info.dtype,
            "weight_transformations": "none",
        },
    )
    if layout.round.needs_mlperf_conf:
        bundle_files.write_text(directory / "mlperf.conf", _mlperf_conf(layout.round))
    bundle_files.write_text(
        directory / "README.md", _measurement_readme(config, scenario, dataset, info)
    )


def _mlperf_conf(round_settings: RoundSettings) -> str:
    seeds = round_settings.seeds
    return (
        "# LoadGen 6.0.17 compiles mlperf.conf in. These are the llama2 values this run used\n"
        f"# (spec §4.5), with the RNG seeds the runner set for {round_settings.name}.\n"
        f"*.*.qsl_rng_seed = {seeds.qsl}\n"
        f"*.*.sample_index_rng_seed = {seeds.sample_index}\n"
        f"*.*.schedule_rng_seed = {seeds.schedule}\n"
        "llama2-70b.*.performance_sample_count_override = 24576\n"
        "llama2-70b.*.use_token_latencies = 1\n"
        "llama2-70b.*.sample_concatenate_permutation = 1\n"
        "llama2-70b.Offline.min_query_count = 24576\n"
        "llama2-70b.Server.target_latency = 0\n"
        "llama2-70b.Server.ttft_latency = 2000\n"
        "llama2-70b.Server.tpot_latency = 200\n"
        "*.Offline.min_duration = 600000\n"
        "*.Server.min_duration = 600000\n"
    )


def _measurement_readme(
    config: RunConfig, scenario: str, dataset: Dataset, info: BackendInfo
) -> str:
    command = config.command_line or "reference_runner.run_benchmark(RunConfig(...)) from Python"
    return (
        f"# {info.model_id} — {scenario}\n\n"
        "Produced by the Inferboard reference runner (open division; the model is mapped onto "
        f"`{config.mapped_benchmark}` in `model_mapping.json`).\n\n"
        "## Command\n\n"
        f"```\n{command}\n```\n\n"
        "## Run\n\n"
        f"- backend: {info.backend} ({info.framework}), device {info.device}, "
        f"weights {info.dtype}\n"
        f"- model: {info.model_id} (revision {info.model_revision})\n"
        f"- dataset: {dataset.name}, {len(dataset)} samples, sha256 {dataset.sha256}\n"
        f"- round settings: {config.round} (LoadGen RNG seeds set after FromConfig)\n"
        "- generation: greedy, max_new_tokens "
        f"{config.max_new_tokens}, batch size {config.batch_size}\n"
    )


def _write_submitter_files(
    config: RunConfig, layout: bundle_files.BundleLayout, info: BackendInfo
) -> None:
    accelerators = cuda_accelerators() if config.device == "cuda" else Accelerators(count=0)
    system = describe_system(
        division="open",
        submitter=layout.submitter,
        system_name=f"{layout.system} ({info.backend} backend on {config.device})",
        availability=config.availability,
        framework=info.framework,
        software_packages=SOFTWARE.get(config.backend, ()),
        accelerators=accelerators,
        sw_notes=f"Inferboard reference runner, {info.backend} backend",
    )
    bundle_files.write_json(layout.system_json, system)
    bundle_files.merge_model_mapping(
        layout.model_mapping, layout.benchmark, config.mapped_benchmark
    )
    implementation = bundle_files.safe_name(f"inferboard-{info.backend}")
    bundle_files.write_text(
        layout.code_dir(implementation) / "README.md",
        "# Inferboard reference runner\n\n"
        "The code that produced these results is `reference_runner/` of the Inferboard "
        f"repository, run as:\n\n```\n{config.command_line or 'run_benchmark(RunConfig(...))'}"
        "\n```\n",
    )


def _print_summary(summaries: list[RunSummary], config: RunConfig) -> None:
    if not config.progress:
        return
    import sys

    for s in summaries:
        print(
            f"{s.scenario:<11} {s.mode:<11} validity={s.validity or '-':<8} "
            f"tokens/s={s.tokens_per_second} errors={s.errors}",
            file=sys.stderr,
        )
