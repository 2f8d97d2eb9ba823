"""Calibrate :mod:`scoring.comparison` on real published outputs (``bench/calibration_bench.py``).

Legitimate pairs: TEST06 logs of different llama2-70b systems of one round answer the same
100 queries (LoadGen's seeds are the round's), so every two of them are two legitimate
implementations of the reference model (FP8, FP4, other kernels) answering the same prompts.
Identical files (the same run filed under -99 and -99.9) count once.

Known-bad pairs are built from each legitimate pair by replacing the "submitted" side:
``truncated_32`` (every answer cut to its first 32 text tokens), ``truncated_half``,
``shuffled`` (each query answered with the next query's answer), ``three_tokens`` (spec §7's
fake system, ``[x, x, EOS]``, with the *right* first token, the hardest case) and
``other_model`` (answers of another model's TEST06 log, mixtral-8x7b, in order).

For each sample size K, statistics of random K-query samples of the legitimate pairs give
one threshold per statistic at ``target_false_alarm / 4`` (four statistics); the joint
false-alarm rate (any statistic, or a severe length flag) is then measured on fresh samples
and reported with the detection rate of every bad kind. Everything is seeded, so the same
logs give the same file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypedDict

import numpy as np

from scoring.accuracy_log import (
    AccuracyLogError,
    decode_tokens,
    first_entry_per_sample,
    guess_dtype,
    read_accuracy_log_with_digest,
)
from scoring.comparison import (
    FLAG_SEVERE_LENGTH,
    LLAMA2_EOS,
    LLAMA2_SPECIAL_IDS,
    QueryRules,
    Thresholds,
    compare_query,
)
from scoring.errors import ScoringError

CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.json"
SAMPLE_SIZES = (4, 8, 16, 32, 64, 100)
# Below 4 queries no threshold separates truncated runs from legitimate ones (measured: one
# query detects 4 % of runs cut to 32 tokens, two queries 71 %), so reproduction refuses it.
MIN_SAMPLES = SAMPLE_SIZES[0]
STATISTICS = 4  # flagged fraction, first-token agreement, similarity, median length ratio
BAD_KINDS = ("truncated_32", "truncated_half", "shuffled", "three_tokens", "other_model")
ROUGE_L_MARGIN = 0.10  # set, not measured: no dataset reference exists on this machine
_ROUND = re.compile(r"^v\d+\.\d+$")

Outputs = dict[int, tuple[int, ...]]


@dataclass(frozen=True)
class PublishedLog:
    """One whole TEST06 accuracy log: where it is, what it belongs to, its answers."""

    path: str  # relative to the corpus root
    round: str
    benchmark: str
    scenario: str
    sha256: str
    outputs: Outputs


class CorpusLog(TypedDict):
    path: str
    sha256: str


class QueryFigures(TypedDict):
    """Per-query agreement of the legitimate pairs (fractions, a median, a log2 ratio)."""

    flagged: float
    first_token_agreement: float
    exact_match: float
    median_similarity: float
    max_abs_log2_length_ratio: float


class SampleSizeFigures(TypedDict):
    """One sample size: false-alarm rate on fresh samples, detection rate per bad kind."""

    sample_size: int
    false_alarm: float
    detection: dict[str, float]


class Measured(TypedDict):
    """How a calibration was measured (the ``measured`` object of calibration.json)."""

    corpus: list[CorpusLog]
    skipped: list[str]
    legitimate_pairs: list[str]
    legitimate_queries: int
    per_query: QueryFigures
    by_sample_size: list[SampleSizeFigures]
    draws_per_pair: int
    seed: int


@dataclass(frozen=True)
class Calibration:
    """What :func:`scoring.comparison.judge` needs, plus how it was measured."""

    query_rules: QueryRules
    thresholds: tuple[Thresholds, ...]  # ascending sample_size
    rouge_l_margin: float
    target_false_alarm: float
    measured: Measured

    def thresholds_for(self, sample_size: int) -> Thresholds:
        """The thresholds calibrated for the largest grid size not above ``sample_size``:
        a smaller sample's limits are looser, so rounding down never raises false alarms."""
        if sample_size < self.thresholds[0].sample_size:
            raise ValueError(
                f"at least {self.thresholds[0].sample_size} sampled queries are needed for a "
                "calibrated verdict"
            )
        chosen = self.thresholds[0]
        for t in self.thresholds:
            if t.sample_size <= sample_size:
                chosen = t
        return chosen

    def to_json(self) -> dict[str, object]:
        return {
            "kind": "inferboard.comparison-calibration",
            "version": 1,
            "query_rules": asdict(self.query_rules),
            "thresholds": [asdict(t) for t in self.thresholds],
            "rouge_l_margin": self.rouge_l_margin,
            "target_false_alarm": self.target_false_alarm,
            "measured": self.measured,
        }


def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    """The committed calibration (data, house style §4)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return Calibration(
            query_rules=QueryRules(**data["query_rules"]),
            thresholds=tuple(Thresholds(**t) for t in data["thresholds"]),
            rouge_l_margin=float(data["rouge_l_margin"]),
            target_false_alarm=float(data["target_false_alarm"]),
            measured=data["measured"],
        )
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ScoringError(
            "scoring.calibration",
            path,
            f"cannot read the comparison calibration ({err}); rebuild it with "
            "`python -m bench.calibration_bench --write`.",
        ) from err


# ----------------------------------------------------------------------------- corpus
def find_test06_logs(root: Path) -> tuple[list[PublishedLog], list[str]]:
    """Every whole, non-empty TEST06 log under ``root`` (sorted by path), and why others
    were skipped (truncated copies, performance-run ``[]``)."""
    found: list[PublishedLog] = []
    skipped: list[str] = []
    for path in sorted(root.rglob("TEST06/accuracy/mlperf_log_accuracy.json")):
        relative = path.relative_to(root)
        parts = relative.parts
        at = parts.index("TEST06")
        try:
            entries, digest = read_accuracy_log_with_digest(path)
        except AccuracyLogError as err:
            skipped.append(f"{relative}: {err.code}")
            continue
        if not entries:
            skipped.append(f"{relative}: empty")
            continue
        dtype = guess_dtype(entries)
        kept, _ = first_entry_per_sample(entries)
        outputs = {e.qsl_idx: tuple(decode_tokens(e.data, dtype).tolist()) for e in kept}
        found.append(
            PublishedLog(
                path=relative.as_posix(),
                round=next((p for p in parts if _ROUND.match(p)), "?"),
                benchmark=parts[at - 2],
                scenario=parts[at - 1],
                sha256=digest,
                outputs=outputs,
            )
        )
    return found, skipped


def legitimate_pairs(
    logs: Sequence[PublishedLog], family: str = "llama2-70b", min_overlap: int = 50
) -> list[tuple[PublishedLog, PublishedLog, list[int]]]:
    """Distinct logs of one model family and round that answer the same queries."""
    unique: dict[str, PublishedLog] = {}
    for log in logs:
        if log.benchmark.startswith(family):
            unique.setdefault(log.sha256, log)
    chosen = sorted(unique.values(), key=lambda log: log.path)
    pairs = []
    for i, a in enumerate(chosen):
        for b in chosen[i + 1 :]:
            if a.round != b.round:
                continue
            common = sorted(set(a.outputs) & set(b.outputs))
            if len(common) >= min_overlap:
                pairs.append((a, b, common))
    return pairs


def bad_submissions(
    submitted: Outputs, queries: Sequence[int], other_model: Sequence[tuple[int, ...]]
) -> dict[str, Outputs]:
    """Known-bad replacements of the submitted side (module docstring)."""

    def text(tokens: tuple[int, ...]) -> list[int]:
        return [t for t in tokens if t not in LLAMA2_SPECIAL_IDS]

    bad: dict[str, Outputs] = {
        "truncated_32": {q: tuple(text(submitted[q])[:32]) for q in queries},
        "truncated_half": {
            q: tuple(text(submitted[q])[: max(1, len(text(submitted[q])) // 2)]) for q in queries
        },
        "shuffled": {q: submitted[queries[(i + 1) % len(queries)]] for i, q in enumerate(queries)},
        "three_tokens": {q: (*(text(submitted[q])[:1] or [3]) * 2, LLAMA2_EOS) for q in queries},
    }
    if other_model:
        bad["other_model"] = {q: other_model[i % len(other_model)] for i, q in enumerate(queries)}
    return bad


# ----------------------------------------------------------------------------- features
@dataclass(frozen=True)
class PairFeatures:
    """Per-query features of one (regenerated, submitted) pair, as arrays."""

    kind: str
    flagged: np.ndarray
    severe: np.ndarray
    first_token: np.ndarray
    similarity: np.ndarray
    log2_ratio: np.ndarray


def pair_features(
    kind: str, regenerated: Outputs, submitted: Outputs, queries: Sequence[int], rules: QueryRules
) -> PairFeatures:
    rows = [compare_query(q, submitted[q], regenerated[q], rules) for q in queries]
    return PairFeatures(
        kind=kind,
        flagged=np.array([not r.agrees for r in rows]),
        severe=np.array([FLAG_SEVERE_LENGTH in r.flags for r in rows]),
        first_token=np.array([r.first_token_match for r in rows]),
        similarity=np.array([r.similarity for r in rows]),
        log2_ratio=np.array([r.log2_length_ratio for r in rows]),
    )


def sampled_statistics(
    pairs: Iterable[PairFeatures], k: int, draws: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The four statistics (and "any severe flag") of ``draws`` random k-query samples of
    every pair (without replacement within a sample), pooled."""
    out: dict[str, list[np.ndarray]] = {
        "flagged_fraction": [],
        "first_token_agreement": [],
        "mean_similarity": [],
        "median_log2_length_ratio": [],
        "severe": [],
    }
    for pair in pairs:
        n = len(pair.flagged)
        if n < k:
            continue
        index = np.argsort(rng.random((draws, n)), axis=1)[:, :k]
        out["flagged_fraction"].append(pair.flagged[index].mean(axis=1))
        out["first_token_agreement"].append(pair.first_token[index].mean(axis=1))
        out["mean_similarity"].append(pair.similarity[index].mean(axis=1))
        out["median_log2_length_ratio"].append(np.median(pair.log2_ratio[index], axis=1))
        out["severe"].append(np.any(pair.severe[index], axis=1))
    return {key: np.concatenate(values) for key, values in out.items() if values}


def _alarms(stats: dict[str, np.ndarray], t: Thresholds) -> np.ndarray:
    """Which samples :func:`scoring.comparison.judge` would call inconsistent."""
    alarms: np.ndarray = (
        (stats["flagged_fraction"] > t.max_flagged_fraction + 1e-9)
        | (stats["first_token_agreement"] < t.min_first_token_agreement - 1e-9)
        | (stats["mean_similarity"] < t.min_mean_similarity - 1e-9)
        | (np.abs(stats["median_log2_length_ratio"]) > t.max_abs_median_log2_length_ratio + 1e-9)
        | stats["severe"]
    )
    return alarms


def thresholds_from(stats: dict[str, np.ndarray], k: int, each: float) -> Thresholds:
    """Per-statistic limits that legitimate samples cross with probability ``each``."""
    return Thresholds(
        sample_size=k,
        max_flagged_fraction=round(float(np.quantile(stats["flagged_fraction"], 1 - each)), 4),
        min_first_token_agreement=round(
            float(np.quantile(stats["first_token_agreement"], each)), 4
        ),
        min_mean_similarity=round(
            float(np.floor(np.quantile(stats["mean_similarity"], each) * 1e4) / 1e4), 4
        ),
        max_abs_median_log2_length_ratio=round(
            float(
                np.ceil(np.quantile(np.abs(stats["median_log2_length_ratio"]), 1 - each) * 1e4)
                / 1e4
            ),
            4,
        ),
    )


def calibrate(
    corpus_root: Path,
    *,
    sizes: Sequence[int] = SAMPLE_SIZES,
    target_false_alarm: float = 0.01,
    draws: int = 400,
    seed: int = 20260,
    rules: QueryRules | None = None,
) -> Calibration:
    """Measure everything the module docstring describes from the logs under ``corpus_root``."""
    logs, skipped = find_test06_logs(corpus_root)
    pairs = legitimate_pairs(logs)
    if not pairs:
        raise ScoringError(
            "scoring.calibration",
            corpus_root,
            "no two llama2-70b TEST06 logs of one round answer the same queries here; point "
            "at the shared data folder (bundles/ and rounds/*/tree).",
        )
    legit_lengths = [
        abs(np.log2((_text_len(a.outputs[q]) + 1) / (_text_len(b.outputs[q]) + 1)))
        for a, b, queries in pairs
        for q in queries
    ]
    base = rules or QueryRules()
    severe = float(np.ceil(max(legit_lengths) * 2) / 2)  # at or above every legitimate pair
    rules = QueryRules(
        max_abs_log2_length_ratio=base.max_abs_log2_length_ratio,
        min_similarity_if_first_token_differs=base.min_similarity_if_first_token_differs,
        severe_abs_log2_length_ratio=severe,
    )
    other = [
        out
        for log in logs
        if log.benchmark.startswith("mixtral")
        for out in (log.outputs[q] for q in sorted(log.outputs))
    ]
    legit: list[PairFeatures] = []
    bad: dict[str, list[PairFeatures]] = {kind: [] for kind in BAD_KINDS}
    for a, b, queries in pairs:
        legit.append(pair_features("legit", a.outputs, b.outputs, queries, rules))
        for kind, outputs in bad_submissions(b.outputs, queries, other).items():
            bad[kind].append(pair_features(kind, a.outputs, outputs, queries, rules))
    rng = np.random.default_rng(seed)
    each = target_false_alarm / STATISTICS
    thresholds = []
    by_size: list[SampleSizeFigures] = []
    for k in sizes:
        fit = sampled_statistics(legit, k, draws, rng)
        if not fit:
            continue
        t = thresholds_from(fit, k, each)
        thresholds.append(t)
        fresh = sampled_statistics(legit, k, draws, rng)
        detection = {
            kind: round(float(_alarms(sampled_statistics(feats, k, draws, rng), t).mean()), 4)
            for kind, feats in bad.items()
            if feats
        }
        by_size.append(
            {
                "sample_size": k,
                "false_alarm": round(float(_alarms(fresh, t).mean()), 4),
                "detection": detection,
            }
        )
    flagged = np.concatenate([p.flagged for p in legit])
    measured: Measured = {
        "corpus": [{"path": log.path, "sha256": log.sha256} for log in logs],
        "skipped": skipped,
        "legitimate_pairs": [f"{a.path} | {b.path}" for a, b, _ in pairs],
        "legitimate_queries": int(flagged.size),
        "per_query": {
            "flagged": round(float(flagged.mean()), 4),
            "first_token_agreement": round(
                float(np.concatenate([p.first_token for p in legit]).mean()), 4
            ),
            "exact_match": round(
                float(np.mean([a.outputs[q] == b.outputs[q] for a, b, qs in pairs for q in qs])),
                4,
            ),
            "median_similarity": round(
                float(np.median(np.concatenate([p.similarity for p in legit]))), 4
            ),
            "max_abs_log2_length_ratio": round(float(max(legit_lengths)), 4),
        },
        "by_sample_size": by_size,
        "draws_per_pair": draws,
        "seed": seed,
    }
    return Calibration(
        query_rules=rules,
        thresholds=tuple(thresholds),
        rouge_l_margin=ROUGE_L_MARGIN,
        target_false_alarm=target_false_alarm,
        measured=measured,
    )


def _text_len(tokens: tuple[int, ...]) -> int:
    return sum(1 for t in tokens if t not in LLAMA2_SPECIAL_IDS)
