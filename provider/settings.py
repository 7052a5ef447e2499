"""Provider settings: configuration first, then environment, checked with errors that name both."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from provider.okta import InvalidOrgURL, normalize_org_url
from provider.plugin.values import is_unknown

# Each provider argument and the environment variable it falls back to.
ENVIRONMENT = {
    "org_url": "OKTA_ORG_URL",
    "org_name": "OKTA_ORG_NAME",
    "base_url": "OKTA_BASE_URL",
    "api_token": "OKTA_API_TOKEN",
}
DEFAULT_BASE_URL = "okta.com"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the settings, pinned to the argument it is about."""

    argument: str
    summary: str
    detail: str = ""


@dataclass(frozen=True)
class Settings:
    """What the client needs. The token is kept out of repr so it cannot reach a log."""

    org_url: str
    api_token: str

    def __repr__(self) -> str:
        return f"Settings(org_url={self.org_url!r}, api_token=<redacted>)"


class SettingsError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.summary for p in problems))
        self.problems = problems


def _named(argument: str) -> str:
    return f"{argument} ({ENVIRONMENT[argument]})"


def check_config(config: Mapping[str, Any]) -> list[Problem]:
    """Problems visible in the configuration alone (unknown values pass until they are known)."""
    problems = []
    for argument in ENVIRONMENT:
        if config.get(argument) == "":
            problems.append(Problem(argument, f"{argument} must not be empty"))
    org_url, org_name = config.get("org_url"), config.get("org_name")
    if org_url is not None and org_name is not None:
        problems.append(
            Problem(
                "org_url",
                "org_url conflicts with org_name",
                "Set either org_url, or org_name with base_url, not both.",
            )
        )
    if org_url is not None and config.get("base_url") is not None:
        problems.append(
            Problem("base_url", "base_url conflicts with org_url", "base_url is used only with org_name.")
        )
    if isinstance(org_url, str) and org_url != "":
        try:
            normalize_org_url(org_url)
        except InvalidOrgURL as exc:
            problems.append(Problem("org_url", "Invalid org_url", str(exc)))
    return problems


def resolve(config: Mapping[str, Any], environ: Mapping[str, str]) -> Settings:
    """The effective settings; raises SettingsError listing every problem."""
    problems = check_config(config)
    unknown = [argument for argument in ENVIRONMENT if is_unknown(config.get(argument))]
    problems += [
        Problem(
            argument,
            f"{argument} is not known yet",
            "The provider configuration depends on a value known only after apply; "
            "use a value known at plan time.",
        )
        for argument in unknown
    ]
    if problems:
        raise SettingsError(problems)

    from_config = config.get("org_url") is not None or config.get("org_name") is not None
    source: Mapping[str, Any] = (
        config if from_config else {k: environ.get(v) or None for k, v in ENVIRONMENT.items()}
    )
    org_url, org_name = source.get("org_url"), source.get("org_name")
    base_url = config.get("base_url") or environ.get("OKTA_BASE_URL") or DEFAULT_BASE_URL
    if org_url and org_name:
        problems.append(
            Problem(
                "org_url",
                "OKTA_ORG_URL conflicts with OKTA_ORG_NAME",
                "Both environment variables are set; unset one, or set org_url or org_name in the "
                "provider configuration.",
            )
        )
    elif org_name:
        org_url = f"https://{org_name}.{base_url}"
    elif not org_url:
        problems.append(
            Problem(
                "org_url",
                "The Okta org is not set",
                f"Set {_named('org_url')}, or {_named('org_name')} with {_named('base_url')}.",
            )
        )
    token = config.get("api_token") or environ.get("OKTA_API_TOKEN")
    if not token:
        problems.append(Problem("api_token", "The Okta API token is not set", f"Set {_named('api_token')}."))
    if org_url and not problems:
        try:
            org_url = normalize_org_url(org_url)
        except InvalidOrgURL as exc:
            argument = "org_url" if source.get("org_url") else "org_name"
            problems.append(Problem(argument, f"Invalid {_named(argument)}", str(exc)))
    if problems:
        raise SettingsError(problems)
    return Settings(org_url=str(org_url), api_token=str(token))
