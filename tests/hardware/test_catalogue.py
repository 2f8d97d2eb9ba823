"""The accelerator catalogue maps every published spelling and keeps its figures honest."""

import csv
from pathlib import Path

import pytest

from hardware import CPU_ONLY, catalogue, identify, normalise, parse_accelerators, unknown_names

SEED_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "mlperf_inference_results.csv"


def published_names() -> list[str]:
    assert SEED_CSV.is_file(), (
        f"{SEED_CSV} is missing: the shared MLPerf results table is needed to check that every "
        "published accelerator spelling maps (see ../shared/data/README.md)"
    )
    with SEED_CSV.open(encoding="utf-8", newline="") as handle:
        return sorted({row["accelerator_model_name"] for row in csv.DictReader(handle)})


def test_all_71_published_spellings_map_to_a_catalogue_entry() -> None:
    names = published_names()
    assert len(names) == 71
    assert unknown_names(names) == []
    for name in names:
        pairs = parse_accelerators(name)
        assert pairs, name
        assert all(spec is not None for spec, _ in pairs), name


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("NVIDIA H100-SXM-80GB", "nvidia-h100-sxm-80gb"),
        ("H100-SXM-80GB", "nvidia-h100-sxm-80gb"),
        ("NVIDIA H100 80GB HBM3", "nvidia-h100-sxm-80gb"),
        ("Virtualized NVIDIA H100-SXM-80GB", "nvidia-h100-sxm-80gb"),
        ("NVIDIA H100 NVL", "nvidia-h100-nvl-94gb"),
        ("NVIDIA H100-NVL-94GB", "nvidia-h100-nvl-94gb"),
        ("NVIDIA H100-PCIe-80GB", "nvidia-h100-pcie-80gb"),
        ("NVIDIA H200-SXM-141GB-CTS", "nvidia-h200-sxm-141gb"),
        ("NVIDIA H200-NVL-141GB", "nvidia-h200-nvl-141gb"),
        ("NVIDIA GH200 Grace Hopper Superchip 144GB", "nvidia-gh200-144gb"),
        ("NVIDIA L40", "nvidia-l40"),
        ("NVIDIA L40S", "nvidia-l40s"),
        ("NVIDIA L4-PCIe-24GB", "nvidia-l4"),
        ("AMD Instinct MI300X 192GB HBM3", "amd-instinct-mi300x"),
        ("AMD MI300X-NPS1-SPX-192GB-750W", "amd-instinct-mi300x"),
        ("AMD Instinct MI325X 256GB HBM3E", "amd-instinct-mi325x"),
        ("AMD Instinct MI355X 288GB HBM3e (Power Cap 1000 W)", "amd-instinct-mi355x"),
        ("Intel(R) Arc Pro(R) B70", "intel-arc-pro-b70"),
        ("Intel® Gaudi® 2 AI Accelerator", "intel-gaudi2"),
        ("[MAXSUN] MS-Intel Arc Pro B60 Dual 48G Turbo", "intel-arc-pro-b60-dual-48gb"),
        ("Intel(R) Arc Pro(R) B60", "intel-arc-pro-b60"),
        ("QUALCOMM Cloud AI 100 Ultra", "qualcomm-cloud-ai-100-ultra"),
        ("Qualcomm Cloud AI 100 Standard", "qualcomm-cloud-ai-100-standard"),
        ("TPU Trillium", "google-tpu-v6e"),
    ],
)
def test_spellings_of_one_chip_reach_the_same_entry(name: str, key: str) -> None:
    spec = identify(name)
    assert spec is not None
    assert spec.key == key


def test_cpu_only_is_a_marker_not_none() -> None:
    spec = identify("N/A")
    assert spec is CPU_ONLY
    assert spec.is_cpu_only
    assert spec.vendor == "CPU"
    assert identify("NVIDIA H100-SXM-80GB").is_cpu_only is False


def test_unknown_name_falls_back_visibly() -> None:
    assert identify("Acme Quantum Tensor 9000") is None
    assert parse_accelerators("Acme Quantum Tensor 9000 (x4)") == [(None, 4)]
    assert unknown_names(["Acme Quantum Tensor 9000", "NVIDIA L4"]) == ["Acme Quantum Tensor 9000"]


def test_heterogeneous_cluster_is_split_with_counts() -> None:
    pairs = parse_accelerators(
        "AMD Instinct MI300X 192GB HBM3 (x32), AMD Instinct MI325X 256GB HBM3e (x16)"
    )
    assert [(spec.key, count) for spec, count in pairs] == [
        ("amd-instinct-mi300x", 32),
        ("amd-instinct-mi325x", 16),
    ]
    three = parse_accelerators(
        "AMD Instinct MI300X 192GB HBM3 (x8) and AMD Instinct MI325X 256GB HBM3e (x8) and "
        "AMD Instinct MI355X 288GB HBM3e (x8)"
    )
    assert [count for _, count in three] == [8, 8, 8]
    # No single answer for a mixed cluster: identify() says so rather than pick one.
    assert (
        identify("AMD Instinct MI325X 256GB HBM3E (x16), AMD Instinct MI300X 192GB HBM3 (x8)")
        is None
    )


def test_count_suffix_on_a_single_model() -> None:
    [(spec, count)] = parse_accelerators("AMD Instinct MI355X 288GB HBM3e (x87)")
    assert spec is not None and spec.key == "amd-instinct-mi355x"
    assert count == 87
    assert identify("AMD Instinct MI355X 288GB HBM3e (x87)") == spec


def test_normalise_strips_marks_tags_and_suffixes() -> None:
    assert normalise("Virtualized NVIDIA H100-SXM-80GB") == "nvidia h100-sxm-80gb"
    assert normalise("Intel(R) Arc(TM) 140T GPU") == "intel arc 140t gpu"
    assert normalise("[MAXSUN] MS-Intel Arc Pro B60 Dual 48G Turbo") == (
        "ms-intel arc pro b60 dual 48g turbo"
    )


@pytest.mark.parametrize(
    ("name", "peak", "bandwidth", "memory"),
    [
        ("NVIDIA H100-SXM-80GB", 1979, 3.35, 80),
        ("NVIDIA H200-SXM-141GB", 1979, 4.8, 141),
        ("AMD Instinct MI300X 192GB HBM3", 2615, 5.3, 192),
        ("NVIDIA B200-SXM-180GB", 9000, 8.0, 180),
    ],
)
def test_datasheet_figures(name: str, peak: float, bandwidth: float, memory: float) -> None:
    spec = identify(name)
    assert spec is not None
    assert spec.peak_dense_tflops == peak
    assert spec.memory_bandwidth_tbs == bandwidth
    assert spec.memory_gb == memory


def test_catalogue_entries_are_complete_and_consistent() -> None:
    specs = catalogue()
    keys = [spec.key for spec in specs]
    assert len(keys) == len(set(keys))
    for spec in specs:
        assert spec.vendor and spec.family and spec.model and spec.source, spec.key
        # A peak figure always says which precision it is for, and only then.
        assert (spec.peak_dense_tflops is None) == (spec.peak_precision is None), spec.key
        if spec.peak_precision is not None:
            assert spec.peak_precision in {"fp4", "fp8", "int8", "bf16"}, spec.key
        for figure in (spec.memory_gb, spec.peak_dense_tflops, spec.memory_bandwidth_tbs):
            assert figure is None or figure > 0, spec.key
