"""The plugin channel when the user turns plugin TLS off (TF_DISABLE_PLUGIN_TLS): plaintext, as
go-plugin serves it. Every other e2e test runs over the mutual TLS Terraform otherwise asks for."""

from __future__ import annotations

from okta_emulator import AppKind, Emulator

from .conftest import Terraform, token_connection


def test_with_plugin_tls_disabled_terraform_plans_applies_and_destroys(
    terraform: Terraform, emulator: Emulator
) -> None:
    # Terraform then sends no client certificate and reads no server certificate: a plugin that
    # hands one over anyway made Terraform (1.0 and 1.11) crash with a nil pointer dereference.
    app_id = emulator.store.add_app(AppKind.ZSCALERBYZ)
    terraform.write(token_connection(app_id, base_url="https://admin.zscaler.example/scim"))
    plaintext = {"TF_DISABLE_PLUGIN_TLS": "1"}
    terraform.run("init", "-input=false", env=plaintext)
    applied = terraform.apply(env=plaintext)
    assert "crash" not in (applied.stdout + applied.stderr).lower()
    assert emulator.store.connection(app_id).status == "ENABLED"
    planned = terraform.run("plan", "-detailed-exitcode", "-input=false", expect=None, env=plaintext)
    assert planned.returncode == 0, planned.stdout
    terraform.run("destroy", "-auto-approve", "-input=false", env=plaintext)
    assert emulator.store.connection(app_id).status == "DISABLED"
