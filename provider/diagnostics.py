"""Okta errors as Terraform diagnostics: the wording users see, written once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tf.utils import Diagnostics

from provider.okta import OktaAPIError, OktaError, OktaNotFoundError
from provider.okta.features import provisioning_not_enabled
from provider.provider import NotConfigured, OktaProvider

if TYPE_CHECKING:
    from provider.okta.client import OktaClient

_HINTS = {
    401: "Check the provider's api_token (OKTA_API_TOKEN): Okta did not accept it.",
    403: "The API token's administrator lacks the permission (apps: okta.apps.manage / okta.apps.read).",
}


_READ_BACK = {
    True: "Okta may have acted on it, so the connection was read back: the state records what Okta "
    "reports, and the next apply sends again what Okta never shows (a token, say).",
    False: "Okta may have acted on it, and the connection could not be read back either: it stays in "
    "the state with no status until the next refresh, and the next apply sends the configuration again.",
}


def add_okta_error(
    diags: Diagnostics,
    exc: OktaError,
    doing: str,
    path: list[str] | None = None,
    *,
    read_back: bool | None = None,
) -> None:
    """Add an error for `exc`, saying what the provider was doing (`doing`) when it happened;
    `path` points at the argument it is about, when one is. `read_back` says, after a call Okta
    may have acted on, whether the connection could be read back for the state."""
    detail = [f"While {doing}."]
    if exc.detail:
        detail.append(exc.detail)
    if isinstance(exc, OktaAPIError) and exc.status in _HINTS:
        detail.append(_HINTS[exc.status])
    if read_back is not None:
        detail.append(_READ_BACK[read_back])
    diags.add_error(exc.summary, "\n".join(detail), path=path)


def configured_client(provider: OktaProvider, diags: Diagnostics) -> OktaClient | None:
    """The provider's client, or None with an error when configuration has not succeeded."""
    try:
        return provider.client
    except NotConfigured:
        diags.add_error(
            "The Okta provider is not configured",
            "Terraform called the provider before its configuration succeeded; see the provider "
            "errors above.",
        )
        return None


def add_feature_error(diags: Diagnostics, exc: OktaError, doing: str, app_id: str) -> None:
    """Add an error for a failed features call; Okta's refusal while the application's
    connection is not enabled says what to do about it."""
    if isinstance(exc, OktaAPIError) and provisioning_not_enabled(exc):
        diags.add_error(
            "Provisioning is not enabled for the application",
            f"While {doing}: Okta configures features only once the provisioning connection of "
            f'application "{app_id}" is enabled. Enable it first: an okta_app_connection with '
            'action = "activate", and app_id = okta_app_connection.NAME.id so that Terraform orders '
            f"the two.\n{exc.detail}",
            path=["app_id"],
        )
        return
    add_okta_error(diags, exc, doing, ["app_id"] if isinstance(exc, OktaNotFoundError) else None)
