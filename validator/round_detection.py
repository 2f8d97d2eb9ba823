"""Which MLPerf round a bundle belongs to: from ``--round``, else from the LoadGen seeds of its
performance logs (the only binding of a log to a round, spec §4.2 item 6)."""

from __future__ import annotations

from collections import Counter

from validator.bundle import ScenarioDirs
from validator.findings import Finding, finding
from validator.options import Options
from validator.parsing.loadgen_log import read_values
from validator.rules import available_rounds, load_round, round_for_seeds

SEED_KEYS = (
    "effective_qsl_rng_seed",
    "effective_sample_index_rng_seed",
    "effective_schedule_rng_seed",
)


def resolve(scenarios: list[ScenarioDirs], options: Options) -> tuple[str | None, list[Finding]]:
    """(round, findings): the round named in the options, or the one most logs' seeds give."""
    if options.round:
        load_round(options.round)  # raises UnknownRoundError for a name with no table
        return options.round, []
    seen: Counter[str | None] = Counter()
    for dirs in scenarios:
        path = dirs.results / "performance" / "run_1" / "mlperf_log_detail.txt"
        seeds = read_values(path, SEED_KEYS, root=dirs.root)
        if seeds == (None, None, None):
            continue
        ints = tuple(s for s in seeds if isinstance(s, int) and not isinstance(s, bool))
        seen[round_for_seeds(ints) if len(ints) == 3 else None] += 1
    known = [(n, c) for n, c in seen.most_common() if n is not None]
    if not known:
        return None, [
            finding(
                "round.unknown",
                ".",
                "the performance logs' LoadGen seeds match no published round "
                f"({', '.join(available_rounds())})",
            )
        ]
    name = known[0][0]
    extra = []
    if len(seen) > 1:
        others = {k or "unknown seeds": v for k, v in seen.items() if k != name}
        extra.append(finding("round.mixed", ".", f"most logs are {name}; others: {others}"))
    return name, extra
