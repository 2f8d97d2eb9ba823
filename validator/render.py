"""Text rendering of a :class:`~validator.report.Report` for the command line.

Everything printed comes from the report; strings read from a bundle are shown with
:func:`printable`, so a lone surrogate or a control character never breaks a terminal.
"""

from __future__ import annotations

from validator.codes import Verdict
from validator.findings import Finding, Severity
from validator.report import Report, ResultEntry


def printable(text: str) -> str:
    """``text`` safe to print anywhere: control characters and unpaired surrogates escaped."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF or (code < 32 and ch not in "\t") or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def _mark(entry: ResultEntry) -> str:
    if entry.valid:
        return "VALID        "
    if entry.official_valid:
        return "OFFICIAL ONLY"
    return "INVALID      "


def _value(entry: ResultEntry) -> str:
    if entry.value is not None:
        return f"{entry.value:g} {entry.units}"
    if entry.official_row.result_text:
        return f"{entry.official_row.result_text} (not a finite number)"
    return "no value"


def _finding_lines(f: Finding) -> list[str]:
    return [
        f"  {str(f.severity).upper():7} {f.code}  [{f.verdict}]  {printable(f.path)}",
        f"          {printable(f.message)}",
        f"          fix: {printable(f.hint)}",
    ]


def report_text(report: Report, *, show_info: bool = False) -> str:
    source = printable(report.source or "bundle")
    lines = [f"Inferboard validator: {source} (round {report.round or '?'})"]
    if report.checker_commit:
        lines.append(f"Official rules: the {report.round} checker at {report.checker_commit}")
    for r in report.results:
        lines.append(f"  {_mark(r)} {printable(r.location)}: {printable(_value(r))}")
    shown = [f for f in report.findings if show_info or f.severity is not Severity.INFO]
    for verdict in Verdict:
        group = [f for f in shown if f.verdict is verdict]
        if group:
            title = "Official checker" if verdict is Verdict.OFFICIAL else "Inferboard checks"
            lines += ["", f"{title} findings:"]
            for f in group:
                lines += _finding_lines(f)
    c = report.counts
    official_valid = sum(r.official_valid for r in report.results)
    valid = sum(r.valid for r in report.results)
    lines += [
        "",
        f"Official verdict: {report.official_verdict.upper()} ({official_valid} of "
        f"{len(report.results)} results have an official summary row)",
        f"Inferboard verdict: {report.verdict.upper()} ({valid} of {len(report.results)} "
        f"results valid; {c['error']} errors, {c['warning']} warnings, {c['info']} notes)",
    ]
    differing = report.difference()
    if differing and report.officially_accepted:
        codes = ", ".join(sorted({f.code for f in differing}))
        lines.append(f"The verdicts differ because of Inferboard's truth checks: {codes}")
    return "\n".join(lines)
