"""The fast ROUGE path must give rouge_score's per-pair F-measures bit for bit."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rouge_score import rouge_scorer, tokenize, tokenizers

from scoring import rouge_kernels
from scoring.errors import ScoringError
from scoring.punkt_data import SentenceSplitter
from scoring.rouge import ROUGE_TYPES, aggregate, postprocess, score_fast, score_reference
from scoring.rouge_kernels import (
    TokenCoder,
    _Lanes,
    _union_lcs_rows,
    lcs_length,
    pair_fmeasures,
    summary_lcs_fmeasure,
)
from scoring.synthetic import pairs

EDGE_TEXTS = [
    "",
    "   ",
    "...",
    "Yes.",
    "a a a a",
    "The the THE tHe.",
    "Running runs ran; the runner's running!",
    "İstanbul and the KELVIN sign \u212a, café naïve Straße 3.14 1,000,000 x2 ŉ",
    "Line one\nline two\n\nline three",
    "12 345 6789 a1b2 ab-cd e.g. i.e.",
]


def reference_fmeasures(target: str, prediction: str) -> list[float]:
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    scores = scorer.score(target, prediction)
    return [scores[name].fmeasure for name in ROUGE_TYPES]


def test_patterns_are_rouge_scores_own() -> None:
    assert rouge_kernels.NON_ALPHANUM_RE.pattern == tokenize.NON_ALPHANUM_PATTERN
    assert rouge_kernels.VALID_TOKEN_RE.pattern == tokenize.VALID_TOKEN_PATTERN


def test_token_coder_matches_rouge_score_tokenizer(split_sentences: SentenceSplitter) -> None:
    predictions, references = pairs(20, seed=11)
    texts = EDGE_TEXTS + predictions + references
    library = tokenizers.DefaultTokenizer(use_stemmer=True)
    coder = TokenCoder()
    vocabulary: dict[str, int] = {}
    for text in texts:
        expected = library.tokenize(text)
        ids = coder.encode(text)
        assert len(ids) == len(expected), text
        for token, token_id in zip(expected, ids, strict=True):
            assert vocabulary.setdefault(token, token_id) == token_id
        # A text's tokens are its lines' tokens end to end (rougeLsum relies on it).
        processed = postprocess([text], split_sentences)[0]
        per_line = [t for line in processed.split("\n") for t in coder.encode(line)]
        assert per_line == coder.encode(processed)


def test_lcs_length_matches_the_dp_table() -> None:
    rng = random.Random(5)
    for _ in range(500):
        alphabet = rng.randint(1, 6)
        a = [rng.randrange(alphabet) for _ in range(rng.randint(0, 30))]
        b = [rng.randrange(alphabet) for _ in range(rng.randint(0, 30))]
        expected = rouge_scorer._lcs_table(a, b)[-1][-1] if a and b else 0
        assert lcs_length(a, b) == expected


def test_union_lcs_reproduces_rouge_scores_backtracking() -> None:
    """Small alphabets make many LCSs of equal length: the tie-breaking must match."""
    rng = random.Random(7)
    for _ in range(1500):
        alphabet = rng.randint(1, 7)

        def sentence(rng: random.Random = rng, alphabet: int = alphabet) -> list[int]:
            return [rng.randrange(alphabet) for _ in range(rng.randint(0, 14))]

        reference = sentence()
        candidates = [sentence() for _ in range(rng.randint(1, 6))]
        expected = rouge_scorer._find_union(
            [rouge_scorer.lcs_ind(reference, c) for c in candidates]
        )
        lanes = _Lanes(candidates)
        got = _union_lcs_rows(reference, lanes) if reference and lanes.masks else []
        assert got == expected, (reference, candidates)


def test_summary_lcs_matches_on_random_token_lists() -> None:
    rng = random.Random(9)
    for _ in range(400):
        alphabet = rng.randint(2, 10)
        ref = [[rng.randrange(alphabet) for _ in range(rng.randint(0, 9))] for _ in range(4)]
        can = [[rng.randrange(alphabet) for _ in range(rng.randint(0, 9))] for _ in range(4)]
        k = rng.randint(0, 4)
        expected = rouge_scorer._summary_level_lcs(ref[:k], can).fmeasure
        assert summary_lcs_fmeasure(ref[:k], can) == expected


@pytest.mark.slow  # rouge_score on thousands of pairs: 3 s
def test_pair_fmeasures_are_bit_identical(split_sentences: SentenceSplitter) -> None:
    predictions, references = pairs(40, seed=2)
    predictions += EDGE_TEXTS + EDGE_TEXTS[::-1]
    references += EDGE_TEXTS[::-1] + EDGE_TEXTS
    preds = postprocess(predictions, split_sentences)
    refs = postprocess(references, split_sentences)
    coder = TokenCoder()
    for pred, ref in zip(preds, refs, strict=True):
        assert list(pair_fmeasures(coder, ref, pred)) == reference_fmeasures(ref, pred)


@pytest.mark.slow  # rouge_score on thousands of pairs: 3 s
def test_score_fast_equals_score_reference(split_sentences: SentenceSplitter) -> None:
    predictions, references = pairs(40, seed=4)
    slow = score_reference(predictions, references, split_sentences)
    fast = score_fast(predictions, references, split_sentences)
    assert fast == slow
    assert np.array_equal(fast.per_pair, slow.per_pair)
    assert 20 < slow.rouge1 < 90 and 0 < slow.rouge2 < slow.rouge1
    assert all(type(value) is float for value in fast.metrics().values())
    assert fast.gen_len == sum(len(p) for p in postprocess(predictions, split_sentences))


def test_parallel_equals_serial(split_sentences: SentenceSplitter) -> None:
    predictions, references = pairs(48, seed=6)
    serial = score_fast(predictions, references, split_sentences, jobs=1)
    parallel = score_fast(predictions, references, split_sentences, jobs=2)
    assert parallel == serial
    assert np.array_equal(parallel.per_pair, serial.per_pair)


def test_aggregate_rounds_like_the_official_script() -> None:
    per_pair = np.array([[0.123456789, 0.5, 0.0, 1.0], [0.2, 0.25, 0.0, 1.0], [0.3, 0.1, 0.0, 1.0]])
    result = aggregate(per_pair, gen_len=7)
    expected = [round(np.mean(per_pair[:, k]) * 100, 4) for k in range(4)]
    assert list(result.metrics().values()) == [float(x) for x in expected]
    assert result.rougeL == 0.0 and result.rougeLsum == 100.0
    assert repr(result.rouge1) == "20.7819"


def test_bad_input_is_a_scoring_error(split_sentences: SentenceSplitter) -> None:
    with pytest.raises(ScoringError, match="2 predictions but 1 references"):
        score_fast(["a", "b"], ["a"], split_sentences)
    with pytest.raises(ScoringError, match="no samples"):
        score_fast([], [], split_sentences)
    with pytest.raises(ScoringError, match="jobs"):
        score_fast(["a"], ["a"], split_sentences, jobs=0)
