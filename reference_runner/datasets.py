"""Prompt sets the runner feeds through LoadGen, in the three accepted forms.

* the official MLPerf pickle ``open_orca_gpt4_tokenized_llama.sampled_24576.pkl`` (columns in
  spec §5: the SUT consumes ``tok_input``, accuracy compares against ``output``);
* JSONL, one object per line with ``input`` (prompt text) and ``output`` (reference), and
  optionally ``tok_input`` (token ids; otherwise the prompt is tokenized with the codec);
* ``demo``: a small prompt set written for this project (``data/demo_prompts.jsonl``), labelled
  as such in every record. It is not MLPerf data and its scores mean nothing about Llama-2.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference_runner.codecs import TextCodec
from reference_runner.errors import RunnerError

DEMO_DATASET = Path(__file__).resolve().parent / "data" / "demo_prompts.jsonl"
DEMO_NAME = "demo"
OFFICIAL_NAME = "open_orca_gpt4_tokenized_llama.sampled_24576.pkl"
# The md5 MLCommons publishes for the official file (language/llama2-70b README: "The md5sum
# of generated dataset file should be 5fe8be0a7ce5c3c9a028674fd24b00d5"); no sha256 is
# published, so a maintainer may pin theirs with --dataset-sha256 / reference_dataset_sha256.
OFFICIAL_MD5 = "5fe8be0a7ce5c3c9a028674fd24b00d5"


@dataclass(frozen=True)
class Sample:
    """One query: the token ids given to the model and the reference answer it is scored against."""

    index: int
    tok_input: tuple[int, ...]
    reference: str


@dataclass(frozen=True)
class Dataset:
    """Samples plus where they came from (path and sha256), for reports and READMEs."""

    name: str
    path: Path
    sha256: str
    samples: tuple[Sample, ...]
    md5: str = ""
    rows: int = 0  # rows in the file (samples may repeat them, see load_dataset)

    def __len__(self) -> int:
        return len(self.samples)

    @property
    def is_official(self) -> bool:
        return self.md5 == OFFICIAL_MD5


def _digests(path: Path) -> tuple[str, str]:
    """sha256 (for reports and bundles) and md5 (what MLCommons publishes) in one read."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            sha.update(chunk)
            md5.update(chunk)
    return sha.hexdigest(), md5.hexdigest()


def load_dataset(spec: str, codec: TextCodec, max_samples: int | None = None) -> Dataset:
    """Load ``spec`` ("demo", a .pkl or a .jsonl path), keeping the first ``max_samples``."""
    path = DEMO_DATASET if spec == DEMO_NAME else Path(spec)
    if not path.is_file():
        raise RunnerError(
            f"Dataset not found: {path}. Pass the official "
            "open_orca_gpt4_tokenized_llama.sampled_24576.pkl, a .jsonl file with 'input' and "
            "'output' fields, or 'demo' for the small demo prompt set.",
            code="runner.missing_dataset",
        )
    if path.suffix == ".pkl":
        rows = _rows_from_pickle(path)
    elif path.suffix in {".jsonl", ".json"}:
        rows = _rows_from_jsonl(path)
    else:
        raise RunnerError(
            f"{path}: unknown dataset format {path.suffix!r}; use .pkl (official) or .jsonl.",
            code="runner.bad_dataset",
        )
    if not rows:
        raise RunnerError(f"{path}: the dataset has no samples.", code="runner.bad_dataset")
    file_rows = len(rows)
    if max_samples is not None:
        if max_samples < 1:
            raise RunnerError("--max-samples must be at least 1.", code="runner.bad_option")
        # More samples than the file holds repeats it (useful with the 16-prompt demo set to
        # exercise LoadGen at scale); qsl_idx i always maps to row i % len(rows).
        rows = [rows[i % len(rows)] for i in range(max_samples)]
    samples = tuple(_sample(i, row, codec, path) for i, row in enumerate(rows))
    sha256, md5 = _digests(path)
    return Dataset(
        name="demo" if spec == DEMO_NAME else path.name,
        path=path,
        sha256=sha256,
        samples=samples,
        md5=md5,
        rows=file_rows,
    )


def _rows_from_pickle(path: Path) -> list[dict[str, Any]]:
    try:
        import pandas as pd
    except ImportError as err:  # pragma: no cover - pandas comes with the pinned stack
        raise RunnerError(
            "pandas is needed to read the official .pkl dataset; pip install pandas.",
            code="runner.missing_dependency",
        ) from err
    try:
        frame = pd.read_pickle(path)  # the official file is a pickle by design (spec §5)
    except Exception as err:  # pickle raises many types; all mean "not the expected file"
        raise RunnerError(
            f"{path}: cannot read it as a pandas pickle ({type(err).__name__}: {err}).",
            code="runner.bad_dataset",
        ) from err
    # read_pickle returns whatever the file holds; anything but a DataFrame has no columns
    columns = set(frame.columns) if isinstance(frame, pd.DataFrame) else set()
    missing = {"tok_input", "output"} - columns
    if missing or not isinstance(frame, pd.DataFrame):
        raise RunnerError(
            f"{path}: missing column(s) {sorted(missing)}; expected the columns of "
            "open_orca_gpt4_tokenized_llama.sampled_24576.pkl (tok_input, output, input, ...).",
            code="runner.bad_dataset",
        )
    return [
        {"tok_input": tokens, "output": output}
        for tokens, output in zip(
            frame["tok_input"].tolist(), frame["output"].tolist(), strict=True
        )
    ]


def _rows_from_jsonl(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise RunnerError(
                    f"{path}:{number}: not valid JSON ({err.msg}).", code="runner.bad_dataset"
                ) from err
            if (
                not isinstance(row, dict)
                or "output" not in row
                or not ("input" in row or "tok_input" in row)
            ):
                raise RunnerError(
                    f"{path}:{number}: each line needs 'output' and 'input' (or 'tok_input').",
                    code="runner.bad_dataset",
                )
            rows.append(row)
    return rows


def _sample(index: int, row: dict[str, Any], codec: TextCodec, path: Path) -> Sample:
    tokens = row.get("tok_input")
    if tokens is None:
        tokens = codec.encode(str(row["input"]))
    try:
        ids = tuple(int(t) for t in tokens)
    except (TypeError, ValueError) as err:
        raise RunnerError(
            f"{path}: sample {index}: tok_input must be a list of integers.",
            code="runner.bad_dataset",
        ) from err
    if not ids:
        raise RunnerError(f"{path}: sample {index}: empty prompt.", code="runner.bad_dataset")
    return Sample(index=index, tok_input=ids, reference=str(row["output"]))
