"""Reproduction of a bundle in three tiers (``scoring.tiers``), per scenario.

1. **log recount**: the whole accuracy log against accuracy.txt (``scoring.recount``);
2. **accuracy recompute**: the whole accuracy.txt from the log, the tokenizer and the
   official dataset, no model (``reference_runner.recompute``);
3. **regeneration** of queries sampled with a secret per-run seed, judged by distributions
   against thresholds calibrated on legitimate pairs (``reference_runner.regenerate``).

Where the answers come from is :mod:`reference_runner.answers`. ``--tiers 1,2`` (the
ROUGE-only mode) loads no model. The report (``kind: inferboard.reproduction``, version 2)
names files relative to the bundle, never by a server path, so the portal can show it.
Exit status: 0 consistent, 1 inconsistent, 3 incomplete (nothing disagreed, but a tier could
not run for some scenario), 2 could not run at all.
"""

from __future__ import annotations

import json
import platform
import secrets
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from reference_runner.accuracy_files import sentence_splitter
from reference_runner.answers import ScenarioAnswers, accuracy_dirs, collect, declared_datasets
from reference_runner.config import default_model
from reference_runner.datasets import Dataset, load_dataset
from reference_runner.errors import RunnerError
from reference_runner.loadgen_child import BackendSpec, build_backend, build_codec
from reference_runner.recompute import DatasetCheck, check_dataset, recompute_accuracy, repeated
from reference_runner.regenerate import draw, regenerate_and_judge
from reference_runner.system_info import Accelerators, cuda_accelerators, describe_system
from scoring.accuracy_log import AccuracyEntry, TokenDtype, guess_dtype
from scoring.calibration import MIN_SAMPLES, load_calibration
from scoring.errors import ScoringError
from scoring.recount import recount
from scoring.tiers import TIERS, Agreement, ReproductionStatus

EXIT = {
    ReproductionStatus.CONSISTENT: 0,
    ReproductionStatus.INCONSISTENT: 1,
    ReproductionStatus.INCOMPLETE: 3,
}


@dataclass(frozen=True)
class ReproduceConfig:
    """Inputs of one reproduction (the CLI and the portal's worker build it)."""

    bundle: Path
    dataset: str | None = None
    tiers: tuple[int, ...] = (1, 2, 3)
    backend: str = "hf"
    model: str | None = None
    tokenizer: str | None = None
    samples: int = 8
    seed: int | None = None  # None: drawn per run, secret until the report
    scenario: str | None = None
    accuracy_logs: Mapping[str, Path] = field(default_factory=dict)  # scenario -> whole log
    device: str = "cpu"
    dtype: str | None = None
    batch_size: int = 8
    max_new_tokens: int = 1024
    token_dtype: TokenDtype | None = None
    dummy_tokens_per_sample: int = 290
    nltk_data: Path | None = None
    jobs: int = 1
    dataset_sha256: str | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        def bad(message: str) -> RunnerError:
            return RunnerError(message, code="runner.bad_option")

        if not self.tiers or not set(self.tiers) <= {1, 2, 3}:
            raise bad(f"--tiers must name some of 1, 2, 3, not {self.tiers!r}.")
        if 3 in self.tiers and self.samples < MIN_SAMPLES:
            raise bad(
                f"--samples {self.samples}: tier 3 needs at least {MIN_SAMPLES} sampled queries "
                "(fewer cannot tell a truncated run from a legitimate one, see "
                "docs/reference_runner.md); use --tiers 1,2 to regenerate nothing."
            )
        if (2 in self.tiers or 3 in self.tiers) and not self.dataset:
            raise bad("--dataset is needed for tiers 2 and 3 (the official .pkl, or demo).")
        for name in ("batch_size", "max_new_tokens", "jobs"):
            if getattr(self, name) < 1:
                raise bad(f"--{name.replace('_', '-')} must be at least 1.")

    def model_id(self) -> str | None:
        if self.backend == "dummy":
            return None
        return self.model or default_model(self.device)


def reproduce(config: ReproduceConfig) -> dict[str, Any]:
    """Run the requested tiers on every accuracy folder; return the report (JSON-ready)."""
    bundle = config.bundle
    if not bundle.is_dir():
        raise RunnerError(f"{bundle}: no such bundle directory.", code="runner.bad_bundle")
    seed, seed_source = (
        (config.seed, "given") if config.seed is not None else (secrets.randbits(63), "drawn")
    )
    dirs = accuracy_dirs(bundle, config.scenario)
    if not dirs:
        raise RunnerError(
            f"{bundle.name}: no results/<system>/<benchmark>/<scenario>/accuracy/ folder"
            + (f" for scenario {config.scenario}" if config.scenario else "")
            + "; pass the bundle root (the folder holding closed/ or open/).",
            code="runner.bad_bundle",
        )
    given = {k.lower(): v for k, v in config.accuracy_logs.items()}
    unknown = set(given) - {d.parent.name.lower() for d in dirs}
    if unknown:
        raise RunnerError(
            f"--accuracy-log names {', '.join(sorted(unknown))}, but the bundle's scenarios "
            f"are {', '.join(d.parent.name for d in dirs)}.",
            code="runner.bad_option",
        )
    run = _Run(config, declared_datasets(bundle))
    scenarios = [
        run.scenario(collect(bundle, d, given.get(d.parent.name.lower())), seed) for d in dirs
    ]
    return _report(config, run, scenarios, seed, seed_source)


class _Run:
    """What the scenarios share, built once and only when a tier needs it."""

    def __init__(self, config: ReproduceConfig, declared: dict[str, int]) -> None:
        self.config = config
        self.declared = declared
        self.tokenizer = config.tokenizer or config.model_id()
        self._codec: Any = None
        self._split: Any = None
        self._dataset: Dataset | None = None
        self.dataset_check: DatasetCheck | None = None
        self.backend: Any = None
        self.calibration = load_calibration() if 3 in config.tiers else None

    @property
    def codec(self) -> Any:
        if self._codec is None:
            self._codec = build_codec(self.tokenizer)
        return self._codec

    @property
    def split(self) -> Any:
        if self._split is None:
            self._split = sentence_splitter(self.config.nltk_data)
        return self._split

    def dataset(self, needed: int) -> Dataset:
        """The dataset, checked to be the right file and to cover ``needed`` samples."""
        if self._dataset is None:
            self._dataset = load_dataset(str(self.config.dataset), self.codec)
        check = check_dataset(self._dataset, needed, self.declared, self.config.dataset_sha256)
        if check.repeated_to and len(self._dataset) < check.repeated_to:
            self._dataset = repeated(self._dataset, check.repeated_to)
        if self.dataset_check is None or check.repeated_to:
            self.dataset_check = check
        return self._dataset

    def scenario(self, answers: ScenarioAnswers, seed: int) -> dict[str, Any]:
        config = self.config
        whole = answers.whole
        pool = answers.regeneration_pool()
        dtype = config.token_dtype or guess_dtype(whole.entries if whole else pool)
        result: dict[str, Any] = {
            "scenario": answers.scenario,
            "accuracy_dir": answers.accuracy_dir,
            "token_dtype": dtype,
            "sources": {
                "whole_log": None
                if whole is None
                else {"origin": whole.origin, "file": whole.label, "sha256": whole.sha256},
                "test06_answers": len(answers.test06),
                "salvaged_answers": len(answers.salvaged),
            },
            "notes": answers.notes,
            "seconds": {},
        }
        no_whole = (
            f"no whole accuracy log for {answers.scenario}: upload the untruncated "
            f"mlperf_log_accuracy.json (--accuracy-log {answers.scenario}=PATH)"
        )
        hash_ok = whole is not None and whole.sha256 == answers.claimed.get("hash")
        if 1 in config.tiers:
            started = time.perf_counter()
            if whole is None:
                result["tier1"] = {"status": Agreement.NOT_RUN, "message": no_whole}
            else:
                result["tier1"] = _recount(answers, dtype)
            result["seconds"]["tier1"] = round(time.perf_counter() - started, 3)
        if 2 in config.tiers:
            started = time.perf_counter()
            if whole is None:
                result["tier2"] = {"status": Agreement.NOT_RUN, "message": no_whole}
            elif not hash_ok:
                result["tier2"] = {
                    "status": Agreement.NOT_RUN,
                    "message": "the whole log is not the one accuracy.txt was computed from "
                    "(its sha256 differs from hash=); nothing to recompute against",
                }
            else:
                needed = max(e.qsl_idx for e in whole.entries) + 1
                result["tier2"] = recompute_accuracy(
                    whole.entries,
                    self.dataset(needed),
                    self.codec,
                    dtype,
                    self.split,
                    answers.claimed,
                    jobs=config.jobs,
                    progress=config.progress,
                )
            result["seconds"]["tier2"] = round(time.perf_counter() - started, 3)
        if 3 in config.tiers:
            started = time.perf_counter()
            result["tier3"] = self._regenerate(answers, pool, dtype, seed)
            result["seconds"]["tier3"] = round(time.perf_counter() - started, 3)
        return result

    def _regenerate(
        self, answers: ScenarioAnswers, pool: list[AccuracyEntry], dtype: TokenDtype, seed: int
    ) -> dict[str, Any]:
        config = self.config
        if len(pool) < MIN_SAMPLES:
            return {
                "status": Agreement.NOT_RUN,
                "message": f"only {len(pool)} whole answers for {answers.scenario} (no whole "
                f"log, TEST06 or complete entries in the published log); tier 3 needs "
                f"{MIN_SAMPLES}",
            }
        chosen = draw(pool, config.samples, seed ^ hash_scenario(answers.scenario))
        dataset = self.dataset(max(e.qsl_idx for e in pool) + 1)
        if self.backend is None:
            self.backend = build_backend(_backend(config), self.codec)
        assert self.calibration is not None
        source = "the whole log" if answers.whole else "TEST06 and the published log's head"
        outcome = regenerate_and_judge(
            chosen,
            self.backend,
            dataset,
            self.codec,
            dtype,
            self.split,
            self.calibration,
            batch_size=config.batch_size,
            max_new_tokens=config.max_new_tokens,
            scenario=answers.scenario,
            progress=config.progress,
        )
        return {**outcome, "drawn_from": f"{len(pool)} whole answers ({source})"}


def hash_scenario(name: str) -> int:
    """A stable per-scenario offset of the seed (Python's hash() is salted per process)."""
    return int.from_bytes(name.lower().encode()[:8].ljust(8, b"\0"), "little")


def _recount(answers: ScenarioAnswers, dtype: TokenDtype) -> dict[str, Any]:
    assert answers.whole is not None
    try:
        done = recount(
            answers.whole.entries,
            answers.whole.sha256,
            answers.claimed,
            dtype,
            answers.expected_samples,
        )
    except ScoringError as err:
        return {"status": Agreement.DISAGREES, "message": err.message, "problems": [err.message]}
    data = done.as_dict()
    data["message"] = "; ".join(done.problems) or (
        f"hash= matches; {done.samples} samples, {done.gen_tok_len} tokens, "
        f"{done.tokens_per_sample} per sample"
    )
    return data


def _backend(config: ReproduceConfig) -> BackendSpec:
    if config.backend == "dummy":
        options: dict[str, Any] = {"tokens_per_sample": config.dummy_tokens_per_sample}
    else:
        options = {
            "model": config.model_id(),
            "device": config.device,
            "dtype": config.dtype,
            "max_new_tokens": config.max_new_tokens,
            "batch_size": config.batch_size,
        }
    return BackendSpec(name=config.backend, options=options)


def _verdict(
    scenarios: list[dict[str, Any]], tiers: tuple[int, ...]
) -> tuple[ReproductionStatus, list[str], list[str]]:
    reasons: list[str] = []
    gaps: list[str] = []
    names = {t.number: t.name for t in TIERS}
    for s in scenarios:
        for number in tiers:
            tier = s.get(f"tier{number}", {})
            where = f"{s['scenario']}, tier {number} ({names[number]})"
            if tier.get("status") == Agreement.DISAGREES:
                if number == 3:
                    reasons += [f"{where}: {r}" for r in tier["judgement"]["reasons"]]
                elif number == 2:
                    keys = ", ".join(sorted(tier["differences"]))
                    reasons.append(f"{where}: accuracy.txt differs from the recomputed ({keys})")
                else:
                    reasons.append(f"{where}: {tier.get('message', '')}")
            elif tier.get("status") == Agreement.NOT_RUN:
                gaps.append(f"{where}: {tier['message']}")
    if reasons:
        verdict = ReproductionStatus.INCONSISTENT
    else:
        verdict = ReproductionStatus.INCOMPLETE if gaps else ReproductionStatus.CONSISTENT
    return verdict, reasons, gaps


def _report(
    config: ReproduceConfig, run: _Run, scenarios: list[dict[str, Any]], seed: int, source: str
) -> dict[str, Any]:
    verdict, reasons, gaps = _verdict(scenarios, config.tiers)
    info = asdict(run.backend.info()) if run.backend is not None else None
    dataset = run._dataset
    return {
        "kind": "inferboard.reproduction",
        "version": 2,
        "bundle": config.bundle.name,
        "tiers_run": list(config.tiers),
        "tiers": [asdict(t) for t in TIERS],
        "model": None
        if info is None
        else {k: info[k] for k in ("backend", "model_id", "model_revision", "dtype", "device")},
        "tokenizer": None
        if run._codec is None
        else {
            "name": Path(str(run.tokenizer or "")).name or "byte codec",
            "decoder": run.codec.decoder,
        },
        "dataset": None
        if dataset is None
        else {
            "name": dataset.name,
            "sha256": dataset.sha256,
            "md5": dataset.md5,
            "rows": dataset.rows,
            "official": dataset.is_official,
            "identity": run.dataset_check.identity if run.dataset_check else None,
            "repeated_to": run.dataset_check.repeated_to if run.dataset_check else None,
        },
        "hardware": _hardware(config, info),
        "sampling": {"samples": config.samples, "seed": seed, "seed_source": source},
        "calibration": None
        if run.calibration is None
        else {
            "target_false_alarm": run.calibration.target_false_alarm,
            "query_rules": asdict(run.calibration.query_rules),
        },
        "scenarios": scenarios,
        "verdict": verdict,
        "reasons": reasons,
        "gaps": gaps,
    }


def _hardware(config: ReproduceConfig, info: dict[str, Any] | None) -> dict[str, Any]:
    accelerators = cuda_accelerators() if config.device == "cuda" else Accelerators(count=0)
    system = describe_system(
        division="-",
        submitter="-",
        system_name=platform.node() or "-",
        availability="-",
        framework=info["framework"] if info else "-",
        software_packages=("torch", "transformers"),
        accelerators=accelerators,
        sw_notes="",
    )
    keys = (
        "host_processor_model_name",
        "host_processor_core_count",
        "host_memory_capacity",
        "accelerators_per_node",
        "accelerator_model_name",
        "operating_system",
    )
    return {k: system[k] for k in keys}


def reproduce_from_args(args: Any) -> int:
    """CLI entry: run, write the report, print the verdict; exit status as the docstring."""
    tiers = (1, 2) if args.rouge_only else _tiers(args.tiers)
    report = reproduce(
        ReproduceConfig(
            bundle=args.bundle,
            dataset=args.dataset,
            tiers=tiers,
            backend=args.backend,
            model=args.model,
            tokenizer=args.tokenizer,
            samples=args.samples,
            seed=args.seed,
            scenario=args.scenario,
            accuracy_logs=dict(args.accuracy_log or []),
            device=args.device,
            dtype=args.dtype,
            batch_size=args.batch_size,
            max_new_tokens=args.max_new_tokens,
            token_dtype=args.token_dtype,
            dummy_tokens_per_sample=args.dummy_tokens_per_sample,
            nltk_data=args.nltk_data,
            jobs=args.jobs,
            dataset_sha256=args.dataset_sha256,
            progress=not args.quiet,
        )
    )
    text = json.dumps(report, indent=2)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
        print(f"{report['verdict']}: report written to {args.report}")
    else:
        print(text)
    for reason in report["reasons"]:
        print(f"  - {reason}", file=sys.stderr)
    for gap in report["gaps"]:
        print(f"  (not run) {gap}", file=sys.stderr)
    return EXIT[report["verdict"]]


def _tiers(text: str) -> tuple[int, ...]:
    try:
        return tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError as err:
        raise RunnerError(
            f"--tiers {text!r}: give tier numbers, e.g. 1,2,3.", code="runner.bad_option"
        ) from err
