"""Provider settings: configuration first, then environment, checked with errors that name both."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from provider.okta import (
    DEFAULT_SCOPES,
    AccessTokenCredentials,
    ApiToken,
    ClientOptions,
    Credentials,
    InvalidOrgURL,
    InvalidPrivateKey,
    InvalidProxy,
    RetryPolicy,
    ServiceAppCredentials,
    environment_proxy,
    load_private_key,
    normalize_org_url,
    proxy_url,
)
from provider.plugin.values import contains_unknown, is_unknown

# Each provider argument that may come from the environment, and its variable.
ENVIRONMENT = {
    "org_url": "OKTA_ORG_URL",
    "org_name": "OKTA_ORG_NAME",
    "base_url": "OKTA_BASE_URL",
    "api_token": "OKTA_API_TOKEN",
    "access_token": "OKTA_ACCESS_TOKEN",
    "client_id": "OKTA_API_CLIENT_ID",
    "private_key": "OKTA_API_PRIVATE_KEY",
    "private_key_id": "OKTA_API_PRIVATE_KEY_ID",
    "scopes": "OKTA_API_SCOPES",
}
DEFAULT_BASE_URL = "okta.com"

# The three ways to authenticate; exactly one is used.
AUTH_MODES = {
    "api_token": ("api_token",),
    "access_token": ("access_token",),
    "service app": ("client_id", "private_key", "private_key_id", "scopes"),
}

# Numeric arguments: (lowest, highest, default). None: no upper bound.
LIMITS: dict[str, tuple[float, float | None, float]] = {
    "max_retries": (0, 100, RetryPolicy.max_retries),
    "min_wait_seconds": (0, 300, RetryPolicy.min_wait_seconds),
    "max_wait_seconds": (0, 300, RetryPolicy.max_wait_seconds),
    "request_timeout": (0, None, RetryPolicy.request_timeout),
    "max_api_capacity": (1, 100, ClientOptions.max_api_capacity),
    "max_concurrent_requests": (1, 100, ClientOptions.max_concurrent_requests),
}
WHOLE_NUMBERS = frozenset({"max_retries", "max_api_capacity", "max_concurrent_requests"})

# The arguments that build the org URL: each one's form and the rule a message states.
FORMS = {
    "org_name": (
        re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"),
        "org_name must be one DNS label, such as dev-123456.",
    ),
    "base_url": (
        re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"),
        "base_url must be a domain such as okta.com, without https://.",
    ),
}

# One OAuth scope (RFC 6749 scope-token): printable ASCII without spaces, quotes or backslashes.
_SCOPE = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]+")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the settings, pinned to the argument it is about ("": the environment)."""

    argument: str
    summary: str
    detail: str = ""


@dataclass(frozen=True)
class Settings:
    """What the client needs; secrets stay out of repr (see the credential classes)."""

    org_url: str
    credentials: Credentials
    options: ClientOptions


class SettingsError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.summary for p in problems))
        self.problems = problems


def named(argument: str) -> str:
    """`argument (VARIABLE)`, as every message refers to an argument."""
    return f"{argument} ({ENVIRONMENT[argument]})" if argument in ENVIRONMENT else argument


def _given(config: Mapping[str, Any], argument: str) -> bool:
    return config.get(argument) is not None


def scopes_problem(scopes: list[Any]) -> str | None:
    """Why these scopes cannot be asked for, or None; unknown elements pass until they are known."""
    if not scopes:
        return (
            "Name at least one scope, or leave scopes out for the default (okta.apps.manage, okta.apps.read)."
        )
    known = [scope for scope in scopes if not is_unknown(scope)]
    if not all(isinstance(scope, str) and _SCOPE.fullmatch(scope) for scope in known):
        return (
            "Each scope must be one word, such as okta.apps.read: not empty, without spaces, quotes "
            "or backslashes."
        )
    return None


def check_config(config: Mapping[str, Any]) -> list[Problem]:
    """Problems visible in the configuration alone (unknown values pass until they are known)."""
    problems = [
        Problem(a, f"{a} must not be empty") for a in (*ENVIRONMENT, "http_proxy") if config.get(a) == ""
    ]
    scopes = config.get("scopes")
    if isinstance(scopes, list):
        reason = scopes_problem(scopes)
        if reason is not None:
            problems.append(Problem("scopes", "Invalid scopes", reason))
    org_url, org_name = config.get("org_url"), config.get("org_name")
    if org_url is not None and org_name is not None:
        problems.append(
            Problem(
                "org_url", "org_url conflicts with org_name", "Set either org_url, or org_name with base_url."
            )
        )
    if org_url is not None and config.get("base_url") is not None:
        problems.append(
            Problem("base_url", "base_url conflicts with org_url", "base_url is used only with org_name.")
        )
    for argument, (form, rule) in FORMS.items():
        value = config.get(argument)
        if isinstance(value, str) and value and not form.fullmatch(value):
            problems.append(Problem(argument, f"Invalid {argument}", rule))
    if isinstance(org_url, str) and org_url:
        try:
            normalize_org_url(org_url)
        except InvalidOrgURL as exc:
            problems.append(Problem("org_url", "Invalid org_url", str(exc)))
    http_proxy = config.get("http_proxy")
    if isinstance(http_proxy, str) and http_proxy:
        try:
            proxy_url(http_proxy, "http_proxy")
        except InvalidProxy as exc:
            problems.append(Problem("http_proxy", "Unsupported proxy", str(exc)))
    modes = [mode for mode, arguments in AUTH_MODES.items() if any(_given(config, a) for a in arguments)]
    if len(modes) > 1:
        arguments = [next(a for a in AUTH_MODES[mode] if _given(config, a)) for mode in modes]
        problems.append(
            Problem(
                arguments[1],
                f"{' conflicts with '.join(arguments)}",
                "Authenticate in exactly one way: api_token, access_token, or an OAuth service app "
                "(client_id with private_key).",
            )
        )
    for argument, (low, high, _) in LIMITS.items():
        value = config.get(argument)
        if not isinstance(value, int | float):
            continue
        if argument in WHOLE_NUMBERS and value != int(value):
            problems.append(Problem(argument, f"Invalid {argument}", f"{argument} must be a whole number."))
        elif value < low or (high is not None and value > high):
            bounds = f"from {low:g} to {high:g}" if high is not None else f"{low:g} or more"
            problems.append(
                Problem(argument, f"Invalid {argument}", f"{argument} must be {bounds}, not {value:g}.")
            )
    wait_min, wait_max = config.get("min_wait_seconds"), config.get("max_wait_seconds")
    if isinstance(wait_min, int | float) and isinstance(wait_max, int | float) and wait_min > wait_max:
        problems.append(
            Problem(
                "max_wait_seconds",
                "Invalid max_wait_seconds",
                "max_wait_seconds must not be below min_wait_seconds.",
            )
        )
    return problems


def _org_url(config: Mapping[str, Any], environ: Mapping[str, str], problems: list[Problem]) -> str | None:
    from_config = _given(config, "org_url") or _given(config, "org_name")
    source: Mapping[str, Any] = (
        config if from_config else {k: environ.get(v) or None for k, v in ENVIRONMENT.items()}
    )
    org_url, org_name = source.get("org_url"), source.get("org_name")
    base_url = config.get("base_url") or environ.get("OKTA_BASE_URL") or DEFAULT_BASE_URL
    if org_url and (_given(config, "base_url") or (not from_config and environ.get("OKTA_BASE_URL"))):
        problems.append(
            Problem(
                "base_url",
                f"{named('base_url')} conflicts with {named('org_url')}",
                "base_url is used only with org_name.",
            )
        )
        return None
    for argument, value in (("org_name", org_name), ("base_url", base_url)):
        form, rule = FORMS[argument]
        if org_name and not form.fullmatch(str(value)):
            problems.append(Problem(argument, f"Invalid {named(argument)}", rule))
            return None
    if org_url and org_name:
        problems.append(
            Problem(
                "org_url",
                "OKTA_ORG_URL conflicts with OKTA_ORG_NAME",
                "Both environment variables are set; unset one, or set org_url or org_name in the "
                "configuration.",
            )
        )
        return None
    if org_name:
        org_url = f"https://{org_name}.{base_url}"
    if not org_url:
        problems.append(
            Problem(
                "org_url",
                "The Okta org is not set",
                f"Set {named('org_url')}, or {named('org_name')} with {named('base_url')}.",
            )
        )
        return None
    try:
        return normalize_org_url(str(org_url))
    except InvalidOrgURL as exc:
        argument = "org_url" if source.get("org_url") else "org_name"
        problems.append(Problem(argument, f"Invalid {named(argument)}", str(exc)))
        return None


def _scopes(value: Any) -> list[Any]:
    """Scopes from the configuration (a set) or from OKTA_API_SCOPES (separated by commas or spaces)."""
    if isinstance(value, list | tuple):
        return list(value)
    return [scope for scope in re.split(r"[\s,]+", str(value)) if scope]


def _private_key(value: str, problems: list[Problem]) -> str | None:
    """PEM text, or the path of a file holding it; never quoted in a message."""
    pem = value
    if "-----BEGIN" not in value:
        try:
            with open(os.path.expanduser(value), encoding="utf-8") as file:
                pem = file.read()
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(
                Problem(
                    "private_key",
                    f"Cannot read {named('private_key')}",
                    f"It is neither PEM text nor a readable file ({type(exc).__name__}).",
                )
            )
            return None
    try:
        load_private_key(pem)
    except InvalidPrivateKey as exc:
        problems.append(Problem("private_key", f"Invalid {named('private_key')}", f"The key is {exc}."))
        return None
    return pem


def _credentials(
    config: Mapping[str, Any], environ: Mapping[str, str], problems: list[Problem]
) -> Credentials | None:
    modes = [mode for mode, arguments in AUTH_MODES.items() if any(_given(config, a) for a in arguments)]
    if not modes:
        modes = [
            mode
            for mode, arguments in AUTH_MODES.items()
            if any(environ.get(ENVIRONMENT[a]) for a in arguments)
        ]
        if len(modes) > 1:
            variables = [
                next(ENVIRONMENT[a] for a in AUTH_MODES[m] if environ.get(ENVIRONMENT[a])) for m in modes
            ]
            problems.append(
                Problem(
                    "api_token" if "api_token" in modes else "access_token",
                    f"{' conflicts with '.join(variables)}",
                    "Authenticate in exactly one way; unset all but one of these environment variables.",
                )
            )
            return None
    if not modes:
        problems.append(
            Problem(
                "api_token",
                "No Okta credentials are set",
                f"Set {named('api_token')}, {named('access_token')}, or {named('client_id')} with "
                f"{named('private_key')}.",
            )
        )
        return None

    def value(argument: str) -> Any:
        return (
            config.get(argument) if _given(config, argument) else environ.get(ENVIRONMENT[argument]) or None
        )

    mode = modes[0]
    if mode in ("api_token", "access_token"):
        # Trimmed like Terraform's trimspace(): a token read with file() ends in a newline.
        token = str(value(mode)).strip()
        if not token or any(ch.isspace() or not ch.isprintable() for ch in token):
            problems.append(
                Problem(mode, f"Invalid {named(mode)}", "The token contains spaces or control characters.")
            )
            return None
        return ApiToken(token) if mode == "api_token" else AccessTokenCredentials(token)
    client_id, private_key = value("client_id"), value("private_key")
    for argument, given in (("client_id", client_id), ("private_key", private_key)):
        if not given:
            problems.append(
                Problem(
                    argument,
                    f"{named(argument)} is not set",
                    "An OAuth service app needs client_id and private_key.",
                )
            )
    if not client_id or not private_key:
        return None
    pem = _private_key(str(private_key), problems)
    if pem is None:
        return None
    scopes = _scopes(value("scopes")) if value("scopes") is not None else list(DEFAULT_SCOPES)
    reason = scopes_problem(scopes)
    if reason is not None:
        problems.append(Problem("scopes", f"Invalid {named('scopes')}", reason))
        return None
    return ServiceAppCredentials(
        client_id=str(client_id),
        private_key_pem=pem,
        key_id=value("private_key_id"),
        scopes=tuple(scopes),
    )


def _proxy(
    config: Mapping[str, Any], org_url: str, environ: Mapping[str, str], problems: list[Problem]
) -> str | None:
    """`http_proxy` when set, which applies to every call, as in the official provider; else
    HTTPS_PROXY and NO_PROXY, read as Go reads them."""
    explicit = config.get("http_proxy")
    if explicit:
        return proxy_url(str(explicit), "http_proxy")  # check_config has refused a bad one
    try:
        return environment_proxy(org_url, environ)
    except InvalidProxy as exc:
        problems.append(Problem("", "Unsupported proxy", str(exc)))
        return None


def _options(config: Mapping[str, Any], proxy: str | None) -> ClientOptions:
    number = {argument: config.get(argument) for argument in LIMITS}
    chosen = {a: (v if isinstance(v, int | float) else LIMITS[a][2]) for a, v in number.items()}
    return ClientOptions(
        retry=RetryPolicy(
            max_retries=int(chosen["max_retries"]),
            min_wait_seconds=float(chosen["min_wait_seconds"]),
            max_wait_seconds=float(chosen["max_wait_seconds"]),
            request_timeout=float(chosen["request_timeout"]),
        ),
        max_api_capacity=int(chosen["max_api_capacity"]),
        max_concurrent_requests=int(chosen["max_concurrent_requests"]),
        proxy=proxy,
    )


def resolve(config: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
    """The effective settings; raises SettingsError listing every problem."""
    problems = check_config(config)
    problems += [
        Problem(
            argument,
            f"{argument} is not known yet",
            "The provider configuration depends on a value known only after apply; use a value "
            "known at plan time.",
        )
        for argument, value in config.items()
        if contains_unknown(value)
    ]
    if problems:
        raise SettingsError(problems)
    org_url = _org_url(config, environ, problems)
    credentials = _credentials(config, environ, problems)
    proxy = _proxy(config, org_url, environ, problems) if org_url is not None else None
    if problems or org_url is None or credentials is None:
        raise SettingsError(problems)
    return Settings(org_url=org_url, credentials=credentials, options=_options(config, proxy))
