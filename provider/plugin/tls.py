"""The plugin's server certificate: a P-256 key, cached privately so start-up skips `cryptography`.

Terraform trusts exactly the certificate printed in the handshake; mutual TLS (mtls.py) checks
Terraform's side in turn. Generating a certificate costs the `cryptography` import at every
start (three to five per Terraform command), so a certificate valid for 30 days is kept in
`$XDG_CACHE_HOME/terraform-provider-okta` (default `~/.cache/...`): a directory of mode 0700
and a file of mode 0600, both owned by the user, or the cache is not used. Only a certificate
valid now, at both ends, is reused: after the clock is set back, a certificate whose notBefore
lies ahead would make Terraform refuse the plugin. A cache that cannot be read or written never
stops the provider: it then generates a certificate in memory.
"""

from __future__ import annotations

import json
import os
import ssl
import stat
import time
from dataclasses import dataclass

VALID_DAYS = 30
RENEW_BEFORE_SECONDS = 24 * 3600
# notBefore lies a little in the past, for a clock that is slightly behind ours.
BACKDATE_SECONDS = 5 * 60
CACHE_FILE = "plugin-tls.json"
# os.path strings (or any path-like), not pathlib, which no other module loads before the
# handshake: importing it would cost about 2 ms of every start.
StrPath = str | os.PathLike[str]


@dataclass(frozen=True, repr=False)
class ServerTLS:
    """The server's key and certificate; its repr is object's, so a log line never shows the key."""

    key_pem: bytes
    cert_pem: bytes
    not_before: float
    not_after: float

    @property
    def cert_der(self) -> bytes:
        return ssl.PEM_cert_to_DER_cert(self.cert_pem.decode())


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "terraform-provider-okta")


def _private(path: StrPath, mode: int, kind: int) -> bool:
    """Owned by us, of the expected kind (not a link), and not readable by anybody else."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_IFMT(info.st_mode) == kind
        and info.st_uid == os.getuid()
        and stat.S_IMODE(info.st_mode) == mode
    )


def _load(directory: StrPath) -> ServerTLS | None:
    path = os.path.join(directory, CACHE_FILE)
    if not (_private(directory, 0o700, stat.S_IFDIR) and _private(path, 0o600, stat.S_IFREG)):
        return None
    try:
        with open(path, encoding="utf-8") as file:
            cached = json.load(file)
        tls = ServerTLS(
            cached["key_pem"].encode(),
            cached["cert_pem"].encode(),
            float(cached["not_before"]),
            float(cached["not_after"]),
        )
        tls.cert_der  # noqa: B018 - a PEM that does not parse makes the cache unusable
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    now = time.time()
    return tls if tls.not_before <= now and tls.not_after - now > RENEW_BEFORE_SECONDS else None


def _store(directory: StrPath, tls: ServerTLS) -> None:
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        if not _private(directory, 0o700, stat.S_IFDIR):
            return
        temporary = os.path.join(directory, f".{CACHE_FILE}.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(
                {
                    "key_pem": tls.key_pem.decode(),
                    "cert_pem": tls.cert_pem.decode(),
                    "not_before": tls.not_before,
                    "not_after": tls.not_after,
                },
                file,
            )
        os.replace(temporary, os.path.join(directory, CACHE_FILE))
    except OSError:
        return


def generate() -> ServerTLS:
    """A new key pair and self-signed certificate for `localhost`, in memory."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    not_before = now - timedelta(seconds=BACKDATE_SECONDS)
    not_after = now + timedelta(days=VALID_DAYS)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    return ServerTLS(
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        not_before=not_before.timestamp(),
        not_after=not_after.timestamp(),
    )


def server_tls(directory: StrPath | None = None) -> ServerTLS:
    """The cached certificate when it is private, already valid and valid for another day; else a new one."""
    directory = directory or cache_dir()
    cached = _load(directory)
    if cached is not None:
        return cached
    fresh = generate()
    _store(directory, fresh)
    return fresh
