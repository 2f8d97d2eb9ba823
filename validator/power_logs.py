"""Power measurements: the Power WG checks and the power metric of the summary CSV.

For a result with ``performance/power/``, each round's official submission checker runs the
MLCommons Power WG ``power_checker.py`` on the result's ``performance/`` folder and rejects the
result unless all of its eleven sub-checks pass (spec §1.3.W step 3, §3 PowerCheck).
:func:`check_power_logs` applies the same rules, with that round's values from
``rules/power.yaml``, and returns one :class:`PowerProblem` per failed sub-check: an empty list
exactly when the official script returns 0. :func:`power_metric` computes the number the
checker prints in the power row of its summary (spec §1.3.W step 2).

Every file is read bounded (:mod:`validator.power_files`); hostile input becomes a problem,
never an exception. Messages name files relative to the bundle root.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from validator.power_files import Bundle, PowerLogError, read_json
from validator.power_metric import compute_power_metric
from validator.power_ptd import check_ptd_config, check_ptd_log, check_ptd_messages
from validator.power_rules import PowerRules, power_rules
from validator.power_session import (
    Session,
    check_debug,
    check_messages,
    check_phases,
    check_results,
    check_session_name,
    check_sources,
    check_uuid,
)

__all__ = ["RULES", "PowerProblem", "check_power_logs", "power_metric"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PowerProblem:
    """One failed rule: ``rule`` is a stable id (see :data:`RULES`), ``message`` names the
    file relative to the bundle root and says what is wrong."""

    rule: str
    message: str


# rule id -> what it checks, in the order the official script runs them. "session" is the
# reading of client.json/server.json, which the script does before any sub-check (if it
# fails, nothing else runs). "metric" is power_metric's.
RULES: dict[str, str] = {
    "session": "client.json and server.json are JSON objects with the session fields",
    "sources_checksum": "the PTD client and server code is a released version (checksums)",
    "ptd_messages": "PTDaemon version, meter model and replies; initial ranges restored",
    "uuid": "client.json and server.json name the same client and server UUIDs",
    "session_name": "client.json and server.json name the same session",
    "phases": "phase times agree, LoadGen runs lie inside them, testing power not lower",
    "messages": "client and server logged the same exchange with the same protocol version",
    "results_checksum": "the result files are there and unchanged since the measurement",
    "ptd_log_errors": "the PTD log shows the ranging run and no unexpected error",
    "ptd_config": "the analyzer device types are supported; multichannel uses two channels",
    "debug": "the PTD server did not run in debug mode",
    "metric": "the power metric can be computed from spl.txt and the detail log",
}

_SubCheck = tuple[str, Callable[[Session], None]]
_SUB_CHECKS: tuple[_SubCheck, ...] = (
    ("sources_checksum", lambda s: check_sources(s, "client")),
    ("sources_checksum", lambda s: check_sources(s, "server")),
    ("ptd_messages", check_ptd_messages),
    ("uuid", check_uuid),
    ("session_name", check_session_name),
    ("phases", check_phases),
    ("messages", check_messages),
    ("results_checksum", check_results),
    ("ptd_log_errors", check_ptd_log),
    ("ptd_config", check_ptd_config),
    ("debug", check_debug),
)


def check_power_logs(performance_dir: Path, round_name: str, root: Path) -> list[PowerProblem]:
    """Run the Power WG checks of ``round_name`` on a result's ``performance/`` folder.

    ``root`` is the bundle root, used only to name files in messages. Raises ``KeyError`` for
    a round without power rules (a caller's mistake, not the bundle's).
    """
    rules = power_rules(round_name)
    bundle = Bundle(root, performance_dir)
    documents = []
    for name in ("client.json", "server.json"):
        path = performance_dir / "power" / name
        try:
            documents.append(_session_document(path, rules, bundle))
        except PowerLogError as exc:
            return [PowerProblem("session", str(exc))]
    session = Session(
        client=documents[0],
        server=documents[1],
        client_path=performance_dir / "power" / "client.json",
        server_path=performance_dir / "power" / "server.json",
        performance_dir=performance_dir,
        rules=rules,
        bundle=bundle,
    )
    problems = []
    for rule, sub_check in _SUB_CHECKS:
        try:
            sub_check(session)
        except PowerLogError as exc:
            problems.append(PowerProblem(rule, str(exc)))
        except Exception:  # a bug of ours must not pass a bundle, nor crash the validator
            log.exception("power check %s crashed on %s", rule, bundle.shown(performance_dir))
            problems.append(
                PowerProblem(rule, f"{bundle.shown(performance_dir)}: could not be checked")
            )
    return problems


def _session_document(path: Path, rules: PowerRules, bundle: Bundle) -> dict[str, Any]:
    document = read_json(path, rules.limits, bundle)
    if not isinstance(document, dict):
        raise PowerLogError(f"{bundle.shown(path)} must hold a JSON object")
    absent = [field for field in rules.session.required_fields if field not in document]
    if absent:
        raise PowerLogError(f"{bundle.shown(path)} lacks {', '.join(absent)}")
    return document


def power_metric(
    run_dir: Path,
    scenario: str,
    logged_scenario: object,
    result_value: float | None,
    *,
    round_name: str,
    root: Path,
) -> tuple[float | None, PowerProblem | None]:
    """The power metric of the testing run ``run_dir`` (``performance/run_1``), exactly as the
    checker computes it for the summary CSV (printed there with ``str``).

    ``scenario`` is the checker's scenario name (the folder after the round's aliases),
    ``logged_scenario`` the detail log's ``effective_scenario`` value and ``result_value`` the
    performance result (``None`` if it has none). Average watts for Offline and Server (and
    Interactive from v6.0), millijoules per query for SingleStream and MultiStream (x8 for a
    MultiStream result measured as SingleStream). Returns ``(value, None)`` or
    ``(None, problem)`` when the checker would reject the result at this step.
    """
    rules = power_rules(round_name)
    try:
        value = compute_power_metric(
            run_dir, scenario, logged_scenario, result_value, rules, Bundle(root, run_dir.parent)
        )
    except PowerLogError as exc:
        return None, PowerProblem("metric", str(exc))
    return value, None
