"""Accuracy-log reading and decoding (spec §3, §5, §6), on small logs the tests write."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from scoring.accuracy_log import (
    TRUNCATED_SIZE,
    AccuracyEntry,
    AccuracyLogError,
    decode_tokens,
    guess_dtype,
    read_accuracy_log,
    token_statistics,
)


def hex_of(tokens: list[int], dtype: str = "int32") -> str:
    return np.asarray(tokens, dtype="<i4" if dtype == "int32" else "<i8").tobytes().hex().upper()


def loadgen_text(samples: list[dict]) -> str:
    """The log as LoadGen formats it: one object per line, spaces around the colons."""
    lines = []
    for sample in samples:
        fields = ", ".join(f'"{key}" : {json.dumps(value)}' for key, value in sample.items())
        lines.append("{ " + fields + " }")
    return "[\n" + ",\n".join(lines) + "\n]\n"


def write_log(tmp_path: Path, samples: list[dict], name: str = "mlperf_log_accuracy.json") -> Path:
    path = tmp_path / name
    path.write_text(loadgen_text(samples), encoding="utf-8")
    return path


def truncate_like_mlperf(text: str) -> str:
    """What truncate_accuracy_log.py does to a log (spec §6)."""
    return text[:4096] + "\n\n...\n\n" + text[-4096:]


def test_reads_offline_and_server_entries(tmp_path: Path) -> None:
    path = write_log(
        tmp_path,
        [
            {"seq_id": 0, "qsl_idx": 2065, "data": "140800001408000002000000", "token_count": 3},
            {
                "seq_id": 1,
                "qsl_idx": 22372,
                "data": "675700006757000002000000",
                "token_data": "67570000",
                "token_count": 3,
            },
        ],
    )
    entries = read_accuracy_log(path)
    assert entries == [
        AccuracyEntry(0, 2065, "140800001408000002000000", None, 3),
        AccuracyEntry(1, 22372, "675700006757000002000000", "67570000", 3),
    ]
    assert decode_tokens(entries[0].data, "int32").tolist() == [2068, 2068, 2]
    assert decode_tokens(entries[1].token_data or "", "int32").tolist() == [22375]


def test_empty_performance_log_reads_as_no_entries(tmp_path: Path) -> None:
    path = tmp_path / "mlperf_log_accuracy.json"
    path.write_text("[\n]\n", encoding="utf-8")
    assert read_accuracy_log(path) == []
    with pytest.raises(AccuracyLogError, match="no samples"):
        token_statistics([], "int32")


def test_decode_matches_numpy_frombuffer_for_both_dtypes() -> None:
    tokens = [1, 32000, 29871, 2, 0, 13]
    for dtype in ("int32", "int64"):
        hex_data = hex_of(tokens, dtype)
        expected = np.frombuffer(bytes.fromhex(hex_data), dtype)
        decoded = decode_tokens(hex_data, dtype)
        assert decoded.tolist() == expected.tolist() == tokens
    assert decode_tokens(hex_of(tokens).lower(), "int32").tolist() == tokens
    assert decode_tokens("", "int32").tolist() == []


def test_decode_rejects_length_that_is_not_whole_tokens() -> None:
    with pytest.raises(AccuracyLogError, match="probably int32"):
        decode_tokens(hex_of([1, 2, 3]), "int64")


def test_guess_dtype() -> None:
    tokens = [[1, 29871, 450, 2], [306, 1128, 2, 13]]
    int64 = [AccuracyEntry(i, i, hex_of(t, "int64"), None, None) for i, t in enumerate(tokens)]
    int32 = [AccuracyEntry(i, i, hex_of(t), None, None) for i, t in enumerate(tokens)]
    odd = [AccuracyEntry(0, 0, hex_of([5, 6, 7]), None, None)]
    assert guess_dtype(int64) == "int64"
    assert guess_dtype(int32) == "int32"
    assert guess_dtype(odd) == "int32"
    assert guess_dtype([]) == "int32"
    zeros = [AccuracyEntry(0, 0, hex_of([0, 0], "int64"), None, None)]
    assert guess_dtype(zeros) == "int32"


def test_token_statistics_keeps_first_entry_per_sample() -> None:
    entries = [
        AccuracyEntry(0, 7, hex_of([1, 2, 3]), None, 3),
        AccuracyEntry(1, 3, hex_of([4, 5]), None, 2),
        AccuracyEntry(2, 7, hex_of([9] * 50), None, 50),  # dropped: qsl_idx 7 seen
        AccuracyEntry(3, 11, hex_of([6, 7, 8, 2]), None, 4),
        AccuracyEntry(4, 3, hex_of([1]), None, 1),  # dropped
    ]
    stats = token_statistics(entries, "int32")
    assert stats.gen_tok_len == 9
    assert stats.gen_num == 3
    assert stats.tokens_per_sample == 3.0
    assert stats.duplicate_qsl_idx == [3, 7]
    assert stats.qsl_indices == [7, 3, 11]
    assert type(stats.tokens_per_sample) is float


def test_tokens_per_sample_rounds_like_python() -> None:
    entries = [AccuracyEntry(i, i, hex_of([1] * n), None, n) for i, n in enumerate([1, 1, 2])]
    assert token_statistics(entries, "int32").tokens_per_sample == round(4 / 3, 1) == 1.3
    int64 = [AccuracyEntry(i, i, hex_of([1] * n, "int64"), None, n) for i, n in enumerate([2, 3])]
    assert token_statistics(int64, "int64").gen_tok_len == 5


def test_truncated_log_is_recognised(tmp_path: Path) -> None:
    samples = [
        {"seq_id": i, "qsl_idx": i, "data": hex_of(list(range(i, i + 40))), "token_count": 40}
        for i in range(200)
    ]
    full = loadgen_text(samples)
    path = tmp_path / "mlperf_log_accuracy.json"
    path.write_text(truncate_like_mlperf(full), encoding="utf-8")
    assert path.stat().st_size == TRUNCATED_SIZE == 8199
    with pytest.raises(AccuracyLogError) as caught:
        read_accuracy_log(path)
    assert caught.value.code == "accuracy_log.truncated"
    assert path.name in str(caught.value)
    assert str(path.parent) not in str(caught.value)  # users never see a server path
    assert "untruncated" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "code", "fragment"),
    [
        ("", "accuracy_log.not_json", "not valid JSON"),
        ("[{]", "accuracy_log.not_json", "not valid JSON"),
        ('{"seq_id": 0}', "accuracy_log.schema", "JSON array"),
        ("[1]", "accuracy_log.schema", "entry 0: expected a JSON object"),
        ('[{"qsl_idx": 0, "data": ""}]', "accuracy_log.schema", "'seq_id' is missing"),
        ('[{"seq_id": 0, "data": ""}]', "accuracy_log.schema", "'qsl_idx' is missing"),
        ('[{"seq_id": 0, "qsl_idx": 0}]', "accuracy_log.schema", "'data' is missing"),
        ('[{"seq_id": 0, "qsl_idx": "3", "data": ""}]', "accuracy_log.schema", "non-negative"),
        ('[{"seq_id": 0, "qsl_idx": -1, "data": ""}]', "accuracy_log.schema", "non-negative"),
        ('[{"seq_id": true, "qsl_idx": 1, "data": ""}]', "accuracy_log.schema", "non-negative"),
        ('[{"seq_id": 0, "qsl_idx": 1.5, "data": ""}]', "accuracy_log.schema", "non-negative"),
        ('[{"seq_id": 0, "qsl_idx": 1, "data": 12}]', "accuracy_log.schema", "hex string"),
        ('[{"seq_id": 0, "qsl_idx": 1, "data": "ABC"}]', "accuracy_log.hex", "multiple of 8"),
        ('[{"seq_id": 0, "qsl_idx": 1, "data": "0100000G"}]', "accuracy_log.hex", "'G'"),
        ('[{"seq_id": 0, "qsl_idx": 1, "data": "01 00 00"}]', "accuracy_log.hex", "hex"),
        (
            '[{"seq_id": 0, "qsl_idx": 1, "data": "", "token_data": "0"}]',
            "accuracy_log.hex",
            "token_data",
        ),
        (
            '[{"seq_id": 0, "qsl_idx": 1, "data": "", "token_count": "3"}]',
            "accuracy_log.schema",
            "token_count",
        ),
        ("[" * 100_000 + "]" * 100_000, "accuracy_log.not_json", "not valid JSON"),
    ],
)
def test_malformed_logs_get_a_coded_message_naming_the_file(
    tmp_path: Path, content: str, code: str, fragment: str
) -> None:
    path = tmp_path / "mlperf_log_accuracy.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AccuracyLogError) as caught:
        read_accuracy_log(path)
    assert caught.value.code == code
    assert fragment in str(caught.value)
    assert path.name in str(caught.value) and str(tmp_path) not in str(caught.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(AccuracyLogError) as caught:
        read_accuracy_log(tmp_path / "absent.json")
    assert caught.value.code == "accuracy_log.missing"
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe[\x00")
    with pytest.raises(AccuracyLogError) as caught:
        read_accuracy_log(binary)
    assert caught.value.code == "accuracy_log.not_json"
