"""``python -m portal [--reader] [streamlit flags]``: what ``make run`` calls.

The writer (default): reads the settings (environment, then ``.streamlit/secrets.toml``);
without a real ``[auth]`` section starts the local demo OIDC provider and writes a secrets file
for it; opens the Store (which publishes a snapshot for readers when the results changed), the
SubmissionService and starts the Worker in this process (unfinished work resumes now, not at
the first page view); then runs Streamlit in-process on ``app.py``, whose pages find those
objects through :mod:`portal.runtime`.

A reader (``--reader`` or ``INFERBOARD_ROLE=reader``): opens the newest published snapshot
read-only and watches for newer ones; no login, no workflow, no database file of its own.
"""

from __future__ import annotations

import logging
import math
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from errors import InferboardError
from portal.demo_login import DEMO_USERS, DemoLogin, running_provider, write_secrets
from portal.settings import (
    PROJECT_ROOT,
    PortalSettings,
    has_real_auth,
    read_secrets,
    setting_values,
)

if TYPE_CHECKING:
    from portal import runtime as runtime_module

APP = PROJECT_ROOT / "asgi.py"  # app.py (the pages) and the read API at /api


def flag_value(flags: Sequence[str], name: str) -> str | None:
    """The value of ``--name value`` or ``--name=value`` among Streamlit's flags (last wins)."""
    found = None
    for index, flag in enumerate(flags):
        if flag == f"--{name}" and index + 1 < len(flags):
            found = flags[index + 1]
        elif flag.startswith(f"--{name}="):
            found = flag.split("=", 1)[1]
    return found


def streamlit_argv(
    flags: Sequence[str], secrets_files: Sequence[Path], *, loopback: bool, max_upload_bytes: int
) -> list[str]:
    """Arguments for ``streamlit run``: the user's flags plus what the launcher needs."""
    argv = ["run", str(APP), *flags]
    if flag_value(flags, "server.maxUploadSize") is None:
        # Streamlit's own cap (MiB) must not be below the workflow's, which gives the message
        argv += ["--server.maxUploadSize", str(math.ceil(max_upload_bytes / 2**20))]
    if flag_value(flags, "server.fileWatcherType") is None:
        # a watcher reload would drop portal.runtime's installed objects from sys.modules
        argv += ["--server.fileWatcherType", "none"]
    if loopback and flag_value(flags, "server.address") is None:
        argv += ["--server.address", "127.0.0.1"]  # the demo login must not face a network
    for path in secrets_files:
        argv += ["--secrets.files", str(path)]
    return argv


READER_FLAG = "--reader"


def main(argv: Sequence[str] | None = None) -> int:
    """Serve; a problem the operator can fix (a bad setting, the database in use by another
    process) is one line on stderr and exit status 2, never a traceback."""
    flags = list(sys.argv[1:] if argv is None else argv)
    environ = dict(os.environ)
    if READER_FLAG in flags:
        flags = [flag for flag in flags if flag != READER_FLAG]
        environ["INFERBOARD_ROLE"] = "reader"
    try:
        return _serve(flags, environ)
    except InferboardError as exc:
        print(f"inferboard: cannot start: {exc.one_line()}", file=sys.stderr)
        return 2


def _run_streamlit(argv: list[str]) -> int:
    from streamlit.web import cli

    try:
        cli.main(args=argv, prog_name="streamlit", standalone_mode=False)
    except SystemExit as exc:  # streamlit exits through click on its own signals
        return exc.code if isinstance(exc.code, int) else 0
    return 0


@contextmanager
def _before_the_runtime() -> Iterator[None]:
    """Importing the views before Streamlit's runtime exists makes each ``@st.cache_data``
    log "No runtime found, using MemoryCacheStorageManager": nine warnings on every start,
    expected here (the warm-up caches nothing) and alarming to whoever runs ``make run``."""
    from streamlit.runtime.caching import cache_data_api  # sets its logger's level on import

    logger = logging.getLogger(cache_data_api.__name__)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _warm_up(built: runtime_module.Runtime) -> None:
    """The leaderboard's one-off first-visit costs (imports, query plans), paid before
    serving; a reader with no snapshot yet has nothing to warm."""
    with _before_the_runtime():
        from portal.leaderboard_views import warm_up

    try:
        reading = built.results.read()
    except InferboardError as exc:
        print(f"Inferboard: {exc.message}", flush=True)
        return
    try:
        warm_up(reading.cursor)
    finally:
        reading.cursor.close()


def _serve_reader(flags: list[str], values: dict[str, object]) -> int:
    """A reader: the public pages and the read API over the newest snapshot, read-only."""
    from portal import runtime

    built = runtime.build_reader(values)
    runtime.install(built)
    try:
        shown = built.shelf.current()
        where = shown.label if shown else "no snapshot yet: waiting for the writer's first"
        print(f"Inferboard reader: serving {where}", flush=True)
        _warm_up(built)
        argv = streamlit_argv(flags, [], loopback=False, max_upload_bytes=2**20)
        return _run_streamlit(argv)
    finally:
        runtime.install(None)
        built.close()


def _serve(flags: list[str], environ: dict[str, str]) -> int:
    secrets_path = PortalSettings.from_mapping(environ).secrets_path
    secrets = read_secrets(secrets_path)
    values = setting_values(environ, secrets)
    settings = PortalSettings.from_mapping(values)
    if settings.role == "reader":
        return _serve_reader(flags, values)
    use_demo = settings.demo_login and not has_real_auth(secrets)

    # heavy (streamlit, duckdb, the workflow): imported once the settings are known to be sane
    from portal import runtime

    with ExitStack() as stack:
        demo: DemoLogin | None = None
        secrets_files = [secrets_path] if secrets_path.is_file() else []
        if use_demo:
            address = flag_value(flags, "server.address") or "127.0.0.1"
            port = flag_value(flags, "server.port") or "8501"
            redirect_base = settings.public_url or f"http://{address}:{port}"
            issuer = stack.enter_context(running_provider(settings.demo_provider_port))
            generated = write_secrets(issuer, redirect_base, settings.runtime_dir)
            secrets_files.append(generated)  # later files win: its [auth] is the one used
            demo = DemoLogin(issuer=issuer, users=DEMO_USERS, secrets_file=generated)
            names = ", ".join(f"{user.email} ({user.role})" for user in DEMO_USERS)
            print(f"Inferboard demo login at {issuer}: one-click users {names}", flush=True)
        elif not has_real_auth(secrets):
            print("Inferboard: no [auth] section and the demo login is off: browse only")
        built = runtime.build_runtime(values, demo=demo)
        runtime.install(built)
        stack.callback(runtime.install, None)
        stack.callback(built.close)
        _warm_up(built)
        return _run_streamlit(
            streamlit_argv(
                flags,
                secrets_files,
                loopback=use_demo,
                max_upload_bytes=built.submission_settings.max_upload_bytes,
            )
        )
