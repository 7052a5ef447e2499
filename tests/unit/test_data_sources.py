"""The data sources' argument: an application ID, refused before any call when it cannot be one."""

from __future__ import annotations

from typing import Any

import pytest
from tf.iface import ReadDataContext
from tf.types import Unknown
from tf.utils import Diagnostics

from provider.data_sources.app_connection import AppConnectionData
from provider.data_sources.app_connection_jwks import AppConnectionJwksData
from provider.data_sources.by_application import ByApplicationId
from provider.okta import Connection
from provider.provider import OktaProvider


class FakeClient:
    """Records every call; answers as Okta would for any application."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def get_connection(self, app_id: str) -> Connection:
        self.calls.append(("get", app_id))
        return Connection(status="ENABLED", auth_scheme="TOKEN", base_url=None)

    def get_jwks(self, app_id: str) -> list[dict[str, Any]]:
        self.calls.append(("jwks", app_id))
        return []


def data_source(kind: type[ByApplicationId], client: FakeClient) -> ByApplicationId:
    provider = OktaProvider()
    provider._client = client  # type: ignore[assignment]
    return kind(provider)


KINDS = [AppConnectionData, AppConnectionJwksData]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("app_id", ["", ".", "..", "0oa1/..", "0oa1?x", "0oa1#x", "%2e", "0oa1\t"])
def test_an_id_that_cannot_be_one_path_segment_is_refused_before_any_call(
    kind: type[ByApplicationId], app_id: str
) -> None:
    client = FakeClient()
    source = data_source(kind, client)
    validated = Diagnostics()
    source.validate(validated, "t", {"id": app_id})
    read = Diagnostics()
    assert source.read(ReadDataContext(read, "t"), {"id": app_id}) is None
    for diags in (validated, read):
        assert [(d.summary, d.detail) for d in diags.diagnostics] == [
            (
                "Invalid id",
                "id must be an Okta application ID: letters and digits only, such as 0oa1b2c3d4e5f6g7h8i9.",
            )
        ]
    assert client.calls == []


@pytest.mark.parametrize("kind", KINDS)
def test_an_application_id_is_read_and_an_unknown_one_waits(kind: type[ByApplicationId]) -> None:
    client = FakeClient()
    source = data_source(kind, client)
    diags = Diagnostics()
    source.validate(diags, "t", {"id": Unknown})
    state = source.read(ReadDataContext(diags, "t"), {"id": "0oa1234567890abcdef"})
    assert diags.diagnostics == []
    assert state is not None and state["id"] == "0oa1234567890abcdef"
    assert [app_id for _, app_id in client.calls] == ["0oa1234567890abcdef"]
