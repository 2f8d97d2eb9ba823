"""Workflow settings: one frozen object, read once at the edge and passed down (house style §11).

Every field carries a ``help`` text (shown by ``python -m submissions settings`` and checked
against docs/submissions.md by a test), and :meth:`SubmissionSettings.from_mapping` reads
``INFERBOARD_<FIELD>`` keys from a mapping the caller supplies, so library code never reads
``os.environ`` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from leaderboard.settings import fields_from_mapping
from submissions.errors import SubmissionError

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class SubmissionSettings:
    """Where uploads live, how much a user may send, who reviews, and what the worker runs."""

    storage_dir: Path = field(
        default=PROJECT_ROOT / "var" / "submissions",
        metadata={
            "help": "Folder for uploaded bundles (content-addressed, read-only blobs), reports "
            "and work folders; gitignored. Nothing is written outside it."
        },
    )
    max_upload_bytes: int = field(
        default=256 * 2**20,
        metadata={"help": "Largest bundle accepted, in bytes (counted while spooling)."},
    )
    rate_limit_count: int = field(
        default=20,
        metadata={"help": "Submissions one user may make per rate-limit window."},
    )
    rate_limit_window_s: int = field(
        default=3600,
        metadata={"help": "Length of the rate-limit window, in seconds."},
    )
    maintainers: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "E-mails or OIDC subjects of the maintainers who review submissions "
            "(INFERBOARD_MAINTAINERS is comma-separated)."
        },
    )
    validation_timeout_s: int = field(
        default=900,
        metadata={
            "help": "Seconds a validation or spot-check child process may run before it is "
            "stopped and the submission rejected with that reason."
        },
    )
    archive_max_files: int = field(
        default=100_000,
        metadata={"help": "Most members an uploaded archive may hold (more: refused)."},
    )
    archive_max_total_bytes: int = field(
        default=2 * 2**30,
        metadata={
            "help": "Most bytes an uploaded archive may unpack to, in bytes (more, or a "
            "compression ratio over 200: refused as a zip bomb)."
        },
    )
    validation_jobs: int = field(
        default=1,
        metadata={"help": "Worker processes the validator child uses for result checks."},
    )
    reference_backend: str | None = field(
        default=None,
        metadata={
            "help": "Reference runner backend for the spot check (hf, vllm or dummy); unset: "
            "no spot check, only log-level recomputation."
        },
    )
    reference_model: str | None = field(
        default=None,
        metadata={"help": "Model path or id the spot check regenerates queries with."},
    )
    reference_dataset: str | None = field(
        default=None,
        metadata={"help": "Dataset (official .pkl or .jsonl) the spot check reads prompts from."},
    )
    reference_tokenizer: str | None = field(
        default=None,
        metadata={"help": "Tokenizer path or id for the spot check (default: the model's)."},
    )
    spot_check_samples: int = field(
        default=4,
        metadata={"help": "How many sampled queries the spot check regenerates."},
    )
    worker_poll_s: float = field(
        default=2.0,
        metadata={
            "help": "Seconds the background worker sleeps between looks for new work when "
            "nothing wakes it."
        },
    )

    def __post_init__(self) -> None:
        if self.reference_backend not in (None, "hf", "vllm", "dummy"):
            raise SubmissionError(
                "settings.reference_backend",
                f"reference_backend {self.reference_backend!r} is not one of hf, vllm, dummy; "
                "leave it unset for no spot check",
            )
        for name in ("max_upload_bytes", "rate_limit_count", "rate_limit_window_s"):
            if getattr(self, name) <= 0:
                raise SubmissionError(
                    f"settings.{name}", f"{name} must be positive, not {getattr(self, name)}"
                )

    @property
    def spot_check_configured(self) -> bool:
        """The reproduction step runs the reference runner only with a backend and a dataset."""
        return self.reference_backend is not None and self.reference_dataset is not None

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> SubmissionSettings:
        """Build from ``INFERBOARD_STORAGE_DIR``-style keys; the caller reads the environment.

        A value that does not parse raises :class:`SubmissionError` naming the key and the fix.
        """
        return cls(**fields_from_mapping(cls, values, error=SubmissionError))

    @classmethod
    def help_texts(cls) -> dict[str, str]:
        """Field name -> help text, for docs, the CLI and the documentation test."""
        return {spec.name: spec.metadata["help"] for spec in fields(cls)}
