"""okta_app_features's logic: validation and plan on their own, the operations against the
in-process emulator (the calls made, the state kept)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from msgpack import ExtType
from tf.iface import DeleteContext, ImportContext, ReadContext, ReadDataContext
from tf.types import Unknown
from tf.utils import Diagnostics

from okta_emulator import AppKind, Emulator
from provider.data_sources.app_features import AppFeaturesData
from provider.okta import ApiToken
from provider.okta.client import OktaClient
from provider.plugin.servicer import (
    ConfiguredCreateContext,
    ConfiguredPlanContext,
    ConfiguredUpdateContext,
)
from provider.provider import OktaProvider
from provider.resources.app_features import AppFeatures, validation_problems

TOKEN = "unit-features-token"
REFINED_UNKNOWN = ExtType(12, b"\x81\x01\xc3")


def user_config(**update: Any) -> dict[str, Any]:
    return {
        "id": None,
        "app_id": "0oa1",
        "name": "USER_PROVISIONING",
        "status": None,
        "description": None,
        "capabilities": {
            "create": {"lifecycle_create": {"status": "ENABLED"}},
            "update": {
                "profile": None,
                "lifecycle_deactivate": None,
                "password": {"status": "ENABLED", "seed": None, "change": "CHANGE"},
                **update,
            },
            "import_settings": None,
            "import_rules": None,
        },
    }


def inbound_config(username: dict[str, Any] | None = None, **schedule: Any) -> dict[str, Any]:
    return {
        "id": None,
        "app_id": "0oa1",
        "name": "INBOUND_PROVISIONING",
        "status": None,
        "description": None,
        "capabilities": {
            "create": None,
            "update": None,
            "import_settings": {
                "username": username,
                "schedule": {
                    "status": "ENABLED",
                    "full_import": None,
                    "incremental_import": None,
                    **schedule,
                },
            },
            "import_rules": None,
        },
    }


# --- validation -------------------------------------------------------------------------------


def problems(config: dict[str, Any]) -> list[tuple[list[str], str]]:
    return [(path, summary) for path, summary, _ in validation_problems(config)]


def test_valid_configurations_have_no_problems() -> None:
    assert problems(user_config()) == []
    custom = {"username_format": "CUSTOM", "username_expression": "source.login"}
    assert problems(inbound_config(custom, full_import={"expression": "0 1 * * *", "timezone": "UTC"})) == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({**user_config(), "app_id": ".."}, (["app_id"], "Invalid app_id")),
        ({**user_config(), "app_id": " "}, (["app_id"], "Invalid app_id")),
        ({**user_config(), "name": "OUTBOUND"}, (["name"], "Invalid name")),
        (
            user_config(password={"status": "ON", "seed": None, "change": None}),
            (["capabilities", "update", "password", "status"], "Invalid status"),
        ),
        (
            user_config(password={"status": None, "seed": "CYCLE", "change": None}),
            (["capabilities", "update", "password", "seed"], "Invalid seed"),
        ),
        (
            user_config(password={"status": None, "seed": None, "change": "CYCLE"}),
            (["capabilities", "update", "password", "change"], "Invalid change"),
        ),
        (
            {**inbound_config(), "name": "USER_PROVISIONING"},
            (
                ["capabilities", "import_settings"],
                "import_settings is not allowed with USER_PROVISIONING",
            ),
        ),
        (
            {**user_config(), "name": "INBOUND_PROVISIONING", "capabilities": {"create": {}, "update": None}},
            (["capabilities", "create"], "create is not allowed with INBOUND_PROVISIONING"),
        ),
        (
            inbound_config({"username_format": "CUSTOM", "username_expression": None}),
            (
                ["capabilities", "import_settings", "username", "username_expression"],
                "Missing username_expression",
            ),
        ),
        (
            inbound_config({"username_format": "EMAIL", "username_expression": "x"}),
            (
                ["capabilities", "import_settings", "username", "username_expression"],
                "username_expression is not allowed",
            ),
        ),
        (
            inbound_config({"username_format": "LOGIN", "username_expression": None}),
            (["capabilities", "import_settings", "username", "username_format"], "Invalid username_format"),
        ),
        (
            inbound_config(incremental_import={"expression": "", "timezone": None}),
            (
                ["capabilities", "import_settings", "schedule", "incremental_import", "expression"],
                "Invalid expression",
            ),
        ),
        (
            inbound_config(full_import={"expression": "0 1 * * *", "timezone": "x" * 65}),
            (["capabilities", "import_settings", "schedule", "full_import", "timezone"], "Invalid timezone"),
        ),
    ],
)
def test_each_rule_points_at_the_attribute(config: dict[str, Any], expected: tuple[list[str], str]) -> None:
    assert problems(config) == [expected]


SECRET = "https://admin:S3cretPassw0rd@proxy.example/"


@pytest.mark.parametrize(
    ("config", "attribute"),
    [
        ({**user_config(), "name": SECRET}, "name"),
        ({**user_config(), "app_id": SECRET}, "app_id"),
        (user_config(password={"status": None, "seed": SECRET, "change": None}), "seed"),
        (user_config(password={"status": "ENABLED\nDISABLED", "seed": None, "change": None}), "status"),
    ],
)
def test_a_refused_value_is_never_quoted_back_unless_short_and_plain(
    config: dict[str, Any], attribute: str
) -> None:
    ((path, summary, detail),) = validation_problems(config)

    assert path[-1] == attribute and summary == f"Invalid {attribute}"
    assert "S3cretPassw0rd" not in detail
    assert ", not " not in detail, "nothing quoted back"


def test_a_short_plain_value_is_quoted_back() -> None:
    ((_, _, detail),) = validation_problems({**user_config(), "name": "OUTBOUND"})
    assert detail == 'name must be "USER_PROVISIONING" or "INBOUND_PROVISIONING", not "OUTBOUND".'


@pytest.mark.parametrize("app_id", ["0oa1.x", "0oa1/x", "0oa 1", "..", "", "0oa1\n"])
def test_app_id_must_be_letters_and_digits(app_id: str) -> None:
    ((path, summary, detail),) = validation_problems({**user_config(), "app_id": app_id})

    assert (path, summary) == (["app_id"], "Invalid app_id")
    assert (
        detail
        == "app_id must be an Okta application ID: letters and digits only, such as 0oa1b2c3d4e5f6g7h8i9."
    )


def test_exact_match_criteria_is_checked() -> None:
    config = inbound_config()
    config["capabilities"]["import_rules"] = {
        "user_create_and_match": {"exact_match_criteria": "ID"}
        | dict.fromkeys(["allow_partial_match", "auto_activate_new_users", "autoconfirm_exact_match"], None)
    }
    assert problems(config) == [
        (
            ["capabilities", "import_rules", "user_create_and_match", "exact_match_criteria"],
            "Invalid exact_match_criteria",
        )
    ]


def test_unknown_values_pass_until_they_are_known() -> None:
    config = inbound_config({"username_format": REFINED_UNKNOWN, "username_expression": "x"})
    config["app_id"] = Unknown
    assert problems(config) == []
    assert problems({**user_config(), "name": Unknown}) == []


# --- plan -------------------------------------------------------------------------------------


def plan(
    current: dict[str, Any] | None, planned: dict[str, Any], config: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Plan `planned`, configured as `config` (the same when not given: every leaf as set)."""
    resource = AppFeatures(OktaProvider())
    ctx = ConfiguredPlanContext(
        Diagnostics(), "okta_app_features", set(), config=copy.deepcopy(config or planned)
    )
    return resource.plan(ctx, current, copy.deepcopy(planned))


def test_create_plans_the_id_and_leaves_what_okta_decides_unknown() -> None:
    planned = plan(None, user_config())

    assert planned["id"] == "0oa1/USER_PROVISIONING"
    assert planned["status"] is Unknown and planned["description"] is Unknown
    password = planned["capabilities"]["update"]["password"]
    assert password == {"status": "ENABLED", "seed": Unknown, "change": "CHANGE"}
    assert planned["capabilities"]["update"]["profile"] is None


def test_update_keeps_known_values_and_unknowns_only_new_blocks() -> None:
    current = user_config()
    current["capabilities"]["update"]["password"]["seed"] = "RANDOM"
    current.update(id="0oa1/USER_PROVISIONING", status="ENABLED", description="d")
    proposed = copy.deepcopy(current)
    proposed["capabilities"]["update"]["profile"] = {"status": None}

    planned = plan(current, proposed)

    assert planned["capabilities"]["update"]["password"]["seed"] == "RANDOM"
    assert planned["capabilities"]["update"]["profile"] == {"status": Unknown}
    assert planned["status"] == "ENABLED"


def stored(config: dict[str, Any]) -> dict[str, Any]:
    """A state for `config` with Okta's values in every leaf it leaves out."""
    state = copy.deepcopy(config)
    state.update(id="0oa1/USER_PROVISIONING", status="ENABLED", description="d")
    state["capabilities"]["update"]["password"]["seed"] = "RANDOM"
    return state


def test_a_plan_without_changes_keeps_the_settings_left_out_as_last_read() -> None:
    config = user_config()
    current = stored(config)

    planned = plan(current, copy.deepcopy(current), config)

    assert planned == current


def test_a_plan_with_changes_leaves_the_settings_left_out_unknown() -> None:
    config = user_config()
    current = stored(config)
    config["capabilities"]["update"]["password"]["change"] = "KEEP_EXISTING"
    proposed = copy.deepcopy(current)  # what Terraform proposes: prior values where config is null
    proposed["capabilities"]["update"]["password"]["change"] = "KEEP_EXISTING"

    planned = plan(current, proposed, config)

    assert planned["capabilities"]["update"]["password"] == {
        "status": "ENABLED",
        "seed": Unknown,  # left out: the PUT keeps whatever Okta holds then
        "change": "KEEP_EXISTING",
    }
    assert planned["capabilities"]["create"] == {"lifecycle_create": {"status": "ENABLED"}}
    assert planned["status"] == "ENABLED"


# --- operations against the emulator ---------------------------------------------------------


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(api_token=TOKEN) as emu:
        yield emu


@pytest.fixture
def resource(emulator: Emulator) -> Iterator[AppFeatures]:
    provider = OktaProvider()
    client = OktaClient(emulator.url, ApiToken(TOKEN))
    provider._client = client
    yield AppFeatures(provider)
    client.close()


def enabled_app(emulator: Emulator, kind: AppKind = AppKind.ORG2ORG) -> str:
    app_id = emulator.store.add_app(kind)
    emulator.store.set_status(app_id, "ENABLED")
    emulator.store.clear_requests()
    return app_id


def calls(emulator: Emulator) -> list[tuple[str, str]]:
    return [(entry.method, entry.path) for entry in emulator.store.requests()]


def create(resource: AppFeatures, config: dict[str, Any]) -> tuple[dict[str, Any] | None, Diagnostics]:
    diags = Diagnostics()
    planned = plan(None, config)
    return resource.create(ConfiguredCreateContext(diags, "okta_app_features", config=config), planned), diags


def test_create_is_a_get_and_a_put_of_the_whole_object(emulator: Emulator, resource: AppFeatures) -> None:
    app_id = enabled_app(emulator)
    path = f"/api/v1/apps/{app_id}/features/USER_PROVISIONING"

    state, diags = create(resource, {**user_config(), "app_id": app_id})

    assert not diags.has_errors()
    assert calls(emulator) == [("GET", path), ("PUT", path)]
    assert emulator.store.requests()[1].body == {
        "create": {"lifecycleCreate": {"status": "ENABLED"}},
        "update": {
            "profile": {"status": "DISABLED"},
            "lifecycleDeactivate": {"status": "DISABLED"},
            "password": {"status": "ENABLED", "seed": "RANDOM", "change": "CHANGE"},
        },
    }
    assert state is not None
    assert state["id"] == f"{app_id}/USER_PROVISIONING"
    assert state["status"] == "ENABLED"
    assert state["capabilities"]["update"] == {
        "profile": None,
        "lifecycle_deactivate": None,
        "password": {"status": "ENABLED", "seed": "RANDOM", "change": "CHANGE"},
    }


def test_inbound_put_keeps_the_required_objects_and_clears_an_email_expression(
    emulator: Emulator, resource: AppFeatures
) -> None:
    app_id = enabled_app(emulator)
    config = {**inbound_config({"username_format": "EMAIL", "username_expression": None}), "app_id": app_id}
    emulator.store.features.update(
        app_id,
        "INBOUND_PROVISIONING",
        {"importSettings": {"username": {"usernameFormat": "CUSTOM", "userNameExpression": "a"}}},
    )

    state, diags = create(resource, config)

    assert not diags.has_errors()
    body = emulator.store.requests()[1].body
    assert body is not None
    assert set(body) == {"importSettings", "importRules"}
    assert body["importSettings"]["username"] == {"userNameFormat": "EMAIL"}
    assert state is not None
    assert state["capabilities"]["import_settings"]["username"] == {
        "username_format": "EMAIL",
        "username_expression": None,
    }
    assert state["capabilities"]["import_settings"]["schedule"]["full_import"] is None


def test_read_shows_drift_of_managed_blocks_only(emulator: Emulator, resource: AppFeatures) -> None:
    app_id = enabled_app(emulator)
    state, _ = create(resource, {**user_config(), "app_id": app_id})
    assert state is not None
    emulator.store.features.update(
        app_id,
        "USER_PROVISIONING",
        {"update": {"password": {"seed": "OKTA"}, "profile": {"status": "ENABLED"}}},
    )
    emulator.store.clear_requests()

    diags = Diagnostics()
    refreshed = resource.read(ReadContext(diags, "okta_app_features"), state)

    assert calls(emulator) == [("GET", f"/api/v1/apps/{app_id}/features/USER_PROVISIONING")]
    assert refreshed is not None
    assert refreshed["capabilities"]["update"]["password"]["seed"] == "OKTA"
    assert refreshed["capabilities"]["update"]["profile"] is None


def test_read_of_a_deleted_app_removes_it_with_a_warning(emulator: Emulator, resource: AppFeatures) -> None:
    app_id = enabled_app(emulator)
    state, _ = create(resource, {**user_config(), "app_id": app_id})
    assert state is not None
    emulator.store.delete_app(app_id)

    diags = Diagnostics()
    assert resource.read(ReadContext(diags, "okta_app_features"), state) is None
    assert not diags.has_errors()
    (warning,) = diags.to_pb()
    assert warning.summary == "Feature not found at Okta"
    assert f"Resource not found: {app_id} (AppInstance)" in warning.detail, "what Okta said"
    assert "the application or the feature is gone" in warning.detail


def test_read_of_a_feature_the_app_lacks_does_not_say_the_app_is_gone(
    emulator: Emulator, resource: AppFeatures
) -> None:
    app_id = enabled_app(emulator, AppKind.ZSCALERBYZ)  # USER_PROVISIONING only
    state = {**user_config(), "app_id": app_id, "name": "INBOUND_PROVISIONING"}

    diags = Diagnostics()
    assert resource.read(ReadContext(diags, "okta_app_features"), state) is None

    (warning,) = diags.to_pb()
    assert "Resource not found: INBOUND_PROVISIONING (AppFeature)" in warning.detail
    assert "no longer exists" not in warning.detail


def test_a_connection_not_enabled_says_to_enable_it_first(emulator: Emulator, resource: AppFeatures) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    state, diags = create(resource, {**user_config(), "app_id": app_id})

    assert state is None
    (error,) = diags.to_pb()
    assert error.summary == "Provisioning is not enabled for the application"
    assert 'action = "activate"' in error.detail
    assert [step.attribute_name for step in error.attribute.steps] == ["app_id"]


def test_a_failed_update_keeps_the_state_it_had(emulator: Emulator, resource: AppFeatures) -> None:
    app_id = enabled_app(emulator)
    state, _ = create(resource, {**user_config(), "app_id": app_id})
    assert state is not None
    emulator.store.set_status(app_id, "DISABLED")

    diags = Diagnostics()
    ctx = ConfiguredUpdateContext(diags, "okta_app_features", config=copy.deepcopy(state))
    after = resource.update(ctx, state, copy.deepcopy(state))

    assert diags.has_errors()
    assert after == state


def test_update_sends_only_the_configured_settings_over_what_okta_holds(
    emulator: Emulator, resource: AppFeatures
) -> None:
    app_id = enabled_app(emulator)
    config = {**user_config(), "app_id": app_id}
    state, _ = create(resource, config)
    assert state is not None and state["capabilities"]["update"]["password"]["seed"] == "RANDOM"
    config["capabilities"]["update"]["password"]["change"] = "KEEP_EXISTING"
    planned = copy.deepcopy(state)  # a saved plan: the left-out seed as last read
    planned["capabilities"]["update"]["password"]["change"] = "KEEP_EXISTING"
    emulator.store.features.update(app_id, "USER_PROVISIONING", {"update": {"password": {"seed": "OKTA"}}})

    diags = Diagnostics()
    after = resource.update(
        ConfiguredUpdateContext(diags, "okta_app_features", config=config), state, planned
    )

    assert not diags.has_errors()
    password = emulator.store.features.get(app_id, "USER_PROVISIONING")["update"]["password"]
    assert password == {"status": "ENABLED", "seed": "OKTA", "change": "KEEP_EXISTING"}
    assert after["capabilities"]["update"]["password"] == {
        "status": "ENABLED",
        "seed": "OKTA",
        "change": "KEEP_EXISTING",
    }, "the state says what Okta holds after the PUT"


def test_read_while_the_connection_is_disabled_keeps_the_state_with_a_warning(
    emulator: Emulator, resource: AppFeatures
) -> None:
    app_id = enabled_app(emulator)
    state, _ = create(resource, {**user_config(), "app_id": app_id})
    assert state is not None
    emulator.store.set_status(app_id, "DISABLED")

    diags = Diagnostics()
    refreshed = resource.read(ReadContext(diags, "okta_app_features"), copy.deepcopy(state))

    assert refreshed == state
    assert not diags.has_errors()
    (warning,) = diags.to_pb()
    assert warning.summary == "Feature not read: provisioning is not enabled"
    assert "while the application's provisioning connection is disabled" in warning.detail
    assert 'action = "activate"' in warning.detail


def test_destroy_makes_no_call_and_warns(emulator: Emulator, resource: AppFeatures) -> None:
    app_id = enabled_app(emulator)
    diags = Diagnostics()

    resource.delete(
        DeleteContext(diags, "okta_app_features"), {"app_id": app_id, "name": "USER_PROVISIONING"}
    )

    assert calls(emulator) == []
    assert not diags.has_errors()
    assert "no way to delete" in diags.to_pb()[0].detail


def test_import_reads_the_whole_feature(emulator: Emulator, resource: AppFeatures) -> None:
    app_id = enabled_app(emulator)
    diags = Diagnostics()

    state = resource.import_(ImportContext(diags, "okta_app_features"), f"{app_id}/INBOUND_PROVISIONING")

    assert not diags.has_errors()
    assert state is not None
    assert state["capabilities"]["create"] is None
    assert (
        state["capabilities"]["import_rules"]["user_create_and_match"]["exact_match_criteria"] == "USERNAME"
    )
    assert state["capabilities"]["import_settings"]["schedule"] == {
        "status": "DISABLED",
        "full_import": None,
        "incremental_import": None,
    }


@pytest.mark.parametrize(
    "bad_id",
    [
        "0oa1",
        "0oa1/",
        "/USER_PROVISIONING",
        "0oa1/OUTBOUND",
        "../USER_PROVISIONING",
        "0oa1.x/USER_PROVISIONING",
        f"{SECRET}/USER_PROVISIONING",
        f"0oa1/{SECRET}",
    ],
)
def test_a_malformed_import_id_shows_the_right_form(
    emulator: Emulator, resource: AppFeatures, bad_id: str
) -> None:
    diags = Diagnostics()

    assert resource.import_(ImportContext(diags, "okta_app_features"), bad_id) is None

    (error,) = diags.to_pb()
    assert error.summary == "Invalid import ID"
    assert "<application id>/<USER_PROVISIONING|INBOUND_PROVISIONING>" in error.detail
    assert "letters and digits only" in error.detail
    assert f'"{bad_id}"' not in error.detail and "S3cretPassw0rd" not in error.detail
    assert calls(emulator) == []


# --- the data source --------------------------------------------------------------------------


def data_source(resource: AppFeatures) -> AppFeaturesData:
    return AppFeaturesData(resource.provider)


def test_data_source_reads_the_whole_feature(emulator: Emulator, resource: AppFeatures) -> None:
    app_id = enabled_app(emulator, AppKind.ZSCALERBYZ)
    diags = Diagnostics()

    state = data_source(resource).read(
        ReadDataContext(diags, "okta_app_features"), {"app_id": app_id, "name": "USER_PROVISIONING"}
    )

    assert not diags.has_errors()
    assert state is not None
    assert state["capabilities"]["update"]["password"] == {
        "status": "DISABLED",
        "seed": "RANDOM",
        "change": "KEEP_EXISTING",
    }
    assert state["capabilities"]["import_settings"] is None
    assert calls(emulator) == [("GET", f"/api/v1/apps/{app_id}/features/USER_PROVISIONING")]


def test_data_source_refuses_a_bad_name_before_any_call(emulator: Emulator, resource: AppFeatures) -> None:
    diags = Diagnostics()

    state = data_source(resource).read(
        ReadDataContext(diags, "okta_app_features"), {"app_id": "0oa1", "name": "X"}
    )

    assert state is None
    assert [d.summary for d in diags.to_pb()] == ["Invalid name"]
    assert calls(emulator) == []


def test_data_source_refuses_an_app_id_that_is_no_okta_id(emulator: Emulator, resource: AppFeatures) -> None:
    diags = Diagnostics()

    data_source(resource).validate(
        diags, "okta_app_features", {"app_id": SECRET, "name": "USER_PROVISIONING"}
    )

    (error,) = diags.to_pb()
    assert error.summary == "Invalid app_id"
    assert "letters and digits only" in error.detail and "S3cretPassw0rd" not in error.detail
    assert calls(emulator) == []


def test_data_source_of_a_feature_the_app_lacks_is_a_404_error(
    emulator: Emulator, resource: AppFeatures
) -> None:
    app_id = enabled_app(emulator, AppKind.ZSCALERBYZ)
    diags = Diagnostics()

    state = data_source(resource).read(
        ReadDataContext(diags, "okta_app_features"), {"app_id": app_id, "name": "INBOUND_PROVISIONING"}
    )

    assert state is None
    (error,) = diags.to_pb()
    assert error.summary.startswith("Okta API error 404 E0000007")
    assert [step.attribute_name for step in error.attribute.steps] == ["app_id"]
