"""Loading a service app's private key; cryptography is imported only when a key is loaded."""

from __future__ import annotations

from typing import Any


class InvalidPrivateKey(ValueError):
    """The private key is not a PEM RSA or P-256 EC private key; the message never quotes it."""


def load_private_key(pem: str) -> tuple[Any, str]:
    """The key and its JWS algorithm: RS256 for RSA (PKCS#1 or PKCS#8), ES256 for P-256."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidPrivateKey("not an unencrypted PEM private key (PKCS#1 or PKCS#8)") from exc
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise InvalidPrivateKey("RSA keys must have at least 2048 bits")
        return key, "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        return key, "ES256"
    raise InvalidPrivateKey("only RSA and P-256 (EC) keys are supported")
