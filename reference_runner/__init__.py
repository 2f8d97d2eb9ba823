"""Reference runner: drive a model through MLPerf LoadGen and write a submission bundle.

Public API: :func:`run_benchmark` with a :class:`RunConfig`, and :class:`RunnerError`.
torch and transformers are imported only by the backends that need them.
"""

from pathlib import Path

from reference_runner.config import RunConfig
from reference_runner.errors import RunnerError
from reference_runner.loadgen_driver import LoadgenOverrides


def run_benchmark(config: RunConfig) -> Path:
    """Run LoadGen for ``config`` and write the bundle; returns the bundle root (a Path)."""
    from reference_runner.runner import run_benchmark as _run

    return _run(config)


__all__ = ["LoadgenOverrides", "RunConfig", "RunnerError", "run_benchmark"]
