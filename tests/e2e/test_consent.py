"""The OAuth consent flow of Google, Office 365, Slack and Zoom apps, the Terraform way."""

from __future__ import annotations

import httpx

from okta_emulator import AppKind, Emulator

from .conftest import Terraform


def office365(app_id: str, action: str, consent: str = "") -> str:
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
{consent}
}}

output "authorize_url" {{
  value = okta_app_connection.this.authorize_url
}}
"""


def test_configure_grant_consent_then_activate(terraform: Terraform, emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.OFFICE365)
    terraform.write(office365(app_id, "deactivate"))
    terraform.init()
    applied = terraform.apply()
    authorize_url = terraform.resource()["authorize_url"]
    assert authorize_url and "/emulator/consent/office365/" in authorize_url
    assert "Administrator consent needed" in applied.stdout + applied.stderr
    terraform.assert_no_changes()

    granted = httpx.get(authorize_url).json()  # what the administrator's browser would bring back
    consent = f"""
  oauth_consent {{
    app_name = "office365"
    code     = "{granted["code"]}"
    state    = "{granted["state"]}"
  }}
"""
    terraform.write(office365(app_id, "activate", consent))
    emulator.store.clear_requests()
    terraform.apply()
    calls = [(entry.method, entry.path.rsplit("/", 2)[-2:]) for entry in emulator.store.requests()]
    assert calls == [
        ("GET", ["connections", "default"]),
        ("POST", ["oauth2", "callback"]),
        ("POST", ["lifecycle", "activate"]),
    ]
    connection = emulator.store.connection(app_id)
    assert connection.consent_verified and connection.status == "ENABLED"
    terraform.assert_no_changes()
