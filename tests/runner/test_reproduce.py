"""Reproduction in three tiers on runner-made bundles (dummy backend: no torch), and on the
real published bundles in ../shared (what they hold whole: TEST06 and the log's head)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from reference_runner.cli import main
from reference_runner.errors import RunnerError
from reference_runner.reproduce import ReproduceConfig, reproduce
from tests.runner.helpers import build_dummy_bundle

ACC_REL = Path("open/Inferboard/results/inferboard-dummy-cpu/inferboard-dummy-echo-3")
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bundles"


def _copy(bundle: Path, tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(bundle, target)
    shutil.copytree(bundle.with_name(bundle.name + ".untruncated"), tmp_path / "bundle.untruncated")
    return target


def _config(bundle: Path, nltk_data: Path, **changes: object) -> ReproduceConfig:
    options: dict[str, object] = {
        "bundle": bundle,
        "dataset": "demo",
        "backend": "dummy",
        "dummy_tokens_per_sample": 3,
        "samples": 6,
        "nltk_data": nltk_data,
        "progress": False,
    }
    options.update(changes)
    return ReproduceConfig(**options)  # type: ignore[arg-type]


def _rehash(bundle: Path, log: Path, acc_dir: Path) -> None:
    """A careful forger also updates hash=, so only the later tiers can catch the change."""
    txt = bundle / acc_dir / "accuracy.txt"
    digest = hashlib.sha256(log.read_bytes()).hexdigest()
    txt.write_text(re.sub(r"hash=\w+", f"hash={digest}", txt.read_text()))


def test_runner_bundle_passes_all_three_tiers(dummy_bundle: Path, nltk_data: Path) -> None:
    report = reproduce(_config(dummy_bundle, nltk_data))
    assert report["verdict"] == "consistent", report["reasons"]
    assert [s["scenario"] for s in report["scenarios"]] == ["Offline", "Server"]
    for scenario in report["scenarios"]:
        assert [scenario[f"tier{n}"]["status"] for n in (1, 2, 3)] == ["agrees"] * 3
        assert scenario["tier1"]["samples"] == 200 and scenario["tier1"]["missing"] == 0
        assert (
            scenario["tier2"]["recomputed"]["rougeLsum"]
            == scenario["tier2"]["claimed"]["rougeLsum"]
        )
        queries = scenario["tier3"]["queries"]
        assert len(queries) == 6 and all(q["exact_match"] and q["agrees"] for q in queries)
        assert scenario["sources"]["whole_log"]["origin"] == "beside the bundle"
    # the demo file (16 rows) ran repeated to 200 samples, as the bundle's README declares
    assert report["dataset"]["identity"] == "declared by the bundle"
    assert report["dataset"]["repeated_to"] == 200
    assert [t["number"] for t in report["tiers"]] == [1, 2, 3]
    assert "/" not in report["bundle"]  # no server path in a report the portal shows
    json.dumps(report)


def test_the_sampling_seed_is_drawn_per_run_and_reported(
    dummy_bundle: Path, nltk_data: Path
) -> None:
    first = reproduce(_config(dummy_bundle, nltk_data, tiers=(3,), scenario="Offline"))
    second = reproduce(_config(dummy_bundle, nltk_data, tiers=(3,), scenario="Offline"))
    seeds = [r["sampling"]["seed"] for r in (first, second)]
    assert seeds[0] != seeds[1]
    assert {r["sampling"]["seed_source"] for r in (first, second)} == {"drawn"}

    def chosen(report: dict) -> list[int]:
        return [q["qsl_idx"] for q in report["scenarios"][0]["tier3"]["queries"]]

    assert chosen(first) != chosen(second)
    replay = reproduce(
        _config(dummy_bundle, nltk_data, tiers=(3,), scenario="Offline", seed=seeds[0])
    )
    assert replay["sampling"] == {"samples": 6, "seed": seeds[0], "seed_source": "given"}
    assert chosen(replay) == chosen(first)


def test_tampered_outputs_fail_tier_3(dummy_bundle: Path, nltk_data: Path, tmp_path: Path) -> None:
    bundle = _copy(dummy_bundle, tmp_path)
    acc_dir = ACC_REL / "Offline" / "accuracy"
    log = tmp_path / "bundle.untruncated" / acc_dir / "mlperf_log_accuracy.json"
    entries = json.loads(log.read_text())
    for entry in entries:  # answer [y, y, EOS] with y = x + 1 instead of [x, x, EOS]
        x = int.from_bytes(bytes.fromhex(entry["data"][:8]), "little")
        y = (x + 1).to_bytes(4, "little").hex().upper()
        entry["data"] = y + y + entry["data"][16:]
    log.write_text(json.dumps(entries))
    _rehash(bundle, log, acc_dir)
    report = reproduce(_config(bundle, nltk_data, scenario="Offline", tiers=(1, 3)))
    assert report["verdict"] == "inconsistent"
    offline = report["scenarios"][0]
    assert offline["tier1"]["status"] == "agrees"
    assert offline["tier3"]["judgement"]["statistics"]["first_token_agreement"] == 0.0
    assert any("first token agrees on 0%" in r for r in report["reasons"])


def test_tampered_accuracy_fails_tier_2(
    dummy_bundle: Path, nltk_data: Path, tmp_path: Path
) -> None:
    bundle = _copy(dummy_bundle, tmp_path)
    txt = bundle / ACC_REL / "Server" / "accuracy" / "accuracy.txt"
    txt.write_text(re.sub(r"'rouge1': [\d.]+", "'rouge1': 44.4465", txt.read_text()))
    report = reproduce(_config(bundle, nltk_data, scenario="Server", tiers=(1, 2)))
    assert report["verdict"] == "inconsistent"
    assert set(report["scenarios"][0]["tier2"]["differences"]) == {"rouge1"}
    assert report["model"] is None  # the ROUGE-only mode loads no model


def test_a_log_that_is_not_the_hashed_one_fails_tier_1(
    dummy_bundle: Path, nltk_data: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    log = dummy_bundle.with_name("bundle.untruncated") / ACC_REL / "Server/accuracy"
    other.write_text(json.dumps(json.loads((log / "mlperf_log_accuracy.json").read_text())[:50]))
    report = reproduce(
        _config(dummy_bundle, nltk_data, tiers=(1, 2), accuracy_logs={"server": other})
    )
    server = report["scenarios"][1]
    assert server["sources"]["whole_log"] == {
        "origin": "given",
        "file": "other.json",
        "sha256": hashlib.sha256(other.read_bytes()).hexdigest(),
    }
    assert server["tier1"]["status"] == "disagrees"
    assert "differs from hash=" in server["tier1"]["message"]
    assert "150 missing" in server["tier1"]["message"]
    assert server["tier2"]["status"] == "not run"
    assert report["scenarios"][0]["tier1"]["status"] == "agrees"  # Offline: its own log


def test_only_the_published_log_means_incomplete_not_a_crash(
    dummy_bundle: Path, nltk_data: Path, tmp_path: Path
) -> None:
    bundle = tmp_path / "only-published"
    shutil.copytree(dummy_bundle, bundle)
    report = reproduce(_config(bundle, nltk_data, scenario="Offline"))
    (offline,) = report["scenarios"]
    assert offline["tier1"]["status"] == "not run"
    assert "--accuracy-log Offline=PATH" in offline["tier1"]["message"]
    # TEST06 (100 whole answers) still gives tier 3 something to regenerate
    assert offline["sources"]["test06_answers"] == 100
    assert offline["tier3"]["status"] == "agrees"
    assert report["verdict"] == "incomplete" and report["gaps"]


def test_bad_options_are_refused_with_a_message(dummy_bundle: Path, nltk_data: Path) -> None:
    with pytest.raises(RunnerError, match="--samples 0: tier 3 needs at least 4"):
        _config(dummy_bundle, nltk_data, samples=0)
    with pytest.raises(RunnerError, match="names offlne"):
        reproduce(_config(dummy_bundle, nltk_data, accuracy_logs={"Offlne": Path("x")}))
    with pytest.raises(SystemExit) as stopped:  # argparse: usage and the message, status 2
        main(["reproduce", str(dummy_bundle), "--accuracy-log", "just-a-path.json"])
    assert stopped.value.code == 2


def test_a_dataset_that_does_not_cover_the_log_is_refused(
    dummy_bundle: Path, nltk_data: Path, tmp_path: Path
) -> None:
    small = tmp_path / "eight.jsonl"
    lines = (Path(__file__).parents[2] / "reference_runner/data/demo_prompts.jsonl").read_text()
    small.write_text("\n".join(lines.splitlines()[:8]) + "\n")
    pinned = hashlib.sha256(small.read_bytes()).hexdigest()
    with pytest.raises(RunnerError, match="has 8 samples but the log refers to sample 199"):
        reproduce(_config(dummy_bundle, nltk_data, dataset=str(small), dataset_sha256=pinned))
    with pytest.raises(RunnerError, match="neither the official"):
        reproduce(_config(dummy_bundle, nltk_data, dataset=str(small)))


def test_tier_2_on_a_stand_in_dataset_with_the_official_columns(
    nltk_data: Path, tmp_path: Path
) -> None:
    demo = Path(__file__).parents[2] / "reference_runner/data/demo_prompts.jsonl"
    rows = [json.loads(line) for line in demo.read_text().splitlines()]
    from reference_runner.codecs import ByteCodec

    codec = ByteCodec()
    frame = pd.DataFrame(
        {
            "id": [f"standin.{i}" for i in range(len(rows))],
            "system_prompt": ["" for _ in rows],
            "question": [r["input"] for r in rows],
            "output": [r["output"] for r in rows],
            "input": [r["input"] for r in rows],
            "tok_input": [codec.encode(r["input"]) for r in rows],
            "tok_output": [codec.encode(r["output"])[1:] for r in rows],
            "tok_input_length": [len(codec.encode(r["input"])) for r in rows],
            "tok_output_length": [len(r["output"].encode()) for r in rows],
            "origin": ["stand-in" for _ in rows],
        }
    )
    pkl = tmp_path / "standin.pkl"
    frame.to_pickle(pkl)
    bundle = build_dummy_bundle(
        tmp_path / "bundle",
        dataset=str(pkl),
        scenarios=("Offline",),
        max_samples=16,
        dummy_tokens_per_sample=40,
        modes=("accuracy",),
        nltk_data=nltk_data,
    )
    report = reproduce(
        _config(bundle, nltk_data, dataset=str(pkl), tiers=(1, 2), dummy_tokens_per_sample=40)
    )
    (offline,) = report["scenarios"]
    assert offline["tier2"]["status"] == "agrees", offline["tier2"]["differences"]
    assert set(offline["tier2"]["recomputed"]) >= {"rouge1", "rougeLsum", "gen_len", "gen_num"}
    assert report["dataset"]["rows"] == 16 and report["dataset"]["repeated_to"] is None


@pytest.mark.parametrize("round_dir", ["v4.1", "v5.1"])
def test_published_bundles_use_what_they_hold_whole(round_dir: str, nltk_data: Path) -> None:
    bundle = SHARED / round_dir
    if not bundle.is_dir():
        pytest.fail(f"{bundle} is missing: the tests read ../shared/data beside the checkout")
    report = reproduce(ReproduceConfig(bundle=bundle, tiers=(1,), progress=False))
    assert report["verdict"] == "incomplete"
    for scenario in report["scenarios"]:
        closed = scenario["accuracy_dir"].startswith("closed/")  # open needs no TEST06
        assert scenario["sources"]["test06_answers"] == (100 if closed else 0)
        assert scenario["sources"]["salvaged_answers"] >= 1  # complete entries at the head
        assert scenario["tier1"]["status"] == "not run"
