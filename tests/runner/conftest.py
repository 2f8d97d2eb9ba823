"""Session fixtures for the runner tests: bundles built once by the real runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.runner.helpers import build_dummy_bundle


@pytest.fixture(scope="session")
def nltk_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """NLTK's English Punkt model written offline (what `make setup` puts in data/nltk_data)."""
    from scoring.punkt_data import write_punkt_data

    directory = tmp_path_factory.mktemp("nltk_data")
    write_punkt_data(directory)
    return directory


@pytest.fixture(scope="session")
def dummy_bundle(tmp_path_factory: pytest.TempPathFactory, nltk_data: Path) -> Path:
    """Offline + Server, performance + accuracy + TEST06, 200 samples, dummy answers [x, x, 2]."""
    return build_dummy_bundle(tmp_path_factory.mktemp("dummy") / "bundle", nltk_data=nltk_data)


@pytest.fixture(scope="session")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random Llama + BPE tokenizer saved locally (about 2 s to build)."""
    from tests.runner.tiny_model import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("tiny") / "tiny-llama")
