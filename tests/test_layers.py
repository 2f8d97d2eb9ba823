"""The layers point one way (house style §1): pages -> portal -> libraries, never back.

Checked twice: statically on every import statement, and dynamically by importing each
library in a fresh interpreter and looking at what ended up in ``sys.modules`` (which catches
indirect imports too). The pages (``app_pages/``) are scripts, so only their import
statements are checked: running them is the AppTest tests' job.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> top-level modules it must never import, directly or indirectly.
BELOW_ALL = {
    "streamlit", "torch", "transformers", "validator", "leaderboard", "reference_runner",
    "submissions", "portal", "app_pages",
}  # fmt: skip
LIBRARY_FORBIDDEN = {"streamlit", "torch", "transformers", "submissions", "portal", "app_pages"}
FORBIDDEN: dict[str, set[str]] = {
    # the one error shape sits below everything: it imports nothing of the project
    "errors": BELOW_ALL | {"scoring", "hardware"},
    "scoring": BELOW_ALL,
    "hardware": BELOW_ALL,
    "validator": LIBRARY_FORBIDDEN | {"leaderboard", "reference_runner"},
    "leaderboard": LIBRARY_FORBIDDEN | {"reference_runner"},
    "reference_runner": {"streamlit", "leaderboard", "submissions", "portal"},
    # the workflow runs the reference runner as a child process, never imports it
    "submissions": LIBRARY_FORBIDDEN | {"reference_runner"},
    # the UI edge may import streamlit, never torch (the portal must start fast), nor the pages
    # that sit above it
    "portal": {"torch", "transformers", "reference_runner", "app_pages"},
    # pages reach the libraries and the UI edge; nothing that loads a model
    "app_pages": {"torch", "transformers", "reference_runner"},
    # the read API serves snapshots in reader processes: no UI, no workflow, no model
    "public_api": LIBRARY_FORBIDDEN | {"reference_runner"},
    # the local cluster starts processes and writes nginx's configuration: no application code
    "cluster": BELOW_ALL | {"public_api", "scoring", "hardware"},
}
PAGES = {"app_pages"}  # scripts run by the router, not importable libraries
PRESENT = [name for name in FORBIDDEN if (ROOT / name).is_dir()]


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", PRESENT)
def test_no_forbidden_import_statement(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            (imported_top_levels(path) - {package}) & FORBIDDEN[package]
        )
        for path in (ROOT / package).rglob("*.py")
    }
    offenders = {path: names for path, names in offenders.items() if names}
    # reference_runner may import torch lazily inside functions; module level is checked below.
    assert offenders == {}, f"{package} imports what its layer forbids: {offenders}"


@pytest.mark.parametrize(
    "package", [p for p in PRESENT if p != "reference_runner" and p not in PAGES]
)
def test_importing_the_library_loads_nothing_forbidden(package: str) -> None:
    probe = (
        f"import importlib, json, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        f"for info in pkgutil.walk_packages(pkg.__path__, {package!r} + '.'):\n"
        f"    if not info.name.endswith('__main__'):\n"
        f"        importlib.import_module(info.name)\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert (loaded - {package}) & FORBIDDEN[package] == set()


def test_runner_imports_torch_only_lazily() -> None:
    """The runner's backends import torch inside functions, so `--backend dummy` needs no torch."""
    probe = (
        "import importlib, pkgutil, sys, json\n"
        "pkg = importlib.import_module('reference_runner')\n"
        "print(json.dumps('torch' in sys.modules))\n"
    )
    if not (ROOT / "reference_runner").is_dir():
        pytest.fail("reference_runner/ is missing from the checkout")
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) is False
