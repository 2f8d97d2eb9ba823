"""Each class of hostile input from issue 10 ends in findings or a one-line refusal: never a
traceback, a hang, or non-strict JSON. The CLI runs in a child process with a time limit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.support.fuzzing import LINK_KINDS, replace_with_link
from tests.validator.conftest import ROOT
from tests.validator.test_mutations import AMD, AMD_RES, AMD_SYS, edit_system, set_detail

SKIPS = ("--skip-code-check", "--skip-calibration-check")
SYSTEM = f"{AMD}/systems/{AMD_SYS}.json"
OFFLINE = f"{AMD_RES}/Offline"


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "validator", *args, *SKIPS, "--format", "json"],
        capture_output=True, text=True, timeout=timeout, env=env, check=False, errors="replace",
    )  # fmt: skip


def assert_handled(done: subprocess.CompletedProcess[str]) -> dict:  # type: ignore[type-arg]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-500:])
    return json.loads(done.stdout, parse_constant=lambda name: pytest.fail(f"non-strict {name}"))


def codes_of(report: dict) -> set[str]:  # type: ignore[type-arg]
    return {f["code"] for f in report["findings"]}


@pytest.mark.parametrize(
    "where", [SYSTEM, f"{AMD}/measurements/{AMD_SYS}/llama2-70b-99/Offline/{AMD_SYS}_Offline.json"]
)
def test_json_nested_thousands_deep(where: str, bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    path = root / where
    if not path.exists():
        path = next((root / where).parent.glob("*.json"))
    path.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    report = assert_handled(run(str(root)))
    assert report["official_verdict"] == "rejected"


def test_mllog_value_nested_deep_and_huge_integer(bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    log = root / OFFLINE / "performance/run_1/mlperf_log_detail.txt"
    text = log.read_text(encoding="utf-8")
    text = text.replace('"value": 24576,', '"value": ' + "[" * 5000 + "]" * 5000 + ",", 1)
    text = text.replace(
        '"key": "effective_min_duration_ms", "value": 600000',
        '"key": "effective_min_duration_ms", "value": ' + "9" * 5000,
        1,
    )
    log.write_text(text, encoding="utf-8")
    assert_handled(run(str(root)))


@pytest.mark.parametrize("value", [["datacenter"], {"x": 1}, 12, None])
def test_system_type_of_the_wrong_type(value: object, bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    edit_system(root / SYSTEM, system_type=value if value is not None else "")
    report = assert_handled(run(str(root)))
    assert "system.system_type_invalid" in codes_of(report)


def test_effective_scenario_of_the_wrong_type(bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    set_detail(root / OFFLINE / "performance/run_1/mlperf_log_detail.txt", "effective_scenario", [])
    report = assert_handled(run(str(root)))
    assert "perf.scenario_mismatch" in codes_of(report)
    assert report["official_verdict"] == "rejected"


@pytest.mark.parametrize("kind", LINK_KINDS)
def test_links_and_fifos_among_the_logs(kind: str, bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    replace_with_link(root / OFFLINE / "performance/run_1/mlperf_log_detail.txt", kind)
    start = time.monotonic()
    report = assert_handled(run(str(root), timeout=60))
    assert time.monotonic() - start < 60
    assert report["official_verdict"] == "rejected"


@pytest.mark.parametrize("content", ["[\n]", "[ ]"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_empty_accuracy_logs_give_the_same_findings_with_workers(
    content: str, jobs: str, bundle_copy
) -> None:
    root = bundle_copy("v5.1-AMD")
    (root / OFFLINE / "accuracy/mlperf_log_accuracy.json").write_text(content, encoding="utf-8")
    test06 = root / f"{AMD}/compliance/{AMD_SYS}/llama2-70b-99/Offline/TEST06"
    (test06 / "accuracy/mlperf_log_accuracy.json").write_text(content, encoding="utf-8")
    report = assert_handled(run(str(root), "--jobs", jobs))
    assert {"truth.accuracy_log_empty", "truth.test06_unverifiable"} <= codes_of(report)


def test_lone_surrogate_in_a_detail_log_string_prints_in_text_and_json(bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    log = root / OFFLINE / "performance/run_1/mlperf_log_detail.txt"
    text = log.read_text(encoding="utf-8").replace('"value": "VALID"', '"value": "\\ud800"', 1)
    log.write_text(text, encoding="utf-8")
    assert_handled(run(str(root)))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "validator", str(root), *SKIPS],
        capture_output=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1 and b"Traceback" not in done.stderr


def test_a_summary_line_of_spaces_is_read_in_bounded_time(bundle_copy) -> None:
    root = bundle_copy("v5.1-AMD")
    summary = root / OFFLINE / "performance/run_1/mlperf_log_summary.txt"
    summary.write_text(
        summary.read_text(encoding="utf-8") + " " * 8000 + "\n" + " " * 100_000 + ":x\n",
        encoding="utf-8",
    )
    start = time.monotonic()
    assert_handled(run(str(root)))
    assert time.monotonic() - start < 30  # the old pattern took over 60 s on 8,000 spaces


def _zip_with_flag(path: Path, flag_bits: int = 0, method: int | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("closed/x/results/a.txt", b"data" * 100)
    data = bytearray(path.read_bytes())
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = data.find(signature)
        data[at + flag_at] |= flag_bits
        if method is not None:
            data[at + method_at : at + method_at + 2] = method.to_bytes(2, "little")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("flag", "method"), [(0x1, None), (0, 9)], ids=["encrypted", "deflate64"])
def test_encrypted_and_deflate64_members_are_unsupported(
    flag: int, method: int | None, tmp_path: Path
) -> None:
    bundle = tmp_path / "bundle.zip"
    _zip_with_flag(bundle, flag, method)
    done = run(str(bundle))
    report = assert_handled(done)
    assert codes_of(report) == {"archive.unsupported"}


def test_an_unexpected_failure_exits_3_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = (
        "import sys, validator.cli as cli\n"
        "def boom(*a, **k): raise ZeroDivisionError('x')\n"
        "cli.validate_path = boom\n"
        "sys.exit(cli.main([sys.argv[1]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert str(tmp_path.parent) not in done.stderr


_FAILING_CHECK = """
import sys
from validator import cli
from validator.checks import registry
from validator.checks.registry import Level

class TwoArgumentError(Exception):  # as many libraries' errors: cannot be unpickled
    def __init__(self, what, detail):
        super().__init__(what)

level, folder = Level[sys.argv[2]], sys.argv[3]
spec = registry.checks_of(level)[0]
original = spec.func

def failing(ctx):
    where = getattr(ctx, "dirs", None)
    where = where.location if where is not None else f"{ctx.division}/{ctx.submitter}"
    if where == folder:
        raise TwoArgumentError("x", "y")
    return original(ctx)

object.__setattr__(spec, "func", failing)
sys.exit(cli.main([sys.argv[1], "--jobs", sys.argv[4]]))
"""


@pytest.mark.parametrize(
    ("level", "folder"),
    [("RESULT", f"{OFFLINE}"), ("SUBMITTER", AMD)],
    ids=["result", "submitter walk"],
)
def test_a_check_that_raises_is_named_by_its_folder_with_any_jobs(
    bundles_dir: Path, level: str, folder: str
) -> None:
    """A worker's exception that cannot be rebuilt in the parent was 'BrokenProcessPool' with
    --jobs 2 and the error's name with --jobs 1; both now say the error and the folder."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    lines = []
    for jobs in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", _FAILING_CHECK, str(bundles_dir / "v5.1"), level, folder, jobs],
            capture_output=True, text=True, env=env, check=False, timeout=120,
        )  # fmt: skip
        assert done.returncode == 3, done.stderr[-2000:]
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
        lines.append(done.stderr)
    assert lines[0] == lines[1]
    assert f"TwoArgumentError while checking {folder} " in lines[0]
    assert str(bundles_dir) not in lines[0]
