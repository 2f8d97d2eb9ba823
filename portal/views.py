"""Widgets that render workflow objects: receipts, submission facts, the validator's report.

The report is data (house style §7): these functions only lay out what the service returns.
Everything a user supplied (file names, system names, reasons, provider names) goes through
``st.text``, ``st.code`` or ``st.dataframe``, or through :func:`literal` before it meets
markdown, so ``<b>x</b>.zip`` shows as those characters and never as markup.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from errors import InferboardError
from leaderboard import provenance
from scoring.tiers import TIERS, ReproductionStatus
from submissions.models import AuditEntry, Receipt, Submission
from submissions.reproduction import Reproduction, summarize
from validator.report import Report

TABLE_LIMIT = 200  # findings shown as a wrapped table; more go to a scrolling data grid
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")


def literal(text: str) -> str:
    """``text`` escaped for Streamlit markdown, so it renders as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def status_link(submission_id: int, page: str = "submissions") -> str:
    """Relative permalink of a submission on a page (``submissions`` or ``review``)."""
    return f"{page}?id={int(submission_id)}"


def show_error(error: InferboardError) -> None:
    """The service's message and hint, literally, with its stable code for support requests."""
    text = literal(error.message) + (f"  \n{literal(error.hint)}" if error.hint else "")
    st.error(f"{text}  \n`{error.code}`", icon=":material/error:")


def receipt(receipt: Receipt) -> None:
    """What the user gets at once after an upload: id, sha256, time, size."""
    if receipt.already_received:
        st.info(
            f"These exact bytes were already received as submission {receipt.submission_id}; "
            "no copy was made.",
            icon=":material/content_copy:",
        )
    else:
        st.success(f"Received as submission {receipt.submission_id}.", icon=":material/done:")
    # st.code: literal text that a person (and a browser test) can select and copy
    st.code(
        "\n".join(
            [
                f"submission id: {receipt.submission_id}",
                f"file:          {receipt.filename}",
                f"sha256:        {receipt.sha256}",
                f"size:          {receipt.size_bytes:,} bytes",
                f"received at:   {receipt.received_at.isoformat(timespec='seconds')}",
            ]
        ),
        language=None,
    )
    # a page link: the same tab, without a cold load (a markdown link opens a new tab)
    st.page_link(
        "app_pages/my_submissions.py",
        label=f"Follow it on its status page: submission {receipt.submission_id}",
        icon=":material/pending_actions:",
        query_params={"id": str(receipt.submission_id)},
    )


def submissions_table(submissions: Sequence[Submission], page: str = "submissions") -> None:
    """A list of submissions, each id a permalink to ``page``."""
    rows = [
        {
            "link": status_link(s.submission_id, page),
            "id": s.submission_id,
            "file": s.filename,
            "owner": s.owner_label,
            "state": s.state.label,
            "progress": s.progress,
            "verdict": s.verdict or "",
            "errors": s.error_count,
            "warnings": s.warning_count,
            "received": s.received_at.isoformat(timespec="seconds"),
        }
        for s in submissions
    ]
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            "link": st.column_config.LinkColumn("open", display_text=r"open ›"),
        },
    )


def submission_facts(submission: Submission) -> None:
    """State, verdict and the identity of the upload."""
    left, middle, right = st.columns(3)
    left.metric("State", submission.state.label)
    middle.metric("Validator verdict", submission.verdict or "pending")
    right.metric("Valid results", f"{submission.valid_result_count} of {submission.result_count}")
    st.text(f"Progress: {submission.progress}")
    if submission.state.is_final and submission.decision_reason:
        st.text(f"Decision: {submission.state.label}. Reason: {submission.decision_reason}")
    facts = [
        ("file", submission.filename),
        ("owner", submission.owner_label),
        ("sha256", submission.sha256),
        ("size", f"{submission.size_bytes:,} bytes"),
        ("received at", submission.received_at.isoformat(timespec="seconds")),
        ("updated at", submission.updated_at.isoformat(timespec="seconds")),
        ("errors / warnings", f"{submission.error_count} / {submission.warning_count}"),
    ]
    if submission.replaces is not None:
        facts.append(("replaces", f"submission {submission.replaces}"))
    if submission.replaced_by is not None:
        facts.append(("replaced by", f"submission {submission.replaced_by}"))
    if submission.decided_by:
        facts.append(("decided by", submission.decided_by))
    if submission.decision_reason:
        facts.append(("reason", submission.decision_reason))
    st.dataframe([{"field": k, "value": v} for k, v in facts], hide_index=True, width="stretch")


def findings_rows(report: Report) -> list[dict[str, str]]:
    """Every finding of a stored report, errors first, with the file and the fix hint."""
    order = {"error": 0, "warning": 1, "info": 2}
    rows = [
        {
            "severity": str(f.severity),
            "verdict": str(f.verdict),
            "code": f.code,
            "file": f.path,
            "message": f.message,
            "fix": f.hint,
        }
        for f in report.findings
    ]
    return sorted(rows, key=lambda row: order.get(row["severity"], 3))


def results_rows(report: Report) -> list[dict[str, object]]:
    """Each result with its value, unit and both verdicts (official, Inferboard's)."""
    return [
        {
            "location": r.location,
            "scenario": r.scenario,
            "value": r.value,
            "units": r.units,
            "better": "higher" if r.higher_is_better else "lower",
            "valid (official)": r.official_valid,
            "valid (Inferboard)": r.valid,
            "TTFT p99 (ms)": r.ttft_p99_ns / 1e6 if r.ttft_p99_ns is not None else None,
            "TPOT p99 (ms)": r.tpot_p99_ns / 1e6 if r.tpot_p99_ns is not None else None,
            "accuracy": r.accuracy_summary,
        }
        for r in report.results
    ]


def report_view(report: Report | None, submission_id: int) -> None:
    """The validator's report: both verdicts, results, then finding by finding; JSON
    download."""
    st.subheader("Validator report")
    if report is None:
        st.info("The validator has not finished yet.", icon=":material/hourglass_top:")
        return
    counts = report.counts
    st.text(
        f"Verdict: {report.verdict} (the official checker's: {report.official_verdict}; "
        f"round {report.round or '?'}); {counts['error']} errors, {counts['warning']} "
        f"warnings, {counts['info']} notes"
    )
    if report.results:
        st.dataframe(results_rows(report), hide_index=True, width="stretch")
    rows = findings_rows(report)
    if not rows:
        st.success("No findings.")
    elif len(rows) <= TABLE_LIMIT:
        # a static table wraps long messages and hints instead of cutting them; its cells are
        # markdown, so every value (bundle text among them) is escaped
        st.table([{key: literal(value) for key, value in row.items()} for row in rows])
    else:
        st.dataframe(rows, hide_index=True, width="stretch")
    st.download_button(
        "Download the report (JSON)",
        data=report.to_json(),
        file_name=f"submission-{submission_id}-report.json",
        mime="application/json",
        key=f"report-json-{submission_id}",
    )


def reproduction_view(reproduction: Mapping[str, Any] | None, submission: Submission) -> None:
    """The recomputations and spot check; their shape is the workflow's, shown as data."""
    st.subheader("Reproduction")
    if reproduction is None:
        if submission.state.is_final:
            st.info(f"Not run: the submission was {submission.state.label} before this step.")
        else:
            st.info("Recomputation has not finished yet.", icon=":material/hourglass_top:")
        return
    checks = reproduction.get("log_checks")
    if isinstance(checks, list) and checks:
        st.caption("Accuracy logs recounted against accuracy.txt (tokens per sample, hash=)")
        st.dataframe(
            [
                {
                    "file": str(c.get("path", "")),
                    "status": str(c.get("status", "")),
                    "claimed tokens/sample": c.get("claimed_tokens_per_sample"),
                    "recounted tokens/sample": c.get("recounted_tokens_per_sample"),
                    "detail": str(c.get("message", "")),
                }
                for c in checks
                if isinstance(c, Mapping)
            ],
            hide_index=True,
            width="stretch",
        )
    summary = summarize(reproduction)
    if summary is not None:
        _reproduction_summary(summary)
    with st.expander("Reproduction data (JSON)"):
        st.json(dict(reproduction), expanded=2)


_VERDICT_SHOWN = {
    ReproductionStatus.CONSISTENT: (st.success, ":material/verified:"),
    ReproductionStatus.INCONSISTENT: (st.error, ":material/report:"),
}


def _reproduction_summary(summary: Reproduction) -> None:
    """Verdict, reasons, what could not run, each tier per scenario, the per-query table.
    Reasons, gaps, messages and names come from the bundle and the runner: shown literally."""
    show, icon = _VERDICT_SHOWN.get(summary.status, (st.warning, ":material/help:"))
    status = summary.status.value
    seed = (
        f" Sampling seed {int(summary.seed)} ({literal(str(summary.seed_source))})."
        if summary.seed
        else ""
    )
    show(f"Reproduction: {status}.{seed}", icon=icon)
    if summary.message:
        st.text(summary.message)
    for reason in summary.reasons:
        st.markdown(f"- {literal(reason)}")
    for gap in summary.gaps:
        st.text(f"Not run: {gap}")
    for scenario in summary.scenarios:
        st.markdown(
            f"**{literal(scenario.scenario)}**: whole log "
            f"{literal(scenario.whole_log or 'not uploaded')}; "
            f"{scenario.test06_answers} TEST06 and {scenario.salvaged_answers} salvaged answers"
        )
        st.dataframe(
            [
                {"tier": t.number, "check": t.name, "status": t.status.value, "detail": t.message}
                for t in scenario.tiers
            ],
            hide_index=True,
            width="stretch",
        )
        if scenario.queries:
            st.dataframe(
                [
                    {
                        "qsl_idx": q.qsl_idx,
                        "submitted tokens": q.submitted_tokens,
                        "regenerated tokens": q.regenerated_tokens,
                        "stops (sub/regen)": f"{q.submitted_stop}/{q.regenerated_stop}",
                        "first token": "agrees" if q.first_token_match else "differs",
                        "similarity": q.similarity,
                        "ROUGE-L sub/regen": None
                        if q.rouge_l_submitted is None
                        else f"{q.rouge_l_submitted:.2f}/{q.rouge_l_regenerated:.2f}",
                        "flags": ", ".join(q.flags) or "-",
                    }
                    for q in scenario.queries
                ],
                hide_index=True,
                width="stretch",
            )
    with st.expander("What each tier proves, on what hardware, in how long"):
        st.dataframe(
            [
                {
                    "tier": t.number,
                    "name": t.name,
                    "proves": t.proves,
                    "needs": t.needs,
                    "hardware": t.hardware,
                    "time": t.duration,
                }
                for t in TIERS
            ],
            hide_index=True,
            width="stretch",
        )


def overlap_warning(overlap: Sequence[Mapping[str, str]], submission: Submission) -> None:
    """Before a decision: results the leaderboard already holds for the same system,
    benchmark and scenario (accepting shows this submission's beside them, labelled)."""
    if not overlap:
        return
    st.warning(
        f"The leaderboard already holds {len(overlap)} results for the same round, system, "
        f"benchmark and scenario as this submission's {submission.valid_result_count} valid "
        "results (published by MLCommons, or accepted in another submission). Accepting adds "
        "this submission's beside them, labelled as an accepted submission.",
        icon=":material/content_copy:",
    )
    st.dataframe(
        [
            {
                "result": row["result_id"],
                "source": provenance.label(row["provenance"]),
                "verified as": row["verification"],
            }
            for row in overlap
        ],
        hide_index=True,
    )


def audit_table(entries: Sequence[AuditEntry]) -> None:
    st.dataframe(
        [
            {
                "#": e.sequence,
                "at": e.at.isoformat(timespec="seconds"),
                "who": e.actor_label,
                "submission": e.submission_id,
                "action": e.action.value,
                "from": e.from_state.label if e.from_state else "",
                "to": e.to_state.label if e.to_state else "",
                "reason": e.reason or "",
                "hash": e.entry_hash[:12],
            }
            for e in entries
        ],
        hide_index=True,
        width="stretch",
    )


def query_id(name: str = "id") -> int | None:
    """A positive integer query parameter (a permalink's id); anything else is no id."""
    raw = st.query_params.get(name, "")
    # ASCII digits only ("²".isdigit() is True), and a length int() parses at once
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        return None
    return int(raw) or None
