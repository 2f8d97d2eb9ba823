"""The accelerator record every layer shares (validator, leaderboard, pages)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AcceleratorSpec:
    """One accelerator model with the datasheet figures we are confident of.

    ``peak_dense_tflops`` is the highest dense tensor throughput at any precision the chip
    supports (fp4/fp8/int8/bf16), from the vendor's datasheet; sparsity figures are halved back
    to dense. The validator uses it, with ``memory_bandwidth_tbs``, for physical-bound warnings,
    so an unknown figure is ``None`` and never a guess.
    """

    key: str
    vendor: str
    family: str
    model: str
    memory_gb: float | None
    peak_dense_tflops: float | None
    memory_bandwidth_tbs: float | None
    source: str
    peak_precision: str | None = None

    @property
    def is_cpu_only(self) -> bool:
        """True for the marker of systems without an accelerator (``N/A`` in systems/*.json)."""
        return self.key == CPU_ONLY_KEY


CPU_ONLY_KEY = "cpu-only"

CPU_ONLY = AcceleratorSpec(
    key=CPU_ONLY_KEY,
    vendor="CPU",
    family="CPU only",
    model="CPU only (no accelerator)",
    memory_gb=None,
    peak_dense_tflops=None,
    memory_bandwidth_tbs=None,
    source="systems/*.json says accelerator_model_name = N/A",
)
