"""The whole lifecycle with the real terraform CLI: create, re-plan, update, drift, import, destroy."""

from __future__ import annotations

import json

from okta_emulator import AppKind, Emulator

from .conftest import Terraform, api_calls, token_connection


def token_config(app_id: str, action: str = "activate", token: str = "scim-token-1") -> str:
    return token_connection(app_id, action=action, token=token, base_url="https://scim.example.com/scim/v2")


def applied_connection(terraform: Terraform, emulator: Emulator) -> str:
    """An Org2Org application whose TOKEN connection Terraform has created and activated."""
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(token_config(app_id))
    terraform.init()
    terraform.apply()
    return app_id


def test_apply_creates_an_active_connection_then_plans_no_changes(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = applied_connection(terraform, emulator)

    connection = emulator.store.connection(app_id)
    assert connection.status == "ENABLED"
    assert connection.base_url == "https://scim.example.com/scim/v2"
    assert connection.profile == {"authScheme": "TOKEN", "token": "scim-token-1"}
    posts = [entry for entry in emulator.store.requests() if entry.method == "POST"]
    assert len(posts) == 1 and posts[0].query == {"activate": "true"}

    state = terraform.resource()
    assert (state["status"], state["action"], state["id"]) == ("ENABLED", "activate", app_id)
    terraform.assert_no_changes()


def test_action_change_makes_one_lifecycle_call_then_plans_no_changes(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = applied_connection(terraform, emulator)

    terraform.write(token_config(app_id, action="deactivate"))
    emulator.store.clear_requests()
    terraform.apply()
    assert api_calls(emulator) == ["GET /", "POST /lifecycle/deactivate"]
    assert emulator.store.connection(app_id).status == "DISABLED"
    assert terraform.resource()["status"] == "DISABLED"
    terraform.assert_no_changes()


def test_profile_change_posts_the_new_token(terraform: Terraform, emulator: Emulator) -> None:
    app_id = applied_connection(terraform, emulator)

    terraform.write(token_config(app_id, token="scim-token-2"))
    emulator.store.clear_requests()
    terraform.apply()
    assert api_calls(emulator) == ["GET /", "POST /"]
    assert emulator.store.connection(app_id).profile["token"] == "scim-token-2"
    terraform.assert_no_changes()


def test_out_of_band_status_change_is_drift_that_apply_repairs(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = applied_connection(terraform, emulator)

    emulator.store.set_status(app_id, "DISABLED")
    plan = terraform.run("plan", "-detailed-exitcode", expect=2)
    assert '~ action   = "deactivate" -> "activate"' in plan.stdout

    terraform.apply()
    assert emulator.store.connection(app_id).status == "ENABLED"
    terraform.assert_no_changes()


def test_import_into_a_fresh_directory_equals_the_applied_state_except_secrets(
    terraform: Terraform, second_terraform: Terraform, emulator: Emulator
) -> None:
    app_id = applied_connection(terraform, emulator)
    applied = terraform.resource()

    second_terraform.write(token_config(app_id))
    second_terraform.init()
    emulator.store.clear_requests()
    second_terraform.run("import", "-input=false", "okta_app_connection.this", app_id)
    assert api_calls(emulator) == ["GET /"]  # Terraform's read after the import reuses it
    state = json.loads((second_terraform.workdir / "terraform.tfstate").read_text())
    [instance] = state["resources"][0]["instances"]
    assert not instance.get("private"), "the import's mark must not reach the state"
    imported = second_terraform.resource()

    assert imported["profile"]["token"] is None
    without_secrets = {**applied, "profile": {**applied["profile"], "token": None}}
    assert imported == without_secrets

    emulator.store.clear_requests()
    plan = second_terraform.run("plan", "-detailed-exitcode", expect=2)
    assert "token" in plan.stdout and "(sensitive value)" in plan.stdout
    emulator.store.clear_requests()
    second_terraform.apply()
    assert api_calls(emulator) == ["GET /", "POST /"]
    second_terraform.assert_no_changes()


def test_app_deleted_at_okta_makes_the_next_plan_propose_a_create(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = applied_connection(terraform, emulator)

    emulator.store.delete_app(app_id)
    plan = terraform.run("plan", "-detailed-exitcode", expect=2)
    assert "okta_app_connection.this will be created" in plan.stdout
    assert "Application not found at Okta" in plan.stdout


def test_destroy_deactivates_the_connection(terraform: Terraform, emulator: Emulator) -> None:
    app_id = applied_connection(terraform, emulator)

    emulator.store.clear_requests()
    terraform.run("destroy", "-auto-approve", "-input=false")
    assert emulator.store.connection(app_id).status == "DISABLED"
    assert api_calls(emulator) == ["GET /", "POST /lifecycle/deactivate"]
    assert terraform.resources() == {}


def test_destroy_of_a_disabled_connection_makes_no_lifecycle_call(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(token_config(app_id, action="deactivate"))
    terraform.init()
    terraform.apply()
    assert emulator.store.connection(app_id).status == "DISABLED"

    emulator.store.clear_requests()
    terraform.run("destroy", "-auto-approve", "-input=false")
    assert api_calls(emulator) == ["GET /"]


def test_changing_id_replaces_the_resource(terraform: Terraform, emulator: Emulator) -> None:
    first = emulator.store.add_app(AppKind.ORG2ORG)
    second = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(token_config(first))
    terraform.init()
    terraform.apply()

    terraform.write(token_config(second))
    plan = terraform.run("plan", "-detailed-exitcode", expect=2)
    assert "must be replaced" in plan.stdout and "forces replacement" in plan.stdout
    terraform.apply()
    assert emulator.store.connection(first).status == "DISABLED"
    assert emulator.store.connection(second).status == "ENABLED"
    terraform.assert_no_changes()
