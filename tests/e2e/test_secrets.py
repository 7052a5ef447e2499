"""No secret reaches Terraform's output or logs, even at TF_LOG=TRACE."""

from __future__ import annotations

from okta_emulator import AppKind, Emulator

from .conftest import API_TOKEN, Terraform, header_with, token_connection

TOKEN = "scim-token-must-not-leak-4e1d"
TOKEN_FROM_FILE = header_with(api_token='${file("token.txt")}')
ADMIN_PASSWORD = "admin-password-must-not-leak-9b2c"


def test_trace_logs_and_output_hold_no_secret(terraform: Terraform, emulator: Emulator) -> None:
    token_app = emulator.store.add_app(AppKind.ORG2ORG)
    oauth_app = emulator.store.add_app(AppKind.OFFICE365)
    terraform.write(
        f"""
resource "okta_app_connection" "token" {{
  id     = "{token_app}"
  action = "activate"
  profile {{
    auth_scheme = "TOKEN"
    token       = "{TOKEN}"
  }}
}}

resource "okta_app_connection" "oauth" {{
  id     = "{oauth_app}"
  action = "deactivate"
  profile {{
    auth_scheme = "OAUTH2"
    settings {{
      admin_username = "admin@example.com"
      admin_password = "{ADMIN_PASSWORD}"
    }}
  }}
}}
"""
    )
    terraform.init()
    trace = {"TF_LOG": "TRACE"}
    runs = [
        terraform.run("plan", "-input=false", env=trace),
        terraform.apply(env=trace),
        terraform.run("plan", "-input=false", env=trace),
        terraform.run("destroy", "-auto-approve", "-input=false", env=trace),
    ]
    output = "".join(run.stdout + run.stderr for run in runs)
    assert "provider.okta.http" in output or "okta request" in output, (
        "the provider's own logs must be in the trace"
    )
    for secret in (TOKEN, ADMIN_PASSWORD, API_TOKEN):
        assert secret not in output
    assert emulator.store.connection(token_app).profile["token"] == TOKEN, "the secret did reach Okta"


def test_a_malformed_token_is_refused_without_being_repeated(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    (terraform.workdir / "token.txt").write_text("00first-half\nsecond-half-9f2e\n")
    terraform.write(token_connection(app_id), header=TOKEN_FROM_FILE)
    terraform.init()
    applied = terraform.apply(expect=1, env={"TF_LOG": "TRACE"})
    assert "Invalid api_token (OKTA_API_TOKEN)" in applied.stderr
    assert "second-half-9f2e" not in applied.stdout + applied.stderr
    assert emulator.store.requests() == []


def test_a_token_file_ending_in_a_newline_works(terraform: Terraform, emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    (terraform.workdir / "token.txt").write_text(API_TOKEN + "\n")
    terraform.write(token_connection(app_id), header=TOKEN_FROM_FILE)
    terraform.init()
    terraform.apply(env={"OKTA_API_TOKEN": "wrong-token-config-must-win"})
    assert emulator.store.connection(app_id).status == "ENABLED"
