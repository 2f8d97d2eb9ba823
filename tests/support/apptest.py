"""What the AppTest tests of the portal share: logins as OIDC claims, and the portal's
runtime (database, submissions service, worker) installed for the process exactly as the
launcher installs it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from leaderboard.db import open_store
from leaderboard.settings import LeaderboardSettings
from portal import runtime
from portal.settings import PortalSettings
from submissions.roles import Principal, principal_from_claims
from submissions.service import SubmissionService
from submissions.settings import SubmissionSettings
from submissions.worker import Worker

MAINTAINERS = ("mia@example.org",)
ANONYMOUS: dict[str, object] = {"is_logged_in": False}


def login(sub: str, name: str | None = None) -> dict[str, object]:
    """The claims of a verified login ``<sub>@example.org`` (what ``st.user`` holds)."""
    return {
        "is_logged_in": True,
        "iss": "http://idp.test",
        "sub": sub,
        "email": f"{sub}@example.org",
        "name": name or sub.capitalize(),
        "email_verified": True,
    }


def principal(claims: dict[str, object]) -> Principal:
    """Who the portal takes these claims for (mia is the maintainer)."""
    return principal_from_claims(claims, MAINTAINERS)


@contextmanager
def installed_runtime(
    base: Path, db_name: str, seed_path: Path | None = None, **submissions: Any
) -> Iterator[runtime.PortalRuntime]:
    """A database ``base/db_name`` (the default seed, or ``seed_path``), a submissions
    service over it (mia maintains; ``submissions`` are more of its settings) and a worker
    that is not started, installed as the process's runtime until the block ends."""
    database = LeaderboardSettings(db_path=base / db_name)
    if seed_path is not None:
        database = LeaderboardSettings(db_path=base / db_name, seed_path=seed_path)
    store = open_store(database)
    settings = SubmissionSettings(
        storage_dir=base / "submissions", maintainers=MAINTAINERS, **submissions
    )
    service = SubmissionService(store, settings)
    built = runtime.PortalRuntime(
        store=store,
        service=service,
        worker=Worker(service, settings),
        settings=PortalSettings(runtime_dir=base / "portal"),
        submission_settings=settings,
    )
    runtime.install(built)
    try:
        yield built
    finally:
        runtime.install(None)
        store.close()
