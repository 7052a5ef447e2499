"""Command line of the Okta emulator: `okta-emulator` or `python -m okta_emulator`.

Serves on loopback until SIGTERM or SIGINT. The API token comes from `--api-token`, else from
the `OKTA_EMULATOR_API_TOKEN` environment variable (preferred: flags are visible in `ps`), else
it is generated and printed once. Logs one line per request to stderr, never headers or bodies.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import secrets
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from okta_emulator.messages import LOG
from okta_emulator.server import Emulator, is_loopback
from okta_emulator.store import AppKind

TOKEN_ENV = "OKTA_EMULATOR_API_TOKEN"


def _app_spec(text: str) -> tuple[AppKind, str | None]:
    kind_text, separator, app_id = text.partition(":")
    try:
        kind = AppKind(kind_text)
    except ValueError:
        choices = ", ".join(member.value for member in AppKind)
        raise argparse.ArgumentTypeError(f"unknown app kind {kind_text!r} (choose from {choices})") from None
    if separator and not app_id:
        raise argparse.ArgumentTypeError(f"empty app id in {text!r}")
    return kind, app_id or None


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _port(text: str) -> int:
    value = _non_negative(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be at most 65535, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command-line parser."""
    parser = argparse.ArgumentParser(
        prog="okta-emulator",
        description="Local in-memory emulator of Okta's app provisioning-connection API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=8787, help="port to bind; 0 picks a free one (default 8787)"
    )
    parser.add_argument(
        "--api-token",
        help=f"API token clients send as 'SSWS <token>'; prefer the {TOKEN_ENV} environment variable, "
        "since flags are visible to other users; generated and printed when neither is given",
    )
    parser.add_argument(
        "--app",
        type=_app_spec,
        action="append",
        default=[],
        metavar="KIND[:ID]",
        help="seed an app (repeatable); KIND is one of " + ", ".join(member.value for member in AppKind),
    )
    parser.add_argument(
        "--rate-limit",
        type=_non_negative,
        default=600,
        metavar="N",
        help="/api/v1/apps/* requests allowed per minute (default 600)",
    )
    parser.add_argument(
        "--latency-ms",
        type=_non_negative,
        default=0,
        metavar="N",
        help="delay before each /api/v1 answer, in ms (default 0)",
    )
    parser.add_argument(
        "--concurrency-limit",
        type=_non_negative,
        metavar="N",
        help="/api/v1/apps/* requests allowed in flight at once; more get 429 (default: no limit)",
    )
    parser.add_argument(
        "--require-dpop",
        action="store_true",
        help="make /oauth2/v1/token demand DPoP proofs and grant DPoP-bound access tokens",
    )
    parser.add_argument("--ready-file", type=Path, metavar="PATH", help="write the URL here once listening")
    return parser


def _write_atomically(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    LOG.addHandler(handler)
    LOG.setLevel(logging.INFO)
    LOG.propagate = False


def run(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until SIGTERM or SIGINT; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(
            f"--host must be a loopback address (127.0.0.1, ::1 or localhost), not {args.host!r}: "
            "the emulator's admin API is unauthenticated"
        )
    token = args.api_token or os.environ.get(TOKEN_ENV) or ""
    generated = not token
    if generated:
        token = secrets.token_urlsafe(32)

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    _configure_logging()

    emulator = Emulator(
        api_token=token,
        host=args.host,
        port=args.port,
        rate_limit_per_minute=args.rate_limit,
        latency_ms=args.latency_ms,
        concurrency_limit=args.concurrency_limit,
        require_dpop=args.require_dpop,
    )
    seeded: list[tuple[AppKind, str]] = []
    for kind, app_id in args.app:
        try:
            seeded.append((kind, emulator.store.add_app(kind, app_id)))
        except ValueError as exc:
            parser.error(f"--app {kind.value}:{app_id}: {exc}")
    try:
        emulator.start()
    except OSError as exc:
        print(f"okta-emulator: error: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"okta-emulator listening on {emulator.url}", flush=True)
        if generated:
            print(f"api-token {token}", flush=True)
        for kind, app_id in seeded:
            print(f"app {kind.value} {app_id}", flush=True)
        if args.ready_file is not None:
            _write_atomically(args.ready_file, emulator.url)
        stop.wait()
    except OSError as exc:
        print(f"okta-emulator: error: {exc}", file=sys.stderr)
        return 1
    finally:
        emulator.stop()
        if args.ready_file is not None:
            with contextlib.suppress(FileNotFoundError):
                args.ready_file.unlink()
    return 0


def main() -> None:
    """Console-script entry point."""
    raise SystemExit(run())


if __name__ == "__main__":
    main()
