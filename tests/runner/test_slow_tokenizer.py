"""The Llama-2 tokenizer decodes as MLPerf's evaluate-accuracy.py loads it (use_fast=False):
with SentencePiece itself when the folder holds tokenizer.model (transformers 5 ignores
use_fast). A tiny SentencePiece model is trained here (no hub)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reference_runner.codecs import HFCodec
from reference_runner.datasets import DEMO_DATASET


@pytest.mark.slow  # trains a SentencePiece model: 4 s
def test_a_sentencepiece_folder_decodes_with_sentencepiece(tmp_path: Path) -> None:
    import sentencepiece

    texts = [json.loads(line)["output"] for line in DEMO_DATASET.read_text().splitlines()]
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(texts), encoding="utf-8")
    folder = tmp_path / "llama-like"
    folder.mkdir()
    sentencepiece.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(folder / "tokenizer"), vocab_size=600,
        model_type="bpe", unk_id=0, bos_id=1, eos_id=2, pad_id=-1, byte_fallback=True,
        minloglevel=2,
    )  # fmt: skip
    (folder / "tokenizer_config.json").write_text(
        json.dumps(
            {
                "tokenizer_class": "LlamaTokenizer",
                "bos_token": "<s>",
                "eos_token": "</s>",
                "unk_token": "<unk>",
            }
        )
    )
    codec = HFCodec(str(folder))
    assert codec.decoder == "sentencepiece (slow, use_fast=False)"
    assert codec.special_ids == frozenset({0, 1, 2})
    processor = sentencepiece.SentencePieceProcessor(model_file=str(folder / "tokenizer.model"))
    ids = processor.encode("Why is the sky blue? Because of Rayleigh scattering.")
    # special ids anywhere are skipped, as skip_special_tokens=True skips them
    assert codec.decode([1, *ids[:3], 2, *ids[3:], 2]) == processor.decode(ids)
