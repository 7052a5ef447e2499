"""Fixtures for the emulator tests: a running emulator and HTTP clients for it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from okta_emulator import Emulator

from .helpers import API_TOKEN, http_client
from .jwt_helpers import new_ec_key, new_rsa_key


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A fresh emulator on a free loopback port."""
    with Emulator(api_token=API_TOKEN) as emu:
        yield emu


@pytest.fixture
def client(emulator: Emulator) -> Iterator[httpx.Client]:
    """A client sending the right `SSWS` token."""
    with http_client(emulator.url) as http:
        yield http


@pytest.fixture
def anonymous(emulator: Emulator) -> Iterator[httpx.Client]:
    """A client sending no credentials (the admin API needs none)."""
    with http_client(emulator.url, token=None) as http:
        yield http


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    """An RSA key for service apps and DPoP, generated once per run."""
    return new_rsa_key()


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    """An EC P-256 key for service apps and DPoP, generated once per run."""
    return new_ec_key()
