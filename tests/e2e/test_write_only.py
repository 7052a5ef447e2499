"""Write-only token_wo and admin_password_wo with the real Terraform: kept out of state and plans.

Terraform 1.11 and later pass write-only values to the provider without storing them; older
Terraform does not know them, and the provider refuses them there before anything happens.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from okta_emulator import AppKind, Emulator

from .conftest import Terraform, api_calls, grant_consent, header_with, terraform_version
from .test_consent import office365

WRITE_ONLY_TERRAFORM = terraform_version() >= (1, 11)
needs_write_only = pytest.mark.skipif(
    not WRITE_ONLY_TERRAFORM, reason="write-only arguments need Terraform 1.11 or newer"
)
before_write_only = pytest.mark.skipif(
    WRITE_ONLY_TERRAFORM, reason="checks the refusal by a Terraform without write-only arguments"
)

TOKEN = "wo-scim-token-never-stored-5c2a"
ROTATED = "wo-scim-token-rotated-8d41"
ADMIN_PASSWORD = "wo-admin-password-never-stored-3e9b"
EPHEMERAL_VARIABLE = """
variable "scim_token" {
  type      = string
  ephemeral = true
}
"""


def token_wo_connection(
    app_id: str, *, token: str = "var.scim_token", version: int = 1, extra: str = ""
) -> str:
    return f"""
resource "okta_app_connection" "scim" {{
  id       = "{app_id}"
  base_url = "https://api.example.com/scim/v2"
  action   = "activate"
  profile {{
    auth_scheme      = "TOKEN"
    token_wo         = {token}
    token_wo_version = {version}
{extra}  }}
}}
"""


# Diagnostics about an argument show its line of configuration, so where one is expected the
# secrets come from variables: a literal would be the configuration's, shown by Terraform.
SECRET_VARIABLES = """
variable "token" {
  type      = string
  sensitive = true
}

variable "admin_password" {
  type      = string
  sensitive = true
}
"""
SECRETS_FROM_ENVIRONMENT = {"TF_VAR_token": TOKEN, "TF_VAR_admin_password": ADMIN_PASSWORD}


def office365_wo_connection(
    app_id: str, *, password: str = f'"{ADMIN_PASSWORD}"', plain: str | None = None
) -> str:
    plain_line = f"      admin_password            = {plain}\n" if plain else ""
    return f"""
resource "okta_app_connection" "office365" {{
  id     = "{app_id}"
  action = "deactivate"
  profile {{
    auth_scheme = "OAUTH2"
    settings {{
      admin_username            = "admin@example.com"
{plain_line}      admin_password_wo         = {password}
      admin_password_wo_version = 1
    }}
  }}
}}
"""


def ephemeral(value: str) -> dict[str, str]:
    return {"TF_VAR_scim_token": value}


def saved_plan_records(plan: Path) -> dict[str, bytes]:
    """A saved plan's files, but for tfconfig/ (the .tf files as written, literals included)."""
    with zipfile.ZipFile(plan) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.startswith("tfconfig/")}


@needs_write_only
def test_state_and_saved_plan_hold_no_write_only_value(terraform: Terraform, emulator: Emulator) -> None:
    scim = emulator.store.add_app(AppKind.ORG2ORG)
    office365 = emulator.store.add_app(AppKind.OFFICE365)
    terraform.write(EPHEMERAL_VARIABLE + token_wo_connection(scim) + office365_wo_connection(office365))
    terraform.init()

    planned = terraform.run("plan", "-input=false", "-out=tfplan", env=ephemeral(TOKEN))
    records = saved_plan_records(terraform.workdir / "tfplan")
    assert {"tfplan", "tfstate"} <= set(records), sorted(records)
    for name, content in records.items():
        for secret in (TOKEN, ADMIN_PASSWORD):
            assert secret.encode() not in content, f"{secret} in the saved plan's {name}"
    assert api_calls(emulator) == []

    trace = {"TF_LOG": "TRACE", **ephemeral(TOKEN)}
    applied = terraform.run("apply", "-input=false", "tfplan", env=trace)
    assert emulator.store.connection(scim).profile["token"] == TOKEN
    assert emulator.store.connection(office365).profile["settings"]["adminPassword"] == ADMIN_PASSWORD

    state_text = (terraform.workdir / "terraform.tfstate").read_text()
    output = planned.stdout + planned.stderr + applied.stdout + applied.stderr
    for secret in (TOKEN, ADMIN_PASSWORD):
        assert secret not in state_text
        assert secret not in output
    resources = terraform.resources()
    assert resources["okta_app_connection.scim"]["profile"]["token_wo"] is None
    assert resources["okta_app_connection.scim"]["profile"]["token_wo_version"] == 1
    assert resources["okta_app_connection.office365"]["profile"]["settings"]["admin_password_wo"] is None

    emulator.store.clear_requests()
    done = terraform.run("plan", "-detailed-exitcode", "-input=false", expect=None, env=ephemeral(TOKEN))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "POST /" not in api_calls(emulator)


@needs_write_only
def test_a_new_value_plans_nothing_and_a_new_version_sends_it_once(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(EPHEMERAL_VARIABLE + token_wo_connection(app_id))
    terraform.init()
    terraform.apply(env=ephemeral(TOKEN))

    emulator.store.clear_requests()
    unchanged = terraform.run(
        "plan", "-detailed-exitcode", "-input=false", expect=None, env=ephemeral(ROTATED)
    )
    assert unchanged.returncode == 0, "Terraform cannot see a write-only value change: nothing to plan"

    terraform.write(EPHEMERAL_VARIABLE + token_wo_connection(app_id, version=2))
    emulator.store.clear_requests()
    applied = terraform.apply(env=ephemeral(ROTATED))
    assert "token_wo_version = 1 -> 2" in applied.stdout
    assert api_calls(emulator).count("POST /") == 1
    assert emulator.store.connection(app_id).profile["token"] == ROTATED

    emulator.store.clear_requests()
    again = terraform.run("plan", "-detailed-exitcode", "-input=false", expect=None, env=ephemeral(ROTATED))
    assert again.returncode == 0, again.stdout
    assert "POST /" not in api_calls(emulator)


FAST_RETRIES = header_with(min_wait_seconds=0.2)


def fail_the_posts(emulator: Emulator) -> None:
    """Every attempt at the next POST of a profile is answered 500 (Okta may have acted on each)."""
    emulator.store.inject("status", method="POST", path="/connections/default", status=500, count=3)


@needs_write_only
def test_a_new_token_whose_post_ended_in_server_errors_is_sent_again_by_the_next_apply(
    terraform: Terraform, emulator: Emulator
) -> None:
    """Okta never returns the token, so no read-back can confirm the new one: the error stands and
    the state keeps the version Okta is known to hold."""
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(EPHEMERAL_VARIABLE + token_wo_connection(app_id), header=FAST_RETRIES)
    terraform.init()
    terraform.apply(env=ephemeral(TOKEN))

    terraform.write(EPHEMERAL_VARIABLE + token_wo_connection(app_id, version=2), header=FAST_RETRIES)
    fail_the_posts(emulator)
    failed = terraform.apply(expect=1, env=ephemeral(ROTATED))
    assert "Okta API error 500" in failed.stderr
    assert emulator.store.connection(app_id).profile["token"] == TOKEN
    assert terraform.resource("okta_app_connection.scim")["profile"]["token_wo_version"] == 1
    plan = terraform.run("plan", "-detailed-exitcode", "-input=false", expect=2, env=ephemeral(ROTATED))
    assert "token_wo_version = 1 -> 2" in plan.stdout

    terraform.apply(env=ephemeral(ROTATED))
    assert emulator.store.connection(app_id).profile["token"] == ROTATED


@needs_write_only
@pytest.mark.parametrize("okta_status", ["DISABLED", "ENABLED"])
def test_a_create_whose_post_ended_in_server_errors_is_tainted_and_untaint_sends_the_token(
    terraform: Terraform, emulator: Emulator, okta_status: str
) -> None:
    """Okta unconfigured (deactivate), or a connection already enabled there: either way the read
    back matches the plan but for the token, which no read shows."""
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    if okta_status == "ENABLED":
        emulator.store.set_status(app_id, "ENABLED")
    action = "deactivate" if okta_status == "DISABLED" else "activate"
    connection = token_wo_connection(app_id).replace('"activate"', f'"{action}"')
    connection = connection.replace('  base_url = "https://api.example.com/scim/v2"\n', "")
    assert "base_url" not in connection
    terraform.write(EPHEMERAL_VARIABLE + connection, header=FAST_RETRIES)
    terraform.init()
    fail_the_posts(emulator)
    failed = terraform.apply(expect=1, env=ephemeral(TOKEN))
    assert "Okta API error 500" in failed.stderr
    assert not emulator.store.connection(app_id).configured
    state = terraform.resource("okta_app_connection.scim")
    assert (state["status"], state["profile"]["token_wo_version"]) == (okta_status, None)
    assert "(tainted)" in terraform.run("state", "show", "okta_app_connection.scim").stdout

    terraform.run("untaint", "okta_app_connection.scim")
    emulator.store.clear_requests()
    terraform.apply(env=ephemeral(TOKEN))
    assert "POST /" in api_calls(emulator), "the profile is sent again, with the token"
    assert emulator.store.connection(app_id).profile["token"] == TOKEN
    done = terraform.run("plan", "-detailed-exitcode", "-input=false", expect=None, env=ephemeral(TOKEN))
    assert done.returncode == 0, done.stdout


@needs_write_only
def test_an_ephemeral_value_is_refused_by_terraform_in_token(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    plain = token_wo_connection(app_id).replace(
        "    token_wo         = var.scim_token\n    token_wo_version = 1\n", "    token = var.scim_token\n"
    )
    assert "token_wo" not in plain
    terraform.write(EPHEMERAL_VARIABLE + plain)
    terraform.init()
    done = terraform.run("plan", "-input=false", expect=1, env=ephemeral(TOKEN))
    assert "Invalid use of ephemeral value" in done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert api_calls(emulator) == []


@needs_write_only
def test_import_then_one_update_sends_the_token_then_nothing_to_plan(
    terraform: Terraform, second_terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(EPHEMERAL_VARIABLE + token_wo_connection(app_id))
    terraform.init()
    terraform.apply(env=ephemeral(TOKEN))

    second_terraform.write(EPHEMERAL_VARIABLE + token_wo_connection(app_id))
    second_terraform.init()
    emulator.store.clear_requests()
    second_terraform.run("import", "-input=false", "okta_app_connection.scim", app_id, env=ephemeral(ROTATED))
    assert api_calls(emulator) == ["GET /"]
    assert second_terraform.resource("okta_app_connection.scim")["profile"]["token_wo_version"] is None

    plan = second_terraform.run(
        "plan", "-detailed-exitcode", "-input=false", expect=2, env=ephemeral(ROTATED)
    )
    assert "1 to change" in plan.stdout
    emulator.store.clear_requests()
    second_terraform.apply(env=ephemeral(ROTATED))
    assert api_calls(emulator) == ["GET /", "POST /"]
    assert emulator.store.connection(app_id).profile["token"] == ROTATED
    assert ROTATED not in (second_terraform.workdir / "terraform.tfstate").read_text()

    done = second_terraform.run(
        "plan", "-detailed-exitcode", "-input=false", expect=None, env=ephemeral(ROTATED)
    )
    assert done.returncode == 0, done.stdout


@needs_write_only
def test_token_with_token_wo_is_a_plan_error_naming_both(terraform: Terraform, emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(
        EPHEMERAL_VARIABLE + token_wo_connection(app_id, extra='    token            = "plain"\n')
    )
    terraform.init()
    done = terraform.run("plan", "-input=false", expect=1, env=ephemeral(TOKEN))
    assert "Conflicting token and token_wo" in done.stderr
    assert "only one of token and token_wo" in " ".join(done.stderr.split())
    assert api_calls(emulator) == []


@needs_write_only
def test_admin_password_with_its_write_only_form_is_a_plan_error(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.OFFICE365)
    connection = office365_wo_connection(app_id, password="var.admin_password", plain="var.admin_password")
    terraform.write(SECRET_VARIABLES + connection)
    terraform.init()
    done = terraform.run("plan", "-input=false", expect=1, env=SECRETS_FROM_ENVIRONMENT)
    assert "Conflicting admin_password and admin_password_wo" in done.stderr
    assert ADMIN_PASSWORD not in done.stdout + done.stderr
    assert api_calls(emulator) == []


@needs_write_only
def test_a_consent_code_from_an_ephemeral_variable_is_sent_once_and_never_stored(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.OFFICE365)
    terraform.write(office365(app_id, "deactivate"))
    terraform.init()
    terraform.apply()
    granted = grant_consent(str(terraform.resource()["authorize_url"]))
    consent = {"code_wo": "var.consent_code", "state": granted["state"]}
    variable = 'variable "consent_code" {\n  type      = string\n  ephemeral = true\n}\n'
    terraform.write(variable + office365(app_id, "activate", consent))
    code = {"TF_VAR_consent_code": granted["code"]}
    emulator.store.clear_requests()
    terraform.apply(env=code)
    assert [entry.path.rsplit("/", 2)[-2:] for entry in emulator.store.requests()] == [
        ["connections", "default"],
        ["oauth2", "callback"],
        ["lifecycle", "activate"],
    ]
    assert emulator.store.connection(app_id).consent_verified
    assert granted["code"] not in (terraform.workdir / "terraform.tfstate").read_text()
    assert terraform.resource()["oauth_consent"]["code_wo"] is None

    emulator.store.clear_requests()
    done = terraform.run("plan", "-detailed-exitcode", "-input=false", expect=None, env=code)
    assert done.returncode == 0, done.stdout
    assert api_calls(emulator) == ["GET /"]


@needs_write_only
def test_the_schema_marks_the_write_only_arguments(terraform: Terraform) -> None:
    terraform.write("")
    terraform.init()
    schema = json.loads(terraform.run("providers", "schema", "-json").stdout)
    [provider] = schema["provider_schemas"].values()
    profile = provider["resource_schemas"]["okta_app_connection"]["block"]["block_types"]["profile"]["block"]
    settings = profile["block_types"]["settings"]["block"]
    assert profile["attributes"]["token_wo"].get("write_only") is True
    assert settings["attributes"]["admin_password_wo"].get("write_only") is True
    consent = provider["resource_schemas"]["okta_app_connection"]["block"]["block_types"]["oauth_consent"]
    assert consent["block"]["attributes"]["code_wo"].get("write_only") is True
    assert "write_only" not in profile["attributes"]["token"]
    assert "write_only" not in profile["attributes"]["token_wo_version"]


@before_write_only
def test_an_older_terraform_is_refused_at_validation_naming_the_argument(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    office365 = emulator.store.add_app(AppKind.OFFICE365)
    terraform.write(
        SECRET_VARIABLES
        + token_wo_connection(app_id, token="var.token")
        + office365_wo_connection(office365, password="var.admin_password")
    )
    terraform.init()
    for command in (["validate"], ["apply", "-auto-approve", "-input=false"]):
        done = terraform.run(*command, expect=1, env=SECRETS_FROM_ENVIRONMENT)
        stderr = " ".join(done.stderr.split())
        assert "token_wo needs Terraform 1.11 or later" in stderr
        assert "admin_password_wo needs Terraform 1.11 or later" in stderr
        assert "profile.token_wo is a write-only argument" in stderr
        for secret in (TOKEN, ADMIN_PASSWORD):
            assert secret not in done.stdout + done.stderr
    assert api_calls(emulator) == []
    state = terraform.workdir / "terraform.tfstate"
    assert not state.exists() or json.loads(state.read_text())["resources"] == []
