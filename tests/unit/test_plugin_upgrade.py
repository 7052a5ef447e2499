"""Stored states fitted to the current schema and moved forward by upgrade steps."""

from __future__ import annotations

from typing import Any

import pytest
from tf.schema import Attribute, Block, NestedBlock, NestMode, Schema
from tf.types import Bool, List, Map, Number, String

from provider.plugin.blocks import SingleNestedBlock
from provider.plugin.types import Object
from provider.plugin.upgrade import UnfitState, fit, upgrade

TYPE = "okta_thing"


class SetBlock(NestedBlock):  # type: ignore[misc]
    def encode(self, value: Any) -> Any:
        return value

    def decode(self, value: Any) -> Any:
        return value


def schema(version: int = 0) -> Schema:
    return Schema(
        version=version,
        attributes=[
            Attribute("id", String(), required=True),
            Attribute("count", Number(), optional=True),
            Attribute("enabled", Bool(), optional=True),
            Attribute("tags", List(String()), optional=True),
            Attribute("labels", Map(String()), optional=True),
            Attribute("owner", Object({"name": String(), "age": Number()}), computed=True),
        ],
        block_types=[
            SingleNestedBlock(
                "profile",
                Block(
                    attributes=[Attribute("scheme", String(), required=True)],
                    block_types=[
                        SingleNestedBlock("signing", Block(attributes=[Attribute("mode", String())]))
                    ],
                ),
            ),
            SetBlock("rule", NestMode.Set, Block(attributes=[Attribute("name", String())])),
        ],
    )


FULL = {
    "id": "a",
    "count": 2,
    "enabled": True,
    "tags": ["x"],
    "labels": {"k": "v"},
    "owner": {"name": "n", "age": 3},
    "profile": {"scheme": "TOKEN", "signing": {"mode": "AUTO"}},
    "rule": [{"name": "r"}],
}


def test_a_state_that_fits_is_returned_as_it_is() -> None:
    assert fit(TYPE, schema(), FULL) == FULL


def test_a_missing_attribute_is_null() -> None:
    stored = {key: value for key, value in FULL.items() if key not in ("count", "owner")}
    assert fit(TYPE, schema(), stored) == {**FULL, "count": None, "owner": None}


def test_a_missing_attribute_of_a_nested_block_or_object_is_null() -> None:
    stored = {**FULL, "profile": {"signing": {"mode": "AUTO"}}, "owner": {"name": "n"}}
    fitted = fit(TYPE, schema(), stored)
    assert fitted["profile"] == {"scheme": None, "signing": {"mode": "AUTO"}}
    assert fitted["owner"] == {"name": "n", "age": None}


def test_a_missing_nested_block_is_null_or_no_blocks() -> None:
    stored = {key: value for key, value in FULL.items() if key not in ("profile", "rule")}
    assert fit(TYPE, schema(), stored) == {**FULL, "profile": None, "rule": []}
    stored = {**FULL, "profile": {"scheme": "OAUTH2"}}
    assert fit(TYPE, schema(), stored)["profile"] == {"scheme": "OAUTH2", "signing": None}


def test_a_null_block_stays_null() -> None:
    stored = {**FULL, "profile": {"scheme": "OAUTH2", "signing": None}, "rule": None}
    fitted = fit(TYPE, schema(), stored)
    assert fitted["profile"] == {"scheme": "OAUTH2", "signing": None}
    assert fitted["rule"] == []
    assert fit(TYPE, schema(), {**FULL, "profile": None})["profile"] is None


def test_an_attribute_the_schema_no_longer_has_is_dropped_at_any_depth() -> None:
    stored = {**FULL, "legacy": "x", "profile": {"scheme": "TOKEN", "old": 1, "signing": None}}
    stored["rule"] = [{"name": "r", "gone": True}]
    fitted = fit(TYPE, schema(), stored)
    assert "legacy" not in fitted
    assert fitted["profile"] == {"scheme": "TOKEN", "signing": None}
    assert fitted["rule"] == [{"name": "r"}]


@pytest.mark.parametrize(
    ("change", "path", "found", "expected"),
    [
        ({"id": 7}, ["id"], "a number", "a string"),
        ({"count": "2"}, ["count"], "a string", "a number"),
        ({"count": True}, ["count"], "a bool", "a number"),
        ({"enabled": "true"}, ["enabled"], "a string", "a bool"),
        ({"tags": "x"}, ["tags"], "a string", "a list"),
        ({"tags": [1]}, ["tags"], "a number", "a string"),
        ({"labels": {"k": 1}}, ["labels", "k"], "a number", "a string"),
        ({"owner": {"name": ["n"]}}, ["owner", "name"], "a list", "a string"),
        ({"profile": [{"scheme": "TOKEN"}]}, ["profile"], "a list", "an object"),
        (
            {"profile": {"scheme": "TOKEN", "signing": {"mode": 1}}},
            ["profile", "signing", "mode"],
            "a number",
            "a string",
        ),
        ({"rule": {"name": "r"}}, ["rule"], "an object", "a list of blocks"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_error_naming_the_attribute(
    change: dict[str, Any], path: list[str], found: str, expected: str
) -> None:
    with pytest.raises(UnfitState) as raised:
        fit(TYPE, schema(), {**FULL, **change})
    assert raised.value.path == path
    assert raised.value.summary == "Stored state does not fit the schema"
    assert f"{'.'.join(path)} as {found}, where this release of the provider expects {expected}" in (
        raised.value.detail
    )
    assert "terraform state rm" in raised.value.detail and "terraform import" in raised.value.detail


def test_a_state_that_is_not_an_object_is_an_error() -> None:
    with pytest.raises(UnfitState, match="the state itself as a list"):
        upgrade(TYPE, schema(), {}, 0, [FULL])


def test_steps_run_in_order_from_the_stored_version_then_the_state_is_fitted() -> None:
    calls: list[int] = []

    def rename(state: dict[str, Any]) -> dict[str, Any]:  # version 0 -> 1: "name" became "id"
        calls.append(0)
        return {**{k: v for k, v in state.items() if k != "name"}, "id": state["name"]}

    def count_as_number(state: dict[str, Any]) -> dict[str, Any]:  # 1 -> 2: "count" was a string
        calls.append(1)
        return {**state, "count": int(state["count"])}

    steps = {0: rename, 1: count_as_number}
    assert upgrade(TYPE, schema(2), steps, 0, {"name": "a", "count": "2"})["id"] == "a"
    assert calls == [0, 1]
    calls.clear()
    assert upgrade(TYPE, schema(2), steps, 1, {"id": "b", "count": "3"})["count"] == 3
    assert calls == [1]
    calls.clear()
    assert upgrade(TYPE, schema(2), steps, 2, {"id": "c", "count": 4})["count"] == 4
    assert calls == []


def test_a_step_returning_something_else_than_an_object_is_an_error() -> None:
    with pytest.raises(UnfitState, match="the state itself"):
        upgrade(TYPE, schema(1), {0: lambda state: None}, 0, FULL)  # type: ignore[arg-type,return-value]


def test_a_missing_step_is_a_provider_bug() -> None:
    with pytest.raises(RuntimeError, match="okta_thing is at schema version 2 with no step from 1"):
        upgrade(TYPE, schema(2), {0: dict}, 0, FULL)


def test_a_state_from_a_newer_release_is_an_error_saying_what_to_do() -> None:
    with pytest.raises(UnfitState) as raised:
        upgrade(TYPE, schema(1), {0: dict}, 2, FULL)
    assert raised.value.summary == "State written by a newer provider"
    assert "schema version 2" in raised.value.detail and "versions up to 1" in raised.value.detail


def test_adoption_runs_on_version_0_states_only_before_the_steps() -> None:
    seen: list[str] = []

    def adopt(state: dict[str, Any]) -> dict[str, Any]:
        seen.append("adopt")
        return {**state, "count": 1}

    def step(state: dict[str, Any]) -> dict[str, Any]:
        seen.append(f"step {state['count']}")
        return state

    assert upgrade(TYPE, schema(1), {0: step}, 0, {"id": "a"}, adopt)["count"] == 1
    assert seen == ["adopt", "step 1"]
    seen.clear()
    assert upgrade(TYPE, schema(1), {0: step}, 1, {"id": "a"}, adopt)["count"] is None
    assert seen == []


def identified_schema() -> Schema:
    return Schema(
        attributes=[
            Attribute("app_id", String(), required=True, requires_replace=True),
            Attribute("action", String(), required=True),
            Attribute("id", String(), computed=True),
        ]
    )


@pytest.mark.parametrize("stored", [{"action": "a"}, {"app_id": None, "action": "a"}])
def test_a_state_without_an_argument_naming_its_object_is_an_error_naming_it(stored: dict[str, Any]) -> None:
    with pytest.raises(UnfitState) as caught:
        upgrade(TYPE, identified_schema(), {}, 0, stored)
    assert caught.value.path == ["app_id"]
    assert f"The stored state of this {TYPE} has no app_id" in caught.value.detail
    assert "terraform state rm" in caught.value.detail


def test_other_arguments_and_computed_attributes_may_be_null() -> None:
    """A refresh or the next plan sets them; only an argument naming the object cannot be found."""
    assert upgrade(TYPE, identified_schema(), {}, 0, {"app_id": "0oa1"}) == {
        "app_id": "0oa1",
        "action": None,
        "id": None,
    }
