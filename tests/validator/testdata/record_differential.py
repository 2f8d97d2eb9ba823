"""Record the official checkers' output on the cases of ``tests/support/differential.py`` into
``differential_official.json`` (the expected side of ``test_differential_official.py``).

It needs the official checkers, which are not part of this repository: ``CHECKERS`` holds one
folder per commit named by its first 8 hex digits (``7fc059bf`` v4.0, ``c7db1c3f`` v4.1,
``5e903956`` v5.0, ``65e3228c`` v5.1, ``6d0cf9dc`` v6.0; the commits in each round's
``checker`` block), each with mlcommons/inference's ``tools/submission`` of that commit. Each
checker runs as the round was checked (``submission_checker.py --input tree --version vX.Y
--csv F``; v6.0 ``python3 -m submission_checker.main``), with the standard library only, under
a 3 GB address-space limit.

The classic checkers' ``errors`` column depends on the order ``os.listdir`` gives a benchmark's
scenario folders; on tmpfs that is the reverse of the order they were made in, so each case is
recorded once per order of its ``ordered`` folders, and everything but that column must come
out the same.

Run it from the repository root with the project's interpreter, as a module of the installed
project (no ``sys.path`` edits: the checkout's packages are found from the current folder):

    .venv/bin/python -m tests.validator.testdata.record_differential CHECKERS [ID ...]

``--work DIR`` (default /dev/shm, a tmpfs) is where the trees are built. Given case IDs, only
those are recorded (the others keep their record).
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.differential import CASES, Case, scenario_order
from validator.agreement import normalise_location
from validator.rules import load_round

OUT = Path(__file__).with_name("differential_official.json")
_LOGGING_ERROR = re.compile(r"--- Logging error ---\n.*?\nArguments: [^\n]*\n", re.S)


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def run_checker(checkers: Path, round_name: str, work: Path) -> dict[str, object]:
    """The checker on ``work/tree``: exit status, the exception that stopped it, its CSV."""
    folder = checkers / load_round(round_name).checker.commit[:8] / "tools" / "submission"
    out = work / "official.csv"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if round_name == "v6.0":
        env["PYTHONPATH"] = str(folder)
        command = ["python3", "-m", "submission_checker.main"]
    else:
        command = ["python3", str(folder / "submission_checker.py")]
    command += ["--input", "tree", "--version", round_name, "--csv", str(out)]
    done = subprocess.run(
        command, cwd=work, env=env, capture_output=True, text=True, timeout=600, preexec_fn=_limit
    )
    log = _LOGGING_ERROR.sub("", done.stdout + done.stderr)
    crashed = "Traceback (most recent call last)" in log
    lines = [line for line in log.splitlines() if line.strip()]
    return {
        "exit_status": done.returncode,
        "crash": lines[-1][:300] if crashed and lines else None,
        "csv": out.read_text(encoding="utf-8") if out.exists() else None,
    }


def _reorder(folder: Path, order: tuple[str, ...]) -> None:
    """Make ``os.listdir(folder)`` give ``order`` on tmpfs (newest first)."""
    hold = folder.parent / f".hold-{folder.name}"
    hold.mkdir()
    for name in order:
        (folder / name).rename(hold / name)
    for name in reversed(order):
        (hold / name).rename(folder / name)
    hold.rmdir()


def _rows(text: str | None) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text or "")))


def _orders(case: Case, work: Path) -> list[tuple[tuple[str, ...], ...]]:
    probe = work / "probe"
    case.build(probe / "tree")
    names = [[p.name for p in (probe / "tree" / f).iterdir() if p.is_dir()] for f in case.ordered]
    shutil.rmtree(probe)
    return list(itertools.product(*(itertools.permutations(sorted(n)) for n in names)))


def record(case_id: str, case: Case, checkers: Path, base: Path) -> dict[str, object]:
    result: dict[str, object] = {"class": case.klass, "round": case.round}
    errors: dict[str, dict[str, str]] = {}
    first: dict[str, object] | None = None
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        for n, order in enumerate(_orders(case, Path(tmp))):
            work = Path(tmp) / f"run{n}"
            case.build(work / "tree")
            for folder, names in zip(case.ordered, order, strict=True):
                _reorder(work / "tree" / folder, names)
            key = scenario_order(work / "tree", case.ordered)
            assert key == "|".join(",".join(o) for o in order), f"{case_id}: got order {key}"
            official = run_checker(checkers, case.round, work)
            rows = _rows(official["csv"])  # type: ignore[arg-type]
            errors[key] = {
                f"{normalise_location(r['Location'])}|{r['Units']}": r["errors"] for r in rows
            }
            same = {k: v for k, v in official.items() if k != "csv"}
            same["rows"] = sorted(
                json.dumps({k: v for k, v in r.items() if k not in ("errors", "Location")})
                for r in rows
            )
            if first is None:
                first = same
                result.update(
                    exit_status=official["exit_status"],
                    crash=official["crash"],
                    csv=official["csv"],
                )
            else:
                assert same == first, f"{case_id}: order {key} changes more than errors"
            shutil.rmtree(work)
    if case.ordered and result["crash"] is None:
        result["errors_by_order"] = errors
    elif any(v != "0" for counts in errors.values() for v in counts.values()):
        raise AssertionError(
            f"{case_id}: the errors column counts; name the case's ordered folders"
        )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkers", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/dev/shm"))
    parser.add_argument("ids", nargs="*")
    args = parser.parse_args()
    unknown = sorted(set(args.ids) - set(CASES))
    if unknown:
        parser.error(f"no such case: {', '.join(unknown)}")
    data = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {"cases": {}}
    version = subprocess.run(["python3", "--version"], capture_output=True, text=True).stdout
    for case_id, case in CASES.items():
        if args.ids and case_id not in args.ids:
            continue
        data["cases"][case_id] = record(case_id, case, args.checkers, args.work)
        print(case_id, data["cases"][case_id]["exit_status"], data["cases"][case_id]["crash"])
    data["about"] = (
        "The official checkers' output on the cases of tests/support/differential.py, recorded "
        "by tests/validator/testdata/record_differential.py with each round's checker commit "
        f"(rules checker.commit) under {version.strip()}: exit status, the exception that "
        "stopped it (crash, or null), its summary CSV, and for the classic rounds the errors "
        "column for every listdir order of the case's ordered folders."
    )
    data["cases"] = dict(sorted(data["cases"].items()))
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
