"""The provider's log lines: the level Terraform asked for, hclog's JSON form, one line per HTTP attempt."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from provider.okta import ApiToken
from provider.okta.client import OktaClient
from provider.plugin.logs import TRACE, HclogFormatter, level_from_environment


@pytest.mark.parametrize(
    ("environment", "level"),
    [
        ({}, logging.ERROR),
        ({"TF_LOG": "OFF"}, logging.ERROR),
        ({"TF_LOG": "debug"}, logging.DEBUG),
        ({"TF_LOG": "TRACE"}, TRACE),
        ({"TF_LOG": "JSON"}, TRACE),
        ({"TF_LOG": "INFO", "TF_LOG_PROVIDER": "DEBUG"}, logging.DEBUG),
        ({"TF_LOG": "TRACE", "TF_LOG_PROVIDER": "WARN"}, logging.WARNING),
        ({"TF_LOG": "LOUD"}, logging.ERROR),
    ],
)
def test_the_level_is_the_one_terraform_shows_for_providers(
    environment: dict[str, str], level: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TF_LOG", "TF_LOG_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert level_from_environment() == level


def test_a_record_becomes_one_hclog_json_line_with_its_fields() -> None:
    record = logging.makeLogRecord(
        {"name": "provider.okta.http", "levelno": logging.DEBUG, "msg": "okta request", "status": 200}
    )
    line = json.loads(HclogFormatter().format(record))
    assert {key: line[key] for key in ("@level", "@message", "@module", "status")} == {
        "@level": "debug",
        "@message": "okta request",
        "@module": "provider.okta.http",
        "status": 200,
    }
    assert line["@timestamp"].endswith("+00:00")


def test_each_http_attempt_is_one_debug_line_without_headers(caplog: pytest.LogCaptureFixture) -> None:
    token = "00-api-token-never-logged"

    def handler(request: httpx.Request) -> httpx.Response:
        body = {"status": "ENABLED", "profile": {"authScheme": "TOKEN"}}
        return httpx.Response(200, json=body, headers={"X-Okta-Request-Id": "req-7"})

    caplog.set_level(logging.DEBUG, logger="provider.okta.http")
    client = OktaClient("https://dev-1.okta.com", ApiToken(token), transport=httpx.MockTransport(handler))
    client.get_connection("0oa1")
    [record] = [r for r in caplog.records if r.getMessage() == "okta request"]
    fields = {key: getattr(record, key) for key in ("method", "path", "status", "attempt", "okta_request_id")}
    assert fields == {
        "method": "GET",
        "path": "/api/v1/apps/0oa1/connections/default",
        "status": 200,
        "attempt": 1,
        "okta_request_id": "req-7",
    }
    assert isinstance(record.duration_ms, float)
    assert token not in caplog.text and token not in HclogFormatter().format(record)
