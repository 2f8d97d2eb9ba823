"""Datasets: the official pickle's columns, JSONL, the labelled demo set, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from reference_runner.codecs import ByteCodec
from reference_runner.datasets import load_dataset
from reference_runner.errors import RunnerError


def test_official_pickle_columns_are_read(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": ["a", "b"],
            "input": ["p1", "p2"],
            "tok_input": [[1, 10, 11], [1, 12]],
            "output": ["ref one", "ref two"],
            "tok_input_length": [3, 2],
        }
    )
    path = tmp_path / "open_orca_gpt4_tokenized_llama.sampled_24576.pkl"
    frame.to_pickle(path)
    dataset = load_dataset(str(path), ByteCodec())
    assert [s.tok_input for s in dataset.samples] == [(1, 10, 11), (1, 12)]
    assert [s.reference for s in dataset.samples] == ["ref one", "ref two"]
    assert len(dataset.sha256) == 64


def test_jsonl_is_tokenized_with_the_codec_and_repeats_on_request(tmp_path: Path) -> None:
    path = tmp_path / "prompts.jsonl"
    path.write_text(json.dumps({"input": "hi", "output": "hello"}) + "\n")
    dataset = load_dataset(str(path), ByteCodec(), max_samples=3)
    assert [s.index for s in dataset.samples] == [0, 1, 2]
    assert dataset.samples[2].tok_input == (1, ord("h") + 3, ord("i") + 3)


def test_demo_set_is_labelled_as_written_for_this_project() -> None:
    dataset = load_dataset("demo", ByteCodec())
    assert len(dataset) == 16
    for line in dataset.path.read_text().splitlines():
        assert "written for this project, not MLPerf data" in json.loads(line)["origin"]


def test_pickle_without_the_columns_names_them(tmp_path: Path) -> None:
    path = tmp_path / "bad.pkl"
    pd.DataFrame({"question": ["q"]}).to_pickle(path)
    with pytest.raises(RunnerError, match=r"missing column\(s\) \['output', 'tok_input'\]"):
        load_dataset(str(path), ByteCodec())


def test_pickle_of_something_else_than_a_frame_is_refused_the_same_way(tmp_path: Path) -> None:
    path = tmp_path / "list.pkl"
    pd.to_pickle([{"tok_input": [1, 2], "output": "x"}], path)  # rows, but not a DataFrame
    with pytest.raises(RunnerError, match=r"missing column\(s\)") as caught:
        load_dataset(str(path), ByteCodec())
    assert caught.value.code == "runner.bad_dataset"
