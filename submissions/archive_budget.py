"""Archive checks the workflow adds before extraction, and path scrubbing after it.

The validator's extraction checks each zip member's compression ratio, and only members over
1 MiB; 1,800 one-MiB members of zeros pass that one by one, yet the whole 2 MB archive unpacks
to 1.8 GiB. :func:`whole_archive_problems` refuses an archive whose total declared size over
its size on disk exceeds the ratio limit, before anything is written. (tar.gz archives get the
whole-archive ratio check from the validator already.)

Messages must never show a server path (issue 12): :func:`scrub_paths` rewrites absolute
paths of the work folder, the storage folder and the project in a report to paths relative to
the bundle.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from validator.findings import Finding, finding

RATIO_FLOOR_BYTES = 2**20  # a tiny archive may compress better than the ratio: no bomb


def whole_archive_problems(archive: Path, max_ratio: float) -> list[Finding]:
    """A refusal when a zip's members together expand more than ``max_ratio`` times."""
    if not archive.name.lower().endswith(".zip"):
        return []
    try:
        with zipfile.ZipFile(archive) as zf:
            declared = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []  # the extraction names the problem (archive.corrupt)
    compressed = archive.stat().st_size
    if declared <= RATIO_FLOOR_BYTES or not compressed or declared / compressed <= max_ratio:
        return []
    return [
        finding(
            "archive.compression_ratio",
            archive.name,
            f"{archive.name} declares {declared / 2**20:,.0f} MiB of content in "
            f"{compressed / 2**20:,.1f} MiB: it expands {declared / compressed:,.0f}x as a "
            f"whole, more than the limit of {max_ratio:g}x",
        )
    ]


def scrub_paths(data: Any, folders: list[tuple[Path, str]]) -> Any:
    """``data`` (JSON-like) with every string's absolute folder paths replaced: each
    ``(folder, shown)`` pair turns ``folder/`` into ``shown`` (longest folder first)."""
    pairs: list[tuple[str, str]] = []
    for folder, shown in folders:
        for variant in {str(folder), str(folder.resolve())}:
            pairs += [(variant + "/", shown), (variant, shown.rstrip("/") or ".")]
    pairs.sort(key=lambda pair: len(pair[0]), reverse=True)

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            for old, new in pairs:
                value = value.replace(old, new)
            return value
        if isinstance(value, list):
            return [scrub(item) for item in value]
        if isinstance(value, dict):
            return {key: scrub(item) for key, item in value.items()}
        return value

    return scrub(data)
