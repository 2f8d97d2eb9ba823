"""Minimal reader for ``mlperf_log_detail.txt`` (spec §3): first value per key, as the checker's
``MLPerfLog`` takes it. The runner uses it to summarise runs; the validator has its own parser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_PREFIX = ":::MLLOG "


def detail_values(path: Path) -> dict[str, Any]:
    """Key -> first logged value; ``error_count`` counts entries flagged ``is_error``."""
    values: dict[str, Any] = {}
    errors = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith(_PREFIX):
            continue
        try:
            record = json.loads(line[len(_PREFIX) :])
        except json.JSONDecodeError:
            continue
        values.setdefault(record.get("key"), record.get("value"))
        if (record.get("metadata") or {}).get("is_error"):
            errors += 1
    values["error_count"] = errors
    return values
