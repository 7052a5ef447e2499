"""A token of 2.2 MB goes through plan, apply and refresh: gRPC's 4 MiB default is lifted.

A plan carries the configuration, the prior state and the proposed state, so each message holds
the token two or three times. Terraform 1.0 and 1.11 both hand the plugin their client
certificate (PLUGIN_CLIENT_CERT), so this runs through the mutual-TLS relay; the plaintext
channel, used without that certificate, is covered in tests/protocol/test_runner.py.
"""

from __future__ import annotations

import secrets

import pytest

from okta_emulator import AppKind, Emulator, transport

from .conftest import Terraform

TOKEN_BYTES = 2_200_000


def test_a_2_2_mb_token_is_planned_applied_and_refreshed(
    terraform: Terraform, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The emulator refuses bodies over 1 MiB; this test is about the plugin channel, not Okta's cap.
    monkeypatch.setattr(transport, "MAX_BODY_BYTES", 2 * TOKEN_BYTES)
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    token = secrets.token_hex(TOKEN_BYTES // 2)
    (terraform.workdir / "big.txt").write_text(token)
    terraform.write(f"""
resource "okta_app_connection" "this" {{
  id     = "{app_id}"
  action = "activate"
  profile {{
    auth_scheme = "TOKEN"
    token       = file("big.txt")
  }}
}}
""")
    terraform.init()
    terraform.run("plan", "-detailed-exitcode", "-input=false", expect=2)
    applied = terraform.apply()
    assert token not in applied.stdout + applied.stderr
    at_okta = emulator.store.connection(app_id)
    assert (at_okta.status, at_okta.profile["token"]) == ("ENABLED", token)
    assert terraform.resource()["profile"]["token"] == token
    terraform.assert_no_changes()  # a refresh, then a plan carrying the token three times
