"""The validator's entry point for every front end (CLI, portal, leaderboard import)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from errors import InferboardError
from validator.archive import ArchiveLimits, bundle_root, extract_archive, is_archive
from validator.engine import validate_tree
from validator.findings import finding
from validator.options import Options
from validator.report import Report, settle


class InputError(InferboardError):
    """The input cannot be read at all (CLI exit status 2)."""

    def __init__(self, message: str) -> None:
        super().__init__("input.unreadable", message, "Pass a folder or a .zip/.tar.gz/.tgz file.")

    def __reduce__(self) -> tuple[type[InferboardError], tuple[object, ...]]:
        return (type(self), (self.message,))


def validate_path(
    path: Path, options: Options | None = None, limits: ArchiveLimits | None = None
) -> Report:
    """Validate a submission tree or archive. Raises :class:`InputError` only when the path
    does not exist or is neither a folder nor a regular file; everything else becomes
    findings."""
    options = options or Options()
    if path.is_dir():
        return validate_tree(path, options, source=str(path))
    if not path.is_file():
        raise InputError(f"{path.name or path} does not exist or is not a file or folder")
    if not is_archive(path):
        return settle(
            Report(
                round=options.round,
                findings=[
                    finding(
                        "archive.unsupported",
                        path.name,
                        f"{path.name} is not a folder or a .zip/.tar.gz/.tgz archive",
                    )
                ],
                source=path.name,
            )
        )
    with tempfile.TemporaryDirectory(prefix="inferboard-") as tmp:
        dest = Path(tmp)
        problems = extract_archive(path, dest, limits)
        if problems:
            return settle(Report(round=options.round, findings=problems, source=path.name))
        root = bundle_root(dest)
        report = validate_tree(root, options, source=path.name)
        return report
