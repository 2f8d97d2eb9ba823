"""The published form of an accuracy log (spec §6), as ``truncate_accuracy_log.py`` makes it.

The untruncated log is the only input from which accuracy can be recomputed, so the runner
keeps it (see :func:`keep_untruncated`) and publishes the truncated form with its sha256 in
``accuracy.txt``'s ``hash=`` line.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from scoring.accuracy_log import TRUNCATED_PART_CHARS, TRUNCATION_MARKER


def truncated_text(text: str) -> str:
    """First 4096 + marker + last 4096 characters; short logs stay whole (already < 10 KiB)."""
    if len(text) <= 2 * TRUNCATED_PART_CHARS + len(TRUNCATION_MARKER):
        return text
    return text[:TRUNCATED_PART_CHARS] + TRUNCATION_MARKER + text[-TRUNCATED_PART_CHARS:]


def publish_accuracy_log(full_log: Path, target: Path, truncate: bool) -> None:
    """Write the log into the bundle, truncated unless ``truncate`` is False."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not truncate:
        shutil.copyfile(full_log, target)
        return
    text = full_log.read_text(encoding="utf-8")
    target.write_text(truncated_text(text), encoding="utf-8")


def keep_untruncated(full_log: Path, bundle_root: Path, bundle_path: Path, keep_root: Path) -> Path:
    """Copy the untruncated log to ``keep_root`` under the same relative path it has in the bundle.

    So ``<bundle>/open/S/results/.../accuracy/mlperf_log_accuracy.json`` is kept as
    ``<keep_root>/open/S/results/.../accuracy/mlperf_log_accuracy.json``.
    """
    destination = keep_root / bundle_path.relative_to(bundle_root)
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(full_log, destination)
    return destination
