"""Provenance tiers: where a leaderboard row comes from and how far it was established.

Every row carries one tier (``results.provenance``) and, for an accepted submission, whether
its spot reproduction agreed (``results.reproduced``). The default view shows the official
tiers only (:data:`OFFICIAL`); an accepted submission is labelled in every view and can be
filtered in or out (the ``provenance`` URL filter).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

import polars as pl


class Provenance(StrEnum):
    """How a leaderboard row was established, from the most to the least official."""

    PUBLISHED = "published"  # published by MLCommons (the seed, an official summary import)
    CHECKED = "checked"  # a results tree imported through Inferboard's validator
    ACCEPTED = "accepted"  # a portal submission a maintainer accepted after the checks


LABELS: Final = {
    Provenance.PUBLISHED: "published by MLCommons",
    Provenance.CHECKED: "checked by Inferboard's validator (the official and truth verdicts)",
    Provenance.ACCEPTED: "accepted by an Inferboard maintainer (not an official MLPerf result)",
}
SHORT_LABELS: Final = {
    Provenance.PUBLISHED: "MLCommons",
    Provenance.CHECKED: "checked by Inferboard",
    Provenance.ACCEPTED: "accepted submission (not official)",
}
# The results the default view shows: what MLCommons published, checked or not.
OFFICIAL: Final = (Provenance.PUBLISHED.value, Provenance.CHECKED.value)
ALL: Final = tuple(p.value for p in Provenance)
REPRODUCED_LABEL: Final = "spot-reproduced"


def label(provenance: str, reproduced: bool | None = None, *, short: bool = False) -> str:
    """A row's tier in words; an accepted submission whose spot reproduction agreed says so."""
    try:
        tier = Provenance(provenance)
    except ValueError:
        return provenance
    text = (SHORT_LABELS if short else LABELS)[tier]
    return f"{text}, {REPRODUCED_LABEL}" if reproduced else text


def source_column(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``source``: each row's tier in words (from ``provenance`` and
    ``reproduced``), the label the table, the downloads and the API show."""
    if "provenance" not in frame.columns:
        return frame
    text = pl.col("provenance").replace_strict(
        {tier.value: SHORT_LABELS[tier] for tier in Provenance},
        default=pl.col("provenance"),
        return_dtype=pl.String,
    )
    if "reproduced" in frame.columns:
        text = (
            pl.when(pl.col("reproduced").fill_null(False))
            .then(pl.concat_str([text, pl.lit(", " + REPRODUCED_LABEL)]))
            .otherwise(text)
        )
    return frame.with_columns(text.alias("source"))
