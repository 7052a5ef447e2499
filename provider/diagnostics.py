"""Okta errors as Terraform diagnostics: the wording users see, written once."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from tf.utils import Diagnostics

from provider.okta import OktaAPIError, OktaError, OktaNotFoundError
from provider.okta.errors import AuthKind
from provider.okta.features import provisioning_not_enabled
from provider.okta.ids import is_okta_id
from provider.session import NotConfigured, Session

if TYPE_CHECKING:
    from provider.declared_type import Problem
    from provider.okta.client import OktaClient

# What an application ID argument must be, in every message that refuses one.
APP_ID_FORM = "an Okta application ID: letters and digits only, such as 0oa1b2c3d4e5f6g7h8i9"


def app_id_problem(argument: str, value: Any) -> Problem | None:
    """The application ID argument `argument` set to `value` that is not an Okta application ID
    (letters and digits); the value is never quoted back. Unknown values pass."""
    if isinstance(value, str) and not is_okta_id(value):
        return ([argument], f"Invalid {argument}", f"{argument} must be {APP_ID_FORM}.")
    return None


# A value short and plain enough to quote back: no secret pasted into the wrong argument looks so.
_PLAIN = re.compile(r"[A-Za-z0-9_-]{1,20}")

# A 401 or 403 without a more precise cause, by the authentication the provider used.
_REFUSED: dict[AuthKind, str] = {
    "api_token": "Check the provider's api_token (OKTA_API_TOKEN): Okta did not accept it.",
    "access_token": (
        "Check the provider's access_token (OKTA_ACCESS_TOKEN): Okta did not accept it; it may have expired."
    ),
    "service_app": "Okta did not accept the access token it issued to the service app (client_id).",
}
_FORBIDDEN: dict[AuthKind, str] = {
    "api_token": (
        "The API token's administrator lacks the permission: an API token acts with the admin roles "
        "of the administrator who created it, and this call needs one that may manage this application."
    ),
    "access_token": (
        "The access token's principal lacks the permission: it needs an admin role that may manage "
        "this application."
    ),
    "service_app": (
        "The service app has the scopes but lacks the permission: assign it an admin role that may "
        "manage this application (Okta Admin Console, the app's Admin roles tab)."
    ),
}
# The scope each call needs (Okta's API reference), for a challenge that does not name it.
_READ_SCOPE, _MANAGE_SCOPE = "okta.apps.read", "okta.apps.manage"


def _insufficient_scope(exc: OktaAPIError) -> str:
    scope = exc.required_scope or (_READ_SCOPE if exc.method == "GET" else _MANAGE_SCOPE)
    said = f"The access token lacks the scope {scope}, which this call needs (Okta: insufficient_scope). "
    if exc.auth == "access_token":
        return said + f"Use an access_token (OKTA_ACCESS_TOKEN) granted {scope}."
    return (
        said + f"Add {scope} to scopes (OKTA_API_SCOPES), or leave scopes unset to ask for okta.apps.read "
        "and okta.apps.manage; the service app must be granted it in Okta (its Okta API Scopes tab)."
    )


# Okta's callback answers 403 for a consent it refuses (a code spent, expired or from another
# link, a state that does not match) as for credentials that may not manage the application.
CONSENT_FORBIDDEN = (
    "Okta refused the consent: its code works once, expires, and must come with the state of the "
    "consent link the application awaits. Open authorize_url again to get a new code and state. If "
    "they are fresh, the credentials in use may lack the permission to manage this application."
)
# Okta answers 403 to the activation of a consent app's connection while it awaits consent, as
# for credentials that may not manage the application.
CONSENT_PENDING = (
    "The application awaits an administrator's consent, and Okta enables its connection only after "
    "it: have an administrator open authorize_url (in the state), then add an oauth_consent block "
    "with the code and state the consent returns, and apply again (see OAuth consent apps in the "
    "okta_app_connection documentation)."
)


def okta_api_advice(exc: OktaAPIError, *, consent: bool = False, awaiting_consent: bool = False) -> str:
    """What to do about an API error, from the authentication in use and the cause Okta gave;
    empty when there is nothing to add to Okta's own words. `consent`: the call sent an
    administrator's consent, which Okta refuses with a 403 of its own; `awaiting_consent`: the
    call activated a connection whose application awaits consent, which Okta refuses so too."""
    if exc.auth_error == "insufficient_scope":
        return _insufficient_scope(exc)
    if consent and exc.status == 403:
        return CONSENT_FORBIDDEN
    if awaiting_consent and exc.status == 403:
        return CONSENT_PENDING
    advice = {401: _REFUSED, 403: _FORBIDDEN}.get(exc.status)
    return "" if advice is None or exc.auth is None else advice[exc.auth]


def refused(value: str) -> str:
    """`, not "value"` after a rule naming the allowed values, when `value` is short and plain;
    nothing otherwise, since a configuration error must never repeat a secret."""
    return f', not "{value}"' if _PLAIN.fullmatch(value) else ""


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
    consent: bool = False,
    awaiting_consent: bool = False,
) -> None:
    """Add an error for `exc`, saying what the provider was doing (`doing`) when it happened;
    `path` points at the argument it is about, when one is. `read_back` says, after a call Okta
    may have acted on, whether the connection could be read back for the state; `consent`, that
    the call sent an administrator's consent; `awaiting_consent`, that it activated a connection
    whose application awaits one."""
    detail = [f"While {doing}."]
    if exc.detail:
        detail.append(exc.detail)
    if isinstance(exc, OktaAPIError) and (
        advice := okta_api_advice(exc, consent=consent, awaiting_consent=awaiting_consent)
    ):
        detail.append(advice)
    if read_back is not None:
        detail.append(_READ_BACK[read_back])
    diags.add_error(exc.summary, "\n".join(detail), path=path)


def configured_client(provider: Session, diags: Diagnostics) -> OktaClient | None:
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
