"""Portal settings: one frozen object with defaults and help text (house style §11).

Built once at the edge from ``INFERBOARD_*`` keys (environment first, then top-level keys of
``.streamlit/secrets.toml``) and passed down; nothing below reads the environment itself.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from leaderboard.settings import PREFIX, fields_from_mapping

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PortalSettings:
    """How the portal logs people in and where the launcher keeps its generated files."""

    secrets_path: Path = field(
        default=PROJECT_ROOT / ".streamlit" / "secrets.toml",
        metadata={
            "help": "Streamlit secrets file (gitignored). A non-empty [auth] section there means "
            "a real OIDC provider; without one the launcher starts the local demo provider."
        },
    )
    runtime_dir: Path = field(
        default=PROJECT_ROOT / "var" / "portal",
        metadata={"help": "Where the launcher writes the generated demo secrets (gitignored)."},
    )
    demo_login: bool = field(
        default=True,
        metadata={
            "help": "Start the local demo OIDC provider when no [auth] section exists; "
            "off: the portal runs browse-only until a real provider is configured."
        },
    )
    demo_provider_port: int = field(
        default=9477,
        metadata={
            "help": "Loopback port of the demo provider. Fixed by default because the issuer "
            "URL is part of each user's identity: a new port would orphan their submissions."
        },
    )
    public_url: str | None = field(
        default=None,
        metadata={
            "help": "Base URL people open (for the OIDC redirect); default "
            "http://<server.address or 127.0.0.1>:<server.port or 8501>."
        },
    )
    status_refresh_s: float = field(
        default=2.0,
        metadata={"help": "How often a status page refreshes while its submission is worked on."},
    )

    @classmethod
    def from_mapping(cls, values: Mapping[str, str]) -> PortalSettings:
        """Build from ``INFERBOARD_<FIELD>`` keys; the caller supplies the mapping."""
        return cls(**fields_from_mapping(cls, values))


def read_secrets(path: Path) -> dict[str, object]:
    """The parsed secrets file, or ``{}`` when there is none. A broken file is the operator's
    to fix, so its error names the file."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SystemExit(f"{path}: not valid TOML ({exc}); fix or remove the file") from exc


def setting_values(environ: Mapping[str, str], secrets: Mapping[str, object]) -> dict[str, str]:
    """``INFERBOARD_*`` keys from the secrets file, overridden by the environment."""
    values = {
        key: str(value)
        for key, value in secrets.items()
        if key.startswith(PREFIX) and not isinstance(value, dict)
    }
    values.update({key: value for key, value in environ.items() if key.startswith(PREFIX)})
    return values


def has_real_auth(secrets: Mapping[str, object]) -> bool:
    """A non-empty ``[auth]`` section: the operator named a real provider."""
    auth = secrets.get("auth")
    return isinstance(auth, dict) and bool(auth)
