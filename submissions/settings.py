"""Workflow settings: one frozen, typed object, read once at the edge and passed down (§11).

Every field has a description (shown by ``python -m submissions settings`` and checked against
docs/submissions.md by ``tests/test_settings_docs.py``); :meth:`from_mapping` reads
``INFERBOARD_<FIELD>`` keys from a mapping the edge supplies (environment over secrets file),
and a value that does not fit stops the start with a message naming the key.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator

from leaderboard.settings import PROJECT_ROOT, InferboardSettings
from submissions.organisations import parse_seed

__all__ = ["PROJECT_ROOT", "SubmissionSettings"]

Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Count = Annotated[int, Field(gt=0)]


class SubmissionSettings(InferboardSettings):
    """Where uploads live, how much a user may send, who reviews, and what the worker runs."""

    storage_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "submissions",
        description="Folder for uploaded bundles (content-addressed, read-only blobs), reports "
        "and work folders; gitignored. Nothing is written outside it.",
    )
    max_upload_bytes: Count = Field(
        default=256 * 2**20,
        description="Largest bundle accepted, in bytes (counted while spooling).",
    )
    rate_limit_count: Count = Field(
        default=20, description="Submissions one user may make per rate-limit window."
    )
    rate_limit_window_s: Count = Field(
        default=3600, description="Length of the rate-limit window, in seconds."
    )
    maintainers: tuple[str, ...] = Field(
        default=(),
        description="E-mails or OIDC subjects of the maintainers who review submissions "
        "(INFERBOARD_MAINTAINERS is comma-separated). An e-mail counts only when the provider "
        "says it is verified; a subject may be written issuer#subject.",
    )
    submitter_organisations: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="Organisations each login may submit for, seeded into the table "
        "maintainers edit (python -m submissions organisations, the Organisations page): "
        "LOGIN=ORG[,ORG...] entries separated by ';' (or a TOML array of them). A login is a "
        "verified e-mail or issuer#subject, an organisation its submitter folder name, "
        "compared exactly. Each pair is granted once; a revocation sticks.",
    )
    validation_timeout_s: Seconds = Field(
        default=900,
        description="Seconds the validation child (extract and validate) may run before it is "
        "stopped and the submission rejected with that reason.",
    )
    validation_memory_mib: Count = Field(
        default=4096,
        description="Address-space limit (MiB) of the validation and recount children; a "
        "bundle needing more fails its step instead of exhausting the server.",
    )
    recount_timeout_s: Seconds = Field(
        default=900,
        description="Seconds the accuracy-log recount child may run before it is stopped (the "
        "review then says the logs were not recounted).",
    )
    spot_check_timeout_s: Seconds = Field(
        default=3600,
        description="Seconds the reproduction child (the reference runner, all tiers) may run "
        "before it is stopped; the submission then goes to review with 'timed out' written "
        "down. Budget the model load (minutes for Llama-2-70B) plus about a minute per sampled "
        "query.",
    )
    spot_check_memory_mib: int = Field(
        default=0,
        ge=0,
        description="Address-space limit (MiB) of the reproduction child when it loads a model "
        "(tier 3 with the hf or vllm backend); 0: none (GPU runtimes reserve far more address "
        "space than they use). Without a model it runs under validation_memory_mib.",
    )
    archive_max_files: Count = Field(
        default=100_000, description="Most members an uploaded archive may hold (more: refused)."
    )
    archive_max_total_bytes: Count = Field(
        default=2 * 2**30,
        description="Most bytes an uploaded archive may unpack to, in bytes (more: refused).",
    )
    archive_max_ratio: float = Field(
        default=200.0,
        gt=1,
        allow_inf_nan=False,
        description="Largest compression ratio (unpacked bytes / archive bytes) of a whole "
        "archive and of each member; more is refused as a zip bomb.",
    )
    validation_jobs: Count = Field(
        default=1, description="Worker processes the validator child uses for result checks."
    )
    reference_backend: Literal["hf", "vllm", "dummy"] | None = Field(
        default=None,
        description="Reference runner backend for tier 3, the regeneration of sampled queries "
        "(hf, vllm or dummy); unset: tier 1 (and tier 2 with a dataset and a tokenizer) only.",
    )
    reference_model: str | None = Field(
        default=None, description="Model path or id the spot check regenerates queries with."
    )
    reference_dataset: str | None = Field(
        default=None,
        description="Dataset (official .pkl or .jsonl) the spot check reads prompts from.",
    )
    reference_tokenizer: str | None = Field(
        default=None,
        description="Tokenizer path or id for the spot check (default: the model's).",
    )
    spot_check_samples: int = Field(
        default=8,
        ge=4,
        description="How many sampled queries tier 3 regenerates (at least 4: the calibrated "
        "comparison needs them).",
    )
    reference_device: Literal["cpu", "cuda"] = Field(
        default="cpu",
        description="Device of the reference model: cpu, or cuda (needs requirements-gpu.txt; "
        "the model is spread over every visible GPU).",
    )
    reference_dtype: Literal["fp32", "bf16", "fp16"] | None = Field(
        default=None,
        description="Weights of the reference model: fp32, bf16 or fp16 (unset: bf16 on cuda, "
        "fp32 on cpu).",
    )
    reference_batch_size: Count = Field(
        default=8, description="Queries the reference model generates per step (tier 3)."
    )
    reference_max_new_tokens: Count = Field(
        default=1024,
        description="Generation limit of tier 3; MLPerf's is 1024 (lower it only for bundles "
        "made with a lower limit).",
    )
    reference_dataset_sha256: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{64}$",
        description="sha256 the reference dataset must have (pin your copy of the official "
        "file); unset: its md5 must be the official one, or the bundle's README must declare it.",
    )
    reproduction_jobs: Count = Field(
        default=1, description="Processes tier 2 (the accuracy recompute) uses for ROUGE."
    )
    max_accuracy_log_bytes: Count = Field(
        default=512 * 2**20,
        description="Largest whole accuracy log a user may upload beside a submission, in bytes "
        "(a full llama2-70b log is about 60 MB).",
    )
    worker_poll_s: Seconds = Field(
        default=2.0,
        description="Seconds the background worker sleeps between looks for new work when "
        "nothing wakes it.",
    )
    audit_key: SecretStr | None = Field(
        default=None,
        description="Secret key of the audit chain's HMAC (at least 32 characters). Unset: a "
        "random key is generated on first start into storage_dir/audit.key; put it in the "
        "secrets file instead to keep it away from the data it protects.",
    )

    @field_validator("maintainers", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("submitter_organisations", mode="before")
    @classmethod
    def _organisations(cls, value: object) -> object:
        return parse_seed(value)

    @field_validator("audit_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("the audit key must be at least 32 characters long")
        return value

    @property
    def spot_check_configured(self) -> bool:
        """Tier 3 (regeneration) runs only with a backend and a dataset."""
        return self.reference_backend is not None and self.reference_dataset is not None

    @property
    def reproduction_tiers(self) -> tuple[int, ...]:
        """Tier 1 always (it needs only the logs); tier 2 with a dataset and a tokenizer (or a
        model to take it from); tier 3 with a backend and a dataset."""
        tiers = [1]
        has_decoder = self.reference_tokenizer or self.reference_model
        if self.reference_dataset and (has_decoder or self.reference_backend == "dummy"):
            tiers.append(2)
        if self.spot_check_configured:
            tiers.append(3)
        return tuple(tiers)

    @property
    def reproduction_memory_mib(self) -> int:
        """The reproduction child's address-space limit: ``spot_check_memory_mib`` when it
        loads a model, else ``validation_memory_mib`` (0: none)."""
        loads_model = 3 in self.reproduction_tiers and self.reference_backend in ("hf", "vllm")
        return self.spot_check_memory_mib if loads_model else self.validation_memory_mib

    @staticmethod
    def memory_bytes(mib: int) -> int | None:
        """A MiB limit as bytes for ``RLIMIT_AS``; 0 means no limit."""
        return None if mib <= 0 or not math.isfinite(mib) else mib * 2**20
