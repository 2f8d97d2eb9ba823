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
        description="Seconds the reference runner's spot check may run before it is stopped "
        "(the review then says it timed out).",
    )
    spot_check_memory_mib: int = Field(
        default=0,
        ge=0,
        description="Address-space limit (MiB) of the spot-check child; 0: none (GPU runtimes "
        "reserve far more address space than they use).",
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
        description="Reference runner backend for the spot check (hf, vllm or dummy); unset: "
        "no spot check, only log-level recomputation.",
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
    spot_check_samples: Count = Field(
        default=4, description="How many sampled queries the spot check regenerates."
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

    @field_validator("audit_key")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < 32:
            raise ValueError("the audit key must be at least 32 characters long")
        return value

    @property
    def spot_check_configured(self) -> bool:
        """The reproduction step runs the reference runner only with a backend and a dataset."""
        return self.reference_backend is not None and self.reference_dataset is not None

    @staticmethod
    def memory_bytes(mib: int) -> int | None:
        """A MiB limit as bytes for ``RLIMIT_AS``; 0 means no limit."""
        return None if mib <= 0 or not math.isfinite(mib) else mib * 2**20
