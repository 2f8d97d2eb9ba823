"""Accelerator catalogue: name normalisation and datasheet peak figures, as data.

Sits below ``validator`` and ``leaderboard``; pure Python plus a YAML table.
"""

from hardware.catalogue import (
    CATALOGUE_PATH,
    CatalogueError,
    catalogue,
    identify,
    normalise,
    parse_accelerators,
    unknown_names,
)
from hardware.spec import CPU_ONLY, AcceleratorSpec

__all__ = [
    "CATALOGUE_PATH",
    "CPU_ONLY",
    "AcceleratorSpec",
    "CatalogueError",
    "catalogue",
    "identify",
    "normalise",
    "parse_accelerators",
    "unknown_names",
]
