"""The data sources with real Terraform: a connection as Okta reports it, and its key set."""

from __future__ import annotations

import json

import httpx

from okta_emulator import AppKind, Emulator

from .conftest import API_TOKEN, Terraform


def configure_at_okta(emulator: Emulator, app_id: str, body: dict[str, object], activate: bool) -> None:
    url = f"{emulator.url}/api/v1/apps/{app_id}/connections/default"
    headers = {"Authorization": f"SSWS {API_TOKEN}"}
    response = httpx.post(url, json=body, params={"activate": str(activate).lower()}, headers=headers)
    response.raise_for_status()


def outputs(terraform: Terraform) -> dict[str, object]:
    shown = json.loads(terraform.run("output", "-json").stdout)
    return {name: value["value"] for name, value in shown.items()}


def test_read_a_connection_as_okta_reports_it(terraform: Terraform, emulator: Emulator) -> None:
    token_app = emulator.store.add_app(AppKind.ORG2ORG)
    oauth_app = emulator.store.add_app(AppKind.ORG2ORG)
    configure_at_okta(
        emulator,
        token_app,
        {"baseUrl": "https://scim.example.com", "profile": {"authScheme": "TOKEN", "token": "t"}},
        True,
    )
    configure_at_okta(
        emulator,
        oauth_app,
        {"profile": {"authScheme": "OAUTH2", "clientId": "0oaTarget", "signing": {"rotationMode": "AUTO"}}},
        False,
    )
    terraform.write(
        f"""
data "okta_app_connection" "token" {{
  id = "{token_app}"
}}

data "okta_app_connection" "oauth" {{
  id = "{oauth_app}"
}}

output "token" {{
  value = data.okta_app_connection.token
}}

output "rotation_mode" {{
  value = data.okta_app_connection.oauth.profile.signing.rotation_mode
}}

output "oauth_status" {{
  value = data.okta_app_connection.oauth.status
}}
"""
    )
    terraform.init()
    terraform.apply()
    found = outputs(terraform)
    token = found["token"]
    assert isinstance(token, dict)
    assert (token["status"], token["auth_scheme"], token["base_url"]) == (
        "ENABLED",
        "TOKEN",
        "https://scim.example.com",
    )
    assert found["rotation_mode"] == "AUTO"
    assert found["oauth_status"] == "DISABLED"
    assert [entry.method for entry in emulator.store.requests()][-2:] == ["GET", "GET"]


def test_read_the_key_set(terraform: Terraform, emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(
        f"""
data "okta_app_connection_jwks" "this" {{
  id = "{app_id}"
}}

output "kids" {{
  value = [for key in data.okta_app_connection_jwks.this.keys : key.kid]
}}

output "document" {{
  value = jsondecode(data.okta_app_connection_jwks.this.jwks_json)
}}
"""
    )
    terraform.init()
    terraform.apply()
    found = outputs(terraform)
    kids = found["kids"]
    assert isinstance(kids, list) and kids and all(kids)
    document = found["document"]
    assert isinstance(document, dict) and [key["kid"] for key in document["keys"]] == kids


def test_errors_are_as_clear_as_the_resources(terraform: Terraform, emulator: Emulator) -> None:
    unsupported = emulator.store.add_app(AppKind.GOOGLE)
    terraform.write(
        f"""
data "okta_app_connection" "missing" {{
  id = "0oaMISSING"
}}

data "okta_app_connection_jwks" "no_keys" {{
  id = "{unsupported}"
}}
"""
    )
    terraform.init()
    failed = terraform.run("plan", "-input=false", expect=1)
    assert "Okta API error 404 E0000007" in failed.stderr
    assert 'reading the provisioning connection of application "0oaMISSING"' in failed.stderr
    assert f'reading the key set of application "{unsupported}"' in failed.stderr
