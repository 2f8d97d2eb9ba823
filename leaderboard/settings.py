"""Settings: one frozen, typed object per layer, read once at the edge and passed down (§11).

Every layer's settings class derives from :class:`InferboardSettings`, a pydantic-settings
``BaseSettings``: fields carry their type, default and ``description`` (help text, checked
against the docs by ``tests/test_settings_docs.py``), and a value that does not parse stops the
start with a :class:`SettingsError` naming the key and what is wrong; ``"treu"`` is not a
boolean, ``-5`` is not a size. Values come from ``INFERBOARD_<FIELD>`` keys: the edge
(launcher, command lines) merges the top-level keys of the secrets file
(``INFERBOARD_SECRETS_PATH``, default ``.streamlit/secrets.toml``) with the environment, the
environment winning (:func:`load_values`). Constructing a class directly reads nothing from the
environment, so library code and tests see only what they pass in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from errors import InferboardError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PREFIX = "INFERBOARD_"
DEFAULT_SECRETS_PATH = PROJECT_ROOT / ".streamlit" / "secrets.toml"


class SettingsError(InferboardError):
    """A setting has a value that cannot be used; the message names the key and the fix."""


class InferboardSettings(BaseSettings):
    """Base of every settings class: frozen, typed, unknown fields refused, no hidden reads."""

    model_config = SettingsConfigDict(
        frozen=True, extra="forbid", validate_default=True, env_prefix=PREFIX
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only what the caller passes: the edge reads the environment and the secrets file
        # once (load_values) and hands the values down (house style §11).
        return (init_settings,)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        """An empty ``INFERBOARD_X=`` means "not set" for optional values (None)."""
        return None if isinstance(value, str) and not value.strip() else value

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Self:
        """Build from ``INFERBOARD_<FIELD>`` keys (other keys are ignored).

        A key whose value does not fit raises :class:`SettingsError` naming the key, the value
        and what the field expects."""
        kwargs = {}
        for name in cls.model_fields:
            key = f"{PREFIX}{name.upper()}"
            if key in values:
                raw = values[key]
                kwargs[name] = raw.strip() if isinstance(raw, str) else raw
        return cls.build(**kwargs)

    @classmethod
    def build(cls, **values: Any) -> Self:
        """Construct from field values; a bad one raises :class:`SettingsError`."""
        try:
            return cls(**values)
        except ValidationError as exc:
            raise settings_error(cls, exc, values) from None

    def with_changes(self, **changes: Any) -> Self:
        """A copy with some fields changed, validated like the original."""
        return type(self).build(**{**dict(self), **changes})

    @classmethod
    def help_texts(cls) -> dict[str, str]:
        """Field name -> help text, for docs, the CLIs and the documentation test."""
        return {name: spec.description or "" for name, spec in cls.model_fields.items()}

    @classmethod
    def variables(cls) -> dict[str, str]:
        """Field name -> the ``INFERBOARD_*`` key that sets it."""
        return {name: f"{PREFIX}{name.upper()}" for name in cls.model_fields}


def settings_error(
    cls: type[BaseSettings], exc: ValidationError, values: Mapping[str, Any]
) -> SettingsError:
    """One message for every bad value: key, value as given, and what is expected."""
    problems = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "?"
        key = f"{PREFIX}{name.upper()}"
        given = values.get(name, error.get("input"))
        shown = "(hidden)" if "key" in name or "secret" in name else repr(given)
        problems.append(f"{key}={shown}: {error['msg'].lower()}")
    return SettingsError(
        "settings.invalid",
        f"{cls.__name__}: " + "; ".join(problems),
        "fix or unset it in the environment or the secrets file, then start again",
    )


def read_secrets(path: Path) -> dict[str, object]:
    """The parsed secrets file, or ``{}`` when there is none. A broken file is the operator's
    to fix, so the error names the file (it is the operator's own path, not a visitor's)."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(
            "settings.secrets_file", f"{path} is not valid TOML ({exc})", "fix or remove the file"
        ) from exc


def setting_values(environ: Mapping[str, str], secrets: Mapping[str, object]) -> dict[str, object]:
    """``INFERBOARD_*`` keys from the secrets file, overridden by the environment."""
    values: dict[str, object] = {
        key: value
        for key, value in secrets.items()
        if key.startswith(PREFIX) and not isinstance(value, dict)
    }
    values.update({key: value for key, value in environ.items() if key.startswith(PREFIX)})
    return values


def secrets_path(environ: Mapping[str, str]) -> Path:
    """Where the secrets file is: ``INFERBOARD_SECRETS_PATH`` or ``.streamlit/secrets.toml``."""
    raw = environ.get(f"{PREFIX}SECRETS_PATH", "").strip()
    return Path(raw) if raw else DEFAULT_SECRETS_PATH


def load_values(environ: Mapping[str, str]) -> dict[str, object]:
    """What the edge reads once: the secrets file's ``INFERBOARD_*`` keys under the
    environment's. Only launchers and command lines call this, with ``os.environ``."""
    return setting_values(environ, read_secrets(secrets_path(environ)))


class LeaderboardSettings(InferboardSettings):
    """Where the database and the seed live, and how the database is opened."""

    db_path: Path = Field(
        default=PROJECT_ROOT / "data" / "inferboard.duckdb",
        description="DuckDB file the portal owns (gitignored); created and seeded on first start.",
    )
    seed_path: Path = Field(
        default=PROJECT_ROOT / "data" / "mlperf_results_seed.parquet",
        description="Compact seed table built by data/build_seed.py from the shared CSV.",
    )
    read_only: bool = Field(
        default=False,
        description="Open the file read-only (for extra web processes serving a finished file; "
        "no seeding or migration then).",
    )
    db_threads: int = Field(
        default=1,
        ge=1,
        le=64,
        description="DuckDB worker threads per query. A web process answers many small reads "
        "at once, and DuckDB's parallelism costs more than it gives there: a 1M-row "
        "leaderboard read took 5 ms with 1 thread and 18 ms with 2 on a busy 2-core "
        "machine. Raise it for a process that runs few large queries.",
    )
    publish_snapshots: bool = Field(
        default=True,
        description="The writer (the process that opens the file read-write) publishes an "
        "immutable snapshot of the published results after every change to them, for reader "
        "processes; false: none is written (a single-process portal needs none).",
    )
    snapshot_dir: Path | None = Field(
        default=None,
        description="Where snapshots are published and read; default: a folder beside the "
        "database file named after it (data/inferboard.snapshots). On shared storage when "
        "readers run on other machines.",
    )
    snapshots_kept: int = Field(
        default=5,
        ge=2,
        le=1000,
        description="The writer keeps at least this many newest snapshots (pinned as_of links "
        "to older ones say they were pruned).",
    )
    snapshot_grace_s: float = Field(
        default=300.0,
        ge=0,
        le=86_400,
        allow_inf_nan=False,
        description="A superseded snapshot is never pruned sooner than this many seconds after "
        "its successor appeared, so a reader still opening or reading it finds it.",
    )
    snapshot_poll_s: float = Field(
        default=1.0,
        gt=0,
        le=3600,
        allow_inf_nan=False,
        description="How often a reader looks for a newer snapshot (and the writer for a "
        "change to publish that no hook announced).",
    )

    @property
    def snapshots_path(self) -> Path:
        """The snapshot folder: the setting, or one beside the database file."""
        return self.snapshot_dir or self.db_path.with_name(self.db_path.stem + ".snapshots")
