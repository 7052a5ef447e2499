"""What may be logged: every secret field redacted, wherever it is."""

from __future__ import annotations

import json

from provider.okta.redact import REDACTED, redact_body, redact_headers


def test_json_bodies_are_redacted_at_any_depth() -> None:
    body = {
        "baseUrl": "https://x",
        "profile": {
            "authScheme": "OAUTH2",
            "token": "t-secret",
            "settings": {"adminUsername": "admin@x", "adminPassword": "p-secret"},
        },
        "list": [{"access_token": "a-secret"}],
    }
    logged = redact_body(json.dumps(body).encode(), "application/json")
    for secret in ("t-secret", "p-secret", "a-secret", "admin@x"):
        assert secret not in logged
    assert json.loads(logged)["profile"]["token"] == REDACTED
    assert json.loads(logged)["baseUrl"] == "https://x"


def test_form_bodies_are_redacted() -> None:
    form = b"grant_type=client_credentials&client_assertion=eyJ.secret.sig&scope=okta.apps.read"
    logged = redact_body(form, "application/x-www-form-urlencoded")
    assert "eyJ" not in logged and "client_credentials" in logged


def test_other_bodies_are_not_logged() -> None:
    assert redact_body(b"<html>token=secret</html>", "text/html") == "<25 bytes of text/html>"
    assert "secret" not in redact_body(b'{"token": "secret"', "application/json")


def test_headers() -> None:
    redacted = redact_headers({"Authorization": "SSWS x", "DPoP": "proof", "Accept": "application/json"})
    assert redacted == {"Authorization": REDACTED, "DPoP": REDACTED, "Accept": "application/json"}
