"""The official checker's reading of ``accuracy.txt`` (spec §4.3 item 1), line by line.

Both checker styles run the same loop: every line is matched against each target metric's
pattern; a value at or above the target marks the metric seen, a value below it fails the
result whatever other lines say; upper limits are tested on every line too; the loop stops once
every metric has been seen and a ``hash=`` line met. The summary CSV's ``Accuracy`` text lists
the *last* value of each metric, in the order the metrics were first met. A captured value that
is not a number makes the checker raise (``float('44.5.1')``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from scoring.accuracy_text import AccuracyText


@dataclass
class AccuracyReading:
    seen: dict[str, bool]
    below: list[tuple[str, str, int]] = field(default_factory=list)  # metric, value, line
    above: list[tuple[str, str, int]] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # as written, CSV order
    hash_value: str | None = None
    not_a_number: tuple[str, str, int] | None = None  # where float() raises
    lines_read: int = 0
    stopped_at: int | None = None  # the line after which the loop stops (None: end of file)

    @property
    def missing(self) -> list[str]:
        """Target metrics never stated at or above their target."""
        return [m for m, seen in self.seen.items() if not seen]

    @property
    def absent(self) -> list[str]:
        """Target metrics no line states at all."""
        return [m for m in self.seen if m not in self.values]

    @property
    def passes(self) -> bool:
        return not self.below and not self.missing and not self.above and self.not_a_number is None

    def summary(self, legacy: bool = False) -> str:
        """The CSV ``Accuracy`` column: ``json.dumps`` of the values, punctuation removed."""
        if legacy:
            return next(iter(self.values.values()), "")
        text = json.dumps(self.values)
        for old, new in ((",", " "), ('"', ""), ("{", ""), ("}", "")):
            text = text.replace(old, new)
        return text.strip()


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def read_like_the_checker(
    parsed: AccuracyText, targets: dict[str, float], limits: dict[str, float]
) -> AccuracyReading:
    reading = AccuracyReading(seen={m: False for m in targets})
    by_line: dict[int, dict[str, str]] = {}
    for metric in {*targets, *limits}:
        for match in parsed.matches.get(metric, ()):
            by_line.setdefault(match.line_no, {})[metric] = match.text
    hashes = {m.line_no: m.text for m in parsed.hash_lines}
    # the checker reads line by line; only lines with a match or a hash change its state, so
    # those are visited (in order) and the others counted as read
    reading.lines_read = len(parsed.lines)
    for n in sorted(by_line.keys() | (hashes.keys() if targets else set())):
        found = by_line.get(n, {})
        if targets and n in hashes:
            reading.hash_value = hashes[n]
        for metric, target in targets.items():
            if metric not in found:
                continue
            text = found[metric]
            value = _number(text)
            if value is None:
                reading.not_a_number = (metric, text, n)
                reading.lines_read = n + 1
                return reading
            if value >= target:
                reading.seen[metric] = True
            else:
                reading.below.append((metric, text, n))
            reading.values[metric] = text
        for metric, limit in limits.items():
            if metric not in found:
                continue
            value = _number(found[metric])
            if value is None:
                reading.not_a_number = (metric, found[metric], n)
                reading.lines_read = n + 1
                return reading
            if value > limit:
                reading.above.append((metric, found[metric], n))
        if all(reading.seen.values()) and reading.hash_value:
            reading.lines_read = n + 1
            reading.stopped_at = n
            break
    return reading
