"""The project installs as a package (pyproject.toml): one list of exact pins, extras that keep
torch and the browser out of the portal's environment, and a wheel that carries every package
and every data file the code reads at run time."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
EXTRAS: dict[str, list[str]] = PROJECT["optional-dependencies"]
NOT_PACKAGED = {"tests", "bench"}  # the checkout's own: run from its root, never installed
EXACT_PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*==[0-9][A-Za-z0-9.+!-]*$")
SELF = re.compile(r"^inferboard\[([a-z,]+)\]$")
# what the portal's environment (the base dependencies and the `portal` extra) must never pull
# in by name: the model stack and the test tools
NOT_FOR_THE_PORTAL = {"torch", "transformers", "playwright", "pytest-playwright", "pytest"}


def _name(requirement: str) -> str:
    return re.split(r"[=\[<>!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _packages() -> list[str]:
    """The checkout's top-level packages: folders at the root with an ``__init__.py``."""
    return sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_PACKAGED
    )


def _is_exact(requirement: str) -> bool:
    """``name==version``, or this project with some of its own extras (``inferboard[runner]``)."""
    own = SELF.match(requirement)
    return bool(EXACT_PIN.match(requirement)) or (
        own is not None and set(own[1].split(",")) <= EXTRAS.keys()
    )


def test_every_requirement_is_pinned_exactly() -> None:
    everything = [*PROJECT["dependencies"], *(r for rs in EXTRAS.values() for r in rs)]
    loose = [requirement for requirement in everything if not _is_exact(requirement)]
    assert loose == [], "pin exactly (name==version): a loose torch resolves to a CUDA build"


def test_a_package_has_one_version_across_the_extras() -> None:
    versions: dict[str, set[str]] = {}
    for requirement in [*PROJECT["dependencies"], *(r for rs in EXTRAS.values() for r in rs)]:
        if "==" in requirement:
            versions.setdefault(_name(requirement), set()).add(requirement.split("==")[1])
    assert {name: v for name, v in versions.items() if len(v) > 1} == {}


def test_the_portal_needs_neither_torch_nor_a_browser() -> None:
    portal = {_name(r) for r in [*PROJECT["dependencies"], *EXTRAS["portal"]]}
    assert portal & NOT_FOR_THE_PORTAL == set()
    assert {"torch", "transformers"} <= {_name(r) for r in EXTRAS["runner"]}
    assert {"playwright", "pytest"} <= {_name(r) for r in EXTRAS["test"]}


@pytest.mark.parametrize("name", ["requirements.txt", "requirements-gpu.txt"])
def test_requirements_files_only_name_extras_of_pyproject(name: str) -> None:
    """One source of truth: the requirements files install the checkout with extras, no pins."""
    lines = [
        line.strip()
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines, f"{name} installs nothing"
    for line in lines:
        found = re.fullmatch(r"-e \.\[([a-z,]+)\]", line)
        assert found, f"{name}: {line!r} is not `-e .[extras]` (pins live in pyproject.toml)"
        assert set(found[1].split(",")) <= EXTRAS.keys(), f"{name}: unknown extra in {line!r}"


def test_every_top_level_package_is_listed() -> None:
    include = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["packages"]["find"]["include"]
    listed = {pattern.removesuffix("*") for pattern in include}
    assert set(_packages()) == listed


def test_the_wheel_carries_every_module_and_data_file(tmp_path: Path) -> None:
    import setuptools

    backend = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"][
        "requires"
    ]
    assert backend == [f"setuptools=={setuptools.__version__}"], (
        f"the wheel is built with setuptools {setuptools.__version__}, pyproject.toml asks for "
        f"{backend}: install the test extra (make setup)"
    )
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    expected: set[str] = set()
    for package in _packages():
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
        expected |= {
            path.relative_to(source).as_posix()
            for path in (source / package).rglob("*")
            if path.is_file()
        }
    out = tmp_path / "dist"
    build = (
        "import sys\nfrom setuptools import build_meta\n"
        "print(build_meta.build_wheel(sys.argv[1]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", build, str(out)],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    wheel = out / done.stdout.strip().splitlines()[-1]
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        entry_points = archive.read(info).decode()
    assert expected - names == set(), "files the wheel lacks (package-data in pyproject.toml)"
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == set(_packages())
    assert "inferboard-validate = validator.cli:main" in entry_points
