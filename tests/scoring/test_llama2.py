"""Llama-2 accuracy end to end: log -> tokens -> text -> ROUGE -> accuracy.txt -> parsed back."""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
import pytest

from scoring.accuracy_log import AccuracyEntry
from scoring.errors import ScoringError
from scoring.llama2 import evaluate_llama2, format_accuracy_txt, parse_accuracy_txt
from scoring.punkt_data import SentenceSplitter
from scoring.rouge import score_reference
from scoring.synthetic import pairs

# A toy tokenizer: id 0..2 are special (<unk>, <s>, </s>) and dropped, as
# batch_decode(skip_special_tokens=True) drops them.
SPECIAL = {0, 1, 2}


def build_vocabulary(texts: list[str]) -> list[str]:
    words = sorted({word for text in texts for word in text.split(" ")})
    return ["<unk>", "<s>", "</s>", *words]


def toy_decode(vocabulary: list[str]) -> Callable[[list[list[int]]], list[str]]:
    def decode(batch: list[list[int]]) -> list[str]:
        return [" ".join(vocabulary[i] for i in ids if i not in SPECIAL) for ids in batch]

    return decode


def encode(text: str, vocabulary: list[str]) -> list[int]:
    index = {word: i for i, word in enumerate(vocabulary)}
    return [1, *(index[word] for word in text.split(" ")), 2]


def hex_of(tokens: list[int], dtype: str) -> str:
    return np.asarray(tokens, dtype="<i4" if dtype == "int32" else "<i8").tobytes().hex().upper()


@pytest.mark.slow  # ROUGE on a whole accuracy log: 2-4 s
@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_recomputes_what_the_official_script_prints(
    dtype: str, split_sentences: SentenceSplitter
) -> None:
    predictions, references = pairs(30, seed=8)
    vocabulary = build_vocabulary(predictions)
    rng = random.Random(1)
    order = list(range(30))
    rng.shuffle(order)  # LoadGen logs samples in issue order, not dataset order
    entries = [
        AccuracyEntry(seq, q, hex_of(encode(predictions[q], vocabulary), dtype), None, None)
        for seq, q in enumerate(order)
    ]
    # A repeated sample (as in Server runs) is ignored after its first entry.
    entries.append(AccuracyEntry(99, order[0], hex_of([1, 5, 6, 2], dtype), None, None))

    result = evaluate_llama2(entries, references, toy_decode(vocabulary), dtype, split_sentences)

    decoded = [" ".join(predictions[q].split(" ")) for q in order]
    expected = score_reference(decoded, [references[q] for q in order], split_sentences)
    assert (result.rouge1, result.rouge2, result.rougeL, result.rougeLsum) == (
        expected.rouge1,
        expected.rouge2,
        expected.rougeL,
        expected.rougeLsum,
    )
    assert result.gen_len == expected.gen_len
    assert result.gen_num == 30
    assert result.gen_tok_len == sum(len(encode(predictions[q], vocabulary)) for q in order)
    assert result.tokens_per_sample == round(result.gen_tok_len / 30, 1)
    assert result.duplicate_qsl_idx == [order[0]]
    assert result.qsl_indices == order

    text = format_accuracy_txt(result, "ab" * 32)
    assert text.startswith("\nResults\n\n{'rouge1': ")
    assert "np.float64" not in text
    assert text.endswith(f"}}\n\nhash={'ab' * 32}\n")
    parsed = parse_accuracy_txt(text)
    assert parsed == {**result.as_dict(), "hash": "ab" * 32}


def test_parses_published_accuracy_files() -> None:
    v41 = (
        "\nResults\n\n{'rouge1': 44.5437, 'rouge2': 22.1222, 'rougeL': 28.7396, "
        "'rougeLsum': 42.1154, 'gen_len': 28211344, 'gen_num': 24576, 'gen_tok_len': 7134577, "
        "'tokens_per_sample': 290.3}\n"
        "hash=9e7b054412d6804a8557d2d5f5769394e2ee524c9190b2b0c82f31890d968f10\n"
    )
    parsed = parse_accuracy_txt(v41)
    assert parsed["rouge1"] == 44.5437 and parsed["rougeL"] == 28.7396
    assert parsed["tokens_per_sample"] == 290.3 and parsed["gen_tok_len"] == 7134577
    assert parsed["hash"] == "9e7b054412d6804a8557d2d5f5769394e2ee524c9190b2b0c82f31890d968f10"
    # v6.0 quotes the ROUGE values and keeps nltk's download chatter above them.
    v60 = (
        "[nltk_data] Downloading package punkt to /root/nltk_data...\n\nResults\n\n"
        "{'rouge1': '44.7712', 'rouge2': '22.2839', 'rougeL': '29.0009', 'rougeLsum': '42.3299', "
        "'gen_len': 27190632, 'gen_num': 24576, 'gen_tok_len': 6963553, "
        "'tokens_per_sample': 283.3}\n"
    )
    parsed = parse_accuracy_txt(v60)
    assert parsed["rouge2"] == 22.2839 and parsed["tokens_per_sample"] == 283.3
    assert "hash" not in parsed
    # NumPy 2 output: the checker's patterns do not match, so nothing is found.
    numpy2 = "{'rouge1': np.float64(44.4465), 'tokens_per_sample': np.float64(301.1)}"
    assert parse_accuracy_txt(numpy2) == {}
    assert "rouge1" not in parse_accuracy_txt("{'rouge1': 44.5.1}")


def test_dataset_too_small_is_a_clear_error(split_sentences: SentenceSplitter) -> None:
    entries = [AccuracyEntry(0, 7, hex_of([5, 2], "int32"), None, None)]
    with pytest.raises(ScoringError, match="sample 7 but the dataset has only 3"):
        evaluate_llama2(
            entries, ["a", "b", "c"], lambda b: ["x"] * len(b), "int32", split_sentences
        )


def test_decoder_returning_wrong_count_is_reported(split_sentences: SentenceSplitter) -> None:
    entries = [AccuracyEntry(0, 0, hex_of([5, 2], "int32"), None, None)]
    with pytest.raises(ScoringError, match="returned 0 texts for 1"):
        evaluate_llama2(entries, ["a"], lambda b: [], "int32", split_sentences)


def test_bad_hash_is_refused(split_sentences: SentenceSplitter) -> None:
    entries = [AccuracyEntry(0, 0, hex_of([5, 2], "int32"), None, None)]
    result = evaluate_llama2(entries, ["a b."], lambda b: ["a b."], "int32", split_sentences)
    assert result.rouge1 == 100.0 and result.tokens_per_sample == 2.0
    with pytest.raises(ScoringError):
        format_accuracy_txt(result, "not-a-hash")
    assert format_accuracy_txt(result).endswith("'tokens_per_sample': 2.0}\n")
