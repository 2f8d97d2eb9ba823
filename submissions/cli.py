"""``python -m submissions``: the maintainer's command line for when the portal is not running.

The CLI opens the DuckDB file read-write, so it cannot run while the portal holds it (one
process owns the file, house style §9); it then says so and exits 2 instead of showing a lock
traceback. Read commands act as a local operator with maintainer rights (whoever can open the
file can read it anyway); decisions need ``--as EMAIL`` of a listed maintainer, so the audit
log names a person. ``submit --as EMAIL`` files a bundle on behalf of that user; CLI users are
identified by e-mail, portal users by their login provider's subject.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from errors import InferboardError
from leaderboard.db import open_store
from leaderboard.settings import LeaderboardSettings, load_values
from submissions import organisation_commands
from submissions.errors import SubmissionError
from submissions.models import Submission
from submissions.reproduction import Reproduction, summarize
from submissions.roles import Principal, Role, principal_from_claims
from submissions.service import SubmissionService
from submissions.settings import SubmissionSettings
from submissions.worker import Worker

OPERATOR = Principal(
    subject="inferboard:cli", email=None, name="command-line operator", role=Role.MAINTAINER
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m submissions", description=__doc__)
    parser.add_argument("--db", type=Path, help="DuckDB file (default: INFERBOARD_DB_PATH)")
    parser.add_argument(
        "--storage-dir", type=Path, help="submission storage (default: INFERBOARD_STORAGE_DIR)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    submit = sub.add_parser("submit", help="file a bundle on behalf of a user")
    submit.add_argument("file", type=Path)
    submit.add_argument("--as", dest="actor", required=True, metavar="EMAIL")
    submit.add_argument("--replaces", type=int, help="id of the submission this one corrects")
    attach = sub.add_parser(
        "attach-log", help="store the whole accuracy log of one scenario beside a submission"
    )
    attach.add_argument("id", type=int)
    attach.add_argument(
        "log", metavar="SCENARIO=PATH", help="e.g. Offline=mlperf_log_accuracy.json"
    )
    attach.add_argument("--as", dest="actor", required=True, metavar="EMAIL")
    sub.add_parser("work", help="validate and reproduce everything pending, then exit")
    listing = sub.add_parser("list", help="the review queue and recent decisions")
    listing.add_argument("--limit", type=int, default=20)
    show = sub.add_parser("show", help="one submission with its report")
    show.add_argument("id", type=int)
    show.add_argument("--json", action="store_true", help="print the stored reports as JSON")
    for name in ("accept", "reject"):
        decide = sub.add_parser(name, help=f"{name} a submission awaiting review")
        decide.add_argument("id", type=int)
        decide.add_argument("--reason", required=True)
        decide.add_argument("--as", dest="actor", required=True, metavar="EMAIL")
        if name == "accept":
            decide.add_argument(
                "--confirm-organisation",
                dest="confirmed",
                action="append",
                default=[],
                metavar="ORG",
                help="a flagged submitter folder you checked the uploader may submit for "
                "(once per flagged folder; written to the audit log with the reason)",
            )
    audit = sub.add_parser("audit", help="the audit log")
    audit.add_argument("--id", type=int, help="only this submission's entries")
    audit.add_argument("--verify", action="store_true", help="check the hash chain")
    organisation_commands.add_parser(sub)
    sub.add_parser("settings", help="every setting with its value and meaning")
    return parser


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _main(args, load_values(os.environ if environ is None else environ))
    except InferboardError as exc:
        print(f"error: {exc.one_line()}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `python -m submissions list | head`: the reader left; what it read was complete
        _quiet_stdout()
        return 0


def _main(args: argparse.Namespace, values: Mapping[str, object]) -> int:
    settings = SubmissionSettings.from_mapping(values)
    if args.storage_dir is not None:
        settings = settings.with_changes(storage_dir=args.storage_dir)
    if args.command == "settings":
        _print_settings(settings)
        return 0
    db = LeaderboardSettings.from_mapping(values)
    if args.db is not None:
        db = db.with_changes(db_path=args.db)
    with open_store(db) as store:
        service = SubmissionService(store, settings)
        return _run(args, service, settings)


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the interpreter's final flush does
    not raise again (Python's documented recipe)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _run(args: argparse.Namespace, service: SubmissionService, settings: SubmissionSettings) -> int:
    if args.command == "submit":
        if not args.file.is_file():
            raise SubmissionError("cli.missing_file", f"{args.file} does not exist")
        with args.file.open("rb") as stream:
            receipt = service.receive(
                _person(args.actor, settings), stream, args.file.name, replaces=args.replaces
            )
        again = " (already received: same bytes as before)" if receipt.already_received else ""
        when = f"{receipt.received_at:%Y-%m-%d %H:%M:%S} UTC"
        print(f"submission {receipt.submission_id}{again}: sha256 {receipt.sha256}, "
              f"{receipt.size_bytes} bytes, received {when}")  # fmt: skip
        print("run `python -m submissions work` (or start the portal) to validate it")
    elif args.command == "attach-log":
        scenario, _, path = args.log.partition("=")
        log = Path(path)
        if not scenario or not log.is_file():
            raise SubmissionError(
                "cli.missing_file", f"give SCENARIO=PATH of an existing file, not {args.log!r}"
            )
        with log.open("rb") as stream:
            stored = service.attach_accuracy_log(
                _person(args.actor, settings), args.id, scenario, stream, log.name
            )
        print(f"submission {args.id}: {scenario} accuracy log stored, sha256 {stored['sha256']}")
        print("run `python -m submissions work` (or start the portal) to reproduce with it")
    elif args.command == "work":
        started = time.perf_counter()
        advanced = Worker(service, settings).run_until_idle()
        elapsed = time.perf_counter() - started
        print(f"advanced {advanced} submissions in {elapsed:.1f} s; "
              f"{len(service.queue(OPERATOR))} undecided")  # fmt: skip
    elif args.command == "list":
        print("Undecided (oldest first):")
        _print_table(service.queue(OPERATOR))
        print("\nDecided (newest first):")
        _print_table(service.decided(OPERATOR, args.limit))
    elif args.command == "show":
        _show(service, args.id, as_json=args.json)
    elif args.command in ("accept", "reject"):
        actor = _person(args.actor, settings)
        if args.command == "accept":
            done = service.accept(actor, args.id, args.reason, confirm_organisations=args.confirmed)
        else:
            done = service.reject(actor, args.id, args.reason)
        print(f"submission {done.submission_id}: {done.state.label}; {done.progress}")
    elif args.command == "organisations":
        actor = OPERATOR if args.action == "list" else _person(args.actor, settings)
        return organisation_commands.run(args, service, actor)
    elif args.command == "audit":
        if args.verify:
            check = service.verify_audit_chain(OPERATOR)
            for line in check.problems:
                print(f"problem: {line}")
            for line in check.warnings:
                print(f"warning: {line}")
            if check.intact:
                print(f"audit chain intact ({check.entries} entries)")
            return 0 if check.intact else 1
        for e in service.audit_log(OPERATOR, args.id):
            move = f"{e.from_state or '-'} -> {e.to_state or '-'}"
            who = f"{e.at:%Y-%m-%d %H:%M:%S} {e.actor_label:30} #{e.submission_id or '-':<5}"
            print(f"{e.sequence:5} {who} {e.action:14} {move:34} {e.reason or ''}")
    return 0


def _person(email: str, settings: SubmissionSettings) -> Principal:
    """A CLI user named by e-mail (subject = the lower-cased e-mail)."""
    claims = {"sub": email.strip().lower(), "email": email.strip(), "email_verified": True}
    return principal_from_claims(claims, settings.maintainers)


def _show(service: SubmissionService, submission_id: int, *, as_json: bool) -> None:
    s = service.get(OPERATOR, submission_id)
    report = service.report(OPERATOR, submission_id)
    reproduction = service.reproduction(OPERATOR, submission_id)
    if as_json:
        data = {
            "submission": s.model_dump(mode="json"),
            "report": report.model_dump(mode="json") if report else None,
            "organisations": service.organisations.check(OPERATOR, submission_id).model_dump(
                mode="json"
            ),
        }
        print(json.dumps({**data, "reproduction": reproduction}, indent=2))
        return
    for name, value in s.model_dump(mode="json").items():
        print(f"{name:20} {value}")
    if report:
        print(
            f"\nValidator: {report.verdict} (official checker: {report.official_verdict}; "
            f"{report.counts})"
        )
        for f in report.findings:
            print(f"  {f.severity.upper():7} {f.code}  {f.path}  [{f.verdict}]\n"
                  f"          {f.message}\n          fix: {f.hint}")  # fmt: skip
    organisation_commands.print_check(service.organisations.check(OPERATOR, submission_id))
    if reproduction:
        print("\nReproduction:")
        for check in reproduction.get("log_checks", []):
            print(f"  {check['status']:11} {check['path']}: {check['message']}")
        _print_reproduction(summarize(reproduction))


def _print_reproduction(summary: Reproduction | None) -> None:
    if summary is None:
        return
    seed = f" (sampling seed {summary.seed}, {summary.seed_source})" if summary.seed else ""
    print(
        f"  verdict: {summary.status}{seed}" + (f": {summary.message}" if summary.message else "")
    )
    for reason in summary.reasons:
        print(f"    - {reason}")
    for gap in summary.gaps:
        print(f"    (not run) {gap}")
    for scenario in summary.scenarios:
        answers = f"{scenario.test06_answers} TEST06, {scenario.salvaged_answers} salvaged"
        print(f"  {scenario.scenario}: whole log {scenario.whole_log or 'none'}; {answers}")
        for tier in scenario.tiers:
            print(f"    tier {tier.number} {tier.name:32} {tier.status:13} {tier.message}")
        if scenario.queries:
            print(f"    {'qsl_idx':>8} {'submitted':>9} {'regen.':>7} {'first':>5} "
                  f"{'similar':>7} {'stops':>11}  flags")  # fmt: skip
        for q in scenario.queries:
            stops = f"{q.submitted_stop}/{q.regenerated_stop}"
            first = "yes" if q.first_token_match else "no"
            flags = ", ".join(q.flags) or "-"
            print(f"    {q.qsl_idx:>8} {q.submitted_tokens:>9} {q.regenerated_tokens:>7} "
                  f"{first:>5} {q.similarity:>7.2f} {stops:>11}  {flags}")  # fmt: skip


def _print_table(rows: list[Submission]) -> None:
    if not rows:
        print("  (none)")
    for s in rows:
        print(f"  #{s.submission_id:<5} {s.state.label:16} {s.owner_label:30} {s.filename:30} "
              f"{s.verdict or '-':9} {s.progress}")  # fmt: skip


def _print_settings(settings: SubmissionSettings) -> None:
    variables = SubmissionSettings.variables()
    for name, help_text in SubmissionSettings.help_texts().items():
        print(f"{variables[name]} = {getattr(settings, name)!r}\n    {help_text}")
