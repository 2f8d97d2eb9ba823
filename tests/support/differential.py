"""Mutated copies of the real bundles on which the official checkers and our validator once
disagreed (the differential run against the extracted checkers: classes A1-A7, B1-B8, C1-C5,
D1-D3; C4, the Power WG checks, has its own cases in ``tests/validator/power_mutations.py``),
and cases that agreed then and broke later (R1).

Each case builds its tree from a real bundle in ../shared (completed with its code folder and
calibration.md, ``tests/support/bundles.py``; the power cases from the v5.1 round sample's
Lenovo power system, complete as published), moved to an older round by rewriting the LoadGen
seeds where the case is about v4.0 or v5.0, and then mutated. The official checker's output on
exactly that tree is recorded once in ``tests/validator/testdata/differential_official.json``
(``record_differential.py`` beside it says how); the tests compare our official verdict and
summary CSV with it.

The classic checkers print a running count of failed scenarios (``errors``) in the order
``os.listdir`` gives a benchmark's scenario folders, which depends on the file system. A case
names the benchmark folders where that order matters (``ordered``), and the recording holds
the checker's ``errors`` column for every order of them.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.support.bundles import BUNDLES, completed_bundle_tree, writable_copy
from validator.rules import load_round

NV = "closed/NVIDIA"
NV_SYS = "H200-SXM-141GBx8_TRT"
NV_BENCH = f"{NV}/results/{NV_SYS}/llama2-70b-99"
NM = "open/NeuralMagic"
NM_SYS = "4xH100-SXM-80GB_vLLM_GPTQ-reference-cpu-pytorch-v2.3.1-default_config"
NM_BENCH = f"{NM}/results/{NM_SYS}/llama2-70b-99"
AMD = "closed/AMD"
AMD_SYS = "8xMI300X_2xEPYC_9575F"
AMD_BENCH = f"{AMD}/results/{AMD_SYS}/llama2-70b-99"
INTEL = "closed/Intel"
INTEL_SYS = "1-node-4x-BMG-B70"
INTEL_BENCH = f"{INTEL}/results/{INTEL_SYS}/llama2-70b-99"
LENOVO = "closed/Lenovo"
LENOVO_SYS = "SR680a_V3_B200SXMx8_TRT"  # whisper Offline with power, the sample's smallest
BUNDLE = {NV: "v4.1/closed/NVIDIA", NM: "v4.1/open/NeuralMagic", AMD: "v5.1/closed/AMD"}
BUNDLE[INTEL] = "v6.0/closed/Intel"
BUNDLE[LENOVO] = "v5.1/closed/Lenovo"  # from the round sample, not the bundles
ROUND_SAMPLES = BUNDLES.parent / "rounds"
DELETE = object()  # set_json: remove the key

# what a mutation returns (write_text's count, rename's path) is ignored
Mutation = Callable[[Path], object]


@dataclass(frozen=True)
class Case:
    klass: str  # the disagreement class of the differential report
    round: str
    submitter: str  # the real bundle it starts from (NV, NM, AMD or INTEL)
    mutate: Mutation
    ordered: tuple[str, ...] = ()  # benchmark result folders whose listdir order matters

    def build(self, dest: Path) -> Path:
        if self.submitter == LENOVO:
            power_system_tree(dest)
        else:
            completed_bundle_tree(BUNDLE[self.submitter], dest)
        source_round = BUNDLE[self.submitter].split("/")[0]
        if source_round != self.round:
            rewrite_seeds(dest, source_round, self.round)
        self.mutate(dest)
        return dest


def power_system_tree(dest: Path) -> Path:
    """The v5.1 sample's closed/Lenovo with its power system only (whisper Offline, accepted
    by the checker with a performance and a power row); returns ``dest``."""
    source = ROUND_SAMPLES / "v5.1" / "tree" / LENOVO
    writable_copy(source, dest / LENOVO)
    base = dest / LENOVO
    for folder in ("results", "measurements", "compliance"):
        for system in (base / folder).iterdir():
            if system.name != LENOVO_SYS:
                shutil.rmtree(system)
    for path in (base / "systems").glob("*.json"):
        if path.stem != LENOVO_SYS:
            path.unlink()
    return dest


def rewrite_seeds(root: Path, old: str, new: str) -> None:
    """Every detail log's LoadGen seeds from round ``old``'s to round ``new``'s."""
    pairs = zip(load_round(old).seeds.as_tuple(), load_round(new).seeds.as_tuple(), strict=True)
    replacements = [(f'"value": {a},', f'"value": {b},') for a, b in pairs]
    for path in sorted(root.rglob("mlperf_log_detail.txt")):
        text = path.read_text(encoding="utf-8")
        for before, after in replacements:
            text = text.replace(before, after)
        path.write_text(text, encoding="utf-8")


def scenario_order(root: Path, ordered: tuple[str, ...]) -> str:
    """The key of the recorded ``errors`` columns: each named folder's scenario folders in
    ``os.listdir`` order (as the classic checker walks them)."""
    parts = []
    for folder in ordered:
        names = [n for n in (root / folder).iterdir() if n.is_dir()]  # listdir order
        parts.append(",".join(n.name for n in names))
    return "|".join(parts)


# --- mutations ----------------------------------------------------------------------------


def append_error(path: Path, message: str = "Some loadgen error") -> None:
    """A LoadGen error entry (a copy of the first entry, flagged is_error) at the end."""
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    entry = json.loads(next(x for x in lines if x.startswith(":::MLLOG"))[len(":::MLLOG ") :])
    entry.update(key="error_runtime", value=message)
    entry["metadata"]["is_error"] = True
    path.write_text("\n".join([*lines, ":::MLLOG " + json.dumps(entry)]) + "\n", encoding="utf-8")


def set_json(path: Path, **changes: object) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is DELETE:
            data.pop(key, None)
        else:
            data[key] = value
    path.write_text(json.dumps(data, indent=4), encoding="utf-8")


def rename_scenario(root: Path, submitter: str, system: str, old: str, new: str) -> None:
    for tree in ("results", "measurements", "compliance"):
        folder = root / submitter / tree / system / "llama2-70b-99" / old
        if folder.is_dir():
            folder.rename(folder.with_name(new))


def copy_submitter(root: Path, submitter: str, new: str) -> None:
    """A second submitter with the same results (its system descriptions say so)."""
    target = root / submitter.split("/")[0] / new
    shutil.copytree(root / submitter, target)
    for path in (target / "systems").glob("*.json"):
        set_json(path, submitter=new)


def duplicate_system(root: Path, submitter: str, system: str, new: str) -> None:
    """A second system of the submitter with the same results, named ``new``."""
    base = root / submitter
    for tree in ("results", "measurements", "compliance"):
        if (base / tree / system).is_dir():
            shutil.copytree(base / tree / system, base / tree / new)
    shutil.copy(base / "systems" / f"{system}.json", base / "systems" / f"{new}.json")
    for path in (base / "measurements" / new).rglob(f"{system}*.json"):
        path.rename(path.with_name(new + path.name.removeprefix(system)))


def _nv_meas(scenario: str) -> str:
    return f"{NV}/measurements/{NV_SYS}/llama2-70b-99/{scenario}/{NV_SYS}_{scenario}.json"


def _amd_meas(scenario: str) -> str:
    return f"{AMD}/measurements/{AMD_SYS}/llama2-70b-99/{scenario}/{AMD_SYS}.json"


def _acc_log(bench: str, scenario: str) -> str:
    return f"{bench}/{scenario}/accuracy/mlperf_log_detail.txt"


def _perf_log(bench: str, scenario: str) -> str:
    return f"{bench}/{scenario}/performance/run_1/mlperf_log_detail.txt"


def _empty(rel: str) -> Mutation:
    return lambda r: (r / rel).write_text("")


def _error_in(rel: str) -> Mutation:
    return lambda r: append_error(r / rel)


def _json(rel: str, **changes: object) -> Mutation:
    return lambda r: set_json(r / rel, **changes)


def _text(rel: str, text: str) -> Mutation:
    return lambda r: (r / rel).write_text(text, encoding="utf-8")


def _all(*mutations: Mutation) -> Mutation:
    def apply(root: Path) -> None:
        for mutation in mutations:
            mutation(root)

    return apply


def _rm(rel: str) -> Mutation:
    def apply(root: Path) -> None:
        path = root / rel
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return apply


def _mv(rel: str, new_name: str) -> Mutation:
    return lambda r: (r / rel).rename((r / rel).with_name(new_name))


def _first_number_doubled(rel: str) -> Mutation:
    """accuracy.txt's first score made unreadable as a number (``44.563`` -> ``44.563.3``)."""

    def apply(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?<![\w.])(\d+\.\d+)", r"\1.3", text, count=1), encoding="utf-8")

    return apply


def _bytes(rel: str, change: Callable[[bytes], bytes]) -> Mutation:
    def apply(root: Path) -> None:
        path = root / rel
        before = path.read_bytes()
        after = change(before)
        assert after != before, f"the mutation leaves {rel} as it is"
        path.write_bytes(after)

    return apply


def _append(rel: str, data: bytes) -> Mutation:
    return _bytes(rel, lambda b: b + data)


def _sub_first(rel: str, pattern: bytes, replacement: bytes) -> Mutation:
    """The first match of ``pattern`` replaced (``\\1`` for its group)."""
    return _bytes(rel, lambda b: re.sub(pattern, replacement, b, count=1, flags=re.M))


def _log_value(rel: str, key: str, value: bytes) -> Mutation:
    """The value of the detail log's first ``key`` entry written as ``value``."""
    pattern = b'("key": "' + key.encode() + b'", "value": )[^,]*'
    return _sub_first(rel, pattern, rb"\g<1>" + value)


def _drop_lines(rel: str, text: bytes) -> Mutation:
    """Every line holding ``text`` removed."""
    return _bytes(rel, lambda b: b"".join(x for x in b.splitlines(keepends=True) if text not in x))


def _link(rel: str, target: str) -> Mutation:
    """``rel`` made a symbolic link to ``target`` (written as given)."""

    def apply(root: Path) -> None:
        path = root / rel
        if path.exists():
            path.unlink()
        path.symlink_to(target)

    return apply


def _nested(rel: str, depth: int, key: str | None = None) -> Mutation:
    """The JSON file made an array nested ``depth`` levels deep, or its ``key`` set to one."""
    deep = "[" * depth + "]" * depth
    if key is None:
        return _text(rel, deep)

    def apply(root: Path) -> None:
        path = root / rel
        text = json.dumps({**json.loads(path.read_text(encoding="utf-8")), key: "DEEP"})
        path.write_text(text.replace('"DEEP"', deep), encoding="utf-8")

    return apply


def _no_system(submitter: str) -> Mutation:
    """A results/ folder of a system that systems/ does not describe."""

    def apply(root: Path) -> None:
        folder = root / submitter / "results" / "zz-nosys"
        folder.mkdir()
        (folder / "a.md").write_text("x", encoding="utf-8")

    return apply


def _zed() -> Mutation:
    """Another closed submitter folder, without results/."""

    def apply(root: Path) -> None:
        (root / "closed" / "Zed").mkdir()
        (root / "closed" / "Zed" / "README.md").write_text("x", encoding="utf-8")

    return apply


_NV_SYS_JSON = f"{NV}/systems/{NV_SYS}.json"
_NM_SYS_JSON = f"{NM}/systems/{NM_SYS}.json"
_AMD_SYS_JSON = f"{AMD}/systems/{AMD_SYS}.json"
_INTEL_SYS_JSON = f"{INTEL}/systems/{INTEL_SYS}.json"
_AMD_ACC_OFFLINE = _error_in(_acc_log(AMD_BENCH, "Offline"))
_LENOVO_SYS_JSON = f"{LENOVO}/systems/{LENOVO_SYS}.json"
_LENOVO_MEAS = f"{LENOVO}/measurements/{LENOVO_SYS}/whisper/Offline/{LENOVO_SYS}_Offline.json"


def _nv_conf(scenario: str, name: str) -> str:
    return f"{NV}/measurements/{NV_SYS}/llama2-70b-99/{scenario}/{name}"


CASES: dict[str, Case] = {
    # A1: LoadGen errors in the accuracy run's log stop only the v5.1 checker
    "A1 v4.1 closed": Case("A1", "v4.1", NV, _error_in(_acc_log(NV_BENCH, "Offline")), (NV_BENCH,)),
    "A1 v4.1 open": Case("A1", "v4.1", NM, _error_in(_acc_log(NM_BENCH, "offline"))),
    "A1 v4.0 closed": Case("A1", "v4.0", NV, _error_in(_acc_log(NV_BENCH, "Server")), (NV_BENCH,)),
    "A1 v5.0 closed": Case("A1", "v5.0", AMD, _AMD_ACC_OFFLINE, (AMD_BENCH,)),
    "A1 v5.1 closed stops": Case("A1", "v5.1", AMD, _AMD_ACC_OFFLINE),
    # A2: an empty detail log is a log of no entries
    "A2 v4.1 accuracy": Case("A2", "v4.1", NV, _empty(_acc_log(NV_BENCH, "Offline")), (NV_BENCH,)),
    "A2 v5.1 accuracy": Case("A2", "v5.1", AMD, _empty(_acc_log(AMD_BENCH, "Interactive"))),
    "A2 v5.1 performance": Case(
        "A2", "v5.1", AMD, _empty(_perf_log(AMD_BENCH, "Server")), (AMD_BENCH,)
    ),
    "A2 v6.0 accuracy": Case("A2", "v6.0", INTEL, _empty(_acc_log(INTEL_BENCH, "Offline"))),
    "A2 v6.0 performance": Case("A2", "v6.0", INTEL, _empty(_perf_log(INTEL_BENCH, "Server"))),
    # A3: the measurements JSON, read as each round reads it
    "A3 v4.1 no weight_data_types": Case(
        "A3", "v4.1", NV, _json(_nv_meas("Offline"), weight_data_types=DELETE), (NV_BENCH,)
    ),
    "A3 v4.0 no weight_data_types": Case(
        "A3", "v4.0", NV, _json(_nv_meas("Server"), weight_data_types=DELETE), (NV_BENCH,)
    ),
    "A3 v5.1 no weight_data_types stops": Case(
        "A3", "v5.1", AMD, _json(_amd_meas("Offline"), weight_data_types=DELETE)
    ),
    "A3 v4.1 a string": Case("A3", "v4.1", NV, _text(_nv_meas("Offline"), '"abc"'), (NV_BENCH,)),
    "A3 v4.1 a number stops": Case("A3", "v4.1", NV, _text(_nv_meas("Offline"), "5")),
    "A3 v6.0 an array": Case(
        "A3", "v6.0", INTEL, _text(f"{INTEL_BENCH}/Offline/measurements.json", "[1]")
    ),
    # ... and nested as deep as Python's json reads it where the checker calls it
    "A3 v4.1 an array 300 deep": Case(
        "A3", "v4.1", NV, _nested(_nv_meas("Server"), 300), (NV_BENCH,)
    ),
    "A3 v4.1 an array 991 deep": Case(
        "A3", "v4.1", NV, _nested(_nv_meas("Server"), 991), (NV_BENCH,)
    ),
    "A3 v4.1 an array 992 deep stops": Case("A3", "v4.1", NV, _nested(_nv_meas("Server"), 992)),
    "A3 v5.1 system field 991 deep": Case("A3", "v5.1", AMD, _nested(_AMD_SYS_JSON, 991, "x")),
    "A3 v5.1 system field 992 deep stops": Case(
        "A3", "v5.1", AMD, _nested(_AMD_SYS_JSON, 992, "x")
    ),
    "A3 v6.0 system field 987 deep": Case("A3", "v6.0", INTEL, _nested(_INTEL_SYS_JSON, 987, "x")),
    "A3 v6.0 system field 988 deep stops": Case(
        "A3", "v6.0", INTEL, _nested(_INTEL_SYS_JSON, 988, "x")
    ),
    # A4: the notes column, hw_notes and sw_notes joined as the checker joins them
    "A4 v4.1 sw_notes null": Case("A4", "v4.1", NV, _json(_NV_SYS_JSON, sw_notes=None)),
    "A4 v4.0 hw_notes null": Case("A4", "v4.0", NM, _json(_NM_SYS_JSON, hw_notes=None)),
    "A4 v5.0 sw_notes null": Case(  # Interactive is no v5.0 scenario: it fails, and counts
        "A4", "v5.0", AMD, _json(_AMD_SYS_JSON, sw_notes=None), (AMD_BENCH,)
    ),
    "A4 v5.1 hw_notes null": Case(
        "A4", "v5.1", AMD, _json(_AMD_SYS_JSON, hw_notes=None, sw_notes="software")
    ),
    "A4 v5.1 both null stops": Case(
        "A4", "v5.1", AMD, _json(_AMD_SYS_JSON, hw_notes=None, sw_notes=None)
    ),
    "A4 v6.0 hw_notes null": Case(
        "A4", "v6.0", INTEL, _json(_INTEL_SYS_JSON, hw_notes=None, sw_notes="")
    ),
    # A5: a null meaningful field fails its system, which never reaches a summary row
    "A5 v5.1 second system": Case(
        "A5",
        "v5.1",
        AMD,
        _all(
            lambda r: duplicate_system(r, AMD, AMD_SYS, "8xMI300X_copy"),
            _json(f"{AMD}/systems/8xMI300X_copy.json", host_processor_model_name=None),
        ),
    ),
    "A5 v4.1 second system": Case(
        "A5",
        "v4.1",
        NV,
        _all(
            lambda r: duplicate_system(r, NV, NV_SYS, "H200_copy"),
            _json(f"{NV}/systems/H200_copy.json", framework=None),
        ),
    ),
    # A6: what the checker never reaches cannot stop it
    "A6 v5.1 no measurements": Case(
        "A6",
        "v5.1",
        AMD,
        _all(_rm(f"{AMD}/measurements/{AMD_SYS}/llama2-70b-99/Offline"), _AMD_ACC_OFFLINE),
        (AMD_BENCH,),
    ),
    "A6 v5.1 scenario not allowed": Case(
        "A6",
        "v5.1",
        AMD,
        _all(
            lambda r: rename_scenario(r, AMD, AMD_SYS, "Offline", "Foo"),
            lambda r: (r / _amd_meas("Foo")).write_text("{", encoding="utf-8"),
        ),
        (AMD_BENCH,),
    ),
    "A6 v4.1 accuracy file list": Case(
        "A6",
        "v4.1",
        NV,
        _all(
            _text(f"{NV_BENCH}/Offline/accuracy/x.txt", "x"),
            _first_number_doubled(f"{NV_BENCH}/Offline/accuracy/accuracy.txt"),
        ),
        (NV_BENCH,),
    ),
    "A6 v5.0 interactive not a v5.0 scenario": Case(
        "A6", "v5.0", AMD, _text(_amd_meas("Interactive"), "{"), (AMD_BENCH,)
    ),
    "A6 v5.1 system skipped": Case(
        "A6",
        "v5.1",
        AMD,
        _all(
            lambda r: copy_submitter(r, AMD, "AMDX"),
            _json(_AMD_SYS_JSON, status="soon"),
            _AMD_ACC_OFFLINE,
        ),
    ),
    "A6 v5.1 submitter skipped": Case(
        "A6",
        "v5.1",
        AMD,
        _all(
            lambda r: copy_submitter(r, AMD, "AMDX"),
            _text(f"{AMD}/.notes", "x"),
            _AMD_ACC_OFFLINE,
        ),
    ),
    # A7: an open model_mapping.json that is not an object is read only for unknown names
    "A7 v4.1 a list": Case("A7", "v4.1", NM, _text(f"{NM}/model_mapping.json", "[1]")),
    "A7 v4.0 a list": Case("A7", "v4.0", NM, _text(f"{NM}/model_mapping.json", "[1]")),
    "A7 v4.1 a list read stops": Case(
        "A7",
        "v4.1",
        NM,
        _all(
            _text(f"{NM}/model_mapping.json", "[1]"),
            _mv(NM_BENCH, "my-llama"),
            _mv(f"{NM}/measurements/{NM_SYS}/llama2-70b-99", "my-llama"),
        ),
    ),
    # B1: text that is not UTF-8 where the checker reads it as UTF-8
    "B1 v4.1 accuracy.txt stops": Case(
        "B1", "v4.1", NV, _append(f"{NV_BENCH}/Server/accuracy/accuracy.txt", b"\xff\n")
    ),
    "B1 v4.1 performance log": Case(
        "B1",
        "v4.1",
        NV,
        _sub_first(_perf_log(NV_BENCH, "Server"), rb'("value": "[^"]*)"', b'\\1\xff"'),
        (NV_BENCH,),
    ),
    "B1 v6.0 performance log stops": Case(
        "B1",
        "v6.0",
        INTEL,
        _sub_first(_perf_log(INTEL_BENCH, "Server"), rb'("value": "[^"]*)"', b'\\1\xff"'),
    ),
    "B1 v5.1 measurements JSON stops": Case(
        "B1", "v5.1", AMD, _sub_first(_amd_meas("Offline"), rb'(": ")', b"\\1\xed")
    ),
    "B1 v4.1 user.conf stops": Case(
        "B1", "v4.1", NV, _append(_nv_conf("Server", "user.conf"), b"\n# \xff\n")
    ),
    # B2: a :::MLLOG line the official parsers refuse
    "B2 v4.1 performance log": Case(
        "B2",
        "v4.1",
        NV,
        _log_value(_perf_log(NV_BENCH, "Server"), "result_query_count", b"[[[["),
        (NV_BENCH,),
    ),
    "B2 v4.1 accuracy log stops": Case(
        "B2",
        "v4.1",
        NV,
        _log_value(_acc_log(NV_BENCH, "Server"), "requested_accuracy_log_rng_seed", b"[[[["),
    ),
    "B2 v6.0 performance log stops": Case(
        "B2",
        "v6.0",
        INTEL,
        _log_value(_perf_log(INTEL_BENCH, "Server"), "result_query_count", b"[[[["),
    ),
    # B3: a scenario folder the summary row has no unit for
    "B3 v4.1 open OFFLINE": Case(
        "B3",
        "v4.1",
        NM,
        lambda r: rename_scenario(r, NM, NM_SYS, "offline", "OFFLINE"),
        (NM_BENCH,),
    ),
    "B3 v6.0 OFFLINE stops": Case(
        "B3", "v6.0", INTEL, lambda r: rename_scenario(r, INTEL, INTEL_SYS, "Offline", "OFFLINE")
    ),
    # B4: symbolic links as the classic checkers read them (targets from the tree root)
    "B4 v4.1 link sound only from the root stops": Case(
        "B4",
        "v4.1",
        NV,
        _link(f"{NV_BENCH}/Offline/link.txt", f"{NV_BENCH}/Offline/accuracy/accuracy.txt"),
    ),
    "B4 v5.1 link to itself": Case(
        "B4",
        "v5.1",
        AMD,
        _link(f"{AMD}/measurements/{AMD_SYS}/llama2-70b-99/Server/README.md", "README.md"),
    ),
    # B5: v4.1 reads equal issue from the measurements' mlperf.conf and user.conf
    "B5 v4.1 user.conf line of another shape stops": Case(
        "B5", "v4.1", NV, _append(_nv_conf("Offline", "user.conf"), b"\ngarbage\n")
    ),
    "B5 v4.1 mlperf.conf without equal issue": Case(
        "B5",
        "v4.1",
        NV,
        _drop_lines(_nv_conf("Offline", "mlperf.conf"), b"sample_concatenate_permutation"),
        (NV_BENCH,),
    ),
    "B5 v4.1 user.conf turns equal issue off": Case(
        "B5",
        "v4.1",
        NV,
        _append(
            _nv_conf("Offline", "user.conf"),
            b"\nllama2-70b.*.sample_concatenate_permutation = 0\n",
        ),
        (NV_BENCH,),
    ),
    # B6: v6.0's total_accelerators and notes, computed as its exporter computes them
    "B6 v6.0 nodes a string stops": Case(
        "B6", "v6.0", INTEL, _json(_INTEL_SYS_JSON, number_of_nodes="1.0")
    ),
    "B6 v6.0 nodes a float": Case("B6", "v6.0", INTEL, _json(_INTEL_SYS_JSON, number_of_nodes=1.5)),
    "B6 v6.0 sw_notes a number stops": Case(
        "B6", "v6.0", INTEL, _json(_INTEL_SYS_JSON, sw_notes=5)
    ),
    # B7: a results/<system> folder without systems/<system>.json
    "B7 v4.1 results without a system": Case("B7", "v4.1", NV, _no_system(NV)),
    "B7 v6.0 results without a system stops": Case("B7", "v6.0", INTEL, _no_system(INTEL)),
    # B8: weight_data_types that is not a string, where a row joins it with '+'
    "B8 v5.0 a number stops": Case(
        "B8", "v5.0", AMD, _json(_amd_meas("Offline"), weight_data_types=8)
    ),
    "B8 v5.1 power row a list stops": Case(
        "B8",
        "v5.1",
        LENOVO,
        _all(
            _json(_LENOVO_SYS_JSON, system_power_only=True),
            _json(_LENOVO_MEAS, weight_data_types=["a", "b"]),
        ),
    ),
    # C1: v4.1 skips the minimum query count for equal-issue benchmarks
    "C1 v4.1 no min_query_count": Case(
        "C1",
        "v4.1",
        NV,
        _drop_lines(_perf_log(NV_BENCH, "Offline"), b'"key": "effective_min_query_count"'),
    ),
    # C2: up to v5.0 the parser counts error entries and ignores num_errors
    "C2 v5.0 num_errors counts nothing": Case(
        "C2",
        "v5.0",
        AMD,
        _log_value(_perf_log(AMD_BENCH, "Offline"), "num_errors", b"1"),
        (AMD_BENCH,),
    ),
    "C2 v5.0 an error entry fails the run": Case(
        "C2", "v5.0", AMD, _error_in(_perf_log(AMD_BENCH, "Offline")), (AMD_BENCH,)
    ),
    # C3: the open division takes an untruncated accuracy log
    "C3 v4.1 open accuracy log not truncated": Case(
        "C3",
        "v4.1",
        NM,
        _append(f"{NM_BENCH}/offline/accuracy/mlperf_log_accuracy.json", b" " * 11000),
    ),
    # C4b: the power measurement files listed last must not be empty
    "C4b v5.1 power_settings empty": Case(
        "C4b", "v5.1", LENOVO, _text(f"{LENOVO}/measurements/{LENOVO_SYS}/power_settings.txt", "")
    ),
    "C4b v5.1 analyzer_table empty": Case(
        "C4b", "v5.1", LENOVO, _text(f"{LENOVO}/measurements/{LENOVO_SYS}/analyzer_table.md", "")
    ),
    # C5: a submitter without results/
    "C5 v5.1 no results": Case("C5", "v5.1", AMD, _rm(f"{AMD}/results")),
    "C5 v4.0 no results": Case("C5", "v4.0", NV, _rm(f"{NV}/results")),
    "C5 v4.1 another submitter without results": Case("C5", "v4.1", NV, _zed()),
    "C5 v6.0 another submitter without results stops": Case("C5", "v6.0", INTEL, _zed()),
    "C5 v5.1 empty results": Case(
        "C5", "v5.1", AMD, _all(_rm(f"{AMD}/results"), lambda r: (r / AMD / "results").mkdir())
    ),
    # D1: a run_1 without its detail log counts in no errors column
    "D1 v5.1 detail log missing": Case(
        "D1", "v5.1", AMD, _rm(_perf_log(AMD_BENCH, "Server")), (AMD_BENCH,)
    ),
    "D1 v4.1 detail log missing": Case(
        "D1", "v4.1", NV, _rm(_perf_log(NV_BENCH, "Server")), (NV_BENCH,)
    ),
    # D2: a closed scenario that is neither required nor optional counts
    "D2 v5.1 scenario renamed": Case(
        "D2",
        "v5.1",
        AMD,
        lambda r: rename_scenario(r, AMD, AMD_SYS, "Interactive", "Foo"),
        (AMD_BENCH,),
    ),
    "D2 v4.1 scenario renamed": Case(
        "D2", "v4.1", NV, lambda r: rename_scenario(r, NV, NV_SYS, "Server", "Foo"), (NV_BENCH,)
    ),
    # R1: agreed in the differential run, broke later (a replay of agreeing cases found it):
    # a system's status or submitter that is not a string
    "R1 v4.1 status a number stops": Case("R1", "v4.1", NV, _json(_NV_SYS_JSON, status=5)),
    "R1 v5.1 no submitter stops": Case("R1", "v5.1", AMD, _json(_AMD_SYS_JSON, submitter=DELETE)),
    "R1 v6.0 status a number": Case("R1", "v6.0", INTEL, _json(_INTEL_SYS_JSON, status=5)),
    # D3: v5.0 writes weight_data_types as it is ('"' not replaced)
    "D3 v5.0 a quote in weight_data_types": Case(
        "D3",
        "v5.0",
        AMD,
        _json(_amd_meas("Offline"), weight_data_types='fp8 "x", y'),
        (AMD_BENCH,),
    ),
}
