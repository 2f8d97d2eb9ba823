"""ROUGE-1/2/L/Lsum exactly as MLPerf's llama2 ``evaluate-accuracy.py`` computes them (spec §5).

The official pipeline: ``strip()`` both texts, split them into sentences with
``nltk.sent_tokenize`` and join with ``"\\n"``, score every pair with ``rouge_score``'s
``RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer=True)`` (MLPerf goes
through ``evaluate.load("rouge")``, which needs the hub and calls the same scorer with
``score(reference, prediction)``), then per metric ``round(np.mean(fmeasures) * 100, 4)``.

Two implementations share that pipeline and differ only in the per-pair scoring:
:func:`score_reference` calls ``rouge_score`` (the baseline, slow: ~40 ms a pair), and
:func:`score_fast` uses :mod:`scoring.rouge_kernels`, which yields bit-identical per-pair
F-measures, over ``jobs`` processes. ``bench/rouge_bench.py`` measures both.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from scoring.errors import ScoringError
from scoring.punkt_data import SentenceSplitter, nltk_sentence_splitter
from scoring.rouge_kernels import TokenCoder, pair_fmeasures

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_INLINE_CHUNK = 512  # pairs per progress step when scoring in this process


@dataclass(frozen=True)
class RougeResult:
    """Mean F-measures in percent, rounded to 4 places as the official script prints them.

    ``gen_len`` is the official ``gen_len``: the summed character lengths of the
    *post-processed* predictions (after strip and sentence re-joining, spec §5).
    ``per_pair`` keeps the raw F-measures (pairs × 4, in :data:`ROUGE_TYPES` order) for
    per-sample comparisons such as reproduction reports.
    """

    rouge1: float
    rouge2: float
    rougeL: float  # noqa: N815 - the metric's official name
    rougeLsum: float  # noqa: N815
    gen_len: int
    pairs: int
    per_pair: np.ndarray = field(compare=False, repr=False)

    def metrics(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in ROUGE_TYPES}


def postprocess(texts: Sequence[str], split_sentences: SentenceSplitter) -> list[str]:
    """``evaluate-accuracy.py``'s ``postprocess_text`` for one side: strip, one sentence a line."""
    return ["\n".join(split_sentences(text.strip())) for text in texts]


def aggregate(per_pair: np.ndarray, gen_len: int) -> RougeResult:
    """``round(np.mean(v) * 100, 4)`` per metric, as the official script, as plain floats.

    ``np.mean`` (pairwise summation) and NumPy's ``round`` are kept on purpose: ``sum()/n``
    or Python's ``round`` can differ in the last place. ``float()`` then avoids printing
    ``np.float64(...)``, which the checker's regex rejects under NumPy 2 (spec §5).
    """
    pairs = int(per_pair.shape[0])
    if pairs == 0:
        raise ScoringError("scoring.no_pairs", None, "there are no samples to score.")
    rouge1, rouge2, rouge_l, rouge_lsum = (
        float(round(np.mean(per_pair[:, k]) * 100, 4)) for k in range(len(ROUGE_TYPES))
    )
    return RougeResult(
        rouge1=rouge1,
        rouge2=rouge2,
        rougeL=rouge_l,
        rougeLsum=rouge_lsum,
        gen_len=gen_len,
        pairs=pairs,
        per_pair=per_pair,
    )


def _check_lengths(predictions: Sequence[str], references: Sequence[str]) -> None:
    if len(predictions) != len(references):
        raise ScoringError(
            "scoring.length_mismatch",
            None,
            f"{len(predictions)} predictions but {len(references)} references; "
            "each prediction needs the reference of its own sample.",
        )


def score_reference(
    predictions: Sequence[str],
    references: Sequence[str],
    split_sentences: SentenceSplitter | None = None,
) -> RougeResult:
    """The baseline: the official pipeline with ``rouge_score`` itself, one process."""
    from rouge_score import rouge_scorer

    _check_lengths(predictions, references)
    split = split_sentences or nltk_sentence_splitter()
    preds = postprocess(predictions, split)
    refs = postprocess(references, split)
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)
    per_pair = np.array(
        [
            [scores[name].fmeasure for name in ROUGE_TYPES]
            for scores in (scorer.score(ref, pred) for pred, ref in zip(preds, refs, strict=True))
        ],
        dtype=np.float64,
    ).reshape(len(preds), len(ROUGE_TYPES))
    return aggregate(per_pair, gen_len=sum(map(len, preds)))


def _score_chunk(
    predictions: Sequence[str], references: Sequence[str], split_sentences: SentenceSplitter
) -> tuple[np.ndarray, int]:
    """Post-process and score one chunk; runs in a worker process (or inline for jobs=1)."""
    preds = postprocess(predictions, split_sentences)
    refs = postprocess(references, split_sentences)
    coder = TokenCoder()
    per_pair = np.array(
        [pair_fmeasures(coder, ref, pred) for pred, ref in zip(preds, refs, strict=True)],
        dtype=np.float64,
    ).reshape(len(preds), len(ROUGE_TYPES))
    return per_pair, sum(map(len, preds))


def score_fast(
    predictions: Sequence[str],
    references: Sequence[str],
    split_sentences: SentenceSplitter | None = None,
    jobs: int = 1,
    on_progress: Callable[[int], None] | None = None,
) -> RougeResult:
    """Same result as :func:`score_reference`, computed with the fast kernels over ``jobs``.

    With ``jobs > 1`` chunks go to a ``forkserver`` process pool (safe after torch has
    started threads); ``split_sentences`` must then be picklable, as ``nltk.sent_tokenize``
    and :func:`scoring.punkt_data.load_sentence_splitter`'s result are. ``on_progress`` is
    called with the number of pairs of each chunk as it finishes (for progress bars).
    """
    _check_lengths(predictions, references)
    if jobs < 1:
        raise ScoringError("scoring.bad_jobs", None, f"jobs must be at least 1, not {jobs}.")
    split = split_sentences or nltk_sentence_splitter()
    if jobs == 1 or len(predictions) < 2 * jobs:
        parts = []
        for s in range(0, len(predictions), _INLINE_CHUNK):
            parts.append(
                _score_chunk(
                    predictions[s : s + _INLINE_CHUNK], references[s : s + _INLINE_CHUNK], split
                )
            )
            if on_progress is not None:
                on_progress(len(parts[-1][0]))
        if not parts:
            return aggregate(np.empty((0, len(ROUGE_TYPES))), 0)
        return aggregate(np.concatenate([p for p, _ in parts]), sum(n for _, n in parts))
    # A few chunks per worker balance uneven texts; order is kept by map().
    chunk = max(1, -(-len(predictions) // (jobs * 4)))
    starts = range(0, len(predictions), chunk)
    context = multiprocessing.get_context("forkserver")
    results = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for part in pool.map(
            _score_chunk,
            [predictions[s : s + chunk] for s in starts],
            [references[s : s + chunk] for s in starts],
            [split] * len(starts),
        ):
            results.append(part)
            if on_progress is not None:
                on_progress(len(part[0]))
    per_pair = np.concatenate([part for part, _ in results])
    return aggregate(per_pair, sum(length for _, length in results))
