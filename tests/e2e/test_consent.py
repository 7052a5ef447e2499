"""The OAuth consent flow of Google, Office 365, Slack and Zoom apps, the Terraform way.

The emulator issues a code each time the authorize link is opened, accepts it once with its
state, and refuses to enable the connection before consent, as Okta does.
"""

from __future__ import annotations

from okta_emulator import AppKind, Emulator

from .conftest import Terraform, api_calls, grant_consent

ADDRESS = "okta_app_connection.this"


def flat(text: str) -> str:
    """Terraform's output with its line wrapping undone."""
    return " ".join(text.split())


def office365(app_id: str, action: str, consent: dict[str, str] | None = None) -> str:
    """An Office 365 connection; `consent` has the `code` and `state` to send, or `code_wo`, an
    expression for the write-only code, in place of `code`."""
    if consent is None:
        block = ""
    else:
        code = (
            f"code_wo  = {consent['code_wo']}" if "code_wo" in consent else f'code     = "{consent["code"]}"'
        )
        block = f"""
  oauth_consent {{
    app_name = "office365"
    {code}
    state    = "{consent["state"]}"
  }}
"""
    return f"""
resource "okta_app_connection" "this" {{
  id     = "{app_id}"
  action = "{action}"

  profile {{
    auth_scheme = "OAUTH2"
    settings {{
      admin_username = "admin@tenant.example"
      admin_password = "office-password"
    }}
  }}
{block}
}}

output "authorize_url" {{
  value = okta_app_connection.this.authorize_url
}}
"""


def configured_for_consent(terraform: Terraform, emulator: Emulator) -> tuple[str, str]:
    """An Office 365 connection applied with action deactivate: its app id and authorize URL."""
    app_id = emulator.store.add_app(AppKind.OFFICE365)
    terraform.write(office365(app_id, "deactivate"))
    terraform.init()
    applied = terraform.apply()
    assert "Administrator consent needed" in applied.stdout + applied.stderr
    authorize_url = terraform.resource()["authorize_url"]
    assert authorize_url and "/emulator/consent/office365/" in authorize_url
    return app_id, str(authorize_url)


def test_configure_grant_consent_then_activate(terraform: Terraform, emulator: Emulator) -> None:
    app_id, authorize_url = configured_for_consent(terraform, emulator)
    terraform.assert_no_changes()

    terraform.write(office365(app_id, "activate", grant_consent(authorize_url)))
    emulator.store.clear_requests()
    terraform.apply()
    assert api_calls(emulator) == [
        "GET /",
        "POST /api/v1/apps/office365/" + app_id + "/oauth2/callback",
        "POST /lifecycle/activate",
    ]
    connection = emulator.store.connection(app_id)
    assert connection.consent_verified and connection.status == "ENABLED"
    terraform.assert_no_changes()


def test_a_refused_consent_is_an_error_and_left_out_of_the_state(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.OFFICE365)
    terraform.write(office365(app_id, "activate", {"code": "badcode", "state": "x"}))
    terraform.init()

    failed = terraform.apply(expect=1)

    errors = flat(failed.stderr)
    assert "Okta API error 403 E0000006" in errors
    assert f'verifying the OAuth consent of application "{app_id}"' in errors
    assert "state: does not match the consent this application awaits" in errors
    assert "Open authorize_url again to get a new code and state" in errors
    assert "administrator lacks the permission" not in errors
    assert "badcode" not in failed.stdout + failed.stderr
    assert api_calls(emulator) == ["POST /", f"POST /api/v1/apps/office365/{app_id}/oauth2/callback"]
    connection = emulator.store.connection(app_id)
    assert (connection.consent_verified, connection.status) == (False, "DISABLED")
    state = terraform.resource()
    assert (state["status"], state["action"], state["oauth_consent"]) == ("DISABLED", "deactivate", None)
    assert terraform.plan_exit_code() == 2, "the next apply sends the consent again"


def test_a_consent_code_works_once(terraform: Terraform, emulator: Emulator) -> None:
    app_id, authorize_url = configured_for_consent(terraform, emulator)
    granted = grant_consent(authorize_url)
    terraform.write(office365(app_id, "activate", granted))
    terraform.apply()
    assert emulator.store.connection(app_id).status == "ENABLED"

    emulator.store.clear_requests()
    replaced = terraform.apply(f"-replace={ADDRESS}", expect=1)

    errors = flat(replaced.stderr)
    assert "Okta API error 403 E0000006" in errors
    assert "code: was not issued for this consent, or was already used" in errors
    assert api_calls(emulator) == [
        "GET /",
        "POST /lifecycle/deactivate",
        "POST /",
        f"POST /api/v1/apps/office365/{app_id}/oauth2/callback",
    ]
    assert emulator.store.connection(app_id).status == "DISABLED"
    assert terraform.resource()["oauth_consent"] is None

    terraform.write(office365(app_id, "activate", grant_consent(authorize_url)))
    terraform.apply()
    assert emulator.store.connection(app_id).status == "ENABLED"
    terraform.assert_no_changes()


def test_activation_before_consent_is_refused(terraform: Terraform, emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.OFFICE365)
    terraform.write(office365(app_id, "activate"))
    terraform.init()

    failed = terraform.apply(expect=1)

    errors = flat(failed.stderr)
    assert "Administrator consent needed" in flat(failed.stdout + failed.stderr)
    assert f'activating the provisioning connection of application "{app_id}"' in errors
    assert "consent has not been verified" in errors
    assert "The application awaits an administrator's consent" in errors
    assert "open authorize_url (in the state), then add an oauth_consent block" in errors
    assert "administrator lacks the permission" not in errors
    assert api_calls(emulator) == ["POST /", "POST /lifecycle/activate"]
    assert emulator.store.connection(app_id).status == "DISABLED"
    state = terraform.resource()
    assert (state["status"], state["action"]) == ("DISABLED", "deactivate")
    assert state["authorize_url"], "the link an administrator needs is in the state"
