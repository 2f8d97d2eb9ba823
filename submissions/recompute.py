"""Log-level recomputation for the reproduction step (no model, no torch).

Runs only in the recount child (:mod:`submissions.recount_child`, memory- and time-limited),
never in the web process, and only for a bundle the validator accepted.

The official checker reads ``accuracy.txt`` and never recomputes it (product brief, "truth
checks"). Here, for every result folder's ``accuracy/`` folder
(``<division>/<submitter>/results/<system>/<benchmark>/<scenario>/accuracy``; nothing else in
the bundle is read, compliance folders included), the accuracy log's
sha256 is compared with the ``hash=`` line of ``accuracy.txt`` (spec §6) and its tokens are
recounted as ``evaluate-accuracy.py`` counts them (spec §5) and compared with the claimed
``tokens_per_sample``. A truncated published log (spec §6) cannot be recounted; that is said
plainly rather than counted as a pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scoring.accuracy_log import (
    AccuracyLogError,
    guess_dtype,
    read_accuracy_log_with_digest,
    token_statistics,
    tokens_per_sample_agree,
)
from scoring.llama2 import parse_accuracy_txt

RESULT_ACCURACY_FOLDERS = "*/*/results/*/*/*/accuracy"


def recompute_logs(tree: Path) -> list[dict[str, Any]]:
    """One entry per result folder's accuracy folder: ``status`` is agrees, disagrees,
    truncated, unreadable, missing_log or too_large, with the numbers compared and a sentence
    saying why."""
    checks = []
    for folder in sorted(tree.glob(RESULT_ACCURACY_FOLDERS)):
        if folder.is_symlink() or not (folder / "accuracy.txt").is_file():
            continue
        where = folder.relative_to(tree).as_posix()
        try:
            checks.append(_check_folder(folder, where))
        except MemoryError:
            checks.append(_too_large(where))
    return checks


def _too_large(where: str) -> dict[str, Any]:
    return {
        "path": where,
        "claimed_tokens_per_sample": None,
        "claimed_hash": None,
        "recounted_tokens_per_sample": None,
        "log_sha256": None,
        "status": "too_large",
        "message": "the log needs more memory to recount than the recount's limit "
        "(validation_memory_mib); a maintainer can raise it and recount",
    }


def _check_folder(folder: Path, where: str) -> dict[str, Any]:
    claimed = parse_accuracy_txt(_read_small(folder / "accuracy.txt"))
    entry: dict[str, Any] = {
        "path": where,
        "claimed_tokens_per_sample": claimed.get("tokens_per_sample"),
        "claimed_hash": claimed.get("hash"),
        "recounted_tokens_per_sample": None,
        "log_sha256": None,
    }
    log = folder / "mlperf_log_accuracy.json"
    if not log.is_file():
        return {**entry, "status": "missing_log", "message": "no mlperf_log_accuracy.json here"}
    try:
        samples, entry["log_sha256"] = read_accuracy_log_with_digest(log)
        stats = token_statistics(samples, guess_dtype(samples))
    except AccuracyLogError as exc:
        if exc.code == "accuracy_log.truncated":
            return {
                **entry,
                "status": "truncated",
                "message": "only the truncated log is in the bundle: tokens cannot be "
                "recounted and hash= cannot be checked without the full log",
            }
        return {**entry, "status": "unreadable", "message": exc.message.replace(str(folder), where)}
    recount = round(stats.tokens_per_sample, 3)
    entry["recounted_tokens_per_sample"] = recount
    problems = []
    claimed_tps = claimed.get("tokens_per_sample")
    if not isinstance(claimed_tps, float | int):
        problems.append("accuracy.txt states no tokens_per_sample")
    elif not tokens_per_sample_agree(stats.tokens_per_sample, float(claimed_tps)):
        problems.append(
            f"the log holds {recount} tokens per sample, accuracy.txt claims {claimed_tps}"
        )
    if claimed.get("hash") is not None and claimed["hash"] != entry["log_sha256"]:
        problems.append("the log's sha256 differs from hash= in accuracy.txt")
    if problems:
        return {**entry, "status": "disagrees", "message": "; ".join(problems)}
    return {
        **entry,
        "status": "agrees",
        "message": f"{stats.gen_num} samples recounted: {recount} tokens per sample",
    }


def _read_small(path: Path, limit: int = 1 << 20) -> str:
    """accuracy.txt is a few lines; read at most ``limit`` bytes of it."""
    with path.open("rb") as handle:
        return handle.read(limit).decode("utf-8", errors="replace")
