"""One LoadGen run in its own interpreter: the job, the child that runs it, and its start.

LoadGen keeps a process-wide count of configuration files: every ``FromConfig`` after the
first one in a process (including the one StartTest makes for ``audit.config``) logs
``error_invalid_config: "Multiple conf files are used. This is not valid for official
submission."``, an error the checker counts (spec §4.2 item 2). So each run (performance,
accuracy, TEST06 of each scenario) happens in a fresh ``python -m
reference_runner.loadgen_child JOB_FILE`` that loads the backend, runs LoadGen once and exits.
The job travels as the JSON of :class:`LoadgenJob`; the child writes the backend's
:class:`BackendInfo` back, or the :class:`RunnerError` that stopped it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from reference_runner.backends.base import Backend, BackendInfo
from reference_runner.errors import RunnerError
from reference_runner.loadgen_driver import LoadgenOverrides

JOB_FILE = "runner_job.json"
ERROR_FILE = "runner_error.json"
INFO_FILE = "backend_info.json"
# The folder holding this package: the child runs the parent's own code (first on PYTHONPATH),
# whatever the working directory and whichever checkout the environment has installed.
_PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BackendSpec(_Frozen):
    """Which backend to build and its keyword options (see each backend's ``__init__``)."""

    name: str
    options: dict[str, Any]


class LoadgenJob(_Frozen):
    """Everything one LoadGen run needs, as the child receives it."""

    backend: BackendSpec
    tokenizer: str | None  # None: the byte codec (dummy runs)
    dataset: str
    max_samples: int | None
    scenario: str
    mode: str
    round: str
    overrides: LoadgenOverrides
    batch_size: int
    token_dtype: str
    outdir: Path
    progress: bool

    @property
    def label(self) -> str:
        return f"{self.scenario} {self.mode}"


def build_codec(tokenizer_id: str | None) -> Any:
    """The byte codec when no tokenizer is named, else the transformers tokenizer."""
    from reference_runner.codecs import ByteCodec, HFCodec

    return ByteCodec() if tokenizer_id is None else HFCodec(tokenizer_id)


def build_backend(spec: BackendSpec, codec: Any) -> Backend:
    from reference_runner.backends import create_backend

    options = dict(spec.options)
    if spec.name != "dummy":
        options["codec"] = codec
    return create_backend(spec.name, **options)


def run_job(job: LoadgenJob) -> None:
    """Execute one job in this process (what the child does)."""
    from reference_runner.datasets import load_dataset
    from reference_runner.loadgen_driver import run_loadgen
    from reference_runner.progress import Progress
    from reference_runner.rounds import load_round

    codec = build_codec(job.tokenizer)
    dataset = load_dataset(job.dataset, codec, job.max_samples)
    backend = build_backend(job.backend, codec)
    (job.outdir / INFO_FILE).write_text(
        json.dumps(dataclasses.asdict(backend.info()), indent=2), encoding="utf-8"
    )
    with Progress(job.label, enabled=job.progress) as progress:
        run_loadgen(
            backend=backend,
            samples=dataset.samples,
            scenario=job.scenario,
            mode=job.mode,
            round_settings=load_round(job.round),
            overrides=job.overrides,
            batch_size=job.batch_size,
            token_dtype=job.token_dtype,
            outdir=job.outdir,
            on_progress=progress.advance,
        )


def run_in_subprocess(job: LoadgenJob, python: str = sys.executable) -> BackendInfo:
    """Run ``job`` in a fresh interpreter; return the backend info it reports."""
    job.outdir.mkdir(parents=True, exist_ok=True)
    job_file = job.outdir / JOB_FILE
    job_file.write_text(job.model_dump_json(indent=2), encoding="utf-8")
    inherited = os.environ.get("PYTHONPATH")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (_PACKAGE_PARENT, inherited) if p),
    }
    completed = subprocess.run(
        [python, "-m", "reference_runner.loadgen_child", str(job_file)], check=False, env=env
    )
    error_file = job.outdir / ERROR_FILE
    if error_file.is_file():
        error = json.loads(error_file.read_text(encoding="utf-8"))
        raise RunnerError(error["message"], code=error["code"])
    if completed.returncode != 0:
        raise RunnerError(
            f"The {job.label} run exited with status {completed.returncode}; its output is "
            f"above and its files are in {job.outdir}.",
            code="runner.worker_failed",
        )
    return BackendInfo(**json.loads((job.outdir / INFO_FILE).read_text(encoding="utf-8")))


def main(argv: list[str]) -> int:
    job_path = Path(argv[0])
    job = LoadgenJob.model_validate_json(job_path.read_text(encoding="utf-8"))
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
