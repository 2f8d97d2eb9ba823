"""Shared fixtures: NLTK's English Punkt model, built offline into a temporary directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scoring.errors import ScoringError
from scoring.punkt_data import SentenceSplitter, load_sentence_splitter, write_punkt_data


@pytest.fixture(scope="session")
def punkt_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NLTK data directory holding punkt_tab/english, written by scoring.punkt_data."""
    data_dir = tmp_path_factory.mktemp("nltk_data")
    try:
        write_punkt_data(data_dir)
    except ScoringError as err:
        pytest.fail(f"cannot build NLTK's punkt data ({err}); run `make setup`.")
    return data_dir


@pytest.fixture(scope="session")
def split_sentences(punkt_dir: Path) -> SentenceSplitter:
    return load_sentence_splitter(punkt_dir)


@pytest.fixture
def nltk_data_env(punkt_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """NLTK_DATA pointing at the built data, also for an already-imported nltk."""
    import nltk

    monkeypatch.setenv("NLTK_DATA", str(punkt_dir))
    monkeypatch.setattr(nltk.data, "path", [str(punkt_dir), *nltk.data.path])
    yield punkt_dir
