"""Portal speed: upload to verdict for a real bundle, and ten users uploading at once.

Measures, with a warm-up and medians over repeats (the first runs after start are slower):
  1. one upload through the in-process SubmissionService and a started Worker, as the portal
     runs them: receive() -> receipt, -> validator verdict stored, -> awaiting review;
     side by side with the baseline, the validator CLI alone on the same extracted tree
     (`python -m validator DIR --format json`, also a child process), and their ratio;
  2. ten users uploading ten different bundles at the same moment (one thread each): time
     until all ten receipts, until all ten are awaiting review, throughput, and a check that
     nothing was lost (ten submissions, ten distinct sha256, all with a report);
  3. optionally the same as a person sees it in headless Chromium (`python -m portal`, demo
     login): click Submit -> receipt shown, -> "Verdict:" on the status page.

Usage: .venv/bin/python -m bench.portal_bench [--repeats N] [--bundle SUBTREE] [--no-browser]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from leaderboard.db import open_store
from leaderboard.settings import LeaderboardSettings
from submissions.models import Receipt
from submissions.roles import Principal, principal_from_claims
from submissions.service import SubmissionService
from submissions.settings import SubmissionSettings
from submissions.states import State
from submissions.worker import Worker
from tests.support.portal import chromium, running_portal, zip_bundle

ROOT = Path(__file__).resolve().parents[1]

POLL_S = 0.05


def variant(data: bytes, tag: str) -> bytes:
    """The same bundle with a different zip comment: new bytes, so no duplicate detection."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.comment = tag.encode()
    return out.getvalue()


def user(index: int) -> Principal:
    return principal_from_claims({"sub": f"bench-{index}", "email": f"u{index}@bench"}, ())


def wait_until(check: Callable[[], bool], timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the worker")
        time.sleep(POLL_S)


def one_upload(
    service: SubmissionService, worker: Worker, data: bytes, who: Principal
) -> tuple[float, float, float, State]:
    """Seconds to the receipt, to the verdict and to a state the worker is done with."""
    start = time.perf_counter()
    receipt = service.receive(who, io.BytesIO(data), "bench.zip")
    worker.wake()
    receipted = time.perf_counter() - start
    sid = receipt.submission_id
    wait_until(lambda: service.get(who, sid).verdict is not None)
    verdict = time.perf_counter() - start
    wait_until(lambda: not service.get(who, sid).state.is_work)
    done = time.perf_counter() - start
    state = service.get(who, sid).state
    return receipted, verdict, done, state


def validator_alone(data: bytes, scratch: Path) -> float:
    tree = Path(tempfile.mkdtemp(dir=scratch))
    zipfile.ZipFile(io.BytesIO(data)).extractall(tree)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "validator", str(tree), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    return time.perf_counter() - start


def concurrent(
    service: SubmissionService, worker: Worker, data: bytes, round_no: int
) -> tuple[float, float, int]:
    """Ten users upload at once: seconds to every receipt, to every verdict, and how many
    submissions were lost (a duplicate id or hash, a missing report)."""
    users = [user(1000 * round_no + i) for i in range(10)]
    payloads = [variant(data, f"round {round_no} user {i}") for i in range(10)]
    receipts: list[Receipt | None] = [None] * 10
    gate = threading.Barrier(10)

    def send(i: int) -> None:
        gate.wait()
        receipts[i] = service.receive(users[i], io.BytesIO(payloads[i]), f"user{i}.zip")
        worker.wake()

    start = time.perf_counter()
    threads = [threading.Thread(target=send, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    receipted = time.perf_counter() - start
    sent = [r for r in receipts if r is not None]
    if len(sent) < len(receipts):
        raise SystemExit("an upload thread failed without a receipt (its traceback is above)")
    ids = [r.submission_id for r in sent]
    wait_until(
        lambda: all(not service.get(u, i).state.is_work for u, i in zip(users, ids, strict=True))
    )
    done = time.perf_counter() - start
    hashes = {r.sha256 for r in sent}
    reports = [service.report(u, i) for u, i in zip(users, ids, strict=True)]
    lost = 10 - len(set(ids)) + 10 - len(hashes) + sum(r is None for r in reports)
    return receipted, done, lost


def browser_upload(data: bytes, repeats: int) -> tuple[list[float], list[float]]:
    import re

    receipt_s: list[float] = []
    verdict_s: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {"INFERBOARD_DB_PATH": str(Path(tmp) / "bench.duckdb")}
        with running_portal(env) as base, chromium() as browser:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(base)
            page.get_by_role("button", name="Log in").click()
            page.click("button[name=sub][value='submitter@demo.inferboard.org']")
            page.get_by_role("button", name="Log out").wait_for(timeout=60_000)
            for index in range(repeats + 1):
                page.goto(f"{base}/submit")
                page.locator("input[type=file]").set_input_files(
                    {"name": "b.zip", "mimeType": "application/zip",
                     "buffer": variant(data, f"browser {index}")}
                )  # fmt: skip
                start = time.perf_counter()
                page.get_by_role("button", name="Submit").click()
                code = page.locator("[data-testid=stCode]")
                code.wait_for(timeout=60_000)
                receipted = time.perf_counter() - start
                shown = code.inner_text()
                found = re.search(r"submission id: (\d+)", shown)
                if found is None:
                    raise SystemExit(f"no submission id in the receipt: {shown[:200]!r}")
                sid = found.group(1)
                page.goto(f"{base}/submissions?id={sid}")
                page.get_by_text("Verdict:").wait_for(timeout=120_000)
                if index:  # the first is the warm-up
                    receipt_s.append(receipted)
                    verdict_s.append(time.perf_counter() - start)
    return receipt_s, verdict_s


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:9.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--bundle", default="v5.1/closed/AMD")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    data = zip_bundle(args.bundle, complete=True, rename_system="BenchSystem")
    load = os.getloadavg()[0]
    print(f"bundle {args.bundle} ({len(data):,} bytes zipped), {args.repeats} repeats, "
          f"{os.cpu_count()} cores, load average {load:.2f} at start")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        store = open_store(LeaderboardSettings(db_path=scratch / "bench.duckdb"))
        settings = SubmissionSettings(
            storage_dir=scratch / "submissions", rate_limit_count=10_000, worker_poll_s=0.2
        )
        service = SubmissionService(store, settings)
        worker = Worker(service, settings)
        worker.start()
        try:
            rows = [one_upload(service, worker, variant(data, f"s{i}"), user(i))
                    for i in range(args.repeats + 1)][1:]  # fmt: skip
            baseline = [validator_alone(data, scratch) for _ in range(args.repeats + 1)][1:]
            bursts = [concurrent(service, worker, data, r) for r in range(1, args.repeats + 1)]
        finally:
            worker.stop()
            store.close()

    receipt = [row[0] for row in rows]
    verdict = [row[1] for row in rows]
    done = [row[2] for row in rows]
    states = {str(row[3]) for row in rows}
    print("\n1. one upload, in process (service + worker thread; validator as a child)")
    print(f"   {'step':44} {'median':>12}")
    print(f"   {'receive() -> receipt':44} {ms(receipt)}")
    print(f"   {'receipt -> validator verdict stored':44} {ms(verdict)}")
    print(f"   {'receipt -> awaiting review (all steps)':44} {ms(done)}")
    print(f"   {'baseline: python -m validator on the tree':44} {ms(baseline)}")
    ratio = statistics.median(verdict) / statistics.median(baseline)
    print(f"   {'ratio upload->verdict / validator alone':44} {ratio:12.2f}x")
    print(f"   final states: {', '.join(sorted(states))}")

    burst_receipts = [b[0] for b in bursts]
    burst_done = [b[1] for b in bursts]
    lost = sum(b[2] for b in bursts)
    print("\n2. ten users upload at the same moment (one thread each)")
    print(f"   {'all ten receipts':44} {ms(burst_receipts)}")
    print(f"   {'all ten awaiting review':44} {ms(burst_done)}")
    throughput = 10 / statistics.median(burst_done) * 60
    print(f"   {'throughput':44} {throughput:9.1f} bundles/min")
    print(f"   {'lost (ids, hashes or reports missing)':44} {lost:12d}")
    if State.AWAITING_REVIEW.value not in states:
        print("   note: the bundle did not reach awaiting review; check its report")

    if not args.no_browser:
        receipt_b, verdict_b = browser_upload(data, max(2, args.repeats // 2))
        print("\n3. in headless Chromium (python -m portal, demo login)")
        print(f"   {'click Submit -> receipt shown':44} {ms(receipt_b)}")
        print(f"   {'click Submit -> verdict on the status page':44} {ms(verdict_b)}")


if __name__ == "__main__":
    main()
