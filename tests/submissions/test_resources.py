"""Resources (issue 12): bundle-derived work runs in children with their own time and memory
limits, whole-archive zip bombs are refused, work folders go on every final state, and no
message shows a server path."""

from __future__ import annotations

import io
import json
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from submissions import children
from submissions.children import ChildLimits
from submissions.service import SubmissionService, ledger_of
from submissions.worker import Worker
from tests.submissions.conftest import ALICE, MAINTAINER, Reconfigure


def _work(service: SubmissionService, sid: int) -> Path:
    return ledger_of(service).storage.root / "work" / str(sid)


@pytest.fixture(scope="module")
def zero_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The issue's archive: 1,800 one-MiB files of zeros, about 2 MB zipped, 1.8 GiB unpacked.
    Each member is exactly 1 MiB, so no single member trips the per-member ratio check."""
    path = tmp_path_factory.mktemp("bomb") / "zeros.zip"
    zeros = bytes(2**20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for n in range(1800):
            zf.writestr(f"closed/X/zeros/{n:04}.bin", zeros)
    return path


@pytest.mark.slow  # writes a GB-sized archive: 16 s
def test_a_whole_archive_zip_bomb_is_refused_before_anything_is_written(
    service: SubmissionService, zero_bomb: Path
) -> None:
    assert zero_bomb.stat().st_size < 3 * 2**20
    with zero_bomb.open("rb") as stream:
        sid = service.receive(ALICE, stream, "zeros.zip").submission_id
    Worker(service, service.settings).run_until_idle()
    s = service.get(ALICE, sid)
    assert s.state.value == "rejected_by_validator"
    report = service.report(ALICE, sid)
    assert report is not None and report.archive_refused
    assert [f.code for f in report.findings] == ["archive.compression_ratio"]
    assert "as a whole" in report.findings[0].message
    assert not _work(service, sid).exists()  # nothing unpacked, scratch gone


def test_no_server_path_reaches_a_message(service: SubmissionService, tmp_path: Path) -> None:
    """A member name the file system refuses (File name too long) used to show the work
    folder's absolute path in archive.corrupt."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("closed/" + "n" * 300 + "/x.txt", b"x")
    sid = service.receive(ALICE, io.BytesIO(archive.getvalue()), "long.zip").submission_id
    Worker(service, service.settings).run_until_idle()
    s = service.get(ALICE, sid)
    report = ledger_of(service).report_path(sid).read_text()  # everything stored, as stored
    assert s.state.value == "rejected_by_validator"
    assert "archive.corrupt" in report and "File name too long" in report
    storage = str(service.settings.storage_dir)
    for text in (report, s.decision_reason or "", s.progress):
        assert storage not in text and str(tmp_path) not in text and "/work/" not in text


@pytest.mark.slow  # validator and recount children: 2 s each
@pytest.mark.parametrize(
    ("backend", "reproduction_cap"),
    [("dummy", str(3000 * 2**20)), ("hf", None)],
    ids=["no model: the validation cap", "a model: spot_check_memory_mib"],
)
def test_each_child_gets_its_own_time_and_memory_limits(
    service: SubmissionService,
    reconfigured: Reconfigure,
    make_bundle_zip: Callable[[str], Path],
    monkeypatch,
    backend: str,
    reproduction_cap: str | None,
) -> None:
    configured = reconfigured(
        validation_timeout_s=111,
        recount_timeout_s=222,
        spot_check_timeout_s=333,
        validation_memory_mib=3000,
        spot_check_memory_mib=0,
        reference_backend=backend,
        reference_model="some/model",
        reference_dataset="demo",
    )
    seen: dict[str, tuple[float, str | None]] = {}
    real = children.run_child

    def recording(command, timeout_s, on_start, stop_requested):
        module = command[command.index("--") + 3]
        memory = (
            command[command.index("--memory-bytes") + 1] if "--memory-bytes" in command else None
        )
        seen[module] = (timeout_s, memory)
        if module == "reference_runner":
            return children.ChildResult(None, "")  # the spot check ran past its limit
        return real(command, timeout_s, on_start, stop_requested)

    monkeypatch.setattr(children, "run_child", recording)
    with make_bundle_zip("NEW-1-node-4x-BMG-B70").open("rb") as stream:
        sid = configured.receive(ALICE, stream, "intel.zip").submission_id
    Worker(configured, configured.settings).run_until_idle()
    cap = str(3000 * 2**20)
    assert seen == {
        "submissions.validate_child": (111, cap),
        "submissions.recount_child": (222, cap),
        "reference_runner": (333, reproduction_cap),
    }
    spot = configured.reproduction(ALICE, sid)["spot_check"]
    assert spot == {
        "status": "timed out",
        "message": "the reproduction did not finish within 333 s (spot_check_timeout_s)",
    }
    assert configured.get(ALICE, sid).state.value == "awaiting_review"


def _big_accuracy_log(root: Path, samples: int) -> None:
    folder = root / "closed" / "X" / "results" / "sys" / "llama2-70b-99" / "Offline" / "accuracy"
    folder.mkdir(parents=True)
    data = struct.pack("<300i", *range(1, 301)).hex().upper()  # 300 int32 tokens
    with (folder / "mlperf_log_accuracy.json").open("w") as log:
        log.write("[\n")
        log.write(
            ",\n".join(
                json.dumps({"seq_id": i, "qsl_idx": i % 24576, "data": data})
                for i in range(samples)
            )
        )
        log.write("\n]\n")
    (folder / "accuracy.txt").write_text("{'rouge1': 44.5, 'tokens_per_sample': 300.0}\n")


@pytest.mark.slow  # a recount child over its memory cap: 2.5 s
def test_a_recount_over_its_memory_cap_says_so_and_the_server_lives(tmp_path: Path) -> None:
    """A 57 MiB accuracy log needs about 240 MB to recount; capped at 300 MiB of address
    space it cannot be, which the recount child reports instead of taking the server down."""
    tree = tmp_path / "tree"
    _big_accuracy_log(tree, 24_576)
    out = tmp_path / "checks.json"
    arguments = ["--tree", str(tree), "--archive", str(tmp_path / "x.zip"), "--out", str(out)]

    def recount(memory_mib: int) -> list[dict]:
        limits = ChildLimits(120, memory_mib * 2**20)
        command = children.guarded("submissions.recount_child", arguments, limits)
        result = children.run_child(command, limits.timeout_s, lambda pid: None, lambda: False)
        assert result.returncode == 0, result.output
        return json.loads(out.read_text())

    (capped,) = recount(300)
    assert capped["status"] == "too_large"
    assert "validation_memory_mib" in capped["message"]
    (roomy,) = recount(4096)
    assert roomy["recounted_tokens_per_sample"] == 300.0


def test_work_folders_go_on_every_final_state(
    service: SubmissionService, reconfigured: Reconfigure, monkeypatch
) -> None:
    # timed out
    limited = reconfigured(validation_timeout_s=0.01)
    timed_out = limited.receive(ALICE, io.BytesIO(b"PK\x05\x06" + bytes(18)), "slow.zip")
    Worker(limited, limited.settings).run_until_idle()
    assert limited.get(ALICE, timed_out.submission_id).state.value == "rejected"
    assert not _work(service, timed_out.submission_id).exists()

    # kept failing
    def crashing(command, timeout_s, on_start, stop_requested):
        Path(command[command.index("--work") + 1], "tree").mkdir(parents=True, exist_ok=True)
        return children.ChildResult(1, "boom")

    monkeypatch.setattr(children, "run_child", crashing)
    failing = service.receive(ALICE, io.BytesIO(b"fails"), "fails.zip").submission_id
    Worker(service, service.settings).run_until_idle()
    assert service.get(ALICE, failing).state.value == "rejected"
    assert not _work(service, failing).exists()

    # withdrawn
    withdrawn = service.receive(ALICE, io.BytesIO(b"withdrawn"), "w.zip").submission_id
    ledger_of(service).storage.work_dir(withdrawn)
    service.withdraw(ALICE, withdrawn, "wrong file")
    assert not _work(service, withdrawn).exists()


def test_the_same_bytes_after_a_rejection_make_a_new_submission(service) -> None:
    first = service.receive(ALICE, io.BytesIO(b"not an archive"), "b.zip")
    again = service.receive(ALICE, io.BytesIO(b"not an archive"), "b.zip")
    assert (again.submission_id, again.already_received) == (first.submission_id, True)
    Worker(service, service.settings).run_until_idle()
    assert service.get(ALICE, first.submission_id).state.value == "rejected_by_validator"
    retry = service.receive(ALICE, io.BytesIO(b"not an archive"), "b.tgz")
    assert retry.submission_id != first.submission_id
    assert not retry.already_received
    assert service.get(MAINTAINER, retry.submission_id).state.value == "received"


def test_the_guard_caps_the_child_it_runs(tmp_path: Path) -> None:
    probe = "import resource; print(resource.getrlimit(resource.RLIMIT_AS)[0])"
    limits = ChildLimits(30, 512 * 2**20)
    command = [
        *children.guarded("submissions.child_guard", [], limits)[:-3],
        sys.executable,
        "-c",
        probe,
    ]
    result = children.run_child(command, 30, lambda pid: None, lambda: False)
    assert (result.returncode, result.output.strip()) == (0, str(512 * 2**20))
