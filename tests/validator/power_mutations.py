"""Copies of the real power results of the v5.1 sample with one thing changed each.

The official verdict of every case (the Power WG ``power_checker.py`` of v4.0, v5.1 and v6.0,
and each round's power-metric code) is recorded in ``testdata/power_official_verdicts.json``;
``test_power_logs.py`` applies the same change and must reach the same verdict. A file whose
content changes is re-hashed into the session descriptors unless the case says otherwise, so
that the rule under test decides, not the results checksum.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT.parent / "shared" / "data" / "rounds" / "v5.1"
TREE = SAMPLE / "tree"
GATE = (
    "open/GATEOverflow/results/TRIGKEY_Mini_PC_Ryzen_5_5560-ctuning_cpp_tflite-cpu-tflite_"
    "vmaster-default_config/mobilenet-v1-precision_float-1.0-128"
)
LENOVO = "closed/Lenovo/results"
# every result of the sample with performance/power (all six accepted by the official checker)
POWER_RESULTS = (
    f"{GATE}/singlestream",
    f"{GATE}/multistream",
    f"{GATE}/offline",
    f"{LENOVO}/SR680a_V3_B200SXMx8_TRT/whisper/Offline",
    f"{LENOVO}/SR780a_V3_B200SXMx8_TRT/llama3.1-8b/Server",
    f"{LENOVO}/SR780a_V3_B200SXMx8_TRT/llama3.1-8b/Offline",
)
BASES = {"ss": POWER_RESULTS[0], "ms": POWER_RESULTS[1], "server": POWER_RESULTS[4]}
# v4.x wants PTD 1.10.0: the "-v4" bases are the same sessions made to look like one
ROUNDS = ("v4.0", "v5.1", "v6.0")
GO_RANGING = r"Go with mark '.*_ranging'"
TIME = "%m-%d-%Y %H:%M:%S.%f"

Mutation = Callable[[Path], None]


def copy_result(location: str, dest: Path) -> Path:
    """A writable copy of one result's performance/ folder at ``dest/<location>``."""
    target = dest / location / "performance"
    shutil.copytree(TREE / location / "performance", target, symlinks=True)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def rehash(perf: Path, relative: str) -> None:
    new = hashlib.sha1((perf / relative).read_bytes()).hexdigest()
    for side in ("client", "server"):
        path = perf / "power" / f"{side}.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        if relative in document["results"]:
            document["results"][relative] = new
            path.write_text(json.dumps(document), encoding="utf-8")


def on_json(side: str, change: Callable[[dict], Any]) -> Mutation:
    def mutate(perf: Path) -> None:
        path = perf / "power" / f"{side}.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        replaced = change(document)
        path.write_text(json.dumps(document if replaced is None else replaced), encoding="utf-8")

    return mutate


def on_both(change: Callable[[dict], Any]) -> Mutation:
    return chain(on_json("client", change), on_json("server", change))


def on_bytes(relative: str, change: Callable[[bytes], bytes], keep_hash: bool = True) -> Mutation:
    """Change a file's bytes; re-record its checksum unless ``keep_hash`` is false (the
    session descriptors record no checksum of themselves)."""

    def mutate(perf: Path) -> None:
        path = perf / relative
        path.write_bytes(change(path.read_bytes()))
        if keep_hash:
            rehash(perf, relative)

    return mutate


def on_text(relative: str, change: Callable[[str], str]) -> Mutation:
    return on_bytes(relative, lambda data: change(data.decode("utf-8")).encode("utf-8"))


def chain(*mutations: Mutation) -> Mutation:
    def mutate(perf: Path) -> None:
        for mutation in mutations:
            mutation(perf)

    return mutate


def remove(relative: str) -> Mutation:
    return lambda perf: (perf / relative).unlink()


def set_field(**fields: Any) -> Callable[[dict], None]:
    return lambda document: document.update(fields)


def ptd(change: Callable[[list], Any]) -> Callable[[dict], None]:
    return lambda document: change(document["ptd_messages"])


def insert_after(pattern: str, make_line: Callable[[str], str] | str) -> Mutation:
    """Insert a line into ptd_logs.txt after the first line matching ``pattern``."""

    def change(text: str) -> str:
        lines = text.split("\n")
        at = next(i for i, line in enumerate(lines) if re.search(pattern, line))
        lines.insert(at + 1, make_line(lines[at]) if callable(make_line) else make_line)
        return "\n".join(lines)

    return on_text("power/ptd_logs.txt", change)


def shift_detail(run: str, key: str, seconds: float) -> Mutation:
    def change(text: str) -> str:
        def moved(found: re.Match) -> str:
            when = datetime.strptime(found.group(2), TIME) + timedelta(seconds=seconds)
            return found.group(1) + when.strftime(TIME)[:-3] + '"'

        return re.sub(rf'("key": "{key}", "value": ")([^"]+)"', moved, text, count=1)

    return on_text(f"{run}/mlperf_log_detail.txt", change)


def set_detail(run: str, key: str, value: Any) -> Mutation:
    pattern = rf'("key": "{key}", "value": )("[^"]*"|[^,]+)'
    return on_text(
        f"{run}/mlperf_log_detail.txt",
        lambda text: re.sub(pattern, lambda m: m.group(1) + json.dumps(value), text, count=1),
    )


def scale_watts(run: str, factor: float) -> Mutation:
    def change(text: str) -> str:
        lines = []
        for line in text.split("\n"):
            if line.startswith("Time"):
                fields = line.split(",")
                fields[3] = f"{float(fields[3]) * factor:f}"
                line = ",".join(fields)
            lines.append(line)
        return "\n".join(lines)

    return on_text(f"{run}/spl.txt", change)


def after_power_end(data: bytes, offset: int, insert: bytes) -> bytes:
    at = data.find(b"\n", data.find(b'"power_end"')) + 1 + offset
    return data[:at] + insert + data[at:]


def like_v4(perf: Path, sources: dict[str, str]) -> None:
    """PTD 1.10.0 sources and version, one analyzer object, and the third ``SR,A`` command
    restoring the initial range (the v4.x checker looks at that one only)."""
    for side in ("client", "server"):
        path = perf / "power" / f"{side}.json"
        document = json.loads(path.read_text(encoding="utf-8"))
        document["sources"] = sources
        if side == "server":
            messages = document["ptd_messages"]
            for message in messages:
                message["reply"] = message["reply"].replace("version=1.11.1", "version=1.10.0")
            document["ptd_config"] = document["ptd_config"][0]
            ranges = messages[2]["reply"].split(",")
            initial = ranges[2] if ranges[1] == "0" and float(ranges[2]) > 0 else "Auto"
            amps = [m for m in messages if m["cmd"].startswith("SR,A")]
            amps[2]["cmd"] = f"SR,A,{initial}"
        path.write_text(json.dumps(document), encoding="utf-8")


def set_phase(side: str, mode: str, row: int, new: Callable[[Any], Any]) -> Mutation:
    def change(document: dict) -> None:
        entry = document["phases"][mode][row]
        entry[0] = new(entry[0])

    return on_json(side, change)


def ranges_reply(reply: str) -> Mutation:
    """The reply to PTD's RR command, which holds the initial Amps and Volts ranges."""
    return on_json("server", ptd(lambda ms: ms[2].update(reply=reply)))


EPOCH = "01-01-1970 00:00:00.000"  # time 0.0, which the checker takes for "not found"
MONTH_13 = "13-01-2025 00:00:00.000"
bad_stamp = "13-45-2025 00:00:00.000: x"


def _sessions() -> dict[str, Mutation]:
    cases: dict[str, Mutation] = {
        "unchanged": lambda perf: None,
        "client.json garbage": on_bytes("power/client.json", lambda b: b"\xff" + b, False),
        "server.json truncated": on_bytes("power/server.json", lambda b: b[: len(b) // 2], False),
        "server.json with BOM": on_bytes("power/server.json", lambda b: b"\xef\xbb\xbf" + b, False),
        "client.json a list": on_bytes("power/client.json", lambda b: b"[" + b + b"]", False),
        "client.json 5000-digit number": on_bytes(
            "power/client.json", lambda b: b[:-1] + b', "x": ' + b"9" * 5000 + b"}", False
        ),
        "server.json nested 100000 deep": on_bytes(
            "power/server.json",
            lambda b: b[:-1] + b', "x": ' + b"[" * 10**5 + b"]" * 10**5 + b"}",
            False,
        ),
        "client.json removed": remove("power/client.json"),
        "server.json without phases": on_json("server", lambda d: d.pop("phases")),
        "client.json without uuid": on_json("client", lambda d: d.pop("uuid")),
        "client sources changed": on_json(
            "client", lambda d: d["sources"].update({"client.py": "0" * 40})
        ),
        "server sources extra file": on_json("server", lambda d: d["sources"].update(x="0")),
        "uuid braces and upper case": on_json(
            "client", lambda d: d["uuid"].update(client="{" + d["uuid"]["client"].upper() + "}")
        ),
        "uuid urn prefix": on_json(
            "server", lambda d: d["uuid"].update(server="urn:uuid:" + d["uuid"]["server"])
        ),
        "uuid differs": on_json("server", lambda d: d["uuid"].update(server="1" * 32)),
        "uuid not text": on_json("server", lambda d: d["uuid"].update(server=5)),
        "session name differs": on_json("client", set_field(session_name="other")),
        "session names 5 and 5.0": chain(
            on_json("server", set_field(session_name=5)),
            on_json("client", set_field(session_name=5.0)),
        ),
        "phase 0.79 s apart": set_phase("client", "testing", 1, lambda t: t + 0.79),
        "phase 0.81 s apart": set_phase("client", "testing", 1, lambda t: t + 0.81),
        "phase time is text": set_phase("server", "ranging", 0, lambda t: "1"),
        "phase time NaN": set_phase("client", "ranging", 3, lambda t: float("nan")),
        "phase time 10**400": set_phase("client", "ranging", 0, lambda t: 10**400),
        "one phase less": on_both(lambda d: d["phases"]["testing"].pop()),
        "messages one less": on_json("client", lambda d: d["messages"].pop()),
        "time reply differs": on_json("client", lambda d: d["messages"][1].update(reply="1")),
        "other reply differs": on_json("client", lambda d: d["messages"][3].update(reply="NO")),
        "protocol v03 vs v3": on_both(
            lambda d: d["messages"][0].update(cmd="mlcommons/power client v03")
        ),
        "protocol version with newline": on_both(
            lambda d: d["messages"][0].update(cmd="mlcommons/power client v3\n")
        ),
        "messages empty": on_both(set_field(messages=[])),
        "results recorded by one side only": on_json(
            "server", lambda d: d["results"].pop("run_1/spl.txt")
        ),
        "results in upper case": on_json(
            "client", lambda d: d["results"].update({k: v.upper() for k, v in d["results"].items()})
        ),
        "results conflict": on_json(
            "client", lambda d: d["results"].update({"run_1/spl.txt": "0" * 40})
        ),
        "results extra optional": on_json(
            "client", lambda d: d["results"].update({"run_1/x": "0"})
        ),
        "debug true": on_json("server", set_field(debug=True)),
        "debug 0": on_json("server", set_field(debug=0)),
        "debug false": on_json("server", set_field(debug=False)),
        "timezone text": on_json("server", set_field(timezone="abc")),
        "timezone 10**400": on_json("server", set_field(timezone=10**400)),
        "timezone full-width digit": on_json("server", set_field(timezone="１")),
    }
    return cases


def first_analyzer(server: dict) -> dict:
    config = server["ptd_config"]
    return config[0] if isinstance(config, list) else config


def _ptd() -> dict[str, Mutation]:
    def first(prefix: str, **fields: str) -> Callable[[list], None]:
        return lambda ms: next(m for m in ms if m["cmd"].startswith(prefix)).update(fields)

    def analyzer(**fields: Any) -> Callable[[dict], None]:
        return lambda d: first_analyzer(d).update(fields)

    return {
        "ptd version 1.10.0": on_json(
            "server",
            ptd(
                lambda ms: ms[1].update(
                    reply=ms[1]["reply"].replace("version=1.11.1", "version=1.10.0")
                )
            ),
        ),
        "ptd version on a second line": on_json(
            "server", ptd(lambda ms: ms[1].update(reply="version=\n" + ms[1]["reply"]))
        ),
        "ptd meter unknown": on_json(
            "server", ptd(lambda ms: ms[1].update(reply="X" + ms[1]["reply"]))
        ),
        "ptd no Identify": on_json("server", ptd(lambda ms: ms[1].update(cmd="identify"))),
        "ptd range reply wrong": on_json("server", ptd(first("SR,A", reply="Range A changed!"))),
        "ptd third Stop expected error": on_json(
            "server",
            ptd(lambda ms: ms.append({"cmd": "Stop", "reply": "Error: no measurement to stop"})),
        ),
        "ptd third Stop normal reply": on_json(
            "server",
            ptd(lambda ms: ms.append({"cmd": "Stop", "reply": "Stopping untimed measurement"})),
        ),
        "ptd fixed initial ranges": ranges_reply("Ranges,0,5.0,0,300.0"),
        "ptd ranges reply short": ranges_reply("Ranges,0"),
        "ptd ranges NaN": ranges_reply("Ranges,0,nan,0,nan"),
        "ptd command not text": on_json("server", ptd(lambda ms: ms.append({"cmd": 5}))),
        "ptd other command without reply": on_json(
            "server", ptd(lambda ms: ms.append({"cmd": "Hi"}))
        ),
        "ptd last SR,A missing": on_json(
            "server", ptd(lambda ms: ms.remove([m for m in ms if m["cmd"].startswith("SR,A")][-1]))
        ),
        "ptd_config shape swapped": on_json(
            "server",
            lambda d: d.update(
                ptd_config=(
                    d["ptd_config"][0] if isinstance(d["ptd_config"], list) else [d["ptd_config"]]
                )
            ),
        ),
        "ptd_config empty list": on_json("server", set_field(ptd_config=[])),
        "ptd_config text": on_json("server", set_field(ptd_config="x")),
        "ptd_config missing": on_json("server", lambda d: d.pop("ptd_config")),
        "ptd device as float": on_json(
            "server",
            lambda d: first_analyzer(d).update(device_type=float(first_analyzer(d)["device_type"])),
        ),
        "ptd device 99": on_json("server", analyzer(device_type=99)),
        "ptd multichannel two channels": on_json(
            "server",
            analyzer(device_type=77, command=["ptd", "-c", "1,2", "77", "x"], channel=[1, 2]),
        ),
        "ptd multichannel one channel": on_json(
            "server", analyzer(device_type=77, command=["ptd", "-c", "1", "77", "x"], channel=[1])
        ),
    }


def _ptd_log() -> dict[str, Mutation]:
    log = "power/ptd_logs.txt"
    late = "12-31-2099 00:00:00.000"
    return {
        "ptd log garbage byte": on_bytes(log, lambda b: b[:1000] + b"\x80" + b[1000:]),
        "ptd log edited, not re-hashed": on_bytes(log, lambda b: b + b"x\n", keep_hash=False),
        "ptd log 3 MB line": on_bytes(log, lambda b: b + b"1" * 3_000_000 + b"\n"),
        "ptd log 20000 digits after Uncertainty": on_bytes(
            log, lambda b: b + b"WARNING: Uncertainty " + b"1" * 20000 + b"\n"
        ),
        "ptd log CRLF": on_bytes(log, lambda b: b.replace(b"\n", b"\r\n")),
        "ptd log CR only": on_bytes(log, lambda b: b.replace(b"\n", b"\r")),
        "ptd log empty": on_bytes(log, lambda b: b""),
        "ptd log without ranging mark": on_text(
            log, lambda t: re.sub(GO_RANGING, "Go with mark 'x'", t)
        ),
        "ptd log without Completed test": on_text(
            log, lambda t: t.replace(": Completed test", ": Done")
        ),
        "ptd log uncertainty never activated": on_text(
            log, lambda t: re.sub(r"Uncertainty checking for \S+ is activated", "x", t)
        ),
        "ptd log bad stamp before ranging": insert_after("Uncertainty checking for", bad_stamp),
        "ptd log bad stamp after ranging": insert_after(": Completed test", bad_stamp),
        "ptd log error after ranging": insert_after(": Completed test", f"{late}: ERROR: broken"),
        "ptd log error USB.": insert_after(GO_RANGING, f"{late}: ERROR: USB."),
        "ptd log unusual error in ranging": insert_after(
            GO_RANGING, lambda line: line[:23] + ": ERROR: odd"
        ),
        "ptd log expected error in ranging": insert_after(
            GO_RANGING, lambda line: line[:23] + ": ERROR: Bad watts reading nan from x"
        ),
        "ptd log error without stamp": insert_after(GO_RANGING, "ERROR: no stamp"),
        "ptd log warning without stamp": insert_after(GO_RANGING, "WARNING: no stamp"),
        "ptd log uncertainty warning after the test": insert_after(
            ": Completed test",
            f"{late}: WARNING: Uncertainty 1.23%, which is above 1.00% limit for the last sample!",
        ),
    }


def _runs() -> dict[str, Mutation]:
    cases: dict[str, Mutation] = {}
    for run in ("run_1", "ranging"):
        detail = f"{run}/mlperf_log_detail.txt"
        cases.update(
            {
                f"{run} detail garbage early": on_bytes(
                    detail, lambda b: b[:200] + b"\xff" + b[200:]
                ),
                f"{run} detail garbage at the end": on_bytes(detail, lambda b: b + b"\xff"),
                f"{run} detail garbage just after power_end": on_bytes(
                    detail, lambda b: after_power_end(b, 5, b"\xff")
                ),
                f"{run} detail garbage 9000 bytes after power_end": on_bytes(
                    detail, lambda b: after_power_end(b, 9000, b"\xff")
                ),
                f"{run} detail 20000 digits first": on_bytes(
                    detail, lambda b: b"9" * 20_000 + b" power_begin\n" + b
                ),
                f"{run} detail without power_end": on_text(
                    detail, lambda t: t.replace('"power_end"', '"x"')
                ),
                f"{run} power_begin at the epoch": set_detail(run, "power_begin", EPOCH),
                f"{run} power_begin month 13": set_detail(run, "power_begin", MONTH_13),
                f"{run} power_begin +30 s": shift_detail(run, "power_begin", 30),
                f"{run} power_begin +1 h": shift_detail(run, "power_begin", 3600),
                f"{run} power_end -595 s": shift_detail(run, "power_end", -595),
                f"{run} spl garbage": on_bytes(
                    f"{run}/spl.txt", lambda b: b[:100] + b"\x80" + b[100:]
                ),
                f"{run} spl watts x0.9": scale_watts(run, 0.9),
                f"{run} spl watts x0.96": scale_watts(run, 0.96),
                f"{run} spl watts 0": scale_watts(run, 0.0),
                f"{run} spl bad time": on_text(
                    f"{run}/spl.txt", lambda t: "Time,13-01-2025 x,W,1\n" + t
                ),
                f"{run} spl removed": remove(f"{run}/spl.txt"),
                f"{run} summary removed": remove(f"{run}/mlperf_log_summary.txt"),
                f"{run} extra file": lambda perf, run=run: (perf / run / "extra.txt").write_text(
                    "x"
                ),
            }
        )
    return cases


def mutations() -> dict[str, Mutation]:
    return {**_sessions(), **_ptd(), **_ptd_log(), **_runs()}


# power metric cases: (base, mutation or None, scenario as the checker names it)
METRIC_CASES: dict[str, tuple[str, str | None, str]] = {
    "SingleStream": ("ss", None, "SingleStream"),
    "MultiStream measured as SingleStream": ("ms", None, "MultiStream"),
    "Server": ("server", None, "Server"),
    "Interactive (the Server run)": ("server", None, "Interactive"),
    "interactive in lower case": ("server", None, "interactive"),
    "SingleStream without samples": ("ss", "run_1 spl watts 0", "SingleStream"),
    "SingleStream, power_end -595 s": ("ss", "run_1 power_end -595 s", "SingleStream"),
    "SingleStream, bad spl time": ("ss", "run_1 spl bad time", "SingleStream"),
    "SingleStream, no power_end": ("ss", "run_1 detail without power_end", "SingleStream"),
    "SingleStream, garbage at the end": ("ss", "run_1 detail garbage at the end", "SingleStream"),
}

# (base, round, made to look like PTD 1.10.0 first): every case runs on each of these
CHECK_MATRIX = (("ss", "v5.1", False), ("ss", "v6.0", False), ("ss", "v4.0", True))
# a multichannel analyzer in another time zone, on the cases about the session and PTD
SERVER_CASES = (
    "unchanged",
    "uuid differs",
    "phase 0.81 s apart",
    "results conflict",
    "ptd version 1.10.0",
    "ptd fixed initial ranges",
    "ptd last SR,A missing",
    "ptd_config shape swapped",
    "ptd multichannel one channel",
    "ptd log CRLF",
    "ptd log unusual error in ranging",
    "ptd log uncertainty never activated",
    "run_1 spl watts x0.9",
    "ranging power_begin +1 h",
    "run_1 detail garbage 9000 bytes after power_end",
    "timezone text",
)
METRIC_ROUNDS = ("v4.0", "v5.1", "v6.0")


def case_key(base: str, round_name: str, name: str) -> str:
    return f"{base}|{round_name}|{name}"


def check_cases() -> list[tuple[str, str, bool, str]]:
    """(base, round, like_v4, mutation name) of every recorded check."""
    cases = [(b, r, v4, name) for b, r, v4 in CHECK_MATRIX for name in mutations()]
    return cases + [("server", "v5.1", False, name) for name in SERVER_CASES]


def prepare(base: str, like_v4_sources: dict[str, str] | None, name: str, dest: Path) -> Path:
    """The mutated copy of one case; ``like_v4_sources`` makes it a PTD 1.10.0 session."""
    perf = copy_result(BASES[base], dest)
    if like_v4_sources is not None:
        like_v4(perf, like_v4_sources)
    mutations()[name](perf)
    return perf
