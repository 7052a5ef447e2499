"""Stored states from earlier releases and from the official okta/okta provider, planned with real Terraform.

Each fixture under fixtures/ is a directory with the configuration (main.tf), the applications it
manages at Okta (apps.json: id -> emulator app kind) and the state written for it by each
Terraform the tests run on (terraform-VERSION.tfstate: Terraform 1.11 marks sensitive attributes
in state, and Terraform 1.0 cannot read those marks). fixtures/README.md says how to add one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from okta_emulator import AppKind, Emulator

from .conftest import Terraform, terraform_version

FIXTURES = Path(__file__).parent / "fixtures"
# States of releases, and of main just before a schema change made ahead of the next release.
RELEASES = sorted(FIXTURES.glob("release-*")) + sorted(FIXTURES.glob("main-before-*"))
OKTA_OKTA = FIXTURES / "okta-okta-6.5"


def add_apps(emulator: Emulator, fixture: Path) -> None:
    for app_id, kind in json.loads((fixture / "apps.json").read_text()).items():
        emulator.store.add_app(AppKind(kind), app_id)


def state_file(fixture: Path) -> Path:
    """The fixture's state as written by the newest Terraform not newer than the one under test."""
    running = terraform_version()
    written = {
        tuple(int(part) for part in path.name[len("terraform-") : -len(".tfstate")].split(".")[:2]): path
        for path in fixture.glob("terraform-*.tfstate")
    }
    usable = [version for version in written if version <= running]
    assert usable, f"{fixture.name} has no state written by Terraform {running} or older"
    return written[max(usable)]


def stored_state(fixture: Path) -> dict[str, Any]:
    state: dict[str, Any] = json.loads(state_file(fixture).read_text())
    return state


def as_stored(value: Any, stored: Any) -> Any:
    """`value` with only what `stored` has; what the schema added since must be null."""
    if not isinstance(value, dict) or not isinstance(stored, dict):
        return value
    added = {key: item for key, item in value.items() if key not in stored}
    assert all(item is None for item in added.values()), added
    return {key: as_stored(item, stored[key]) for key, item in value.items() if key in stored}


def posts(emulator: Emulator) -> list[str]:
    return [entry.path for entry in emulator.store.requests() if entry.method == "POST"]


def planned_changes(terraform: Terraform) -> dict[str, dict[str, Any]]:
    """`terraform plan` saved and shown as JSON: the changes of every resource that has one."""
    terraform.run("plan", "-input=false", "-out=tfplan")
    shown = json.loads(terraform.run("show", "-json", "tfplan").stdout)
    return {
        change["address"]: change["change"]
        for change in shown.get("resource_changes", [])
        if change["change"]["actions"] != ["no-op"]
    }


def test_there_is_a_fixture_for_release_0_1_0() -> None:
    assert [path.name for path in RELEASES][:1] == ["release-0.1.0"]
    for fixture in RELEASES:
        assert {path.name for path in fixture.iterdir()} >= {
            "main.tf",
            "apps.json",
            "terraform-1.0.3.tfstate",
            "terraform-1.11.4.tfstate",
        }


@pytest.mark.parametrize("fixture", RELEASES, ids=lambda path: path.name)
def test_state_written_by_a_release_plans_no_change(
    terraform: Terraform, emulator: Emulator, fixture: Path
) -> None:
    add_apps(emulator, fixture)
    shutil.copy(fixture / "main.tf", terraform.workdir / "main.tf")
    # Okta is put where the release left it by applying the same configuration; the state is
    # then replaced with the one the release wrote.
    terraform.init()
    terraform.apply()
    shutil.copy(state_file(fixture), terraform.workdir / "terraform.tfstate")
    emulator.store.clear_requests()

    terraform.assert_no_changes()
    assert posts(emulator) == []
    stored = {r["name"]: r["instances"][0]["attributes"] for r in stored_state(fixture)["resources"]}
    for address, values in terraform.resources().items():
        name = address.split(".")[1]
        assert as_stored(values["profile"], stored[name]["profile"]) == stored[name]["profile"], address


def seed_okta_as_okta_okta_left_it(emulator: Emulator) -> None:
    """What okta/okta sent for the fixture's connections: everything but the signing block."""
    add_apps(emulator, OKTA_OKTA)
    store = emulator.store
    store.configure(
        "0oa65tokenscim",
        "https://scim.example.com/scim/v2",
        {"authScheme": "TOKEN", "token": "okta-okta-scim-token"},
        activate=True,
    )
    store.configure(
        "0oa65tokenzscaler",
        "https://zscaler.example.com/scim",
        {"authScheme": "TOKEN", "token": "okta-okta-zscaler-token"},
        activate=False,
    )
    store.configure(
        "0oa65oauthorg2org", None, {"authScheme": "OAUTH2", "clientId": "0oa65serviceclient"}, True
    )
    store.configure("0oa65oauthsigned", None, {"authScheme": "OAUTH2", "clientId": "0oa65signedclient"}, True)


def test_state_of_the_official_provider_plans_no_change_after_replace_provider(
    terraform: Terraform, emulator: Emulator
) -> None:
    seed_okta_as_okta_okta_left_it(emulator)
    shutil.copy(OKTA_OKTA / "main.tf", terraform.workdir / "main.tf")
    shutil.copy(state_file(OKTA_OKTA), terraform.workdir / "terraform.tfstate")

    terraform.run(
        "state",
        "replace-provider",
        "-auto-approve",
        "registry.terraform.io/okta/okta",
        "registry.terraform.io/okta-py/okta",
    )
    terraform.init()
    emulator.store.clear_requests()

    # The one change is the signing block okta/okta accepted but never sent.
    changes = planned_changes(terraform)
    assert list(changes) == ["okta_app_connection.signed"]
    change = changes["okta_app_connection.signed"]
    assert change["actions"] == ["update"]
    assert change["before"]["profile"]["signing"] is None
    assert change["after"]["profile"]["signing"] == {"rotation_mode": "MANUAL"}
    assert posts(emulator) == []

    terraform.run("apply", "-input=false", "tfplan")
    assert emulator.store.connection("0oa65oauthsigned").profile == {
        "authScheme": "OAUTH2",
        "clientId": "0oa65signedclient",
        "signing": {"rotationMode": "MANUAL"},
    }
    terraform.assert_no_changes()

    resources = terraform.resources()
    assert resources["okta_app_connection.scim"]["profile"]["token"] == "okta-okta-scim-token"
    assert resources["okta_app_connection.zscaler"]["status"] == "DISABLED"
    assert resources["okta_app_connection.org2org"]["base_url"] is None
    assert resources["okta_app_connection.org2org"]["profile"]["client_id"] == "0oa65serviceclient"


def test_a_state_that_cannot_be_fitted_is_an_error_naming_the_attribute(
    terraform: Terraform, emulator: Emulator
) -> None:
    fixture = RELEASES[0]
    add_apps(emulator, fixture)
    shutil.copy(fixture / "main.tf", terraform.workdir / "main.tf")
    state = stored_state(fixture)
    state["resources"][0]["instances"][0]["attributes"]["profile"]["client_id"] = 42
    (terraform.workdir / "terraform.tfstate").write_text(json.dumps(state))
    terraform.init()

    done = terraform.run("plan", "-input=false", expect=1)
    assert "Stored state does not fit the schema" in done.stderr
    assert "profile.client_id as a number, where this release of the provider expects a string" in " ".join(
        done.stderr.split()
    )
    assert "terraform state rm" in done.stderr
    assert "attributes is required" not in done.stderr
    assert posts(emulator) == []


@pytest.mark.parametrize("missing", ["null", "absent"])
def test_a_state_without_its_profile_plans_the_profile_okta_reports(
    terraform: Terraform, emulator: Emulator, missing: str
) -> None:
    """Terraform accepts a profile block with every attribute or none: the refresh rebuilds all."""
    fixture = RELEASES[0]
    add_apps(emulator, fixture)
    shutil.copy(fixture / "main.tf", terraform.workdir / "main.tf")
    terraform.init()
    terraform.apply()
    state = stored_state(fixture)
    scim = next(r for r in state["resources"] if r["name"] == "scim")["instances"][0]["attributes"]
    if missing == "null":
        scim["profile"] = None
    else:
        del scim["profile"]
    (terraform.workdir / "terraform.tfstate").write_text(json.dumps(state))
    emulator.store.clear_requests()

    changes = planned_changes(terraform)
    assert list(changes) == ["okta_app_connection.scim"]
    assert changes["okta_app_connection.scim"]["before"]["profile"]["auth_scheme"] == "TOKEN"
    assert changes["okta_app_connection.scim"]["before"]["profile"]["token"] is None
    assert posts(emulator) == []
    terraform.apply()
    terraform.assert_no_changes()


FEATURES = """
resource "okta_app_features" "push" {
  app_id = "0oaF1"
  name   = "USER_PROVISIONING"
  capabilities {
    update {
      profile { status = "ENABLED" }
    }
  }
}
"""


@pytest.mark.parametrize(
    ("type_name", "missing"),
    [("okta_app_connection", "id"), ("okta_app_features", "app_id"), ("okta_app_features", "name")],
)
def test_a_state_without_the_id_of_its_object_is_an_error_naming_it(
    terraform: Terraform, emulator: Emulator, type_name: str, missing: str
) -> None:
    fixture = RELEASES[0]
    add_apps(emulator, fixture)
    state = stored_state(fixture)
    if type_name == "okta_app_connection":
        shutil.copy(fixture / "main.tf", terraform.workdir / "main.tf")
        del state["resources"][0]["instances"][0]["attributes"][missing]
    else:
        terraform.write(FEATURES)
        attributes = {"id": "0oaF1/USER_PROVISIONING", "app_id": "0oaF1", "name": "USER_PROVISIONING"}
        del attributes[missing]
        state["resources"] = [
            {
                **state["resources"][0],
                "type": type_name,
                "name": "push",
                "instances": [{"schema_version": 0, "attributes": attributes}],
            }
        ]
    (terraform.workdir / "terraform.tfstate").write_text(json.dumps(state))
    terraform.init()

    done = terraform.run("plan", "-input=false", expect=1)
    message = " ".join(done.stderr.split())
    assert "Stored state does not fit the schema" in message
    assert f"The stored state of this {type_name} has no {missing}" in message
    assert "terraform state rm" in message
    assert "Internal error" not in message
    assert posts(emulator) == []
