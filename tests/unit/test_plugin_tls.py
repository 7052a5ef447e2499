"""The cached plugin certificate: reused only when private and valid; never a reason to fail."""

from __future__ import annotations

import json
import os
import ssl
import time
from pathlib import Path

from provider.plugin.tls import CACHE_FILE, RENEW_BEFORE_SECONDS, server_tls


def test_a_certificate_is_cached_privately_and_reused(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    first = server_tls(directory)
    assert oct(directory.stat().st_mode & 0o777) == "0o700"
    assert oct((directory / CACHE_FILE).stat().st_mode & 0o777) == "0o600"
    assert server_tls(directory) == first
    assert ssl.DER_cert_to_PEM_cert(first.cert_der).strip() == first.cert_pem.decode().strip()


def test_a_cache_others_can_read_is_not_trusted(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    first = server_tls(directory)
    os.chmod(directory / CACHE_FILE, 0o644)
    second = server_tls(directory)
    assert second.cert_pem != first.cert_pem
    assert oct((directory / CACHE_FILE).stat().st_mode & 0o777) == "0o600", "replaced by a private one"


def test_a_certificate_close_to_expiry_is_renewed(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    first = server_tls(directory)
    cached = json.loads((directory / CACHE_FILE).read_text())
    cached["not_after"] = time.time() + RENEW_BEFORE_SECONDS / 2
    (directory / CACHE_FILE).write_text(json.dumps(cached))
    assert server_tls(directory).cert_pem != first.cert_pem


def test_a_corrupt_cache_is_replaced(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    server_tls(directory)
    (directory / CACHE_FILE).write_text("{not json")
    assert server_tls(directory).cert_pem.startswith(b"-----BEGIN CERTIFICATE-----")


def test_an_unwritable_cache_still_gives_a_certificate(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    tls = server_tls(blocked / "cache")
    assert tls.key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
