"""The system description (spec §2) of the machine the runner is on, read from the machine.

Every one of the 35 required keys is written. Values are what Linux reports (``/proc``,
``/sys``, ``os-release``); where the machine does not say (cooling, memory layout without root),
the value says "not reported" instead of inventing one. CPU-only systems write
``accelerators_per_node: "0"`` as a string, because the checker's emptiness test rejects the
integer 0 (spec §2).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

NOT_REPORTED = "not reported by the OS"


@dataclass(frozen=True)
class Accelerators:
    """Accelerators used by the run; count 0 for CPU-only runs."""

    count: int
    model_name: str = "N/A"
    memory_capacity: str = "N/A"
    memory_configuration: str = "N/A"
    host_interconnect: str = "N/A"
    interconnect: str = "N/A"


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _cpuinfo_fields(name: str) -> list[str]:
    pattern = re.compile(rf"^{re.escape(name)}\s*:\s*(.*)$", re.MULTILINE)
    return pattern.findall(_read("/proc/cpuinfo"))


def _lscpu() -> dict[str, str]:
    if shutil.which("lscpu") is None:
        return {}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return {}
    fields: dict[str, str] = {}
    for line in out.stdout.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    return fields


def _gigabytes(n_bytes: float) -> str:
    return f"{n_bytes / 1e9:.0f} GB"


def _memory_bytes() -> int:
    match = re.search(r"^MemTotal:\s+(\d+) kB", _read("/proc/meminfo"), re.MULTILINE)
    return int(match.group(1)) * 1024 if match else 0


def _storage_type() -> str:
    kinds = set()
    for rotational in Path("/sys/block").glob("*/queue/rotational"):
        if rotational.parent.parent.name.startswith(("loop", "ram", "zram")):
            continue
        kinds.add("HDD" if _read(str(rotational)).strip() == "1" else "SSD")
    return ", ".join(sorted(kinds)) or NOT_REPORTED


def _network_cards() -> int:
    return sum(1 for p in Path("/sys/class/net").glob("*") if p.name != "lo")


def _operating_system() -> str:
    match = re.search(r'^PRETTY_NAME="?([^"\n]*)"?', _read("/etc/os-release"), re.MULTILINE)
    name = match.group(1) if match else platform.system()
    return f"{name} (kernel {platform.release()})"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def software_stack(packages: tuple[str, ...]) -> str:
    """ "Python 3.11.x, mlcommons-loadgen 6.0.17, ..." for the packages that are installed."""
    parts = [f"Python {platform.python_version()}"]
    for package in packages:
        version = _version(package)
        if version:
            parts.append(f"{package} {version}")
    return ", ".join(parts)


def cuda_accelerators() -> Accelerators:
    """The visible CUDA devices, via torch (imported here only: GPU runs have it)."""
    import torch

    count = torch.cuda.device_count()
    if count == 0:
        return Accelerators(count=0)
    props = torch.cuda.get_device_properties(0)
    return Accelerators(
        count=count,
        model_name=str(props.name),
        memory_capacity=_gigabytes(props.total_memory).replace(" GB", " GB (per device)"),
        memory_configuration="as reported by torch.cuda",
        host_interconnect="PCIe or SXM (not reported by torch)",
        interconnect="not reported by torch",
    )


def describe_system(
    *,
    division: str,
    submitter: str,
    system_name: str,
    availability: str,
    framework: str,
    software_packages: tuple[str, ...],
    accelerators: Accelerators,
    sw_notes: str,
) -> dict[str, str]:
    """All 35 keys of spec §2 for this machine, as strings."""
    lscpu = _lscpu()
    sockets = lscpu.get("Socket(s)") or str(len(set(_cpuinfo_fields("physical id"))) or 1)
    cores_per_socket = lscpu.get("Core(s) per socket") or str(os.cpu_count() or 1)
    model_names = _cpuinfo_fields("model name")
    cpu_model = lscpu.get("Model name") or (model_names[0] if model_names else platform.processor())
    mhz = _cpuinfo_fields("cpu MHz")
    caches = ", ".join(
        f"{key}: {lscpu[key]}"
        for key in ("L1d cache", "L1i cache", "L2 cache", "L3 cache")
        if key in lscpu
    )
    virtual = "Hypervisor vendor" in lscpu
    return {
        "division": division,
        "submitter": submitter,
        "status": availability,
        "system_name": system_name,
        "number_of_nodes": "1",
        "host_processor_model_name": cpu_model or NOT_REPORTED,
        "host_processors_per_node": sockets,
        "host_processor_core_count": cores_per_socket,
        "host_memory_capacity": _gigabytes(_memory_bytes()) if _memory_bytes() else NOT_REPORTED,
        "host_storage_capacity": _gigabytes(shutil.disk_usage("/").total),
        "host_storage_type": _storage_type(),
        "accelerators_per_node": str(accelerators.count),
        "accelerator_model_name": accelerators.model_name,
        "accelerator_memory_capacity": accelerators.memory_capacity,
        "framework": framework,
        "operating_system": _operating_system(),
        "system_type": "datacenter",
        "other_software_stack": software_stack(software_packages),
        "host_processor_frequency": f"{float(mhz[0]):.0f} MHz" if mhz else "",
        "host_processor_caches": caches,
        "host_memory_configuration": NOT_REPORTED,
        "host_processor_interconnect": "",
        "host_networking": "not used (single node)",
        "host_networking_topology": "N/A (single node)",
        "accelerator_frequency": "",
        "accelerator_host_interconnect": accelerators.host_interconnect,
        "accelerator_interconnect": accelerators.interconnect,
        "accelerator_interconnect_topology": "",
        "accelerator_memory_configuration": accelerators.memory_configuration,
        "accelerator_on-chip_memories": "",
        "cooling": "not reported (virtual machine)" if virtual else NOT_REPORTED,
        "hw_notes": f"Virtual machine ({lscpu['Hypervisor vendor']})" if virtual else "",
        "sw_notes": sw_notes,
        "host_network_card_count": str(_network_cards()),
        "system_type_detail": "",
    }
