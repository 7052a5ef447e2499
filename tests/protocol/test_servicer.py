"""The servicer driven with real tfplugin6 protobuf requests, as Terraform sends them."""

from __future__ import annotations

import json
import threading
from typing import Any

import msgpack
import pytest
from msgpack import ExtType
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc
from tf.schema import Attribute, Block, Schema
from tf.types import String, Unknown

from provider.plugin.blocks import SingleNestedBlock
from provider.plugin.servicer import INTERNAL_ERROR, OktaProviderServicer
from provider.plugin.values import decode, encode
from provider.provider import OktaProvider
from provider.settings import ENVIRONMENT

TYPE = "okta_app_connection"
REFINED_UNKNOWN = ExtType(12, b"\x81\x01\xc3")


def servicer(provider: Any = None) -> OktaProviderServicer:
    return OktaProviderServicer(provider or OktaProvider(), threading.Event())


def state(**overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "id": "0oa1",
        "base_url": "https://scim.example.com",
        "action": "activate",
        "status": None,
        "profile": {
            "auth_scheme": "TOKEN",
            "token": "t",
            "client_id": None,
            "signing": None,
            "settings": None,
        },
    }
    value.update(overrides)
    return value


def errors(response: Any) -> list[str]:
    return [d.summary for d in response.diagnostics if d.severity == pb.Diagnostic.ERROR]


def test_schema_has_version_0_and_a_required_single_profile_block() -> None:
    response = servicer().GetProviderSchema(pb.GetProviderSchema.Request(), None)
    schema = response.resource_schemas[TYPE]
    assert schema.version == 0
    assert response.provider.version == 0
    blocks = {block.type_name: block for block in schema.block.block_types}
    assert set(blocks) == {"profile", "oauth_consent"}
    profile = blocks["profile"]
    assert profile.nesting == pb.Schema.NestedBlock.NestingMode.SINGLE
    assert (profile.min_items, profile.max_items) == (1, 1)
    nested = {block.type_name: block for block in profile.block.block_types}
    assert {name: (b.min_items, b.max_items) for name, b in nested.items()} == {
        "signing": (0, 0),
        "settings": (0, 0),
    }
    attributes = [*profile.block.attributes, *nested["settings"].block.attributes]
    assert {a.name for a in attributes if a.sensitive} == {
        "token",
        "token_wo",
        "admin_password",
        "admin_password_wo",
    }
    assert {a.name for a in attributes if a.write_only} == {"token_wo", "admin_password_wo"}
    versions = {a.name: a for a in attributes if a.name.endswith("_wo_version")}
    assert {name: (a.optional, a.sensitive, a.write_only) for name, a in versions.items()} == {
        "token_wo_version": (True, False, False),
        "admin_password_wo_version": (True, False, False),
    }
    assert {a.name for a in response.provider.block.attributes if a.sensitive} == {
        "api_token",
        "access_token",
        "private_key",
        "http_proxy",  # it may carry the proxy's password
    }


def test_tf_builds_protocol_6_11_messages() -> None:
    assert pb.__name__ == "provider.plugin.gen.tfplugin6_pb2"
    assert "write_only" in pb.Schema.Attribute.DESCRIPTOR.fields_by_name


def test_every_rpc_served_has_a_handler_of_ours_or_tf() -> None:
    generated = {name for name in vars(rpc.ProviderServicer) if not name.startswith("_")}
    inherited = {
        name for name in generated if getattr(OktaProviderServicer, name) is vars(rpc.ProviderServicer)[name]
    }
    assert len(generated) == len(pb.DESCRIPTOR.services_by_name["Provider"].methods)
    assert inherited == set()


def test_schema_is_built_once() -> None:
    subject = servicer()
    first = subject.GetProviderSchema(pb.GetProviderSchema.Request(), None)
    assert subject.GetProviderSchema(pb.GetProviderSchema.Request(), None) is first


def test_validation_errors_carry_nested_attribute_paths() -> None:
    config = state(
        profile={"auth_scheme": "TOKEN", "token": None, "client_id": "c", "signing": None, "settings": None}
    )
    response = servicer().ValidateResourceConfig(
        pb.ValidateResourceConfig.Request(type_name=TYPE, config=encode(config)), None
    )
    paths = [[step.attribute_name for step in d.attribute.steps] for d in response.diagnostics]
    assert paths == [["profile", "token"], ["profile", "client_id"]]


def test_refined_unknowns_pass_validation() -> None:
    config = state(action=REFINED_UNKNOWN, id=REFINED_UNKNOWN)
    raw = msgpack.packb(config, default=lambda v: v)
    response = servicer().ValidateResourceConfig(
        pb.ValidateResourceConfig.Request(type_name=TYPE, config=pb.DynamicValue(msgpack=raw)), None
    )
    assert errors(response) == []


def plan(subject: OktaProviderServicer, prior: Any, proposed: Any, private: bytes = b"") -> Any:
    request = pb.PlanResourceChange.Request(
        type_name=TYPE,
        prior_state=encode(prior),
        proposed_new_state=encode(proposed),
        config=encode(proposed),
        prior_private=private,
    )
    return subject.PlanResourceChange(request, None)


def test_create_plan_marks_computed_values_unknown() -> None:
    response = plan(servicer(), None, state(base_url=None))
    planned = decode(response.planned_state)
    assert planned["status"] is Unknown
    assert planned["base_url"] is Unknown
    assert list(response.requires_replace) == []


def test_changing_id_requires_replacement() -> None:
    prior = state(status="ENABLED")
    response = plan(servicer(), prior, state(id="0oa2", status="ENABLED"))
    assert [[s.attribute_name for s in p.steps] for p in response.requires_replace] == [["id"]]


def test_refined_unknown_in_a_plan_is_passed_through_untouched() -> None:
    prior = state(status="ENABLED")
    proposed = state(status="ENABLED", base_url=REFINED_UNKNOWN)
    response = plan(servicer(), prior, proposed)
    assert decode(response.planned_state)["base_url"] == REFINED_UNKNOWN


def test_destroy_plan_is_answered_and_private_state_kept() -> None:
    response = plan(servicer(), state(status="ENABLED"), None, private=b"opaque")
    assert errors(response) == []
    assert decode(response.planned_state) is None
    assert response.planned_private == b"opaque"


class NestedReplaceResource:
    """A resource whose nested attribute forces replacement, to test the mechanism itself."""

    def __init__(self, provider: Any) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "nested"

    @classmethod
    def get_schema(cls) -> Schema:
        inner = Block(attributes=[Attribute("zone", String(), required=True, requires_replace=True)])
        return Schema(
            version=0,
            attributes=[Attribute("name", String(), required=True)],
            block_types=[SingleNestedBlock("placement", inner, required=True)],
        )

    def plan(self, ctx: Any, current: Any, planned: Any) -> Any:
        return planned

    def create(self, ctx: Any, planned: Any) -> Any:
        raise RuntimeError("boom")

    def update(self, ctx: Any, current: Any, planned: Any) -> Any:
        raise RuntimeError("boom")


class NestedProvider(OktaProvider):
    def get_resources(self) -> list[Any]:
        return [NestedReplaceResource]


class ReadCountingResource(NestedReplaceResource):
    """Imports and reads as if from an API, counting the reads."""

    reads = 0

    def import_(self, ctx: Any, id: str) -> Any:
        return {"name": id, "placement": {"zone": "eu"}}

    def read(self, ctx: Any, current: Any) -> Any:
        ReadCountingResource.reads += 1
        return {**current, "placement": {"zone": "refreshed"}}


class ReadCountingProvider(OktaProvider):
    def get_resources(self) -> list[Any]:
        return [ReadCountingResource]


def read(subject: OktaProviderServicer, current: Any, private: bytes) -> Any:
    request = pb.ReadResource.Request(type_name="okta_nested", current_state=encode(current), private=private)
    return subject.ReadResource(request, None)


def test_the_read_right_after_an_import_reuses_the_import_and_clears_its_mark(monkeypatch: Any) -> None:
    monkeypatch.setattr(ReadCountingResource, "reads", 0)
    subject = servicer(ReadCountingProvider())
    response = subject.ImportResourceState(
        pb.ImportResourceState.Request(type_name="okta_nested", id="a"), None
    )
    [imported] = response.imported_resources
    assert imported.private

    after_import = read(subject, decode(imported.state), imported.private)
    assert ReadCountingResource.reads == 0
    assert decode(after_import.new_state) == {"name": "a", "placement": {"zone": "eu"}}
    assert after_import.private == b""

    later = read(subject, decode(after_import.new_state), after_import.private)
    assert ReadCountingResource.reads == 1
    assert decode(later.new_state)["placement"] == {"zone": "refreshed"}


def test_an_import_mark_from_another_process_does_not_skip_the_read(monkeypatch: Any) -> None:
    monkeypatch.setattr(ReadCountingResource, "reads", 0)
    importer, reader = servicer(ReadCountingProvider()), servicer(ReadCountingProvider())
    response = importer.ImportResourceState(
        pb.ImportResourceState.Request(type_name="okta_nested", id="a"), None
    )
    [imported] = response.imported_resources
    read(reader, decode(imported.state), imported.private)
    assert ReadCountingResource.reads == 1


def test_nested_requires_replace_is_honoured() -> None:
    request = pb.PlanResourceChange.Request(
        type_name="okta_nested",
        prior_state=encode({"name": "a", "placement": {"zone": "eu"}}),
        proposed_new_state=encode({"name": "b", "placement": {"zone": "us"}}),
    )
    response = servicer(NestedProvider()).PlanResourceChange(request, None)
    assert [[s.attribute_name for s in p.steps] for p in response.requires_replace] == [["placement", "zone"]]


def test_an_exception_in_apply_is_a_diagnostic_and_keeps_the_prior_state() -> None:
    prior = {"name": "a", "placement": {"zone": "eu"}}
    request = pb.ApplyResourceChange.Request(
        type_name="okta_nested",
        prior_state=encode(prior),
        planned_state=encode({"name": "b", "placement": {"zone": "eu"}}),
        planned_private=b"opaque",
    )
    response = servicer(NestedProvider()).ApplyResourceChange(request, None)
    assert errors(response) == [INTERNAL_ERROR]
    assert "Traceback" not in response.diagnostics[0].detail
    assert decode(response.new_state) == prior
    assert response.private == b"opaque"


def test_an_exception_in_any_rpc_is_a_diagnostic() -> None:
    request = pb.ValidateResourceConfig.Request(type_name="okta_missing", config=encode({}))
    response = servicer().ValidateResourceConfig(request, None)
    assert errors(response) == [INTERNAL_ERROR]


@pytest.mark.parametrize(
    ("config", "argument"),
    [
        (
            {"org_url": "http://dev-1.okta.com", "org_name": None, "base_url": None, "api_token": "t"},
            "org_url",
        ),
        (
            {"org_url": "https://a.okta.com", "org_name": None, "base_url": None, "api_token": None},
            "api_token",
        ),
    ],
)
def test_configure_errors_name_the_argument(config: dict[str, Any], argument: str, monkeypatch: Any) -> None:
    for variable in ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)
    response = servicer().ConfigureProvider(pb.ConfigureProvider.Request(config=encode(config)), None)
    [diagnostic] = response.diagnostics
    assert [step.attribute_name for step in diagnostic.attribute.steps] == [argument]


def test_an_unsupported_proxy_is_an_error_on_no_argument(monkeypatch: Any) -> None:
    for variable in ENVIRONMENT.values():
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "socks5://proxy.corp.example:1080")
    config = {"org_url": "https://a.okta.com", "org_name": None, "base_url": None, "api_token": "t"}
    response = servicer().ConfigureProvider(pb.ConfigureProvider.Request(config=encode(config)), None)
    [diagnostic] = response.diagnostics
    assert diagnostic.summary == "Unsupported proxy"
    assert diagnostic.detail.startswith("HTTPS_PROXY names a socks5:// proxy")
    assert not diagnostic.HasField("attribute")


def test_configuration_is_repeatable_and_reuses_the_client(monkeypatch: Any) -> None:
    provider = OktaProvider()
    subject = servicer(provider)
    config = {"org_url": "https://a.okta.com", "org_name": None, "base_url": None, "api_token": "t"}
    for _ in range(3):
        response = subject.ConfigureProvider(pb.ConfigureProvider.Request(config=encode(config)), None)
        assert errors(response) == []
        if _ == 0:
            first = provider.client
    assert provider.client is first


def test_stop_provider_only_signals() -> None:
    subject = servicer()
    subject.StopProvider(pb.StopProvider.Request(), None)
    assert subject.stopping.is_set()


def upgrade_request(stored: Any, version: int = 0) -> Any:
    raw = pb.RawState(json=json.dumps(stored).encode())
    return pb.UpgradeResourceState.Request(type_name=TYPE, version=version, raw_state=raw)


def test_upgrade_fits_a_state_lacking_attributes_to_the_schema() -> None:
    official = state(status="ENABLED")  # no authorize_url, no oauth_consent
    response = servicer().UpgradeResourceState(upgrade_request(official), None)
    assert errors(response) == [] and list(response.diagnostics) == []
    upgraded = msgpack.unpackb(response.upgraded_state.msgpack, raw=False)
    assert list(upgraded) == [
        "id",
        "base_url",
        "action",
        "status",
        "authorize_url",
        "profile",
        "oauth_consent",
    ]
    assert (upgraded["authorize_url"], upgraded["oauth_consent"]) == (None, None)
    assert upgraded["profile"] == {**official["profile"], "token_wo": None, "token_wo_version": None}


def test_upgrade_errors_name_the_attribute_and_carry_its_path() -> None:
    stored = state(authorize_url=None, oauth_consent=None)
    stored["profile"]["token"] = 1
    response = servicer().UpgradeResourceState(upgrade_request(stored), None)
    assert errors(response) == ["Stored state does not fit the schema"]
    (diagnostic,) = response.diagnostics
    assert "profile.token as a number" in diagnostic.detail
    assert [step.attribute_name for step in diagnostic.attribute.steps] == ["profile", "token"]
    assert not response.HasField("upgraded_state")


def test_upgrade_of_a_state_from_a_newer_release_is_refused() -> None:
    response = servicer().UpgradeResourceState(upgrade_request(state(), version=1), None)
    assert errors(response) == ["State written by a newer provider"]


# --- write-only arguments -----------------------------------------------------------------------


def wo_state(token_wo: Any = "wo-secret", version: Any = 1, **overrides: Any) -> dict[str, Any]:
    value = state(authorize_url=None, oauth_consent=None, **overrides)
    value["profile"].update(token=None, token_wo=token_wo, token_wo_version=version)
    return value


def validate(config: dict[str, Any], *, write_only_allowed: bool) -> Any:
    capabilities = pb.ClientCapabilities(write_only_attributes_allowed=write_only_allowed)
    request = pb.ValidateResourceConfig.Request(
        type_name=TYPE, config=encode(config), client_capabilities=capabilities
    )
    return servicer().ValidateResourceConfig(request, None)


def test_a_write_only_argument_is_refused_by_name_where_terraform_does_not_announce_them() -> None:
    response = validate(wo_state(), write_only_allowed=False)
    [diagnostic] = response.diagnostics
    assert diagnostic.summary == "token_wo needs Terraform 1.11 or later"
    assert [step.attribute_name for step in diagnostic.attribute.steps] == ["profile", "token_wo"]
    assert "wo-secret" not in diagnostic.detail


def test_a_write_only_value_not_yet_known_is_refused_too_where_they_are_not_supported() -> None:
    assert errors(validate(wo_state(token_wo=Unknown), write_only_allowed=False)) == [
        "token_wo needs Terraform 1.11 or later"
    ]


def test_write_only_arguments_pass_where_terraform_announces_them() -> None:
    assert list(validate(wo_state(), write_only_allowed=True).diagnostics) == []


def test_plans_hold_no_write_only_value_and_a_new_version_is_a_change() -> None:
    subject = servicer()
    created = decode(plan(subject, None, wo_state()).planned_state)
    assert created["profile"]["token_wo"] is None
    assert created["profile"]["token_wo_version"] == 1

    prior = wo_state(token_wo=None, status="ENABLED")
    same = decode(plan(subject, prior, wo_state(token_wo="rotated", status="ENABLED")).planned_state)
    assert same == prior, "a new value alone plans nothing: Terraform cannot see it"
    bumped = decode(plan(subject, prior, wo_state(version=2, status="ENABLED")).planned_state)
    assert bumped["profile"] == {**prior["profile"], "token_wo_version": 2}


def test_apply_sends_the_write_only_value_from_config_and_stores_none() -> None:
    from tests.unit.test_app_connection import FakeClient

    client = FakeClient()
    provider = OktaProvider()
    provider._client = client  # type: ignore[assignment]
    planned = wo_state(token_wo=None, status=Unknown)
    planned["authorize_url"] = Unknown
    request = pb.ApplyResourceChange.Request(
        type_name=TYPE,
        prior_state=encode(None),
        planned_state=encode(planned),
        config=encode(wo_state()),
    )
    response = servicer(provider).ApplyResourceChange(request, None)
    assert errors(response) == []
    assert client.calls[0][2]["profile"]["token"] == "wo-secret"
    new_state = decode(response.new_state)
    assert new_state["profile"]["token_wo"] is None
    assert new_state["profile"]["token_wo_version"] == 1
    assert b"wo-secret" not in response.new_state.msgpack
