"""Generation backends, registered by name and imported only when chosen.

Like lm-evaluation-harness's model registry (house style): ``dummy`` needs nothing but NumPy,
``hf`` imports torch/transformers when constructed, ``vllm`` only if it is installed.
"""

from __future__ import annotations

import importlib
from typing import Any

from reference_runner.backends.base import Backend, BackendInfo, FirstTokenCallback
from reference_runner.errors import RunnerError

_REGISTRY: dict[str, str] = {
    "dummy": "reference_runner.backends.dummy:DummyBackend",
    "hf": "reference_runner.backends.hf:HFBackend",
    "vllm": "reference_runner.backends.vllm_backend:VLLMBackend",
}

BACKEND_NAMES = tuple(_REGISTRY)

__all__ = ["BACKEND_NAMES", "Backend", "BackendInfo", "FirstTokenCallback", "create_backend"]


def create_backend(name: str, **options: Any) -> Backend:
    """Import and build the backend ``name`` with its options (see each backend's __init__)."""
    target = _REGISTRY.get(name)
    if target is None:
        raise RunnerError(
            f"Unknown backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}.",
            code="runner.unknown_backend",
        )
    module_name, class_name = target.split(":")
    module = importlib.import_module(module_name)
    backend: Backend = getattr(module, class_name)(**options)
    return backend
