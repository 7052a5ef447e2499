"""OAuth 2.0 service-app authentication end to end: token cached, scopes enforced, DPoP, no leaks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from okta_emulator import AppKind, Emulator

from .conftest import HEADER, Terraform, token_connection

CLIENT_ID = "0oaserviceapp1234567"


@pytest.fixture(scope="module")
def service_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def write_key(directory: Path, key: rsa.RSAPrivateKey) -> Path:
    path = directory / "service-app.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return path


def configure(terraform: Terraform, key_path: Path, app_ids: list[str], scopes: str = "") -> None:
    provider = (
        'provider "okta" {\n'
        f'  client_id      = "{CLIENT_ID}"\n'
        f'  private_key    = "{key_path}"\n'
        '  private_key_id = "kid-1"\n'
        f"{scopes}"
        "}"
    )
    body = "".join(
        f"""
resource "okta_app_connection" "c{index}" {{
  id     = "{app_id}"
  action = "activate"
  profile {{
    auth_scheme = "TOKEN"
    token       = "scim-token-{index}"
  }}
}}
"""
        for index, app_id in enumerate(app_ids)
    )
    terraform.write(body, header=HEADER.replace('provider "okta" {}', provider))
    terraform.init()


def register(emulator: Emulator, key: rsa.RSAPrivateKey, scopes: list[str]) -> None:
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    emulator.store.add_service_app(CLIENT_ID, public, scopes, key_id="kid-1")


def without_api_token(terraform: Terraform) -> dict[str, str]:
    terraform.env.pop("OKTA_API_TOKEN")
    return terraform.env


def test_one_token_serves_a_whole_run(
    terraform: Terraform, emulator: Emulator, service_key: rsa.RSAPrivateKey
) -> None:
    register(emulator, service_key, ["okta.apps.manage", "okta.apps.read"])
    app_ids = [emulator.store.add_app(AppKind.ORG2ORG) for _ in range(5)]
    without_api_token(terraform)
    configure(terraform, write_key(terraform.workdir, service_key), app_ids)
    terraform.apply()
    assert all(emulator.store.connection(app_id).status == "ENABLED" for app_id in app_ids)
    assert emulator.store.tokens_issued == 1, "one token for five creates in one provider process"
    terraform.assert_no_changes()


def test_a_missing_scope_is_a_clear_403(
    terraform: Terraform, emulator: Emulator, service_key: rsa.RSAPrivateKey
) -> None:
    register(emulator, service_key, ["okta.apps.read"])
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    without_api_token(terraform)
    configure(
        terraform,
        write_key(terraform.workdir, service_key),
        [app_id],
        scopes='  scopes = ["okta.apps.read"]\n',
    )
    failed = terraform.apply(expect=1)
    assert "Okta API error 403 E0000006" in failed.stderr
    # Okta's cause (WWW-Authenticate: error="insufficient_scope"), the scope, and the argument to
    # change; no word of an API token, which this configuration does not use.
    output = " ".join(failed.stderr.split())
    assert "Okta's WWW-Authenticate: insufficient_scope" in output
    assert "lacks the scope okta.apps.manage" in output
    assert "Add okta.apps.manage to scopes (OKTA_API_SCOPES)" in output
    assert "API token" not in output
    assert not emulator.store.connection(app_id).configured


def test_dpop_bound_tokens_and_no_secret_in_trace_logs(
    terraform: Terraform, emulator: Emulator, service_key: rsa.RSAPrivateKey
) -> None:
    emulator.require_dpop = True
    register(emulator, service_key, ["okta.apps.manage", "okta.apps.read"])
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    without_api_token(terraform)
    key_path = write_key(terraform.workdir, service_key)
    configure(terraform, key_path, [app_id])

    captured: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: captured.append(record.getMessage() + str(vars(record)))  # type: ignore[method-assign]
    logging.getLogger("okta_emulator").addHandler(handler)
    try:
        applied = terraform.apply(env={"TF_LOG": "TRACE"})
    finally:
        logging.getLogger("okta_emulator").removeHandler(handler)
    assert emulator.store.connection(app_id).status == "ENABLED"

    pem_body = key_path.read_text().splitlines()[1]
    output = applied.stdout + applied.stderr + "".join(captured)
    assert "client_assertion" in output, "the token request must be in the trace, redacted"
    for secret in (pem_body, "scim-token-0", *emulator.store.issued_token_values()):
        assert secret not in output


def test_an_access_token_obtained_elsewhere(terraform: Terraform, emulator: Emulator) -> None:
    emulator.store.add_access_token("pipeline-access-token-5d1c", ["okta.apps.manage", "okta.apps.read"])
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    env = without_api_token(terraform)
    env["OKTA_ACCESS_TOKEN"] = "pipeline-access-token-5d1c"
    terraform.write(token_connection(app_id))
    terraform.init()
    applied = terraform.apply(env={"TF_LOG": "TRACE"})
    assert emulator.store.connection(app_id).status == "ENABLED"
    assert "pipeline-access-token-5d1c" not in applied.stdout + applied.stderr
    assert emulator.store.tokens_issued == 0
