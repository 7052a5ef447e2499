"""Bad input is refused at plan time with no API call; Okta's errors reach the user clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from okta_emulator import AppKind, Emulator

from .conftest import HEADER, Terraform, header_with

VALID_PROFILE = """
  profile {
    auth_scheme = "TOKEN"
    token       = "t"
  }
"""


def resource(body: str) -> str:
    return f'resource "okta_app_connection" "this" {{\n{body}\n}}\n'


@pytest.mark.parametrize(
    ("body", "summary", "line"),
    [
        (f'id = ""\naction = "activate"\n{VALID_PROFILE}', "Invalid id", 'id = ""'),
        (f'id = ".."\naction = "activate"\n{VALID_PROFILE}', "Invalid id", 'id = ".."'),
        (f'id = "0oa1"\naction = "enable"\n{VALID_PROFILE}', "Invalid action", 'action = "enable"'),
        (
            f'id = "0oa1"\naction = "activate"\nbase_url = "scim.example.com"\n{VALID_PROFILE}',
            "Invalid base_url",
            'base_url = "scim.example.com"',
        ),
        (
            'id = "0oa1"\naction = "activate"\nprofile {\n  auth_scheme = "BASIC"\n}',
            "Invalid auth_scheme",
            'auth_scheme = "BASIC"',
        ),
        (
            'id = "0oa1"\naction = "activate"\nprofile {\n  auth_scheme = "TOKEN"\n}',
            "Missing token",
            "profile {",
        ),
        (
            'id = "0oa1"\naction = "activate"\n'
            'profile {\n  auth_scheme = "TOKEN"\n  token = "t"\n  client_id = "c"\n}',
            "client_id is not allowed with TOKEN",
            'client_id = "c"',
        ),
        (
            'id = "0oa1"\naction = "activate"\nprofile {\n  auth_scheme = "OAUTH2"\n  token = "t"\n}',
            "token is not allowed with OAUTH2",
            'token = "t"',
        ),
        (
            'id = "0oa1"\naction = "activate"\nbase_url = "https://x"\n'
            'profile {\n  auth_scheme = "OAUTH2"\n}',
            "base_url is not allowed with OAUTH2",
            'base_url = "https://x"',
        ),
        (
            'id = "0oa1"\naction = "activate"\nprofile {\n  auth_scheme = "OAUTH2"\n'
            '  signing {\n    rotation_mode = "WEEKLY"\n  }\n}',
            "Invalid rotation_mode",
            'rotation_mode = "WEEKLY"',
        ),
        (
            'id = "0oa1"\naction = "activate"\nprofile {\n  auth_scheme = "OAUTH2"\n'
            '  settings {\n    admin_username = "a"\n  }\n}',
            "Missing admin_password",
            "settings {",
        ),
        ('id = "0oa1"\naction = "activate"\n', "profile block", 'resource "okta_app_connection" "this"'),
    ],
    ids=[
        "empty-id",
        "dot-dot-id",
        "action",
        "base_url",
        "auth_scheme",
        "token-missing",
        "client_id-with-token",
        "token-with-oauth2",
        "base_url-with-oauth2",
        "rotation_mode",
        "settings-incomplete",
        "profile-missing",
    ],
)
def test_invalid_configuration_is_refused_before_any_api_call(
    terraform: Terraform, emulator: Emulator, body: str, summary: str, line: str
) -> None:
    terraform.write(resource(body))
    terraform.init()
    plan = terraform.run("plan", "-input=false", expect=1)
    assert summary in plan.stderr
    assert line in plan.stderr, "the error must point at the offending line"
    assert emulator.store.requests() == []


def test_unknown_values_are_validated_once_known(terraform: Terraform, emulator: Emulator) -> None:
    # timestamp() is unknown until apply, on every Terraform version.
    unknown_until_apply = '"${substr(timestamp(), 0, 0)}enable"'
    terraform.write(resource(f'id = "0oa1"\naction = {unknown_until_apply}\n{VALID_PROFILE}'))
    terraform.init()
    terraform.run("plan", "-input=false")
    applied = terraform.apply(expect=1)
    assert "Invalid action" in applied.stderr
    assert emulator.store.requests() == []


def test_wrong_api_token_gives_a_clear_401(terraform: Terraform, emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(resource(f'id = "{app_id}"\naction = "activate"\n{VALID_PROFILE}'))
    terraform.init()
    applied = terraform.apply(expect=1, env={"OKTA_API_TOKEN": "not-the-token"})
    assert "Okta API error 401 E0000011" in applied.stderr
    assert "OKTA_API_TOKEN" in applied.stderr
    assert "not-the-token" not in applied.stdout + applied.stderr


def test_unknown_application_gives_a_clear_404(terraform: Terraform, emulator: Emulator) -> None:
    terraform.write(resource(f'id = "0oaDOESNOTEXIST"\naction = "activate"\n{VALID_PROFILE}'))
    terraform.init()
    applied = terraform.apply(expect=1)
    assert "Okta API error 404 E0000007" in applied.stderr
    assert "0oaDOESNOTEXIST" in applied.stderr
    assert terraform.resources() == {}


def test_application_without_provisioning_is_refused_by_name(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.UNSUPPORTED)
    terraform.write(resource(f'id = "{app_id}"\naction = "activate"\n{VALID_PROFILE}'))
    terraform.init()
    applied = terraform.apply(expect=1)
    assert "does not support provisioning connections" in applied.stderr
    assert app_id in applied.stderr
    assert terraform.resources() == {}


def test_import_of_an_unknown_application_is_a_clear_error(terraform: Terraform, emulator: Emulator) -> None:
    terraform.write(resource(f'id = "0oaMISSING"\naction = "activate"\n{VALID_PROFILE}'))
    terraform.init()
    done = terraform.run("import", "-input=false", "okta_app_connection.this", "0oaMISSING", expect=1)
    assert "Okta API error 404 E0000007" in done.stderr


def test_missing_provider_settings_name_argument_and_variable(
    terraform: Terraform, emulator: Emulator
) -> None:
    terraform.write(resource(f'id = "0oa1"\naction = "activate"\n{VALID_PROFILE}'))
    terraform.init()
    env = {"OKTA_ORG_URL": "", "OKTA_API_TOKEN": ""}
    applied = terraform.apply(expect=1, env=env)
    assert "The Okta org is not set" in applied.stderr and "OKTA_ORG_URL" in applied.stderr
    assert "No Okta credentials are set" in applied.stderr and "OKTA_API_TOKEN" in applied.stderr


def test_plain_http_to_a_remote_host_is_refused(terraform: Terraform, emulator: Emulator) -> None:
    terraform.write(resource(f'id = "0oa1"\naction = "activate"\n{VALID_PROFILE}'))
    terraform.init()
    applied = terraform.apply(expect=1, env={"OKTA_ORG_URL": "http://dev-123456.okta.com"})
    assert "Invalid org_url (OKTA_ORG_URL)" in applied.stderr
    assert emulator.store.requests() == []


def test_ids_that_would_call_another_url_are_refused_before_any_api_call(
    terraform: Terraform, emulator: Emulator
) -> None:
    terraform.write('data "okta_app_connection" "this" {\n  id = "../users"\n}\n')
    terraform.init()
    plan = terraform.run("plan", "-input=false", expect=1)
    assert "Invalid id" in plan.stderr and 'id = "../users"' in plan.stderr
    terraform.write(resource(f'id = "0oa1"\naction = "activate"\n{VALID_PROFILE}'))
    done = terraform.run("import", "-input=false", "okta_app_connection.this", "..", expect=1)
    assert "Invalid import ID" in done.stderr
    assert emulator.store.requests() == []


def test_an_invalid_base_url_from_a_sensitive_variable_is_not_repeated(
    terraform: Terraform, emulator: Emulator
) -> None:
    terraform.write(
        'variable "scim_url" {\n  sensitive = true\n'
        '  default   = "https//scimuser:SCIM-URL-PASSWORD@scim.example.com/v2"\n}\n'
        + resource(f'id = "0oa1"\naction = "activate"\nbase_url = var.scim_url\n{VALID_PROFILE}')
    )
    terraform.init()
    plan = terraform.run("plan", "-input=false", expect=1)
    assert "Invalid base_url" in plan.stderr
    assert "SCIM-URL-PASSWORD" not in plan.stdout + plan.stderr
    assert emulator.store.requests() == []


@pytest.mark.parametrize(
    ("header", "env", "summary"),
    [
        (header_with(org_url="https://[dev.okta.com"), {}, "Invalid org_url"),
        (header_with(org_url="https://xn--.okta.com"), {}, "Invalid org_url"),
        (
            # Terraform quotes the line in error, so the password comes from a sensitive variable.
            'variable "proxy" {\n  sensitive = true\n  default   = "http://u:S3cret@[::1"\n}\n'
            + HEADER.replace('provider "okta" {}', 'provider "okta" {\n  http_proxy = var.proxy\n}'),
            {},
            "Unsupported proxy",
        ),
        (HEADER, {"OKTA_ORG_URL": "https://xn--.okta.com"}, "Invalid org_url (OKTA_ORG_URL)"),
        (
            HEADER,
            {"OKTA_ORG_URL": "https://dev-123456.okta.com", "HTTPS_PROXY": "http://u:S3cret@proxy\t:3128"},
            "Unsupported proxy",
        ),
        (
            'variable "proxy" {\n  sensitive = true\n  default   = "http://u:S3cret@[v1.x]:80"\n}\n'
            + HEADER.replace('provider "okta" {}', 'provider "okta" {\n  http_proxy = var.proxy\n}'),
            {},
            "Unsupported proxy",
        ),
        (
            HEADER,
            {"OKTA_ORG_URL": "https://dev-123456.okta.com", "HTTPS_PROXY": "http://u:S3cret@[::1]]:80"},
            "Unsupported proxy",
        ),
    ],
    ids=[
        "org_url-bracket",
        "org_url-idna",
        "http_proxy-bracket",
        "OKTA_ORG_URL-idna",
        "HTTPS_PROXY-tab",
        "http_proxy-ipvfuture",
        "HTTPS_PROXY-two-brackets",
    ],
)
def test_provider_urls_the_client_cannot_use_are_named_not_internal_errors(
    terraform: Terraform, emulator: Emulator, header: str, env: dict[str, str], summary: str
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(
        f'data "okta_app_connection" "this" {{\n  id = "{app_id}"\n}}\n'
        + resource(f'id = "{app_id}"\naction = "activate"\n{VALID_PROFILE}'),
        header=header,
    )
    terraform.init()
    plan = terraform.run("plan", "-input=false", expect=1, env=env)
    assert summary in plan.stderr
    assert "Internal error" not in plan.stderr and "S3cret" not in plan.stdout + plan.stderr
    assert emulator.store.requests() == []


def service_app_header(directory: Path, scopes: str) -> str:
    """A provider block authenticating as an OAuth service app, with these scopes."""
    key = directory / "service-app.pem"
    key.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    provider = (
        'provider "okta" {\n'
        '  client_id   = "0oaserviceapp1234567"\n'
        f'  private_key = "{key}"\n'
        f"  scopes      = {scopes}\n"
        "}"
    )
    return HEADER.replace('provider "okta" {}', provider)


@pytest.mark.parametrize(
    ("scopes", "summary", "line"),
    [
        # timestamp() is unknown until apply, on every Terraform version.
        (
            '["okta.apps.read", "${substr(timestamp(), 0, 0)}okta.apps.manage"]',
            "scopes is not known yet",
            None,
        ),
        ('[""]', "Invalid scopes", 'scopes      = [""]'),
        ('["okta.apps.read okta.apps.manage"]', "Invalid scopes", "scopes      = "),
    ],
    ids=["unknown-element", "empty", "spaced"],
)
def test_scopes_that_cannot_be_asked_for_never_reach_the_token_endpoint(
    terraform: Terraform, emulator: Emulator, scopes: str, summary: str, line: str | None
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    del terraform.env["OKTA_API_TOKEN"]
    terraform.write(
        f'data "okta_app_connection" "this" {{\n  id = "{app_id}"\n}}\n',
        header=service_app_header(terraform.workdir, scopes),
    )
    terraform.init()
    plan = terraform.run("plan", "-input=false", expect=1)
    assert summary in plan.stderr
    if line is not None:
        assert line in plan.stderr, "the error must point at the offending line"
    assert emulator.store.requests() == [], "no token request, and no scope named Unknown"
