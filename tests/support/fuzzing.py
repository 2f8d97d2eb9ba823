"""A seeded mutator over the real bundles, and a runner that feeds each mutant to the validator's
command line in a child process with a time limit (house style §19).

A case is ``(seed, bundle, as_archive)``: the seed alone regenerates the mutant, so a failing
case is kept as a regression by its seed, never as committed data. Every outcome is classified:
``ok`` (exit 0/1/2 and, for exit 0/1, strict JSON on stdout), ``crash`` (exit 3 or another
status, or a traceback), ``hang`` (past the time limit), ``bad_json``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import stat
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BUNDLES = ("v4.1/closed/NVIDIA", "v4.1/open/NeuralMagic", "v5.1/closed/AMD", "v6.0/closed/Intel")
JSON_SUFFIXES = (".json",)
HOSTILE_VALUES: tuple[object, ...] = (
    None, [], {}, ["datacenter"], {"a": 1}, True, -1, 0, 1e-9, 1.0, "1", "", "NaN",
    float("nan"), float("inf"), float("-inf"), 10**5000, "\ud800", "x" * 100_000,
)  # fmt: skip


@dataclass(frozen=True)
class Case:
    seed: int
    bundle: str
    as_archive: str  # "" (a folder), "zip" or "tgz"

    @property
    def name(self) -> str:
        return f"{self.seed}-{self.bundle.replace('/', '_')}-{self.as_archive or 'dir'}"


@dataclass(frozen=True)
class Outcome:
    case: Case
    kind: str  # ok, crash, hang, bad_json
    status: int | None
    seconds: float
    mutations: tuple[str, ...]
    detail: str = ""


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _flip_bytes(path: Path, rng: random.Random) -> str:
    data = bytearray(path.read_bytes())
    if not data:
        return f"{path.name}: empty, left as is"
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(data))
        data[at] = rng.randrange(256)
    path.write_bytes(bytes(data))
    return f"flip bytes in {path.name}"


def _truncate(path: Path, rng: random.Random) -> str:
    data = path.read_bytes()
    path.write_bytes(data[: rng.randrange(len(data) + 1)])
    return f"truncate {path.name}"


def _invalid_utf8(path: Path, rng: random.Random) -> str:
    data = path.read_bytes()
    at = rng.randrange(len(data) + 1)
    path.write_bytes(
        data[:at] + rng.choice([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\x00"]) + data[at:]
    )
    return f"invalid UTF-8 in {path.name}"


def _long_line(path: Path, rng: random.Random) -> str:
    text = path.read_bytes()
    line = rng.choice([b" " * 8000, b"a" * 200_000, b"x:" + b" " * 50_000, b"{'rouge1': " * 5000])
    path.write_bytes(text + b"\n" + line + b"\n")
    return f"long line in {path.name}"


def _json_value(path: Path, rng: random.Random) -> str:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _flip_bytes(path, rng)
    if not isinstance(data, dict) or not data:
        return f"{path.name}: not an object, left as is"
    key = rng.choice(sorted(data))
    value = rng.choice(HOSTILE_VALUES)
    if isinstance(value, int) and value == 10**5000:
        text = json.dumps(data).replace(json.dumps(data[key]), "9" * 5000, 1)
        path.write_text(text, encoding="utf-8")
    else:
        data[key] = value
        path.write_text(json.dumps(data), encoding="utf-8")
    huge = isinstance(value, int) and not isinstance(value, bool) and value == 10**5000
    label = "a 5000-digit integer" if huge else repr(value)[:20]
    return f"{path.name}: {key} = {label}"


def _deep_json(path: Path, rng: random.Random) -> str:
    depth = rng.choice([300, 3000, 50_000])
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    return f"{path.name}: nested {depth} deep"


def _detail_value(path: Path, rng: random.Random) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").split("\n")
    candidates = [i for i, line in enumerate(lines) if line.startswith(":::MLLOG")]
    if not candidates:
        return _flip_bytes(path, rng)
    i = rng.choice(candidates)
    try:
        entry = json.loads(lines[i][len(":::MLLOG ") :])
    except (ValueError, RecursionError):
        return _flip_bytes(path, rng)
    replacement = rng.choice(
        ["NaN", "Infinity", "-Infinity", "-1", "0", "1e309", "9" * 5000, '"\\ud800"', "[" * 5000,
         "null", "[]", '"1"', "1e-9", "true"]
    )  # fmt: skip
    entry_text = json.dumps(entry)
    raw_value = json.dumps(entry["value"])
    lines[i] = ":::MLLOG " + entry_text.replace(
        f'"value": {raw_value}', f'"value": {replacement}', 1
    )
    if rng.random() < 0.3:
        entry["metadata"] = {"is_error": True, "is_warning": False}
        lines.insert(i, ":::MLLOG " + json.dumps(entry))
    path.write_text("\n".join(lines), encoding="utf-8")
    return f"{path.name}: {entry.get('key')} = {replacement[:20]}"


def _empty_log(path: Path, rng: random.Random) -> str:
    path.write_text(rng.choice(["[\n]", "[ ]", "", "[", "{}"]), encoding="utf-8")
    return f"{path.name} emptied"


def _accuracy_lines(path: Path, rng: random.Random) -> str:
    fake = rng.choice(
        ["{'rouge1': 99.0, 'rouge2': 99.0, 'rougeL': 99.0, 'tokens_per_sample': 294.4}",
         "{'rouge1': 44.5.1}", "{'rouge1': .}", "hash=" + "f" * 64, "{'rouge1': NaN}"]
    )  # fmt: skip
    text = path.read_text(encoding="utf-8", errors="replace")
    path.write_text(fake + "\n" + text, encoding="utf-8")
    return f"{path.name}: prepended {fake[:30]!r}"


LINK_KINDS = ("dangling", "self", "dev_zero", "outside", "fifo")


def replace_with_link(path: Path, kind: str) -> None:
    """Replace the file ``path`` by a link of ``kind`` (:data:`LINK_KINDS`): to nothing, to
    itself, to /dev/zero, out of the bundle, or by a FIFO (a read would block forever)."""
    path.unlink()
    if kind == "dangling":
        path.symlink_to(path.parent / "nothing-here")
    elif kind == "self":
        path.symlink_to(path.name)
    elif kind == "dev_zero":
        path.symlink_to("/dev/zero")
    elif kind == "outside":
        path.symlink_to("/etc/hostname")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        raise ValueError(f"no link kind {kind!r}; one of {LINK_KINDS}")


def _link(path: Path, rng: random.Random) -> str:
    kind = rng.choice(LINK_KINDS)
    replace_with_link(path, kind)
    return f"{path.name} replaced by a {kind} link"


def _remove(path: Path, rng: random.Random) -> str:
    target = path if rng.random() < 0.7 else path.parent
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    return f"removed {target.name}"


Mutation = Callable[[Path, random.Random], str]
GENERAL: tuple[Mutation, ...] = (_flip_bytes, _truncate, _invalid_utf8, _long_line, _remove)


def _mutations_for(path: Path) -> tuple[Mutation, ...]:
    name = path.name
    if name.endswith(".json") and "mlperf_log_accuracy" not in name:
        return (*GENERAL, _json_value, _json_value, _deep_json)
    if name == "mlperf_log_detail.txt":
        return (*GENERAL, _detail_value, _detail_value, _detail_value)
    if name == "mlperf_log_accuracy.json":
        return (*GENERAL, _empty_log)
    if name in ("accuracy.txt", "verify_accuracy.txt"):
        return (*GENERAL, _accuracy_lines)
    return GENERAL


def make_mutant(case: Case, bundles: Path, dest: Path) -> tuple[Path, tuple[str, ...]]:
    """Copy the bundle to ``dest`` and apply one to three seeded mutations."""
    rng = random.Random(case.seed)
    division, submitter = case.bundle.split("/")[1:]
    root = dest / "tree"
    shutil.copytree(bundles / case.bundle, root / division / submitter)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    done = []
    for _ in range(rng.randint(1, 3)):
        files = _files(root)
        if not files:
            break
        path = rng.choice(files)
        mutation = rng.choice(_mutations_for(path))
        if mutation is _link and case.as_archive:
            continue
        done.append(mutation(path, rng))
    if not case.as_archive and rng.random() < 0.15:
        files = _files(root)
        if files:
            done.append(_link(rng.choice(files), rng))
    if case.as_archive:
        return _archive(root, dest, case.as_archive, rng, done), tuple(done)
    return root, tuple(done)


def _archive(root: Path, dest: Path, kind: str, rng: random.Random, done: list[str]) -> Path:
    if kind == "zip":
        out = dest / "bundle.zip"
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    zf.write(path, path.relative_to(root).as_posix())
    else:
        out = dest / "bundle.tgz"
        with tarfile.open(out, "w:gz") as tf:
            tf.add(root, arcname=".")
    if rng.random() < 0.2:
        data = out.read_bytes()
        out.write_bytes(data[: rng.randrange(len(data))])
        done.append(f"{out.name} truncated")
    return out


def _child(path: str, stdout: str, stderr: str, jobs: str) -> None:  # runs in the forked child
    sys.stdout = Path(stdout).open("w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
    sys.stderr = Path(stderr).open("w", encoding="utf-8", errors="backslashreplace")  # noqa: SIM115
    from validator.cli import main

    flags = ["--skip-code-check", "--skip-calibration-check"]  # the bundles omit both
    status = main([path, "--format", "json", "--jobs", jobs, *flags])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def run_case(case: Case, bundles: Path, scratch: Path, timeout_s: float = 60.0) -> Outcome:
    """Mutate, validate in a forked child with a time limit, classify."""
    work = scratch / case.name
    work.mkdir(parents=True)
    try:
        target, mutations = make_mutant(case, bundles, work)
        out, err = work / "stdout.json", work / "stderr.txt"
        jobs = "2" if case.seed % 5 == 0 else "1"
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                os.setsid()
                _child(str(target), str(out), str(err), jobs)
            finally:
                os._exit(99)
        status = _wait(pid, timeout_s)
        seconds = time.perf_counter() - start
        if status is None:
            return Outcome(case, "hang", None, seconds, mutations)
        stderr = err.read_text(encoding="utf-8", errors="replace") if err.exists() else ""
        if status not in (0, 1, 2) or "Traceback" in stderr:
            return Outcome(case, "crash", status, seconds, mutations, stderr[-2000:])
        if status in (0, 1):
            try:
                json.loads(out.read_text(encoding="utf-8"), parse_constant=_no_constants)
            except (ValueError, UnicodeDecodeError) as exc:
                return Outcome(case, "bad_json", status, seconds, mutations, str(exc)[:500])
        return Outcome(case, "ok", status, seconds, mutations)
    finally:
        _make_removable(work)
        shutil.rmtree(work, ignore_errors=True)


def _no_constants(name: str) -> object:
    raise ValueError(f"non-strict JSON constant {name}")


def _wait(pid: int, timeout_s: float) -> int | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


def _make_removable(work: Path) -> None:
    for path in work.rglob("*"):
        try:
            if stat.S_ISFIFO(path.lstat().st_mode):
                path.unlink()
        except OSError:
            continue


def cases(seed: int, count: int) -> list[Case]:
    rng = random.Random(seed)
    return [
        Case(rng.randrange(2**31), rng.choice(BUNDLES), rng.choice(["", "", "zip", "tgz"]))
        for _ in range(count)
    ]
