"""One LoadGen run in its own interpreter.

LoadGen keeps a process-wide count of configuration files: every ``FromConfig`` after the
first one in a process (including the one StartTest makes for ``audit.config``) logs
``error_invalid_config: "Multiple conf files are used. This is not valid for official
submission."``, an error the checker counts (spec §4.2 item 2). So each run (performance,
accuracy, TEST06 of each scenario) happens in a fresh ``python -m reference_runner.worker``
that loads the backend, runs LoadGen once and exits. The job travels as a JSON file.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from reference_runner.errors import RunnerError
from reference_runner.loadgen_driver import LoadgenOverrides

JOB_FILE = "runner_job.json"
ERROR_FILE = "runner_error.json"
INFO_FILE = "backend_info.json"


def build_codec(tokenizer_id: str | None) -> Any:
    """The byte codec when no tokenizer is named, else the transformers tokenizer."""
    from reference_runner.codecs import ByteCodec, HFCodec

    return ByteCodec() if tokenizer_id is None else HFCodec(tokenizer_id)


def build_backend(job: dict[str, Any], codec: Any) -> Any:
    from reference_runner.backends import create_backend

    options = dict(job["backend_options"])
    if job["backend"] != "dummy":
        options["codec"] = codec
    return create_backend(job["backend"], **options)


def run_job(job: dict[str, Any]) -> None:
    """Execute one job in this process (what the subprocess does)."""
    from reference_runner.datasets import load_dataset
    from reference_runner.loadgen_driver import run_loadgen
    from reference_runner.progress import Progress
    from reference_runner.rounds import load_round

    outdir = Path(job["outdir"])
    codec = build_codec(job["tokenizer"])
    dataset = load_dataset(job["dataset"], codec, job["max_samples"])
    backend = build_backend(job, codec)
    (outdir / INFO_FILE).write_text(
        json.dumps(dataclasses.asdict(backend.info()), indent=2), encoding="utf-8"
    )
    label = f"{job['scenario']} {job['mode']}"
    with Progress(label, enabled=job["progress"]) as progress:
        run_loadgen(
            backend=backend,
            samples=dataset.samples,
            scenario=job["scenario"],
            mode=job["mode"],
            round_settings=load_round(job["round"]),
            overrides=LoadgenOverrides(**job["overrides"]),
            batch_size=job["batch_size"],
            token_dtype=job["token_dtype"],
            outdir=outdir,
            on_progress=progress.advance,
        )


def run_in_subprocess(job: dict[str, Any], python: str = sys.executable) -> dict[str, Any]:
    """Run ``job`` in a fresh interpreter; return the backend info it reports."""
    outdir = Path(job["outdir"])
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / JOB_FILE).write_text(json.dumps(job, indent=2), encoding="utf-8")
    # The child finds this package by path, whatever the caller's working directory is.
    package_parent = str(Path(__file__).resolve().parents[1])
    bootstrap = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from reference_runner.worker import main; raise SystemExit(main(sys.argv[2:]))"
    )
    completed = subprocess.run(
        [python, "-c", bootstrap, package_parent, str(outdir / JOB_FILE)], check=False
    )
    error_file = outdir / ERROR_FILE
    if error_file.is_file():
        error = json.loads(error_file.read_text(encoding="utf-8"))
        raise RunnerError(error["message"], code=error["code"])
    if completed.returncode != 0:
        raise RunnerError(
            f"The {job['scenario']} {job['mode']} run exited with status "
            f"{completed.returncode}; its output is above and its files are in {outdir}.",
            code="runner.worker_failed",
        )
    return json.loads((outdir / INFO_FILE).read_text(encoding="utf-8"))


def main(argv: list[str]) -> int:
    job_path = Path(argv[0])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    try:
        run_job(job)
    except RunnerError as err:
        (job_path.parent / ERROR_FILE).write_text(
            json.dumps({"message": str(err), "code": err.code}), encoding="utf-8"
        )
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
