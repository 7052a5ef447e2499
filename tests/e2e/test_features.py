"""okta_app_features and its data source with the real terraform CLI against the emulator."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest

from okta_emulator import AppKind, Emulator

from .conftest import Terraform, terraform_version, token_connection

CONNECTION_ID = "okta_app_connection.this.id"


def feature(label: str, name: str, capabilities: str = "", *, app_id: str = CONNECTION_ID) -> str:
    """An okta_app_features resource: `app_id` is an expression (a literal ID goes in quotes),
    `capabilities` the body of its capabilities block, which is left out when empty."""
    block = f"\n  capabilities {{\n{capabilities}  }}\n" if capabilities else ""
    return f"""
resource "okta_app_features" "{label}" {{
  app_id = {app_id}
  name   = "{name}"
{block}}}
"""


USER_FEATURE = feature(
    "push",
    "USER_PROVISIONING",
    """\
    create {
      lifecycle_create { status = "ENABLED" }
    }
    update {
      profile              { status = "ENABLED" }
      lifecycle_deactivate { status = "ENABLED" }
      password {
        status = "ENABLED"
        seed   = "RANDOM"
        change = "KEEP_EXISTING"
      }
    }
""",
)

INBOUND_CAPABILITIES = """\
    import_settings {
      username {
        username_format     = "CUSTOM"
        username_expression = "source.login"
      }
      schedule {
        status = "ENABLED"
        full_import {
          expression = "0 2 * * *"
          timezone   = "Europe/Paris"
        }
      }
    }
    import_rules {
      user_create_and_match { exact_match_criteria = "EMAIL" }
    }
"""


def enabled_app(emulator: Emulator) -> str:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.set_status(app_id, "ENABLED")
    return app_id


def feature_calls(emulator: Emulator) -> list[str]:
    """The journal's features calls, as `METHOD NAME`."""
    return [
        f"{entry.method} {entry.path.rsplit('/', 1)[-1]}"
        for entry in emulator.store.requests()
        if "/features" in entry.path
    ]


def applied_with_connection(terraform: Terraform, emulator: Emulator, features: str = USER_FEATURE) -> str:
    """A new application whose connection and `features` Terraform has applied."""
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(token_connection(app_id) + features)
    terraform.init()
    terraform.apply()
    return app_id


def behind_terraforms_back(emulator: Emulator, method: str, path: str, body: dict[str, Any]) -> None:
    """A change made at Okta as an administrator would, through the emulator's admin API at
    `/emulator/apps/{path}`."""
    httpx.request(
        method,
        f"{emulator.url}/emulator/apps/{path}",
        content=json.dumps(body),
        headers={"Content-Type": "application/json"},
    ).raise_for_status()


def change_at_okta(emulator: Emulator, app_id: str, name: str, body: dict[str, Any]) -> None:
    """A feature's settings changed behind Terraform's back."""
    behind_terraforms_back(emulator, "PUT", f"{app_id}/features/{name}", body)


def disable_at_okta(emulator: Emulator, app_id: str) -> None:
    """An administrator disables the connection behind Terraform's back."""
    behind_terraforms_back(emulator, "PATCH", f"{app_id}/connection", {"status": "DISABLED"})


def test_connection_then_features_plan_clean_show_drift_and_destroy_leaves_okta_alone(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = applied_with_connection(terraform, emulator)

    assert feature_calls(emulator) == ["GET USER_PROVISIONING", "PUT USER_PROVISIONING"]
    assert emulator.store.features.get(app_id, "USER_PROVISIONING") == {
        "create": {"lifecycleCreate": {"status": "ENABLED"}},
        "update": {
            "profile": {"status": "ENABLED"},
            "lifecycleDeactivate": {"status": "ENABLED"},
            "password": {"status": "ENABLED", "seed": "RANDOM", "change": "KEEP_EXISTING"},
        },
    }
    state = terraform.resource("okta_app_features.push")
    assert state["id"] == f"{app_id}/USER_PROVISIONING"
    assert state["status"] == "ENABLED"
    assert state["description"] == "User provisioning settings from Okta to a downstream application"
    terraform.assert_no_changes()

    change_at_okta(emulator, app_id, "USER_PROVISIONING", {"update": {"password": {"status": "DISABLED"}}})
    plan = terraform.run("plan", "-detailed-exitcode", "-input=false", expect=2)
    assert re.search(r'~ status += "DISABLED" -> "ENABLED"', plan.stdout), plan.stdout
    assert "1 to change" in plan.stdout
    terraform.apply()
    assert (
        emulator.store.features.get(app_id, "USER_PROVISIONING")["update"]["password"]["status"] == "ENABLED"
    )
    terraform.assert_no_changes()

    emulator.store.clear_requests()
    destroyed = terraform.run("destroy", "-auto-approve", "-input=false")
    assert "Okta has no way to delete feature USER_PROVISIONING" in destroyed.stdout + destroyed.stderr
    assert [e.method for e in emulator.store.requests() if "/features" in e.path] == ["GET"]  # the refresh
    assert emulator.store.connection(app_id).status == "DISABLED"
    assert emulator.store.features.get(app_id, "USER_PROVISIONING")["create"] == {
        "lifecycleCreate": {"status": "ENABLED"}
    }


def test_inbound_settings_left_out_show_okta_s_and_plan_clean(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = enabled_app(emulator)
    terraform.write(feature("import", "INBOUND_PROVISIONING", INBOUND_CAPABILITIES, app_id=f'"{app_id}"'))
    terraform.init()

    terraform.apply()

    body = next(e.body for e in emulator.store.requests() if e.method == "PUT")
    assert body is not None
    assert set(body) == {"importSettings", "importRules"}, "the whole object of the variant"
    assert body["importSettings"]["schedule"]["fullImport"] == {
        "expression": "0 2 * * *",
        "timeZone": "Europe/Paris",
    }
    capabilities = terraform.resource("okta_app_features.import")["capabilities"]
    match = capabilities["import_rules"]["user_create_and_match"]
    assert match["exact_match_criteria"] == "EMAIL"
    assert match["allow_partial_match"] is True, "left out of the configuration: Okta's value"
    assert capabilities["import_settings"]["schedule"]["incremental_import"] is None
    terraform.assert_no_changes()

    change_at_okta(
        emulator,
        app_id,
        "INBOUND_PROVISIONING",
        {"importRules": {"userCreateAndMatch": {"autoConfirmNewUsers": True}}, "importSettings": {}},
    )
    terraform.assert_no_changes()  # not managed: the state follows Okta, the plan stays empty
    assert (
        terraform.resource("okta_app_features.import")["capabilities"]["import_rules"][
            "user_create_and_match"
        ]["autoconfirm_new_users"]
        is False
    ), "plan does not write the state; the refresh of the next apply does"


def test_changing_name_replaces_the_resource(terraform: Terraform, emulator: Emulator) -> None:
    app_id = enabled_app(emulator)
    terraform.write(feature("x", "USER_PROVISIONING", app_id=f'"{app_id}"'))
    terraform.init()
    terraform.apply()

    terraform.write(feature("x", "INBOUND_PROVISIONING", app_id=f'"{app_id}"'))
    plan = terraform.run("plan", "-input=false")
    assert "must be replaced" in plan.stdout
    assert re.search(
        r'~ name += "USER_PROVISIONING" -> "INBOUND_PROVISIONING" # forces replacement', plan.stdout
    )
    terraform.apply()
    assert terraform.resource("okta_app_features.x")["id"] == f"{app_id}/INBOUND_PROVISIONING"
    terraform.assert_no_changes()


def test_a_connection_not_enabled_is_an_error_that_says_to_enable_it(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(token_connection(app_id, action="deactivate") + USER_FEATURE)
    terraform.init()

    applied = terraform.apply(expect=1)

    assert "Provisioning is not enabled for the application" in applied.stderr
    assert 'action = "activate"' in applied.stderr
    assert "okta_app_features.push" not in terraform.resources()


def test_every_rule_is_checked_before_any_call_and_points_at_the_line(
    terraform: Terraform, emulator: Emulator
) -> None:
    cases = [
        ("name", 'name = "OUTBOUND"', "Invalid name", 'name   = "OUTBOUND"'),
        ("app_id", 'app_id = ".."', "Invalid app_id", 'app_id = ".."'),
        (
            "status",
            'capabilities {\n update {\n profile { status = "ON" }\n }\n }',
            "Invalid status",
            'profile { status = "ON" }',
        ),
        (
            "seed",
            'capabilities {\n update {\n password { seed = "CYCLE" }\n }\n }',
            "Invalid seed",
            'password { seed = "CYCLE" }',
        ),
        (
            "change",
            'capabilities {\n update {\n password { change = "CYCLE" }\n }\n }',
            "Invalid change",
            'password { change = "CYCLE" }',
        ),
        (
            "variant",
            "capabilities {\n import_rules {\n user_create_and_match { allow_partial_match = true }\n }\n }",
            "import_rules is not allowed with USER_PROVISIONING",
            "import_rules {",
        ),
    ]
    inbound_cases = [
        (
            "variant_inbound",
            'capabilities {\n create {\n lifecycle_create { status = "ENABLED" }\n }\n }',
            "create is not allowed with INBOUND_PROVISIONING",
            "create {",
        ),
        (
            "criteria",
            'capabilities {\n import_rules {\n user_create_and_match { exact_match_criteria = "ID" }\n }\n }',
            "Invalid exact_match_criteria",
            'exact_match_criteria = "ID"',
        ),
        (
            "format",
            'capabilities {\n import_settings {\n username { username_format = "LOGIN" }\n }\n }',
            "Invalid username_format",
            'username_format = "LOGIN"',
        ),
        (
            "custom",
            'capabilities {\n import_settings {\n username { username_format = "CUSTOM" }\n }\n }',
            "Missing username_expression",
            'username { username_format = "CUSTOM" }',
        ),
        (
            "expression_without_custom",
            'capabilities {\n import_settings {\n username { username_expression = "x" }\n }\n }',
            "username_expression is not allowed",
            'username { username_expression = "x" }',
        ),
        (
            "timezone",
            'capabilities {\n import_settings {\n schedule {\n full_import {\n expression = "0 1 * * *"\n'
            ' timezone = ""\n }\n }\n }\n }',
            "Invalid timezone",
            'timezone = ""',
        ),
        (
            "expression",
            "capabilities {\n import_settings {\n schedule {\n"
            ' incremental_import { timezone = "UTC" }\n }\n }\n }',
            "Missing required argument",
            'incremental_import { timezone = "UTC" }',
        ),
    ]

    def resource(label: str, body: str, name: str) -> str:
        name_line = "" if body.startswith("name") else f'name = "{name}"\n'
        app_line = "" if body.startswith("app_id") else 'app_id = "0oa1"\n'
        return f'resource "okta_app_features" "{label}" {{\n{app_line}{name_line}{body}\n}}\n'

    terraform.write(
        "".join(resource(label, body, "USER_PROVISIONING") for label, body, _, _ in cases)
        + "".join(resource(label, body, "INBOUND_PROVISIONING") for label, body, _, _ in inbound_cases)
    )
    terraform.run("fmt")
    terraform.init()

    plan = terraform.run("plan", "-input=false", expect=1)

    errors = plan.stderr.split("Error: ")[1:]
    for label, _, summary, line in cases + inbound_cases:
        found = [e for e in errors if e.startswith(summary) and f'"{label}"' in e]
        assert found, f"no {summary!r} error for {label}:\n{plan.stderr}"
        assert " ".join(line.split()) in " ".join(found[0].split()), f"{label}: not pointing at the line"
    assert len(errors) == len(cases) + len(inbound_cases)
    assert emulator.store.requests() == []


def test_import_by_id_plans_clean_and_a_malformed_id_shows_the_form(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = enabled_app(emulator)
    schedule = {"status": "ENABLED", "fullImport": {"expression": "0 3 * * *"}}
    change_at_okta(
        emulator,
        app_id,
        "INBOUND_PROVISIONING",
        {"importSettings": {"schedule": schedule}, "importRules": {}},
    )
    # Every block of the variant, as -generate-config-out writes them (see
    # docs/resources/app_features.md on blocks left out after an import).
    every_block = """\
    import_settings {
      username { username_format = "EMAIL" }
      schedule {
        status = "ENABLED"
        full_import { expression = "0 3 * * *" }
      }
    }
    import_rules {
      user_create_and_match { exact_match_criteria = "USERNAME" }
    }
"""
    terraform.write(feature("imported", "INBOUND_PROVISIONING", every_block, app_id=f'"{app_id}"'))
    terraform.init()

    wrong = terraform.run("import", "okta_app_features.imported", app_id, expect=1)
    assert "Invalid import ID" in wrong.stderr
    form = "<application id>/<USER_PROVISIONING|INBOUND_PROVISIONING>"
    assert form in " ".join(wrong.stderr.split())

    emulator.store.clear_requests()
    terraform.run("import", "okta_app_features.imported", f"{app_id}/INBOUND_PROVISIONING")

    assert feature_calls(emulator) == ["GET INBOUND_PROVISIONING"]
    imported = terraform.resource("okta_app_features.imported")["capabilities"]
    assert imported["import_rules"]["user_create_and_match"]["allow_partial_match"] is True
    assert imported["import_settings"]["schedule"]["full_import"] == {
        "expression": "0 3 * * *",
        "timezone": None,
    }
    terraform.assert_no_changes()


def test_data_source_reads_one_feature(terraform: Terraform, emulator: Emulator) -> None:
    app_id = enabled_app(emulator)
    terraform.write(
        f"""
data "okta_app_features" "inbound" {{
  app_id = "{app_id}"
  name   = "INBOUND_PROVISIONING"
}}

output "format" {{
  value = data.okta_app_features.inbound.capabilities.import_settings.username.username_format
}}

output "criteria" {{
  value = data.okta_app_features.inbound.capabilities.import_rules.user_create_and_match.exact_match_criteria
}}

output "no_full_import" {{
  value = data.okta_app_features.inbound.capabilities.import_settings.schedule.full_import == null
}}

output "id" {{
  value = data.okta_app_features.inbound.id
}}
"""
    )
    terraform.init()

    terraform.apply()

    outputs = json.loads(terraform.run("output", "-json").stdout)
    assert outputs["format"]["value"] == "EMAIL"
    assert outputs["criteria"]["value"] == "USERNAME"
    assert outputs["no_full_import"]["value"] is True
    assert outputs["id"]["value"] == f"{app_id}/INBOUND_PROVISIONING"


@pytest.mark.skipif(
    terraform_version() < (1, 5), reason="import blocks and -generate-config-out need Terraform 1.5 or newer"
)
def test_import_block_with_generated_configuration_plans_clean(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = enabled_app(emulator)
    change_at_okta(emulator, app_id, "USER_PROVISIONING", {"update": {"password": {"status": "ENABLED"}}})
    terraform.write(f'import {{\n  to = okta_app_features.push\n  id = "{app_id}/USER_PROVISIONING"\n}}\n')
    terraform.init()

    terraform.run("plan", "-input=false", "-generate-config-out=generated.tf")
    generated = (terraform.workdir / "generated.tf").read_text()
    assert f'app_id = "{app_id}"' in generated
    assert 'name   = "USER_PROVISIONING"' in generated

    plan = terraform.run("plan", "-input=false", "-detailed-exitcode", expect=2)
    assert "1 to import, 0 to add, 0 to change, 0 to destroy" in plan.stdout
    terraform.apply()
    assert (
        terraform.resource("okta_app_features.push")["capabilities"]["update"]["password"]["status"]
        == "ENABLED"
    )
    terraform.assert_no_changes()


def test_a_connection_disabled_outside_terraform_does_not_wedge_plan_apply_or_destroy(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = applied_with_connection(terraform, emulator)
    applied = terraform.resource("okta_app_features.push")
    disable_at_okta(emulator, app_id)

    plan = terraform.run("plan", "-detailed-exitcode", "-input=false", expect=2)
    assert "Feature not read: provisioning is not enabled" in plan.stdout + plan.stderr
    assert "1 to change" in plan.stdout, "the connection's re-activation; the feature unchanged"

    terraform.apply()
    assert emulator.store.connection(app_id).status == "ENABLED"
    assert terraform.resource("okta_app_features.push") == applied
    terraform.assert_no_changes()

    disable_at_okta(emulator, app_id)
    terraform.run("destroy", "-auto-approve", "-input=false")
    assert terraform.resources() == {}


def test_deactivating_the_connection_in_the_configuration_keeps_the_feature_manageable(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = applied_with_connection(terraform, emulator)

    terraform.write(token_connection(app_id, action="deactivate") + USER_FEATURE)
    terraform.apply()
    assert emulator.store.connection(app_id).status == "DISABLED"

    plan = terraform.run("plan", "-detailed-exitcode", "-input=false")
    assert "Feature not read: provisioning is not enabled" in plan.stdout + plan.stderr
    terraform.write(token_connection(app_id) + USER_FEATURE)
    terraform.apply()
    assert emulator.store.connection(app_id).status == "ENABLED"
    terraform.assert_no_changes()


def profile_and_password(profile_status: str) -> str:
    """USER_PROVISIONING with the profile push `profile_status` and password sync enabled; the
    password's seed and change are left out."""
    update = f"""\
    update {{
      profile  {{ status = "{profile_status}" }}
      password {{ status = "ENABLED" }}
    }}
"""
    return feature("push", "USER_PROVISIONING", update)


def test_a_saved_plan_leaves_the_settings_the_configuration_leaves_out_as_okta_holds_them(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = applied_with_connection(terraform, emulator, profile_and_password("DISABLED"))
    assert emulator.store.features.get(app_id, "USER_PROVISIONING")["update"]["password"]["seed"] == "RANDOM"

    terraform.write(token_connection(app_id) + profile_and_password("ENABLED"))
    plan = terraform.run("plan", "-out=tfplan", "-input=false")
    assert re.search(r'~ status += "DISABLED" -> "ENABLED"', plan.stdout), plan.stdout
    change_at_okta(emulator, app_id, "USER_PROVISIONING", {"update": {"password": {"seed": "OKTA"}}})

    terraform.run("apply", "-input=false", "tfplan")

    update = emulator.store.features.get(app_id, "USER_PROVISIONING")["update"]
    assert update["profile"]["status"] == "ENABLED"
    assert update["password"]["seed"] == "OKTA", "an administrator's change to a setting left out stays"
    password = terraform.resource("okta_app_features.push")["capabilities"]["update"]["password"]
    assert password["seed"] == "OKTA", "the state says what Okta holds"
    terraform.assert_no_changes()


def test_a_refused_value_is_not_repeated_and_app_id_must_be_an_okta_id(
    terraform: Terraform, emulator: Emulator
) -> None:
    secret = "https://admin:S3cretPassw0rd@proxy.example/"
    terraform.write(
        f'resource "okta_app_features" "secret" {{\n  app_id = "0oa1"\n  name   = "{secret}"\n}}\n'
        'resource "okta_app_features" "dotted" {\n  app_id = "0oa1.json"\n  name   = "USER_PROVISIONING"\n}\n'
        'data "okta_app_features" "dotted" {\n  app_id = "0oa1.json"\n  name   = "USER_PROVISIONING"\n}\n'
    )
    terraform.init()

    plan = terraform.run("plan", "-input=false", expect=1)

    # Terraform shows the configuration's line; the provider's own words do not repeat the value.
    assert plan.stderr.count("S3cretPassw0rd") == 1, plan.stderr
    assert 'name must be "USER_PROVISIONING" or "INBOUND_PROVISIONING".' in plan.stderr
    assert plan.stderr.count("Invalid app_id") == 2, plan.stderr
    assert "letters and digits only" in plan.stderr
    assert emulator.store.requests() == []
