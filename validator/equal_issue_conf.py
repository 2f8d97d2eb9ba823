"""Equal-issue mode as the v4.1 checker reads it from a result's ``mlperf.conf`` and ``user.conf``
(S41 ``check_measurement_dir``, L2478-2534).

For a closed or network benchmark that must run in equal-issue mode (by its *folder* name), the
checker reads both files of the measurements folder, ``mlperf.conf`` first, line by line: spaces
and the newline removed, comments (``#``) and blank lines skipped, every other line split into
``key = value`` and the key into ``model.scenario.name``; neither split is guarded, so a line of
another shape raises and the checker stops. The first line that sets
``sample_concatenate_permutation`` for the benchmark (``-99``/``-99.9`` dropped, or ``*``) and
the scenario folder (or ``*``) to a number decides (``== 1``); a match in ``user.conf``
overrides ``mlperf.conf``. Its performance-log test compares the log's value with the *string*
``"true"``, which LoadGen never writes, so in practice these files decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from validator.parsing.utf8 import find_not_utf8

CONF_FILES = ("mlperf.conf", "user.conf")  # in the order the checker reads them


@dataclass(frozen=True)
class EqualIssueConf:
    """What the checker concludes from the configuration files."""

    used: bool  # equal issue set to 1 for this benchmark and scenario
    decided_by: str  # the file and line that decided, or "" when none did
    stops: str = ""  # why the checker raises reading them ("" when it does not)


def _lines(text: str) -> list[str]:
    """``readlines()`` of a text-mode file: universal newlines, each line ending in "\\n".
    (Not ``str.splitlines``, which also splits at form feeds, U+2028 and the like.)"""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    *whole, last = text.split("\n")
    return [line + "\n" for line in whole] + ([last] if last else [])


def read_equal_issue(files: dict[str, bytes], benchmark: str, scenario: str) -> EqualIssueConf:
    """Read ``files`` (name -> content, only those present) as the checker does for the
    benchmark and scenario *folders*."""
    reference = benchmark.replace("-99.9", "").replace("-99", "")
    used, decided_by = False, ""
    for name in CONF_FILES:
        if name not in files:
            continue
        bad = find_not_utf8(files[name])
        if bad is not None:
            return EqualIssueConf(used, decided_by, bad.describe(name))
        for number, raw in enumerate(_lines(files[name].decode("utf-8")), start=1):
            line = raw.replace(" ", "").replace("\n", "")
            if line.startswith("#") or line == "":
                continue
            where = f"{name} line {number}"
            parts = line.split("=")
            if len(parts) != 2:
                return EqualIssueConf(
                    used, decided_by, f"{where} ({raw.strip()[:60]!r}) is not one 'key = value'"
                )
            key, value = parts
            fields = key.split(".")
            if len(fields) != 3:
                return EqualIssueConf(
                    used, decided_by, f"{where}: the key {key[:60]!r} is not model.scenario.setting"
                )
            model, conf_scenario, setting = fields
            if (
                setting == "sample_concatenate_permutation"
                and model in (reference, "*")
                and conf_scenario in (scenario, "*")
                and value.isnumeric()
            ):
                try:
                    used = int(value) == 1
                except ValueError:  # a numeric character int() does not read ("²")
                    return EqualIssueConf(used, decided_by, f"{where}: int({value!r}) fails")
                decided_by = where
                break
    return EqualIssueConf(used, decided_by)
