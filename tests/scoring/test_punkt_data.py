"""The offline punkt_tab model must make NLTK split sentences exactly as with the download."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scoring.errors import ScoringError
from scoring.punkt_data import (
    MODEL_FILES,
    ensure_punkt,
    load_sentence_splitter,
    main,
    model_dir,
    nltk_sentence_splitter,
    write_punkt_data,
)

ROOT = Path(__file__).resolve().parents[2]

TEXTS = [
    "Dr. Smith went to Washington D.C. on Jan. 5. He met Mr. Jones at 3 p.m. and left.",
    "U.S. policy was e.g. discussed... Really? Yes! The end.",
    "The price rose 4.5% to $12.30. Analysts (e.g. at Corp. Inc.) expected it.",
    "  leading spaces. trailing lower-case start. 1. First item 2. Second item  ",
    "No punctuation at all",
    "",
    'He said "Stop." Then he left. She asked: "Why?" Nobody knew.',
    "In 1999 the co. grew. However, sales fell in Nov. Meanwhile costs rose.",
]


def test_writes_the_four_files_and_is_idempotent(tmp_path: Path) -> None:
    changed = write_punkt_data(tmp_path)
    assert sorted(p.name for p in changed) == sorted(MODEL_FILES)
    before = {name: (model_dir(tmp_path) / name).read_bytes() for name in MODEL_FILES}
    assert all(before.values())
    assert write_punkt_data(tmp_path) == []
    after = {name: (model_dir(tmp_path) / name).read_bytes() for name in MODEL_FILES}
    assert after == before
    assert b"mr" in before["abbrev_types.txt"].split(b"\n")
    assert (model_dir(tmp_path) / "abbrev_types.txt").stat().st_mode & 0o044 == 0o044


def test_a_damaged_file_is_rewritten(tmp_path: Path) -> None:
    write_punkt_data(tmp_path)
    damaged = model_dir(tmp_path) / "sent_starters.txt"
    damaged.write_text("nonsense", encoding="utf-8")
    assert write_punkt_data(tmp_path) == [damaged]
    assert "however" in damaged.read_text(encoding="utf-8").split("\n")


def test_missing_model_says_make_setup(tmp_path: Path) -> None:
    with pytest.raises(ScoringError) as caught:
        ensure_punkt(tmp_path)
    assert caught.value.code == "scoring.punkt_missing"
    assert "make setup" in str(caught.value)
    with pytest.raises(ScoringError, match="make setup"):
        load_sentence_splitter(tmp_path)


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nd")]) == 0
    assert "wrote 4 file(s)" in capsys.readouterr().out
    assert main([str(tmp_path / "nd")]) == 0
    assert "already up to date" in capsys.readouterr().out
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert main([str(blocker)]) == 1
    assert "error:" in capsys.readouterr().err


def test_nltk_sent_tokenize_works_unchanged_with_nltk_data(punkt_dir: Path) -> None:
    """A fresh interpreter with NLTK_DATA only, as `make test` runs it, against our loader."""
    script = (
        "import json, sys, nltk\n"
        "print(json.dumps([nltk.sent_tokenize(t) for t in json.load(sys.stdin)]))"
    )
    env = {**os.environ, "NLTK_DATA": str(punkt_dir)}
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(TEXTS),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    via_nltk = json.loads(done.stdout)
    split = load_sentence_splitter(punkt_dir)
    assert via_nltk == [split(text) for text in TEXTS]
    assert via_nltk[0] == [
        "Dr. Smith went to Washington D.C. on Jan. 5.",
        "He met Mr. Jones at 3 p.m. and left.",
    ]


def test_nltk_sentence_splitter_finds_the_data(nltk_data_env: Path) -> None:
    split = nltk_sentence_splitter()
    assert split("One. Two.") == ["One.", "Two."]
