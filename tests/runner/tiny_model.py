"""A tiny Llama and a tiny trained BPE tokenizer, built locally (no hub; environment notes).

Saved with ``save_pretrained`` so the runner loads them through the real
``from_pretrained(path)`` code path.
"""

from __future__ import annotations

import json
from pathlib import Path

from reference_runner.datasets import DEMO_DATASET


def build_tiny_llama(directory: Path, seed: int = 0) -> Path:
    """Write a 2-layer Llama with random weights and a BPE tokenizer to ``directory``."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    texts = []
    for line in DEMO_DATASET.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts += [row["input"], row["output"]]
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=["<unk>", "<s>", "</s>"], show_progress=False
    )
    bpe.train_from_iterator(texts, trainer)
    from tokenizers import decoders, processors

    bpe.decoder = decoders.ByteLevel()
    bpe.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    )
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=2048,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=None,
    )
    model = LlamaForCausalLM(config)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
