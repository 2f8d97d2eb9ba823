"""Whole (untruncated) accuracy logs uploaded beside a submission, one per scenario.

A published bundle must carry the truncated log (spec §6; an untruncated one in a closed
bundle is itself a checker error), so the whole log that tiers 1 and 2 of the reproduction
need is uploaded separately. It is stored content-addressed under ``logs/`` (never inside the
bundle, which stays exactly as received and as valid as it was) and listed per submission in
``submissions/<id>/accuracy_logs.json``.

The bundle's ``hash=`` values are read in the recount child (never in the web process), which
writes them to ``work/<id>/scenario_hashes.json`` (:func:`scenario_hashes`). From then on a
log is accepted only when its sha256 is the ``hash=`` of that scenario's ``accuracy.txt``, so
it cannot be filed under the wrong scenario; before that (the bundle not yet recounted) only
the scenario's name is checked, and the reproduction's tier 1 compares the hash itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scoring.llama2 import parse_accuracy_txt
from submissions.errors import SubmissionError
from submissions.storage import Storage

LOGS_FILE = "accuracy_logs.json"
HASHES_FILE = "scenario_hashes.json"
SCENARIOS = ("Offline", "Server", "Interactive")  # the LLM scenarios a log can belong to
MAX_ACCURACY_TXT_BYTES = 1 << 20

# scenario (lower case) -> (its name as in the bundle, the hash= values of its accuracy.txt)
Hashes = dict[str, tuple[str, list[str]]]


def scenario_hashes(root: Path) -> Hashes:
    """Every accuracy run's ``hash=`` by scenario (one per system and benchmark); run in the
    recount child, which writes the result to :data:`HASHES_FILE`."""
    found: dict[str, tuple[str, set[str]]] = {}
    for txt in sorted(root.glob("*/*/results/*/*/*/accuracy/accuracy.txt")):
        scenario = txt.parent.parent.name
        _, hashes = found.setdefault(scenario.lower(), (scenario, set()))
        if txt.is_file() and txt.stat().st_size <= MAX_ACCURACY_TXT_BYTES:
            value = parse_accuracy_txt(txt.read_text("utf-8", errors="replace")).get("hash")
            if isinstance(value, str):
                hashes.add(value)
    return {key: (name, sorted(hashes)) for key, (name, hashes) in found.items()}


def known_hashes(storage: Storage, submission_id: int) -> Hashes | None:
    """What the recount child wrote for this submission; None before it ran."""
    data = storage.read_json(storage.root / "work" / str(int(submission_id)) / HASHES_FILE)
    if not isinstance(data, dict):
        return None
    return {
        str(key): (str(value[0]), [str(h) for h in value[1]])
        for key, value in data.items()
        if isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)
    }


def match_scenario(known: Hashes | None, scenario: str, sha256: str) -> str:
    """The bundle's spelling of ``scenario`` when ``sha256`` may be its whole log, else a
    :class:`SubmissionError` saying what to upload instead."""
    wanted = scenario.strip().lower()
    if known is None:  # not recounted yet: the name only; tier 1 checks the hash later
        for name in SCENARIOS:
            if name.lower() == wanted:
                return name
        raise SubmissionError(
            "logs.unknown_scenario",
            f"{scenario!r} is not a scenario with an accuracy log; choose one of "
            f"{', '.join(SCENARIOS)}",
        )
    entry = known.get(wanted)
    if entry is None:
        names = ", ".join(name for name, _ in known.values()) or "none"
        raise SubmissionError(
            "logs.unknown_scenario",
            f"the bundle has no accuracy run for scenario {scenario!r} (it has: {names})",
        )
    name, hashes = entry
    if sha256 not in hashes:
        raise SubmissionError(
            "logs.hash_mismatch",
            f"this log's sha256 is {sha256}, but {name}'s accuracy.txt says hash="
            f"{', '.join(hashes) or '(none)'}: upload the untruncated "
            f"mlperf_log_accuracy.json of {name}'s accuracy run (the file the hash was taken of)",
        )
    return name


def attached(storage: Storage, submission_id: int) -> dict[str, dict[str, Any]]:
    """scenario -> {sha256, size_bytes, filename, attached_at, attached_by}."""
    data = storage.read_json(storage.submission_dir(submission_id) / LOGS_FILE)
    return data if isinstance(data, dict) else {}


def record(
    storage: Storage,
    submission_id: int,
    scenario: str,
    *,
    sha256: str,
    size_bytes: int,
    filename: str,
    by: str,
) -> None:
    logs = attached(storage, submission_id)
    logs[scenario] = {
        "sha256": sha256,
        "size_bytes": size_bytes,
        "filename": filename,
        "attached_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "attached_by": by,
    }
    storage.write_json(storage.submission_dir(submission_id) / LOGS_FILE, logs)


def runner_arguments(storage: Storage, submission_id: int) -> tuple[list[str], list[str]]:
    """``--accuracy-log SCENARIO=PATH`` for every stored log of a scenario the bundle has (the
    reproduction child), and a sentence for each log left out (uploaded before the bundle was
    recounted, for a scenario it turned out not to have: the runner would refuse them all)."""
    known = known_hashes(storage, submission_id)
    arguments: list[str] = []
    ignored: list[str] = []
    for scenario, entry in sorted(attached(storage, submission_id).items()):
        path = storage.accuracy_log_path(str(entry["sha256"]))
        if known is not None and scenario.lower() not in known:
            ignored.append(
                f"the uploaded {scenario} accuracy log ({entry.get('filename', '?')}) was not "
                f"used: the bundle has no {scenario} accuracy run"
            )
        elif path.is_file():
            arguments += ["--accuracy-log", f"{scenario}={path}"]
    return arguments, ignored
