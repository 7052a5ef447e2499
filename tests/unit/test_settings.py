"""Provider settings: configuration wins over environment; every problem names its argument."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from msgpack import ExtType
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


@pytest.mark.parametrize(
    "url",
    [
        "http://admin:S3cret@dev-1.okta.com",
        "https://admin:S3cret@dev-1.okta.com/api",
        "ftp://u:S3cret@x",
        "admin:S3cret@dev-1.okta.com",
        "https:/admin:S3cret@dev-1.okta.com",
    ],
)
def test_an_org_url_with_credentials_is_refused_without_repeating_them(url: str) -> None:
    with pytest.raises(InvalidOrgURL) as caught:
        normalize_org_url(url)
    assert "S3cret" not in str(caught.value)


def test_invalid_org_url_is_reported_with_its_argument() -> None:
    found = problems(config(org_url="http://dev-1.okta.com", api_token="t"), {})
    assert found[0][:2] == ("org_url", "Invalid org_url")
    assert "loopback" in found[0][2]


def key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


ORG = {"org_url": "https://a.okta.com"}


def test_access_token_mode() -> None:
    from provider.okta import AccessTokenCredentials

    assert resolve(config(**ORG, access_token="at"), {}).credentials == AccessTokenCredentials("at")


def test_service_app_from_configuration_with_key_text() -> None:
    from provider.okta import ServiceAppCredentials

    pem = key_pem()
    credentials = resolve(
        config(**ORG, client_id="0oa9", private_key=pem, scopes=["okta.apps.read"]), {}
    ).credentials
    assert credentials == ServiceAppCredentials("0oa9", pem, None, ("okta.apps.read",))
    assert pem not in repr(credentials)


def test_service_app_key_from_a_file_and_the_rest_from_the_environment(tmp_path: object) -> None:
    from pathlib import Path

    key_file = Path(str(tmp_path)) / "key.pem"
    key_file.write_text(key_pem())
    env = {"OKTA_API_CLIENT_ID": "0oa9", "OKTA_API_PRIVATE_KEY_ID": "kid", "OKTA_API_SCOPES": "a, b c"}
    credentials = resolve(config(**ORG, private_key=str(key_file)), env).credentials
    assert (credentials.client_id, credentials.key_id, credentials.scopes) == ("0oa9", "kid", ("a", "b", "c"))  # type: ignore[union-attr]


def test_two_ways_to_authenticate_in_configuration_conflict() -> None:
    found = check_config(config(**ORG, api_token="t", client_id="c"))
    assert [(p.argument, p.summary) for p in found] == [("client_id", "api_token conflicts with client_id")]


def test_two_ways_to_authenticate_in_the_environment_conflict() -> None:
    found = problems(config(**ORG), {"OKTA_API_TOKEN": "t", "OKTA_ACCESS_TOKEN": "a"})
    assert found[0][1] == "OKTA_API_TOKEN conflicts with OKTA_ACCESS_TOKEN"


def test_configuration_wins_over_another_way_in_the_environment() -> None:
    credentials = resolve(config(**ORG, api_token="cfg"), {"OKTA_API_CLIENT_ID": "c"}).credentials
    assert credentials == ApiToken("cfg")


def test_incomplete_service_app_names_what_is_missing() -> None:
    assert problems(config(**ORG, client_id="c"), {})[0][:2] == (
        "private_key",
        "private_key (OKTA_API_PRIVATE_KEY) is not set",
    )


def test_bad_private_key_is_named_not_quoted(tmp_path: object) -> None:
    found = problems(
        config(
            **ORG, client_id="c", private_key="-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"
        ),
        {},
    )
    assert found[0][:2] == ("private_key", "Invalid private_key (OKTA_API_PRIVATE_KEY)")
    assert "AAAA" not in found[0][2]
    missing = problems(config(**ORG, client_id="c", private_key="/nonexistent/key.pem"), {})
    assert missing[0][1] == "Cannot read private_key (OKTA_API_PRIVATE_KEY)"


@pytest.mark.parametrize(
    ("argument", "value"),
    [
        ("max_retries", -1),
        ("max_retries", 1.5),
        ("max_api_capacity", 0),
        ("max_api_capacity", 101),
        ("max_concurrent_requests", 0),
        ("request_timeout", -5),
    ],
)
def test_numeric_arguments_are_range_checked(argument: str, value: float) -> None:
    found = check_config(config(**{argument: value}))
    assert [p.argument for p in found] == [argument]


def test_min_wait_above_max_wait_is_refused() -> None:
    found = check_config(config(min_wait_seconds=10, max_wait_seconds=5))
    assert [p.argument for p in found] == ["max_wait_seconds"]


def test_numeric_arguments_reach_the_client_options() -> None:
    settings = resolve(
        config(**ORG, api_token="t", max_retries=2, max_api_capacity=50, request_timeout=30), {}
    )
    assert settings.options.retry.max_retries == 2
    assert settings.options.retry.request_timeout == 30
    assert settings.options.max_api_capacity == 50


def test_a_token_read_with_file_is_trimmed() -> None:
    assert resolve(config(**ORG, api_token="00tok\n"), {}).credentials == ApiToken("00tok")


def test_a_token_with_inner_whitespace_is_refused_without_repeating_it() -> None:
    found = problems(config(**ORG, api_token="00tok\nsecret-part"), {})
    assert found[0][:2] == ("api_token", "Invalid api_token (OKTA_API_TOKEN)")
    assert "secret-part" not in found[0][1] + found[0][2]


@pytest.mark.parametrize(
    ("values", "env", "argument"),
    [
        ({"org_name": "dev 1"}, {}, "org_name"),
        ({"org_name": "dev-1", "base_url": "https://okta.com"}, {}, "base_url"),
        ({"base_url": "okta.com"}, {"OKTA_ORG_URL": "https://a.okta.com"}, "base_url"),
        ({}, {"OKTA_ORG_URL": "https://a.okta.com", "OKTA_BASE_URL": "okta.com"}, "base_url"),
    ],
)
def test_org_settings_that_cannot_work_name_the_argument(
    values: dict[str, str], env: dict[str, str], argument: str
) -> None:
    found = problems(config(api_token="t", **values), env)
    assert found[0][0] == argument


def test_the_proxy_comes_from_the_environment() -> None:
    env = {"HTTPS_PROXY": "proxy.corp.example:3128"}
    settings = resolve(config(**ORG, api_token="t"), env)
    assert settings.options.proxy == "http://proxy.corp.example:3128"
    assert resolve(config(**ORG, api_token="t"), {}).options.proxy is None


def test_an_unsupported_proxy_is_a_configuration_error_naming_the_variable() -> None:
    found = problems(config(**ORG, api_token="t"), {"HTTPS_PROXY": "socks5://user:secret@proxy:1080"})
    assert found == [
        (
            "",
            "Unsupported proxy",
            "HTTPS_PROXY names a socks5:// proxy; the provider supports http:// and https:// proxies.",
        )
    ]


def test_http_proxy_wins_over_the_environment_and_applies_to_every_host() -> None:
    env = {"HTTPS_PROXY": "http://from-env:3128", "NO_PROXY": "*"}
    settings = resolve(config(**ORG, api_token="t", http_proxy="proxy.corp.example:8080"), env)
    assert settings.options.proxy == "http://proxy.corp.example:8080"
    loopback = resolve(config(org_url="http://127.0.0.1:8787", api_token="t", http_proxy="https://p:1"), {})
    assert loopback.options.proxy == "https://p:1"


def test_an_unsupported_http_proxy_is_reported_on_the_argument_at_validation() -> None:
    found = check_config(config(**ORG, api_token="t", http_proxy="socks5://user:secret@proxy:1080"))
    assert [(p.argument, p.summary) for p in found] == [("http_proxy", "Unsupported proxy")]
    assert "secret" not in found[0].detail
    assert [p.argument for p in check_config(config(**ORG, api_token="t", http_proxy=""))] == ["http_proxy"]


@pytest.mark.parametrize("value", ["http://u:secret@proxy:notaport", "http://proxy:99999", "http://:3128"])
def test_a_malformed_http_proxy_is_reported_on_the_argument_without_its_value(value: str) -> None:
    found = check_config(config(**ORG, api_token="t", http_proxy=value))
    assert [(p.argument, p.summary) for p in found] == [("http_proxy", "Unsupported proxy")]
    assert value not in found[0].detail and "secret" not in found[0].detail


SERVICE_APP = {**ORG, "client_id": "0oa9"}


@pytest.mark.parametrize("unknown", [Unknown, ExtType(12, b"\x81\x01\xc3")])
def test_an_unknown_scope_makes_the_scopes_unknown_not_a_scope_named_unknown(unknown: object) -> None:
    cfg = config(**SERVICE_APP, private_key=key_pem(), scopes=["okta.apps.read", unknown])
    assert check_config(cfg) == []
    assert problems(cfg, {}) == [
        (
            "scopes",
            "scopes is not known yet",
            "The provider configuration depends on a value known only after apply; use a value known at "
            "plan time.",
        )
    ]


@pytest.mark.parametrize(
    "scopes", [[""], [" "], ["okta.apps.read", "okta.apps.manage okta.users.read"], ['okta"x'], []]
)
def test_empty_or_spaced_scopes_are_refused_at_validation(scopes: list[str]) -> None:
    found = check_config(config(**SERVICE_APP, scopes=scopes))
    assert [(p.argument, p.summary) for p in found] == [("scopes", "Invalid scopes")]


def test_a_bad_scope_beside_an_unknown_one_is_refused_at_validation() -> None:
    found = check_config(config(**SERVICE_APP, scopes=["", Unknown]))
    assert [p.argument for p in found] == ["scopes"]


@pytest.mark.parametrize("variable", [",", 'okta.apps.read "x"'])
def test_scopes_from_the_environment_that_cannot_work_name_the_variable(variable: str) -> None:
    found = problems(config(**SERVICE_APP, private_key=key_pem()), {"OKTA_API_SCOPES": variable})
    assert [(argument, summary) for argument, summary, _ in found] == [
        ("scopes", "Invalid scopes (OKTA_API_SCOPES)")
    ]


HOSTILE_ORG_URLS = [
    "https://[dev.okta.com",
    "https://xn--.okta.com",
    "https://a..b.okta.com",
    "https://-dev.okta.com",
    "https://dev_1.okta.com",
    "https://dev\t.okta.com",
    "https://dev .okta.com",
    "https://dev.okta.com:0",
    "https://dev.okta.com:99999",
    "https://999.1.1.1",
    "https://%64ev.okta.com",
]


@pytest.mark.parametrize("url", HOSTILE_ORG_URLS)
def test_an_org_url_the_client_cannot_use_is_refused_at_validation(url: str) -> None:
    found = check_config(config(org_url=url, api_token="t"))
    assert [(p.argument, p.summary) for p in found] == [("org_url", "Invalid org_url")]
    assert url not in found[0].detail


@pytest.mark.parametrize("url", HOSTILE_ORG_URLS)
def test_an_org_url_the_client_cannot_use_is_refused_from_the_environment(url: str) -> None:
    found = problems(config(api_token="t"), {"OKTA_ORG_URL": url})
    assert [(argument, summary) for argument, summary, _ in found] == [
        ("org_url", "Invalid org_url (OKTA_ORG_URL)")
    ]


@pytest.mark.parametrize(
    "url",
    ["https://dev-1.okta.com:8443", "https://dév.okta.com", "https://xn--dv-bja.okta.com", "https://[::1]"],
)
def test_every_accepted_org_url_makes_a_client(url: str) -> None:
    from provider.okta.client import OktaClient

    OktaClient(normalize_org_url(url), ApiToken("t")).close()


def test_an_org_url_message_does_not_repeat_the_url() -> None:
    found = check_config(config(org_url="https://dev-1.okta.com/?token=S3cret", api_token="t"))
    assert found[0].argument == "org_url"
    assert "S3cret" not in found[0].summary + found[0].detail


@pytest.mark.parametrize(
    ("values", "argument"), [({"org_name": "dev 1"}, "org_name"), ({"base_url": "a/b"}, "base_url")]
)
def test_org_name_and_base_url_are_checked_at_validation(values: dict[str, str], argument: str) -> None:
    found = check_config(config(api_token="t", **{"org_name": "dev-1", **values}))
    assert [(p.argument, p.summary) for p in found] == [(argument, f"Invalid {argument}")]


HOSTILE_PROXIES = [
    "http://u:S3cret@[::1",
    "http://u:S3cret@proxy\t:3128",
    "http://u:S3cret@proxy:3128/\tx",
    "http://u:S3#cret@proxy:3128",
    "http://u:S3cret@xn--:3128",
    "http://u:S3cret@a..b:3128",
    "http://u:S3cret@proxy:0",
    "http://u:S3cret@[v1.x]:80",
    "http://u:S3cret@[::1]x:80",
    "http://u:S3cret@[::1]]:80",
    "http://u:S3cret@[vF.abc]",
]


@pytest.mark.parametrize("value", HOSTILE_PROXIES)
def test_a_proxy_the_client_cannot_use_is_refused_at_validation_without_its_password(value: str) -> None:
    found = check_config(config(**ORG, api_token="t", http_proxy=value))
    assert [(p.argument, p.summary) for p in found] == [("http_proxy", "Unsupported proxy")]
    assert "S3" not in found[0].detail and "http_proxy" in found[0].detail


@pytest.mark.parametrize("value", HOSTILE_PROXIES)
def test_a_proxy_variable_the_client_cannot_use_is_named_without_its_password(value: str) -> None:
    found = problems(config(**ORG, api_token="t"), {"HTTPS_PROXY": value})
    assert [(argument, summary) for argument, summary, _ in found] == [("", "Unsupported proxy")]
    assert "HTTPS_PROXY" in found[0][2] and "S3" not in found[0][2]


# Hostile URLs built from parts: userinfo with @ and :, brackets, ports, percent-escapes, unicode
# and IDNA hosts, whitespace. Each goes to every argument and variable that makes a URL.
URL_PARTS = (
    ("http://", ""),
    ("", "u:S3:cr@t@", "%40:S3%3A%ZZ%ff@", "ü:S3ö@"),
    (
        "h",
        "[::1]",
        "[v1.x]",
        "[::1]]",
        "[::1]x",
        "[fe80::1%25eth0]",
        "[]",
        "é.com",
        "xn--zca.de",
        "xn--.de",
        "h\u3002com",
        "\uff28\uff2f\uff33\uff34.com",
        "a%2Fb",
        "h\u00a0",
    ),
    ("", ":", ":80", ":65536", ":x:80", ":٨٠", ":+80"),
    ("", "/p?q#f"),
)
FUZZED_URLS = ["".join(parts) for parts in itertools.product(*URL_PARTS)]
URL_ARGUMENTS: dict[str, Callable[[str], tuple[dict[str, object], dict[str, str]]]] = {
    "org_url": lambda url: (config(org_url=url, api_token="t"), {}),
    "OKTA_ORG_URL": lambda url: (config(api_token="t"), {"OKTA_ORG_URL": url}),
    "base_url": lambda url: (config(org_name="dev-1", base_url=url, api_token="t"), {}),
    "http_proxy": lambda url: (config(**ORG, api_token="t", http_proxy=url), {}),
    "HTTPS_PROXY": lambda url: (config(**ORG, api_token="t"), {"HTTPS_PROXY": url}),
}


@pytest.mark.parametrize("source", URL_ARGUMENTS)
def test_a_url_is_refused_by_name_or_makes_a_client(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """No URL gets past validation that httpx then refuses when the client is built, and no
    message repeats a password."""
    import ssl

    from provider.okta.client import OktaClient

    # Loading the CA bundle for every client would take most of the test's time; URLs never use it.
    context = ssl.create_default_context()
    monkeypatch.setattr("httpx._transports.default.create_ssl_context", lambda *_, **__: context)

    built: set[tuple[str, str | None]] = set()
    for url in FUZZED_URLS:
        cfg, env = URL_ARGUMENTS[source](url)
        try:
            settings = resolve(cfg, env)
        except SettingsError as exc:
            assert all(p.argument or source == "HTTPS_PROXY" for p in exc.problems), url
            assert "S3" not in " ".join(p.summary + p.detail for p in exc.problems), url
            continue
        if (settings.org_url, settings.options.proxy) not in built:
            built.add((settings.org_url, settings.options.proxy))
            OktaClient(settings.org_url, settings.credentials, options=settings.options).close()
