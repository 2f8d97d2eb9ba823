"""TEST06 for LLMs (spec §4.4): the audit run's checks, re-implemented on our own log reader.

Three checks over the untruncated TEST06 accuracy log, as ``run_verification.py`` makes them:
the first token reported through ``FirstTokenComplete`` is the first token of the answer
(Server/Interactive only, "Skipped" for Offline), at most one trailing EOS, and the number of
tokens in ``data`` equals ``token_count``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scoring.accuracy_log import AccuracyEntry, TokenDtype, decode_tokens, read_accuracy_log

EOS_TOKEN_ID = 2  # Llama-2's </s>, the id run_verification.py checks for


@dataclass(frozen=True)
class Test06Result:
    """None for a check that does not apply (first token in Offline)."""

    first_token: bool | None
    eos: bool
    sample_length: bool

    @property
    def passed(self) -> bool:
        return self.first_token is not False and self.eos and self.sample_length

    def verify_accuracy_txt(self) -> str:
        """The text of ``verify_accuracy.txt``, line for line as the official script writes it."""
        first = "Skipped" if self.first_token is None else str(self.first_token)
        return (
            f"First token check pass: {first}\n"
            f"EOS check pass: {self.eos}\n"
            f"Sample length check pass: {self.sample_length}\n"
            "TEST06 verification complete\n"
        )


def _first_token_ok(entry: AccuracyEntry, dtype: TokenDtype) -> bool:
    if entry.token_data is None:
        return False
    first = decode_tokens(entry.token_data, dtype)
    data = decode_tokens(entry.data, dtype)
    return len(first) > 0 and len(data) >= len(first) and bool((data[: len(first)] == first).all())


def _eos_ok(entry: AccuracyEntry, dtype: TokenDtype, eos: int) -> bool:
    data = decode_tokens(entry.data, dtype)
    trailing = 0
    for token in data[::-1]:
        if int(token) != eos:
            break
        trailing += 1
    return trailing <= 1


def _length_ok(entry: AccuracyEntry, dtype: TokenDtype) -> bool:
    return (
        entry.token_count is not None and len(decode_tokens(entry.data, dtype)) == entry.token_count
    )


def verify_test06(
    log_path: Path, scenario: str, dtype: TokenDtype, eos: int = EOS_TOKEN_ID
) -> Test06Result:
    """Run the three TEST06 checks on the untruncated TEST06 accuracy log."""
    entries = read_accuracy_log(log_path)
    first = None if scenario == "Offline" else all(_first_token_ok(e, dtype) for e in entries)
    return Test06Result(
        first_token=first,
        eos=all(_eos_ok(e, dtype, eos) for e in entries),
        sample_length=all(_length_ok(e, dtype) for e in entries),
    )
