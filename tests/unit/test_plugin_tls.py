"""The cached plugin certificate: reused only when private and valid; never a reason to fail."""

from __future__ import annotations

import json
import os
import ssl
import time
from pathlib import Path

from cryptography import x509

from provider.plugin.tls import CACHE_FILE, RENEW_BEFORE_SECONDS, server_tls


def test_its_repr_never_shows_the_private_key(tmp_path: Path) -> None:
    tls = server_tls(tmp_path / "cache")
    assert b"PRIVATE KEY" in tls.key_pem
    assert "PRIVATE KEY" not in repr(tls) and "PRIVATE KEY" not in str(tls)


def rewrite_cache(directory: Path, **fields: object) -> None:
    cached = json.loads((directory / CACHE_FILE).read_text())
    cached.update(fields)
    (directory / CACHE_FILE).write_text(json.dumps(cached))


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
    rewrite_cache(directory, not_after=time.time() + RENEW_BEFORE_SECONDS / 2)
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


def test_a_certificate_not_yet_valid_is_replaced(tmp_path: Path) -> None:
    """After the clock is set back, the cached certificate's notBefore lies in the future."""
    directory = tmp_path / "cache"
    first = server_tls(directory)
    rewrite_cache(directory, not_before=time.time() + 3600)
    second = server_tls(directory)
    assert second.cert_pem != first.cert_pem
    assert second.not_before <= time.time()


def test_a_cache_that_does_not_say_when_it_becomes_valid_is_replaced(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    first = server_tls(directory)
    cached = json.loads((directory / CACHE_FILE).read_text())
    del cached["not_before"]
    (directory / CACHE_FILE).write_text(json.dumps(cached))
    assert server_tls(directory).cert_pem != first.cert_pem


def test_the_cached_validity_is_the_certificates(tmp_path: Path) -> None:
    tls = server_tls(tmp_path / "cache")
    cert = x509.load_pem_x509_certificate(tls.cert_pem)
    assert cert.not_valid_before_utc.timestamp() == int(tls.not_before)
    assert cert.not_valid_after_utc.timestamp() == int(tls.not_after)
    assert tls.not_before < time.time() < tls.not_after
