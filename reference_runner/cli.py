"""``python -m reference_runner run|reproduce ...``: parse arguments, call the library."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from errors import report_unexpected
from reference_runner.backends import BACKEND_NAMES
from reference_runner.config import RunConfig
from reference_runner.errors import RunnerError
from reference_runner.loadgen_driver import MODES, SCENARIOS, LoadgenOverrides
from reference_runner.rounds import KNOWN_ROUNDS


def _scenarios(values: list[str] | None) -> tuple[str, ...]:
    names: list[str] = []
    for value in values or ["Offline"]:
        names.extend(v.strip() for v in value.split(",") if v.strip())
    return tuple(dict.fromkeys(names))


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="run LoadGen and write a bundle")
    p.add_argument("--out", required=True, type=Path, help="bundle root to write")
    p.add_argument("--backend", default="dummy", choices=BACKEND_NAMES)
    p.add_argument("--model", help="model path or hub id (hf/vllm); default by --device")
    p.add_argument("--tokenizer", help="tokenizer path or id (default: the model's)")
    p.add_argument("--dataset", default="demo", help="official .pkl, a .jsonl, or 'demo'")
    p.add_argument(
        "--scenario",
        action="append",
        help=f"{'|'.join(SCENARIOS)}; repeat or comma-separate for several (default Offline)",
    )
    p.add_argument(
        "--modes",
        default=",".join(MODES),
        help=f"comma-separated subset of {','.join(MODES)} (default: all)",
    )
    p.add_argument("--round", default="v5.1", choices=KNOWN_ROUNDS)
    p.add_argument("--max-samples", type=int, help="use N samples (repeats a smaller dataset)")
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    p.add_argument(
        "--dtype",
        choices=("fp32", "bf16", "fp16"),
        help="weights (hf default: bf16 on cuda, fp32 on cpu)",
    )
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--max-new-tokens", type=int, default=1024)
    p.add_argument("--token-dtype", choices=("int32", "int64"), help="default: the round's")
    p.add_argument("--min-duration-ms", type=int, help="override LoadGen min_duration")
    p.add_argument("--min-query-count", type=int, help="override LoadGen min_query_count")
    p.add_argument("--server-target-qps", type=float, help="Server/Interactive target QPS")
    p.add_argument("--offline-expected-qps", type=float, help="Offline target QPS")
    p.add_argument("--dummy-tokens-per-sample", type=int, default=290)
    p.add_argument(
        "--dummy-ms-per-step",
        type=float,
        default=0.0,
        help="dummy backend: sleep per decode step, to pace runs like a model",
    )
    p.add_argument("--submitter", default="Inferboard")
    p.add_argument("--system-id", help="systems/<id>.json and results/<id>/ name")
    p.add_argument("--benchmark-name", help="open-division benchmark dir (default: model name)")
    p.add_argument(
        "--keep-full-accuracy-log",
        type=Path,
        help="where untruncated accuracy logs go, mirroring bundle paths "
        "(default: <out>.untruncated beside the bundle)",
    )
    p.add_argument(
        "--no-truncate",
        action="store_true",
        help="leave the untruncated accuracy log inside the bundle",
    )
    p.add_argument("--nltk-data", type=Path, help="Punkt model dir (default data/nltk_data)")
    p.add_argument("--quiet", action="store_true", help="no progress output")


def _scenario_log(value: str) -> tuple[str, Path]:
    """``SCENARIO=PATH`` for --accuracy-log."""
    scenario, sep, path = value.partition("=")
    if not sep or not scenario.strip() or not path.strip():
        raise argparse.ArgumentTypeError(
            f"{value!r}: give the scenario and the file, e.g. Offline=mlperf_log_accuracy.json"
        )
    return scenario.strip(), Path(path.strip())


def _add_reproduce(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "reproduce",
        help="recount, recompute and regenerate a bundle's answers (tiers 1-3)",
        description="Tier 1: log recount; tier 2: accuracy recompute (tokenizer + dataset, no "
        "model); tier 3: regeneration of sampled queries with the reference model. Exit "
        "status 0 consistent, 1 inconsistent, 3 incomplete, 2 could not run.",
    )
    p.add_argument("bundle", type=Path)
    p.add_argument("--tiers", default="1,2,3", help="which tiers to run (default 1,2,3)")
    p.add_argument("--rouge-only", action="store_true", help="tiers 1 and 2 only: load no model")
    p.add_argument("--backend", default="hf", choices=BACKEND_NAMES)
    p.add_argument("--model", help="reference model path or hub id (default by --device)")
    p.add_argument("--tokenizer", help="tokenizer path or id (default: the model's)")
    p.add_argument("--dataset", help="the dataset the run used: official .pkl, .jsonl or demo")
    p.add_argument(
        "--dataset-sha256", help="refuse a dataset whose sha256 differs (pin your official copy)"
    )
    p.add_argument("--samples", type=int, default=8, help="queries to regenerate (>= 4)")
    p.add_argument("--seed", type=int, help="replay a report's seed (default: drawn per run)")
    p.add_argument("--scenario", default=None, help="only this scenario (default: all)")
    p.add_argument(
        "--accuracy-log",
        action="append",
        type=_scenario_log,
        metavar="SCENARIO=PATH",
        help="the whole (untruncated) accuracy log of one scenario; repeat per scenario",
    )
    p.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    p.add_argument("--dtype", choices=("fp32", "bf16", "fp16"))
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--max-new-tokens", type=int, default=1024)
    p.add_argument("--token-dtype", choices=("int32", "int64"))
    p.add_argument("--dummy-tokens-per-sample", type=int, default=290)
    p.add_argument("--jobs", type=int, default=1, help="processes for tier 2's ROUGE")
    p.add_argument("--nltk-data", type=Path, help="Punkt model dir (default data/nltk_data)")
    p.add_argument("--report", type=Path, help="JSON report path (default: stdout)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reference_runner", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    _add_run(sub)
    _add_reproduce(sub)
    return parser


def config_from_args(args: argparse.Namespace, argv: list[str]) -> RunConfig:
    return RunConfig(
        out=args.out,
        backend=args.backend,
        model=args.model,
        tokenizer=args.tokenizer,
        dataset=args.dataset,
        scenarios=_scenarios(args.scenario),
        modes=tuple(m.strip() for m in args.modes.split(",") if m.strip()),
        round=args.round,
        max_samples=args.max_samples,
        device=args.device,
        dtype=args.dtype,
        batch_size=args.batch_size,
        max_new_tokens=args.max_new_tokens,
        token_dtype=args.token_dtype,
        overrides=LoadgenOverrides(
            min_duration_ms=args.min_duration_ms,
            min_query_count=args.min_query_count,
            server_target_qps=args.server_target_qps,
            offline_expected_qps=args.offline_expected_qps,
        ),
        dummy_tokens_per_sample=args.dummy_tokens_per_sample,
        dummy_ms_per_step=args.dummy_ms_per_step,
        submitter=args.submitter,
        system_id=args.system_id,
        benchmark_name=args.benchmark_name,
        full_log_dir=args.keep_full_accuracy_log,
        no_truncate=args.no_truncate,
        nltk_data=args.nltk_data,
        progress=not args.quiet,
        command_line="python -m reference_runner " + shlex.join(argv),
    )


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            from reference_runner.runner import run_benchmark

            out = run_benchmark(config_from_args(args, argv))
            print(f"Bundle written to {out}")
            return 0
        from reference_runner.reproduce import reproduce_from_args

        return reproduce_from_args(args)
    except RunnerError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except Exception as err:  # a bug: the traceback for the log, then one line, exit 3
        return report_unexpected(err)
