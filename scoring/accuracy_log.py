"""Read and decode MLPerf ``mlperf_log_accuracy.json`` files (spec §3, §5, §6).

The accuracy log is the only place where a submission's generated tokens live, so every
accuracy recomputation (validator, portal, reproduction) starts here. It must be the
*untruncated* log: the published one is cut to its first and last 4096 characters by
``truncate_accuracy_log.py`` (spec §6) and cannot be parsed, which users hit often, so it gets
its own message.

Reading is ``json.loads`` followed by one validation pass; decoding follows MLPerf's
``evaluate-accuracy.py`` (``np.frombuffer(bytes.fromhex(data), dtype)``, spec §5) so the token
counts agree with the official script to the token.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from scoring.errors import ScoringError

TokenDtype = Literal["int32", "int64"]

# truncate_accuracy_log.py joins the head and the tail of the log with this marker (spec §6).
TRUNCATION_MARKER = "\n\n...\n\n"
TRUNCATED_PART_CHARS = 4096
TRUNCATED_SIZE = 2 * TRUNCATED_PART_CHARS + len(TRUNCATION_MARKER)  # 8199 characters
TOKENS_PER_SAMPLE_TOLERANCE = 0.05  # half of accuracy.txt's last printed digit

_HEX_RE = re.compile(r"[0-9A-Fa-f]*")
_WORD_HEX_CHARS = 8  # one int32 token: 4 bytes, 8 hex characters
_FIX_TRUNCATED = (
    "upload the untruncated mlperf_log_accuracy.json of the accuracy run (the published copy is "
    "cut by truncate_accuracy_log.py; run it with --backup to keep the original)"
)
_FIX_REGENERATE = "upload the mlperf_log_accuracy.json exactly as LoadGen wrote it"


class AccuracyLogError(ScoringError):
    """A log that cannot be used, with a message a user can act on, a stable code and the file.

    ``code`` is one of ``accuracy_log.missing``, ``accuracy_log.truncated``,
    ``accuracy_log.not_json``, ``accuracy_log.schema`` and ``accuracy_log.hex``.
    """


@dataclass(frozen=True)
class AccuracyEntry:
    """One logged sample: LoadGen's ``seq_id``, the dataset index and the response bytes as hex."""

    seq_id: int
    qsl_idx: int
    data: str
    token_data: str | None
    token_count: int | None


@dataclass(frozen=True)
class TokenStatistics:
    """The token counts ``evaluate-accuracy.py`` prints (spec §5), plus what it silently drops.

    ``qsl_indices`` lists the kept samples in log order (first entry per ``qsl_idx``), which is
    also the order in which predictions are paired with references.
    """

    gen_tok_len: int
    gen_num: int
    tokens_per_sample: float
    duplicate_qsl_idx: list[int]
    qsl_indices: list[int]
    dtype: TokenDtype


def looks_truncated(text: str) -> bool:
    """True for the output of ``truncate_accuracy_log.py`` (head + marker + tail, spec §6)."""
    if len(text) > TRUNCATED_SIZE + 16:
        return False
    head = text[:TRUNCATED_PART_CHARS]
    return text[len(head) :].startswith(TRUNCATION_MARKER) or (
        TRUNCATION_MARKER in text and text.lstrip().startswith("[")
    )


def read_accuracy_log(path: Path) -> list[AccuracyEntry]:
    """Parse an untruncated accuracy log; raise :class:`AccuracyLogError` with the fix otherwise.

    An empty array (what a performance run leaves behind) is valid and gives ``[]``.
    """
    return read_accuracy_log_with_digest(path)[0]


def read_accuracy_log_with_digest(path: Path) -> tuple[list[AccuracyEntry], str]:
    """The parsed log and the sha256 of its bytes (accuracy.txt's ``hash=``, spec §6), from
    one read of the file: full logs are ~60 MB, and every caller that verifies a log needs
    both."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError as err:
        raise AccuracyLogError(
            "accuracy_log.missing", path, f"file not found; {_FIX_REGENERATE}."
        ) from err
    except OSError as err:
        raise AccuracyLogError(
            "accuracy_log.missing", path, f"cannot read the file ({err.strerror})."
        ) from err
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise AccuracyLogError(
            "accuracy_log.not_json",
            path,
            f"not a text file (invalid UTF-8 at byte {err.start}); {_FIX_REGENERATE}.",
        ) from err
    return parse_accuracy_log(text, path), digest


def tokens_per_sample_agree(recounted: float, claimed: float) -> bool:
    """accuracy.txt prints tokens_per_sample to one decimal (spec §3), so a recount agrees
    with the claim within half of that last digit."""
    return math.isclose(recounted, claimed, abs_tol=TOKENS_PER_SAMPLE_TOLERANCE)


def parse_accuracy_log(text: str, path: Path | str | None = None) -> list[AccuracyEntry]:
    """Parse the text of an accuracy log; ``path`` only names the file in error messages."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        if looks_truncated(text):
            raise AccuracyLogError(
                "accuracy_log.truncated",
                path,
                f"this is a truncated accuracy log ({len(text)} characters: the first and last "
                f"{TRUNCATED_PART_CHARS} characters joined by '...'), from which no accuracy can "
                f"be computed; {_FIX_TRUNCATED}.",
            ) from err
        if isinstance(err, json.JSONDecodeError):
            detail = f"{err.msg} at line {err.lineno} column {err.colno}"
        else:
            detail = "nested too deeply"
        raise AccuracyLogError(
            "accuracy_log.not_json",
            path,
            f"not valid JSON ({detail}); {_FIX_REGENERATE}.",
        ) from err
    if not isinstance(document, list):
        raise AccuracyLogError(
            "accuracy_log.schema",
            path,
            f"expected a JSON array of samples, found a JSON {_json_type(document)}; "
            f"{_FIX_REGENERATE}.",
        )
    return [_entry_from_json(item, index, path) for index, item in enumerate(document)]


def _json_type(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def _entry_from_json(item: object, index: int, path: Path | str | None) -> AccuracyEntry:
    """Validate one array element; every message names the entry so the user can find it."""

    def fail(code: str, what: str) -> AccuracyLogError:
        return AccuracyLogError(code, path, f"entry {index}: {what}; {_FIX_REGENERATE}.")

    if not isinstance(item, dict):
        raise fail("accuracy_log.schema", f"expected a JSON object, found a {_json_type(item)}")

    def required(key: str) -> object:
        value = item.get(key)
        if value is None:
            raise fail("accuracy_log.schema", f"the required key {key!r} is missing")
        return value

    seq_id = _non_negative_int(required("seq_id"), "seq_id", fail)
    qsl_idx = _non_negative_int(required("qsl_idx"), "qsl_idx", fail)
    data = _hex_string(required("data"), "data", fail)
    token_data = item.get("token_data")
    if token_data is not None:
        token_data = _hex_string(token_data, "token_data", fail)
    token_count = item.get("token_count")
    if token_count is not None:
        token_count = _non_negative_int(token_count, "token_count", fail)
    return AccuracyEntry(seq_id, qsl_idx, data, token_data, token_count)


def _non_negative_int(value: object, key: str, fail: Callable[[str, str], AccuracyLogError]) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise fail("accuracy_log.schema", f"{key!r} must be a non-negative integer, not {value!r}")
    return value


def _hex_string(value: object, key: str, fail: Callable[[str, str], AccuracyLogError]) -> str:
    if not isinstance(value, str):
        raise fail(
            "accuracy_log.schema", f"{key!r} must be a hex string, not a {_json_type(value)}"
        )
    if len(value) % _WORD_HEX_CHARS:
        raise fail(
            "accuracy_log.hex",
            f"{key!r} has {len(value)} hex characters, not a whole number of 4-byte tokens "
            f"(a multiple of {_WORD_HEX_CHARS})",
        )
    if not _HEX_RE.fullmatch(value):
        bad = next(ch for ch in value if ch not in "0123456789abcdefABCDEF")
        raise fail("accuracy_log.hex", f"{key!r} contains {bad!r}, which is not a hex digit")
    return value


def decode_tokens(hex_data: str, dtype: TokenDtype) -> np.ndarray:
    """Token ids of one response, exactly as ``evaluate-accuracy.py`` decodes them (spec §5)."""
    if dtype not in ("int32", "int64"):
        raise AccuracyLogError("accuracy_log.schema", None, f"unknown token dtype {dtype!r}.")
    width = np.dtype(dtype).itemsize * 2
    if len(hex_data) % width:
        raise AccuracyLogError(
            "accuracy_log.hex",
            None,
            f"{len(hex_data)} hex characters is not a whole number of {dtype} tokens; "
            f"the log is probably int32 (the usual) rather than {dtype}.",
        )
    try:
        return np.frombuffer(bytes.fromhex(hex_data), dtype=np.dtype(dtype).newbyteorder("<"))
    except ValueError as err:
        raise AccuracyLogError("accuracy_log.hex", None, f"invalid hex data ({err}).") from err


def guess_dtype(entries: Sequence[AccuracyEntry]) -> TokenDtype:
    """Guess whether the log holds int32 or int64 token ids.

    Heuristic: little-endian int64 ids below 2**32 (every real vocabulary: Llama-2 has 32,000)
    have a zero high half, so read as int32 every second word of every entry is zero. An int32
    log has that pattern only if every other generated token were id 0 (``<unk>``), which a
    model does not produce. So: int64 when every entry's length is a whole number of int64
    words, every odd int32 word is zero and at least one even word is not; otherwise int32,
    which is what the MLPerf README passes and what (almost) everyone logs. A log with no
    tokens, or only zeros, is ambiguous and reads as int32.
    """
    if not entries or any(len(e.data) % 16 for e in entries):
        return "int32"
    joined = "".join(e.data for e in entries)
    if not joined:
        return "int32"
    words = np.frombuffer(bytes.fromhex(joined), dtype="<i4")
    if np.any(words[1::2]) or not np.any(words[0::2]):
        return "int32"
    return "int64"


def first_entry_per_sample(
    entries: Iterable[AccuracyEntry],
) -> tuple[list[AccuracyEntry], list[int]]:
    """Keep the first entry per ``qsl_idx`` as ``evaluate-accuracy.py`` does (spec §5).

    Returns the kept entries in log order and the sorted ``qsl_idx`` values that had more than
    one entry (the official script drops the later ones without a word).
    """
    seen: set[int] = set()
    duplicates: set[int] = set()
    kept: list[AccuracyEntry] = []
    for entry in entries:
        if entry.qsl_idx in seen:
            duplicates.add(entry.qsl_idx)
            continue
        seen.add(entry.qsl_idx)
        kept.append(entry)
    return kept, sorted(duplicates)


def token_statistics(entries: Sequence[AccuracyEntry], dtype: TokenDtype) -> TokenStatistics:
    """``gen_tok_len``, ``gen_num`` and ``tokens_per_sample`` as the official script computes them.

    Tokens are counted from ``data`` (EOS and padding included, spec §5), not from
    ``token_count``. An empty log raises, because the official script divides by zero there.
    """
    kept, duplicates = first_entry_per_sample(entries)
    if not kept:
        raise AccuracyLogError(
            "accuracy_log.schema",
            None,
            "the accuracy log has no samples (a performance run leaves '[]'); "
            "use the log of the accuracy run.",
        )
    width = np.dtype(dtype).itemsize * 2
    gen_tok_len = 0
    for entry in kept:
        if len(entry.data) % width:
            raise AccuracyLogError(
                "accuracy_log.hex",
                None,
                f"sample qsl_idx={entry.qsl_idx}: {len(entry.data)} hex characters is not a whole "
                f"number of {dtype} tokens; the log is probably int32 rather than {dtype}.",
            )
        gen_tok_len += len(entry.data) // width
    gen_num = len(kept)
    return TokenStatistics(
        gen_tok_len=gen_tok_len,
        gen_num=gen_num,
        tokens_per_sample=round(gen_tok_len / gen_num, 1),
        duplicate_qsl_idx=duplicates,
        qsl_indices=[entry.qsl_idx for entry in kept],
        dtype=dtype,
    )
