"""Compliance checks (spec §4.4). LLMs need only TEST06; its ``verify_accuracy.txt`` must say
the three checks passed. Other benchmarks' tests are checked for presence and a pass line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from validator.bundle import list_files
from validator.checks.context import ResultContext
from validator.findings import Finding
from validator.parsing import ParseError
from validator.parsing.documents import read_text_lines

TEST06_FILES = {"verify_accuracy.txt", "accuracy"}


def compliance_root(ctx: ResultContext) -> Path:
    return ctx.dirs.compliance(ctx.rules.layout)


def check_compliance(ctx: ResultContext) -> Iterator[Finding]:
    if not ctx.is_closed_or_network or ctx.options.skip_compliance or ctx.bench is None:
        return
    tests = ctx.bench.compliance_tests
    root = compliance_root(ctx)
    if tests and not root.is_dir():
        yield ctx.found("compliance.dir_missing", root, "compliance folder is missing")
        return
    for test in tests:
        test_dir = root / test
        if not test_dir.is_dir():
            yield ctx.found("compliance.test_missing", test_dir, f"{test} is missing")
        elif test == "TEST06":
            yield from _check_test06(ctx, test_dir)
        else:
            yield from _check_pass_lines(ctx, test_dir, test)


def _check_test06(ctx: ResultContext, test_dir: Path) -> Iterator[Finding]:
    verify = test_dir / "verify_accuracy.txt"
    if not verify.is_file():
        yield ctx.found("compliance.file_list_mismatch", verify, "verify_accuracy.txt is missing")
        return
    try:
        lines = {line.strip() for line in read_text_lines(verify)}
    except ParseError as exc:
        yield ctx.found("compliance.test_failed", verify, str(exc))
        return
    for name, pattern in ctx.common.test06.lines.items():
        regex = re.compile(pattern)
        if not any(regex.fullmatch(line) for line in lines):
            yield ctx.found(
                "compliance.test_failed", verify, f"TEST06 {name} check did not pass ({pattern!r})"
            )


def _check_pass_lines(ctx: ResultContext, test_dir: Path, test: str) -> Iterator[Finding]:
    verifies = [name for name in list_files(test_dir) if name.startswith("verify_")]
    if not verifies:
        yield ctx.found("compliance.file_list_mismatch", test_dir, f"{test} has no verify_*.txt")
    for name in verifies:
        text = (test_dir / name).read_text(encoding="utf-8", errors="replace")
        if "TEST PASS" not in text and name != "verify_accuracy.txt":
            yield ctx.found("compliance.test_failed", test_dir / name, f"{test} did not pass")


CHECKS = (check_compliance,)
