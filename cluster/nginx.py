"""The load balancer's configuration: Debian's nginx in front of the readers and the writer.

- ``/portal/`` goes to the writer (Streamlit's ``server.baseUrlPath`` is ``portal``): logins,
  uploads, review, the audit log; its WebSocket is ``/portal/_stcore/stream``, so nginx can
  tell it from the readers' by the path alone.
- everything else (the public pages, their WebSockets, static files, ``/api``) goes to the
  readers, with sticky sessions: Streamlit keeps a session (widget state, the files behind a
  download button under ``/media``) in the process that opened it, so every request of one
  browser must reach the same reader. Open-source nginx has no sticky cookie of its own, so
  the first answer sets ``inferboard_route`` to nginx's random ``$request_id`` and the
  upstream is chosen by a consistent hash of that cookie (a new visitor: of a fresh random
  key). Clients without cookies (API scripts) are spread over the readers; a reader that
  stops answering is taken out and its visitors' hash moves to another one.
- WebSockets: HTTP/1.1 with ``Upgrade``/``Connection`` passed on, an hour of idle time.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

INSTALL_HINT: Final = (
    "nginx is not installed: the cluster uses Debian's package, `apt-get install -y nginx` "
    "(`make system-deps` installs it)"
)
WRITER_PATH: Final = "portal"  # the writer's server.baseUrlPath; its pages are /portal/...
ROUTE_COOKIE: Final = "inferboard_route"


def nginx_binary() -> Path | None:
    """Debian's nginx, or None when it is not installed."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).is_file()), None
    )
    return Path(found) if found else None


@dataclass(frozen=True)
class Layout:
    """Who listens where (all on loopback)."""

    port: int
    writer_port: int
    reader_ports: tuple[int, ...]
    runtime_dir: Path


def render(layout: Layout, *, user: str | None = None) -> str:
    """nginx.conf for ``layout``; ``user`` only when nginx starts as root (its workers then
    run as that user, who must be able to write the temporary folders)."""
    run = layout.runtime_dir
    readers = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
        for port in layout.reader_ports
    )
    temp = "\n".join(
        f"    {kind}_temp_path {run / 'tmp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user_line = f"user {user};\n" if user else ""
    return f"""# written by python -m cluster; regenerated on every start
{user_line}daemon off;
worker_processes 1;
pid {run / "nginx.pid"};
error_log {run / "nginx-error.log"} warn;
events {{ worker_connections 4096; }}

http {{
    access_log {run / "nginx-access.log"} combined buffer=64k flush=1s;
{temp}
    client_max_body_size 0;  # the writer checks upload sizes and says so
    server_tokens off;

    map $http_upgrade $connection_upgrade {{ default upgrade; "" ""; }}
    map $cookie_{ROUTE_COOKIE} $route_key {{ "" $request_id; default $cookie_{ROUTE_COOKIE}; }}
    map $cookie_{ROUTE_COOKIE} $route_cookie {{
        "" "{ROUTE_COOKIE}=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}

    upstream inferboard_readers {{
        hash $route_key consistent;
{readers}
        keepalive 64;
    }}
    upstream inferboard_writer {{
        server 127.0.0.1:{layout.writer_port};
        keepalive 8;
    }}

    server {{
        listen 127.0.0.1:{layout.port};
        proxy_http_version 1.1;
        proxy_set_header Host $http_host;  # Streamlit compares a WebSocket's Origin with it
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_read_timeout 3600s;
        proxy_send_timeout 3600s;
        proxy_next_upstream error timeout;

        location = /{WRITER_PATH} {{ return 301 /{WRITER_PATH}/; }}
        location /{WRITER_PATH}/ {{
            proxy_pass http://inferboard_writer;
        }}
        location / {{
            proxy_pass http://inferboard_readers;
            add_header Set-Cookie $route_cookie always;
            add_header Inferboard-Upstream $upstream_addr always;
        }}
    }}
}}
"""
