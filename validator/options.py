"""Validator options: one frozen object, built by the CLI or the portal and passed down."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Options:
    round: str | None = None  # None: detect from the LoadGen seeds
    jobs: int = 1
    skip_code_check: bool = False
    skip_calibration_check: bool = False
    skip_compliance: bool = False
    skip_power_check: bool = False  # the Power WG's PTD log checks (the checker's own flag)
    submission_exceptions: bool = False  # excuse "Loadgen built with uncommitted changes!"
    # truth checks: relative tolerance between tokens/s ÷ samples/s of the performance run and
    # tokens_per_sample of accuracy.txt (the real bundles agree within 0.3%, see docs/validator.md)
    perf_tokens_per_sample_tolerance: float = 0.05
