"""Provider settings: configuration wins over environment; every problem names its argument."""

from __future__ import annotations

import pytest
from tf.types import Unknown

from provider.okta import ApiToken, InvalidOrgURL, normalize_org_url
from provider.settings import ENVIRONMENT, LIMITS, SettingsError, check_config, resolve

EMPTY: dict[str, object] = {name: None for name in [*ENVIRONMENT, *LIMITS]}


def config(**values: object) -> dict[str, object]:
    return {**EMPTY, **values}


def problems(cfg: dict[str, object], env: dict[str, str]) -> list[tuple[str, str, str]]:
    with pytest.raises(SettingsError) as caught:
        resolve(cfg, env)
    return [(p.argument, p.summary, p.detail) for p in caught.value.problems]


def test_configuration_alone() -> None:
    settings = resolve(config(org_url="https://dev-1.okta.com/", api_token="t"), {})
    assert (settings.org_url, settings.credentials) == ("https://dev-1.okta.com", ApiToken("t"))


def test_environment_alone() -> None:
    env = {"OKTA_ORG_NAME": "dev-1", "OKTA_BASE_URL": "oktapreview.com", "OKTA_API_TOKEN": "t"}
    settings = resolve(EMPTY, env)
    assert (settings.org_url, settings.credentials) == ("https://dev-1.oktapreview.com", ApiToken("t"))


def test_org_name_defaults_to_okta_com() -> None:
    assert resolve(config(org_name="dev-1", api_token="t"), {}).org_url == "https://dev-1.okta.com"


def test_configuration_wins_over_environment() -> None:
    env = {"OKTA_ORG_URL": "https://env.okta.com", "OKTA_API_TOKEN": "env-token"}
    settings = resolve(config(org_name="cfg", api_token="cfg-token"), env)
    assert (settings.org_url, settings.credentials) == ("https://cfg.okta.com", ApiToken("cfg-token"))


def test_missing_org_and_token_name_arguments_and_variables() -> None:
    found = problems(EMPTY, {})
    assert [argument for argument, _, _ in found] == ["org_url", "api_token"]
    assert "OKTA_ORG_URL" in found[0][2] and "OKTA_ORG_NAME" in found[0][2] and "OKTA_BASE_URL" in found[0][2]
    assert "OKTA_API_TOKEN" in found[1][2] and "OKTA_API_CLIENT_ID" in found[1][2]


def test_contradictory_configuration() -> None:
    found = problems(config(org_url="https://a.okta.com", org_name="a", api_token="t"), {})
    assert found[0][:2] == ("org_url", "org_url conflicts with org_name")


def test_contradictory_environment_names_the_variables() -> None:
    env = {"OKTA_ORG_URL": "https://a.okta.com", "OKTA_ORG_NAME": "a", "OKTA_API_TOKEN": "t"}
    assert problems(EMPTY, env)[0][1] == "OKTA_ORG_URL conflicts with OKTA_ORG_NAME"


def test_base_url_with_org_url_is_a_conflict() -> None:
    found = check_config(config(org_url="https://a.okta.com", base_url="okta.com"))
    assert [(p.argument, p.summary) for p in found] == [("base_url", "base_url conflicts with org_url")]


def test_unknown_configuration_is_reported_at_configure_time() -> None:
    found = problems({**EMPTY, "org_url": Unknown, "api_token": "t"}, {})
    assert found[0][:2] == ("org_url", "org_url is not known yet")
    assert check_config({**EMPTY, "org_url": Unknown}) == []


def test_settings_repr_hides_the_token() -> None:
    assert "secret" not in repr(resolve(config(org_url="https://a.okta.com", api_token="secret"), {}))


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://dev-1.okta.com", "https://dev-1.okta.com"),
        ("https://DEV-1.okta.com/", "https://dev-1.okta.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.5.5.5", "http://127.5.5.5"),
        ("http://localhost:1", "http://localhost:1"),
        ("http://[::1]:9", "http://[::1]:9"),
    ],
)
def test_valid_org_urls(url: str, normal: str) -> None:
    assert normalize_org_url(url) == normal


@pytest.mark.parametrize(
    "url",
    [
        "http://dev-1.okta.com",
        "http://10.0.0.1",
        "ftp://dev-1.okta.com",
        "dev-1.okta.com",
        "https://dev-1.okta.com/api",
        "https://u:p@dev-1.okta.com",
    ],
)
def test_invalid_org_urls(url: str) -> None:
    with pytest.raises(InvalidOrgURL):
        normalize_org_url(url)


def test_invalid_org_url_is_reported_with_its_argument() -> None:
    found = problems(config(org_url="http://dev-1.okta.com", api_token="t"), {})
    assert found[0][:2] == ("org_url", "Invalid org_url")
    assert "loopback" in found[0][2]
