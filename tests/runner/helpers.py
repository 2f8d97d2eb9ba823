"""Helpers shared by the runner tests (bundles built by the real runner)."""

from __future__ import annotations

from pathlib import Path

from reference_runner import LoadgenOverrides, RunConfig, run_benchmark

FAST = LoadgenOverrides(min_duration_ms=100, min_query_count=200, server_target_qps=2000)


def build_dummy_bundle(out: Path, **changes: object) -> Path:
    """A small dummy-backend bundle: 200 samples, answers [x, x, 2] unless told otherwise."""
    options: dict[str, object] = {
        "out": out,
        "backend": "dummy",
        "scenarios": ("Offline", "Server"),
        "max_samples": 200,
        "dummy_tokens_per_sample": 3,
        "overrides": FAST,
        "progress": False,
    }
    options.update(changes)
    return run_benchmark(RunConfig(**options))  # type: ignore[arg-type]
