"""``python -m cluster [--readers N] [--port 8080]``: writer, readers and nginx on loopback.

Runs until Ctrl-C (or SIGTERM), or until one member exits; then stops them all, nginx first
and the writer last. ``--for-seconds`` stops it by itself (a smoke run).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from cluster.nginx import WRITER_PATH, Layout
from cluster.supervisor import ROOT, ClusterError, start


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cluster", description=__doc__)
    parser.add_argument("--readers", type=int, default=2, help="reader processes (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx's loopback port")
    parser.add_argument("--writer-port", type=int, default=8701)
    parser.add_argument(
        "--reader-base-port", type=int, default=8711, help="readers listen here and up"
    )
    parser.add_argument("--runtime-dir", type=Path, default=ROOT / "var" / "cluster")
    parser.add_argument("--for-seconds", type=float, default=None, help="stop after this long")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 1 <= args.readers <= 16:
        print("error: --readers must be 1-16", file=sys.stderr)
        return 2
    layout = Layout(
        port=args.port,
        writer_port=args.writer_port,
        reader_ports=tuple(args.reader_base_port + i for i in range(args.readers)),
        runtime_dir=args.runtime_dir.resolve(),
    )
    layout.runtime_dir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops as Ctrl-C does
    print(f"starting the writer, {args.readers} readers and nginx (logs: {layout.runtime_dir})")
    try:
        cluster = start(layout)
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    print(
        f"Inferboard cluster at {cluster.url}/ (public pages and /api on the readers), "
        f"{cluster.url}/{WRITER_PATH}/ (log in, submit, review on the writer); "
        f"processes {cluster.pids()}; Ctrl-C stops it",
        flush=True,
    )
    deadline = None if args.for_seconds is None else time.monotonic() + args.for_seconds
    status = 0
    try:
        while deadline is None or time.monotonic() < deadline:
            gone = cluster.exited()
            if gone is not None:
                print(f"{gone.name} exited ({gone.process.returncode}); see {gone.log}")
                status = 1
                break
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping nginx, the readers, then the writer", flush=True)
        cluster.stop()
        print("stopped")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
