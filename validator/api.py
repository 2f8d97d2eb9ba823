"""The validator's entry point for every front end (CLI, portal, leaderboard import)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from validator.archive import ArchiveLimits, bundle_root, extract_archive, is_archive
from validator.engine import validate_tree
from validator.findings import finding
from validator.options import Options
from validator.report import Report


class InputError(Exception):
    """The input cannot be read at all (CLI exit status 2)."""


def validate_path(
    path: Path, options: Options | None = None, limits: ArchiveLimits | None = None
) -> Report:
    """Validate a submission tree or archive. Raises :class:`InputError` only when the path
    does not exist or is neither a folder nor a file; everything else becomes findings."""
    options = options or Options()
    if path.is_dir():
        return validate_tree(path, options, source=path.name)
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file or folder")
    if not is_archive(path):
        return Report(
            round=options.round,
            findings=[
                finding(
                    "archive.unsupported",
                    path.name,
                    f"{path.name} is not a folder or a .zip/.tar.gz/.tgz archive",
                )
            ],
            results=[],
            source=path.name,
        )
    with tempfile.TemporaryDirectory(prefix="inferboard-") as tmp:
        dest = Path(tmp)
        problems = extract_archive(path, dest, limits)
        if problems:
            return Report(round=options.round, findings=problems, results=[], source=path.name)
        report = validate_tree(bundle_root(dest), options, source=path.name)
        # results refer to the extraction folder; their system descriptions are already loaded
        return report
