"""Portal settings: one frozen object with defaults and help text (house style §11).

Built once at the edge from ``INFERBOARD_*`` keys (environment first, then top-level keys of
``.streamlit/secrets.toml``) and passed down; nothing below reads the environment itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator

from leaderboard.settings import (
    DEFAULT_SECRETS_PATH,
    PROJECT_ROOT,
    InferboardSettings,
    read_secrets,
    setting_values,
)

__all__ = ["PROJECT_ROOT", "PortalSettings", "has_real_auth", "read_secrets", "setting_values"]


class PortalSettings(InferboardSettings):
    """How the portal logs people in and where the launcher keeps its generated files."""

    secrets_path: Path = Field(
        default=DEFAULT_SECRETS_PATH,
        description="Streamlit secrets file (gitignored). A non-empty [auth] section there "
        "means a real OIDC provider; without one the launcher starts the local demo provider. "
        "Its top-level INFERBOARD_* keys are settings too (the environment wins).",
    )
    runtime_dir: Path = Field(
        default=PROJECT_ROOT / "var" / "portal",
        description="Where the launcher writes the generated demo secrets (gitignored).",
    )
    demo_login: bool = Field(
        default=True,
        description="Start the local demo OIDC provider when no [auth] section exists; "
        "false: the portal runs browse-only until a real provider is configured.",
    )
    demo_provider_port: int = Field(
        default=9477,
        gt=0,
        lt=65536,
        description="Loopback port of the demo provider. Fixed by default because the issuer "
        "URL is part of each user's identity: a new port would orphan their submissions.",
    )
    public_url: str | None = Field(
        default=None,
        description="Base URL people open (for the OIDC redirect); default "
        "http://<server.address or 127.0.0.1>:<server.port or 8501>.",
    )
    role: Literal["writer", "reader"] = Field(
        default="writer",
        description="writer: the one process that owns the database (logins, uploads, review, "
        "the worker) and publishes snapshots; reader: serves only the public pages and the "
        "read API from the newest published snapshot, read-only (python -m portal --reader).",
    )
    writer_url: str | None = Field(
        default=None,
        description="Where a reader sends people who want to log in, submit or review (the "
        "writer's path behind the load balancer, e.g. /portal/); unset: readers say that "
        "logins are elsewhere without a link.",
    )
    status_refresh_s: float = Field(
        default=2.0,
        gt=0,
        allow_inf_nan=False,
        description="How often a status page refreshes while its submission is worked on.",
    )

    @field_validator("writer_url")
    @classmethod
    def _a_link(cls, value: str | None) -> str | None:
        if value is None:
            return None
        same_site = value.startswith("/") and not value.startswith("//")
        if not (same_site or value.startswith(("http://", "https://"))):
            raise ValueError("use a path such as /portal/ or an http(s):// URL")
        return value


def has_real_auth(secrets: Mapping[str, object]) -> bool:
    """A non-empty ``[auth]`` section: the operator named a real provider."""
    auth = secrets.get("auth")
    return isinstance(auth, dict) and bool(auth)
