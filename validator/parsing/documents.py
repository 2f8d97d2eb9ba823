"""Small JSON and text documents of a bundle: system descriptions, implementation JSON,
``model_mapping.json``, ``accuracy.txt`` and TEST06's ``verify_accuracy.txt``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from validator.parsing import ParseError

MAX_DOCUMENT_BYTES = 5 * 1024 * 1024


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON file whose top level is an object. Types inside are not checked (spec §2)."""
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise ParseError(f"{path.name} is larger than {MAX_DOCUMENT_BYTES // 1024**2} MB")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParseError(f"cannot read {path.name}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ParseError(f"{path.name} is not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise ParseError(f"{path.name} is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(data, dict):
        raise ParseError(f"{path.name} must hold a JSON object, found {type(data).__name__}")
    return data


@dataclass(frozen=True)
class AccuracyText:
    """What the official checker reads from accuracy.txt (spec §4.3 items 1 and 2)."""

    metrics: dict[str, float]  # by the checker's metric names: ROUGE1, TOKENS_PER_SAMPLE, ...
    raw_metrics: dict[str, str]  # as written, for the summary CSV
    hash_value: str | None


def read_accuracy_text(path: Path, patterns: dict[str, str], hash_pattern: str) -> AccuracyText:
    """Match every line against the checker's regexes; the first match of each metric wins."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise ParseError(f"cannot read {path.name}: {exc.strerror}") from exc
    compiled = {name: re.compile(p) for name, p in patterns.items()}
    hash_re = re.compile(hash_pattern)
    raw: dict[str, str] = {}
    hash_value: str | None = None
    for line in lines:
        for name, regex in compiled.items():
            if name not in raw and (match := regex.match(line)):
                raw[name] = match.group(1)
        if hash_value is None and (match := hash_re.match(line)):
            hash_value = match.group(1)
    metrics: dict[str, float] = {}
    for name, value in raw.items():
        try:
            metrics[name] = float(value)
        except ValueError:
            continue
    return AccuracyText(metrics=metrics, raw_metrics=raw, hash_value=hash_value)


def read_text_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise ParseError(f"cannot read {path.name}: {exc.strerror}") from exc
