"""accuracy.txt for an accuracy run: MLPerf's llama2 metrics computed from the untruncated log.

The scoring itself lives in ``scoring.llama2`` (shared with the validator and the portal); this
module only feeds it the run's log, the dataset references and the tokenizer's decode.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reference_runner.codecs import TextCodec
from reference_runner.errors import RunnerError
from scoring.accuracy_log import TokenDtype, read_accuracy_log, sha256_of_file


def accuracy_txt(
    full_log: Path, references: Sequence[str], codec: TextCodec, dtype: TokenDtype
) -> tuple[str, dict[str, Any]]:
    """The text of accuracy.txt (with ``hash=`` of ``full_log``) and the metrics as a dict."""
    try:
        from scoring import llama2
    except ImportError as err:  # scoring.llama2 ships with this repository; a partial checkout
        raise RunnerError(
            "scoring.llama2 is not importable, so accuracy.txt cannot be computed; run "
            "without the accuracy mode (--modes performance,TEST06) or update the checkout.",
            code="runner.missing_dependency",
        ) from err

    entries = read_accuracy_log(full_log)
    result = llama2.evaluate_llama2(entries, references, codec.decode, dtype)
    text = llama2.format_accuracy_txt(result, sha256_of_file(full_log))
    return text, _as_dict(result)


def _as_dict(result: Any) -> dict[str, Any]:
    if isinstance(result, dict):
        return dict(result)
    dump = getattr(result, "model_dump", None) or getattr(result, "_asdict", None)
    if dump is not None:
        return dict(dump())
    return dict(vars(result))
