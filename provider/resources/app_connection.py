"""okta_app_connection: an application's default provisioning connection.

Okta has no DELETE for it (every app has exactly one): create and update POST the profile,
`action` is applied with the lifecycle calls, and destroy deactivates. Okta never returns
secrets, so `token` and `admin_password` are kept from configuration and state; their
write-only forms `token_wo` and `admin_password_wo` (Terraform 1.11+) are kept nowhere and sent
when their `*_wo_version` changes (provider.plugin.write_only), as the consent's `code_wo` is
when the consent changes.
"""

from __future__ import annotations

from copy import deepcopy
from typing import TYPE_CHECKING, Any

from tf.iface import (
    CreateContext,
    DeleteContext,
    ImportContext,
    PlanContext,
    ReadContext,
    UpdateContext,
)
from tf.schema import Attribute, Block, Schema
from tf.types import Number, String, Unknown
from tf.utils import Diagnostics

from provider.declared_type import DeclaredType, Problem
from provider.diagnostics import APP_ID_FORM, add_okta_error, app_id_problem, configured_client, refused
from provider.okta import (
    Connection,
    OAuthConnectionRequest,
    OktaCancelled,
    OktaError,
    OktaNotFoundError,
    TokenConnectionRequest,
)
from provider.okta.ids import is_okta_id
from provider.okta.org_url import split_url
from provider.plugin.blocks import SingleNestedBlock
from provider.plugin.values import is_known, is_unknown
from provider.plugin.write_only import (
    MINIMUM_TERRAFORM,
    WriteOnlyAttribute,
    without_write_only,
    write_only_paths,
)
from provider.resources.app_connection_states import adopt_okta_okta

if TYPE_CHECKING:
    from provider.okta.client import OktaClient

State = dict[str, Any]

STATUS_FOR_ACTION = {"activate": "ENABLED", "deactivate": "DISABLED"}
ACTION_FOR_STATUS = {status: action for action, status in STATUS_FOR_ACTION.items()}
AUTH_SCHEMES = ("TOKEN", "OAUTH2")
ROTATION_MODES = ("AUTO", "MANUAL")
CONSENT_APPS = ("google", "office365", "slack", "zoomus")
# What the POST sets in `profile` that Okta never reports back, so that no read can confirm it:
# the token in either form (with the version that says which write-only one was sent) and the
# Office 365 settings (their password in either form, with its version).
UNREADABLE = ("token", "token_wo", "token_wo_version", "settings")

# ---------------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------------

SCHEMA = Schema(
    version=0,
    description="Manages the default provisioning connection of an Okta application: its "
    "authentication (`TOKEN` or `OAUTH2`) and whether it is enabled. Okta has no way to delete a "
    "connection: destroying this resource deactivates it and removes it from state.",
    attributes=[
        Attribute(
            "id",
            String(),
            required=True,
            requires_replace=True,
            description="The ID of the application whose provisioning connection is managed. "
            "Changing it replaces the resource.",
        ),
        Attribute(
            "base_url",
            String(),
            optional=True,
            computed=True,
            description="The base URL of the connection (for example a SCIM endpoint, or the "
            'target org of Org2Org). Only with `auth_scheme = "TOKEN"`. When not set, shows '
            "what Okta reports.",
        ),
        Attribute(
            "action",
            String(),
            required=True,
            description='`"activate"` to enable the connection, `"deactivate"` to disable it. '
            "A change made outside Terraform shows as drift of this argument.",
        ),
        Attribute(
            "status",
            String(),
            computed=True,
            description="The connection's status as Okta reports it: `ENABLED`, `DISABLED` or `UNKNOWN`.",
        ),
        Attribute(
            "authorize_url",
            String(),
            computed=True,
            description="For OAuth consent apps (Google, Office 365, Slack, Zoom): the URL an administrator "
            "opens to grant consent, as Okta reports it; empty once no consent is pending.",
        ),
    ],
    block_types=[
        SingleNestedBlock(
            "profile",
            Block(
                description="How Okta authenticates to the application.",
                attributes=[
                    Attribute(
                        "auth_scheme",
                        String(),
                        required=True,
                        description='`"TOKEN"` or `"OAUTH2"`.',
                    ),
                    Attribute(
                        "token",
                        String(),
                        optional=True,
                        sensitive=True,
                        description="The token Okta uses to call the application. With `TOKEN`, "
                        "exactly one of `token` and `token_wo` is required; not allowed with "
                        "`OAUTH2`. Stored in the state in plain text: on "
                        f"{MINIMUM_TERRAFORM} and later, prefer `token_wo`. Okta never returns it, "
                        "so it cannot be imported: it is sent on the next apply.",
                    ),
                    WriteOnlyAttribute(
                        "token_wo",
                        String(),
                        description="The token Okta uses to call the application, as a write-only "
                        "argument: never stored in the state or in plan files, and it may come from "
                        "an ephemeral value. Requires `token_wo_version`; sent on create and whenever "
                        "`token_wo_version` changes (a change of `token_wo` alone plans nothing). "
                        "Conflicts with `token`.",
                    ),
                    Attribute(
                        "token_wo_version",
                        Number(),
                        optional=True,
                        description="Required with `token_wo`: change it (for example increment it) "
                        "to send `token_wo` again.",
                    ),
                    Attribute(
                        "client_id",
                        String(),
                        optional=True,
                        description="The client ID of the OAuth 2.0 service app in the target org "
                        "(Org2Org only). `OAUTH2` only.",
                    ),
                ],
                block_types=[
                    SingleNestedBlock(
                        "signing",
                        Block(
                            description="Signing key rotation (Org2Org only). `OAUTH2` only.",
                            attributes=[
                                Attribute(
                                    "rotation_mode",
                                    String(),
                                    required=True,
                                    description='`"AUTO"`: Okta rotates the keys. `"MANUAL"`: '
                                    "you rotate them on your own schedule.",
                                )
                            ],
                        ),
                    ),
                    SingleNestedBlock(
                        "settings",
                        Block(
                            description="Microsoft Office 365 administrator credentials. `OAUTH2` only.",
                            attributes=[
                                Attribute(
                                    "admin_username",
                                    String(),
                                    required=True,
                                    description="Office 365 global administrator username.",
                                ),
                                Attribute(
                                    "admin_password",
                                    String(),
                                    optional=True,
                                    sensitive=True,
                                    description="Office 365 global administrator password. Exactly "
                                    "one of `admin_password` and `admin_password_wo` is required. "
                                    "Stored in the state in plain text: on "
                                    f"{MINIMUM_TERRAFORM} and later, prefer `admin_password_wo`. "
                                    "Okta never returns it, so it cannot be imported.",
                                ),
                                WriteOnlyAttribute(
                                    "admin_password_wo",
                                    String(),
                                    description="Office 365 global administrator password, as a "
                                    "write-only argument: never stored in the state or in plan "
                                    "files. Requires `admin_password_wo_version`; sent on create and "
                                    "whenever `admin_password_wo_version` changes. Conflicts with "
                                    "`admin_password`.",
                                ),
                                Attribute(
                                    "admin_password_wo_version",
                                    Number(),
                                    optional=True,
                                    description="Required with `admin_password_wo`: change it to "
                                    "send `admin_password_wo` again.",
                                ),
                            ],
                        ),
                    ),
                ],
            ),
            required=True,
        ),
        SingleNestedBlock(
            "oauth_consent",
            Block(
                description="The result of an administrator's consent (Google, Office 365, Slack, Zoom): "
                "sent once to Okta's OAuth callback before the connection is activated, and again "
                "whenever `app_name`, `state` or `code` changes (`code_wo` is not compared: a new "
                "consent brings a new `state`). `OAUTH2` only.",
                attributes=[
                    Attribute(
                        "app_name",
                        String(),
                        required=True,
                        description='The application\'s name at Okta: `"google"`, `"office365"`, `"slack"` '
                        'or `"zoomus"`.',
                    ),
                    Attribute(
                        "code",
                        String(),
                        optional=True,
                        sensitive=True,
                        description="The `code` the vendor returned after consent. Exactly one of "
                        "`code` and `code_wo` is required. Stored in the state in plain text: on "
                        f"{MINIMUM_TERRAFORM} and later, prefer `code_wo`.",
                    ),
                    WriteOnlyAttribute(
                        "code_wo",
                        String(),
                        description="The `code` the vendor returned after consent, as a write-only "
                        "argument: never stored in the state or in plan files, and it may come from "
                        "an ephemeral value. The code works once, so the state needs only the "
                        "`state` it was sent with. Conflicts with `code`.",
                    ),
                    Attribute(
                        "state",
                        String(),
                        required=True,
                        description="The `state` the vendor returned after consent.",
                    ),
                ],
            ),
        ),
    ],
)


def _base_url_problem(base_url: str) -> str | None:
    """Why `base_url` cannot be one, in words that never repeat it: a URL may carry credentials."""
    split = split_url(base_url)
    if isinstance(split, str):
        return f"base_url is invalid: {split}."
    parts, _ = split
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return (
            "base_url must be an absolute http:// or https:// URL, such as https://scim.example.com/scim/v2."
        )
    return None


WRITE_ONLY = write_only_paths(SCHEMA)
_PROFILE = next(nested.block for nested in SCHEMA.block_types if nested.type_name == "profile")
# The profile block's attributes and nested blocks, by name.
PROFILE_FIELDS = [attribute.name for attribute in _PROFILE.attributes] + [
    nested.type_name for nested in _PROFILE.block_types
]


def _secret_problems(block: State, path: list[str], plain: str, *, versioned: bool = True) -> list[Problem]:
    """The rules of the secret `plain` (`token`, `admin_password`, `code`) and its write-only form
    in `block`: not both, nothing empty and, where it has one (`versioned`), a write-only value
    with its version and the reverse. Whether one of them is required is the caller's rule."""
    write_only, version = f"{plain}_wo", f"{plain}_wo_version"
    problems: list[Problem] = []
    if block.get(write_only) == "":
        problems.append(([*path, write_only], f"Invalid {write_only}", f"{write_only} must not be empty."))
    if block.get(plain) is not None and block.get(write_only) is not None:
        problems.append(
            (
                [*path, write_only],
                f"Conflicting {plain} and {write_only}",
                f"Set only one of {plain} and {write_only}: {write_only} is the same secret, kept "
                "out of the state.",
            )
        )
    if not versioned:
        return problems
    if block.get(write_only) is not None and block.get(version) is None:
        problems.append(
            (
                [*path, version],
                f"Missing {version}",
                f"{write_only} needs {version}: Terraform keeps no trace of a write-only value, so "
                f"changing {version} is how you ask for {write_only} to be sent again. Set it, for "
                "example to 1.",
            )
        )
    if block.get(write_only) is None and block.get(version) is not None:
        problems.append(
            (
                [*path, version],
                f"{version} without {write_only}",
                f"{version} says when to send {write_only}; set {write_only} or remove {version}.",
            )
        )
    return problems


def validation_problems(config: State) -> list[Problem]:
    """Every rule checked at plan time: (attribute path, summary, detail).

    Known values of string attributes are `str`; unknown ones (plain or refined) are not, so
    every `isinstance(..., str)` below lets unknowns pass until they are known.
    """
    problems: list[Problem] = []

    if problem := app_id_problem("id", config.get("id")):
        problems.append(problem)
    action = config.get("action")
    if isinstance(action, str) and action not in STATUS_FOR_ACTION:
        problems.append(
            (["action"], "Invalid action", f'action must be "activate" or "deactivate"{refused(action)}.')
        )
    base_url = config.get("base_url")
    if isinstance(base_url, str):
        reason = _base_url_problem(base_url)
        if reason is not None:
            problems.append((["base_url"], "Invalid base_url", reason))

    profile = config.get("profile")
    if not isinstance(profile, dict):
        return problems
    scheme = profile.get("auth_scheme")
    if isinstance(scheme, str) and scheme not in AUTH_SCHEMES:
        problems.append(
            (
                ["profile", "auth_scheme"],
                "Invalid auth_scheme",
                f'auth_scheme must be "TOKEN" or "OAUTH2"{refused(scheme)}.',
            )
        )
    for name in ("token", "client_id"):
        if profile.get(name) == "":
            problems.append((["profile", name], f"Invalid {name}", f"{name} must not be empty."))
    problems += _secret_problems(profile, ["profile"], "token")
    if scheme == "TOKEN":
        if profile.get("token") is None and profile.get("token_wo") is None:
            problems.append(
                (
                    ["profile", "token"],
                    "Missing token",
                    'token (or token_wo) is required when auth_scheme is "TOKEN".',
                )
            )
        for name in ("client_id", "signing", "settings"):
            if is_known(profile.get(name)):
                problems.append(
                    (
                        ["profile", name],
                        f"{name} is not allowed with TOKEN",
                        f'{name} is used only when auth_scheme is "OAUTH2".',
                    )
                )
    elif scheme == "OAUTH2":
        for name in ("token", "token_wo", "token_wo_version"):
            if is_known(profile.get(name)):
                problems.append(
                    (
                        ["profile", name],
                        f"{name} is not allowed with OAUTH2",
                        f'{name} is used only when auth_scheme is "TOKEN".',
                    )
                )
        if is_known(base_url):
            problems.append(
                (
                    ["base_url"],
                    "base_url is not allowed with OAUTH2",
                    'base_url is used only when auth_scheme is "TOKEN"; '
                    "OAuth 2.0 connections have no base URL at Okta.",
                )
            )
    consent = config.get("oauth_consent")
    if isinstance(consent, dict):
        if scheme == "TOKEN":
            problems.append(
                (
                    ["oauth_consent"],
                    "oauth_consent is not allowed with TOKEN",
                    "Consent is part of OAuth 2.0 setups only.",
                )
            )
        problems += _secret_problems(consent, ["oauth_consent"], "code", versioned=False)
        if consent.get("code") is None and consent.get("code_wo") is None:
            problems.append(
                (["oauth_consent", "code"], "Missing code", "oauth_consent needs code (or code_wo).")
            )
        app_name = consent.get("app_name")
        if isinstance(app_name, str) and app_name not in CONSENT_APPS:
            problems.append(
                (
                    ["oauth_consent", "app_name"],
                    "Invalid app_name",
                    f"app_name must be one of {', '.join(CONSENT_APPS)}{refused(app_name)}.",
                )
            )
    settings = profile.get("settings")
    if isinstance(settings, dict):
        problems += _secret_problems(settings, ["profile", "settings"], "admin_password")
        if settings.get("admin_password") is None and settings.get("admin_password_wo") is None:
            problems.append(
                (
                    ["profile", "settings", "admin_password"],
                    "Missing admin_password",
                    "settings needs admin_password (or admin_password_wo).",
                )
            )
    signing = profile.get("signing")
    if isinstance(signing, dict):
        mode = signing.get("rotation_mode")
        if isinstance(mode, str) and mode not in ROTATION_MODES:
            problems.append(
                (
                    ["profile", "signing", "rotation_mode"],
                    "Invalid rotation_mode",
                    f'rotation_mode must be "AUTO" or "MANUAL"{refused(mode)}.',
                )
            )
    return problems


def connection_request(state: State) -> TokenConnectionRequest | OAuthConnectionRequest:
    """The POST body the planned state asks for."""
    profile = state["profile"]
    if profile["auth_scheme"] == "TOKEN":
        base_url = state.get("base_url")
        return TokenConnectionRequest(
            token=_secret(profile, "token"), base_url=base_url if is_known(base_url) else None
        )
    signing, settings = profile.get("signing") or {}, profile.get("settings") or {}
    return OAuthConnectionRequest(
        client_id=profile.get("client_id"),
        rotation_mode=signing.get("rotation_mode"),
        admin_username=settings.get("admin_username"),
        admin_password=_secret(settings, "admin_password"),
    )


def _secret(block: State, name: str) -> Any:
    """The secret `name` as configured: plain, or else write-only (`name_wo`, from the config)."""
    plain = block.get(name)
    return plain if plain is not None else block.get(f"{name}_wo")


def applied_state(planned: State, connection: Connection) -> State:
    """The state after Okta accepted `planned`: configuration as written, the rest from Okta."""
    state = deepcopy(planned)
    state["status"] = connection.status
    state["authorize_url"] = connection.authorize_url
    if not is_known(state.get("base_url")):
        state["base_url"] = connection.base_url
    return state


def refreshed_state(current: State, connection: Connection) -> State:
    """`current` updated with what Okta reports; secrets are kept since Okta never returns them."""
    state = deepcopy(current)
    state["status"] = connection.status
    state["authorize_url"] = connection.authorize_url
    state["action"] = ACTION_FOR_STATUS.get(connection.status, current.get("action"))
    # Okta echoes a TOKEN connection's baseUrl and never sends one for OAuth: an absent baseUrl
    # is a connection without one (reset at Okta, say), and the next plan puts it back. An
    # UNKNOWN answer (provisioning gone) says nothing about it, so the state keeps its own.
    if connection.auth_scheme == "TOKEN":
        state["base_url"] = connection.base_url
    elif connection.auth_scheme == "OAUTH2":
        state["base_url"] = None
    # A state without a profile (hand-edited, or a null block) gets every attribute of the block,
    # null where nothing tells its value: Terraform accepts the whole block or none of it.
    profile = state["profile"] = dict(state.get("profile") or dict.fromkeys(PROFILE_FIELDS))
    if connection.auth_scheme in AUTH_SCHEMES:
        profile["auth_scheme"] = connection.auth_scheme
    if connection.client_id is not None:
        profile["client_id"] = connection.client_id
    if isinstance(profile.get("signing"), dict) and connection.rotation_mode is not None:
        profile["signing"] = {"rotation_mode": connection.rotation_mode}
    return state


def lost_answer_state(before: State | None, planned: State, connection: Connection | None) -> State:
    """The state after a POST whose answer was lost: `planned`, updated with what Okta reports now
    (`connection`, None when it could not be read).

    What no read can tell keeps its value from before the call (none on create): the token, in
    either form, with `token_wo_version`, and the Office 365 settings, which Okta never returns,
    and the consent, which is sent only after the POST. A later plan shows them as changes (a
    `*_wo_version` among them), so the next apply sends them again. Without a read the status is
    null, not known, and destroy still deactivates.
    """
    state = deepcopy(planned)
    for name in ("status", "authorize_url", "base_url"):
        if is_unknown(state.get(name)):
            state[name] = None
    previous = before or {}
    profile = state["profile"]
    for name in UNREADABLE:
        profile[name] = (previous.get("profile") or {}).get(name)
    state["oauth_consent"] = previous.get("oauth_consent")
    if connection is None:
        state["status"] = None
        return state
    return refreshed_state(state, connection)


def _confirms(found: State, planned: State, *, activated: bool) -> bool:
    """Whether `found`, read back after a lost answer, shows all that the POST asked Okta for.

    `found` holds the secrets of the state before the POST (see lost_answer_state), so a new one,
    or a new `*_wo_version`, is never confirmed. Write-only values are compared by their version
    alone: no state holds them, and `planned` has them from the configuration.
    """
    base_url = planned.get("base_url")
    wanted = ("ENABLED",) if activated else tuple(STATUS_FOR_ACTION.values())
    return (
        without_write_only(found, WRITE_ONLY)["profile"] == without_write_only(planned, WRITE_ONLY)["profile"]
        and (not is_known(base_url) or found["base_url"] == base_url)
        and found["status"] in wanted
    )


def imported_state(app_id: str, connection: Connection) -> State:
    return {
        "id": app_id,
        "action": ACTION_FOR_STATUS[connection.status],
        "status": connection.status,
        "base_url": connection.base_url,
        "authorize_url": connection.authorize_url,
        "oauth_consent": None,
        "profile": {
            "auth_scheme": connection.auth_scheme,
            "token": None,
            "token_wo": None,
            "token_wo_version": None,
            "client_id": connection.client_id,
            "signing": {"rotation_mode": connection.rotation_mode} if connection.rotation_mode else None,
            "settings": None,
        },
    }


def _posts(current: State, planned: State) -> bool:
    """Whether applying `planned` over `current` needs the update POST.

    Write-only values are never in `current`: a changed `*_wo_version` is what sends them.
    """
    before: State = without_write_only(current, WRITE_ONLY)
    after: State = without_write_only(planned, WRITE_ONLY)
    return before.get("profile") != after.get("profile") or before.get("base_url") != after.get("base_url")


def _consent_changed(current: State | None, planned: State) -> bool:
    """Whether the consent is to be sent: it is new, or it changed (`code_wo` aside, which the
    state never holds)."""
    consent = without_write_only(planned, WRITE_ONLY).get("oauth_consent")
    if consent is None:
        return False
    return current is None or without_write_only(current, WRITE_ONLY).get("oauth_consent") != consent


def _read_back(client: OktaClient, app_id: str, exc: OktaError) -> Connection | None:
    """The connection as Okta reports it now, after `exc` ended a call Okta may have acted on;
    None when that cannot be learned.

    After a stop (Ctrl-C) Okta is not asked: Terraform waits for this apply to return, and a read
    could take as long as the call it follows. The state then has a null status, which the next
    refresh reads, and destroy still deactivates.
    """
    if isinstance(exc, OktaCancelled):
        return None
    try:
        return client.get_connection(app_id)
    except OktaError:
        return None


def _unsupported(diags: Diagnostics, app_id: str) -> None:
    diags.add_error(
        "The application does not support provisioning connections",
        f'Okta reports the provisioning status of application "{app_id}" as UNKNOWN: the application '
        "does not support provisioning, or its authentication method is not one Okta can manage.",
        path=["id"],
    )


class AppConnection(DeclaredType):
    """The resource type; Terraform's operations map onto the four connection endpoints."""

    name = "app_connection"
    schema = SCHEMA
    problems = staticmethod(validation_problems)
    # Stored states: see provider.plugin.upgrade (schema version 0 has no upgrade steps yet).
    adopt_state = staticmethod(adopt_okta_okta)

    def plan(self, ctx: PlanContext, current: State | None, planned: State) -> State:
        """Mark what apply will learn from Okta as unknown; everything else is as configured."""
        scheme = (planned.get("profile") or {}).get("auth_scheme")
        if scheme == "OAUTH2":
            planned["base_url"] = None
        if current is None:
            planned["status"] = Unknown
            planned["authorize_url"] = Unknown
            if planned.get("base_url") is None and scheme != "OAUTH2":
                planned["base_url"] = Unknown
        else:
            # The status apply will reach is Okta's answer: unknown when the action changes, and
            # when the state's status is not the action's (null after an interrupted call).
            settled = current.get("status") == STATUS_FOR_ACTION.get(planned.get("action") or "")
            if "action" in ctx.changed_fields or "id" in ctx.changed_fields or not settled:
                planned["status"] = Unknown
            if _posts(current, planned):
                planned["authorize_url"] = Unknown
            was_oauth = (current.get("profile") or {}).get("auth_scheme") == "OAUTH2"
            if was_oauth and scheme == "TOKEN" and planned.get("base_url") is None:
                planned["base_url"] = Unknown  # whatever Okta reports once the TOKEN profile is set
        return planned

    def _reconcile(self, diags: Diagnostics, client: OktaClient, state: State) -> State:
        """Make Okta's status match `action` with a lifecycle call, only when they differ."""
        app_id, target = state["id"], STATUS_FOR_ACTION[state["action"]]
        if state["status"] == target:
            return state
        try:
            if target == "ENABLED":
                client.activate_connection(app_id)
            else:
                client.deactivate_connection(app_id)
        except OktaError as exc:
            if exc.may_have_acted:
                # An answer was lost, or a gateway failed after Okta may have acted: ask Okta.
                found = _read_back(client, app_id, exc)
                status = None if found is None else found.status
                if status == target:
                    state["status"] = target
                    return state
                state["status"] = status  # null when Okta could not be asked: it is not known
            verb = "activating" if target == "ENABLED" else "deactivating"
            add_okta_error(
                diags,
                exc,
                f'{verb} the provisioning connection of application "{app_id}"',
                awaiting_consent=target == "ENABLED" and bool(state.get("authorize_url")),
            )
            state["action"] = ACTION_FOR_STATUS.get(state["status"], state["action"])
            return state
        state["status"] = target
        return state

    def _consent(self, diags: Diagnostics, client: OktaClient, state: State) -> bool:
        """Send the administrator's consent to Okta; on failure it is left out of the state."""
        consent = state["oauth_consent"]
        try:
            code = _secret(consent, "code")
            client.verify_consent(consent["app_name"], state["id"], code, consent["state"])
        except OktaError as exc:
            if exc.may_have_acted:
                # The code works once and may be spent: keep it, and let activation tell.
                diags.add_warning(
                    "OAuth consent not confirmed",
                    f'Okta\'s answer to the consent of application "{state["id"]}" was lost ({exc}). If '
                    "activation fails with a consent error, get a new code from the consent URL.",
                )
                return True
            doing = f'verifying the OAuth consent of application "{state["id"]}"'
            path = ["oauth_consent", "app_name"] if isinstance(exc, OktaNotFoundError) else None
            add_okta_error(diags, exc, doing, path, consent=True)
            state["oauth_consent"] = None
            state["action"] = ACTION_FOR_STATUS.get(state["status"], state["action"])
            return False
        return True

    def _post(
        self,
        diags: Diagnostics,
        client: OktaClient,
        before: State | None,
        planned: State,
        *,
        consent_pending: bool,
    ) -> State | None:
        """POST the profile over `before` (None on create): the state after it, or None when Okta
        refused it. The apply goes on from that state only when no error was added.

        When the call fails after Okta may have acted, whatever the last error (a lost or
        unreadable answer, a 5xx, a 429 or a refused token after an attempt that may have landed,
        a stop), the connection is read back, as after a lifecycle call: if it shows all that was
        asked, the POST succeeded; if not, the error stands with the state Okta reports, so a live
        connection is never left out of the state. A new secret (`token`, `token_wo`, settings) is
        never confirmed that way (Okta never returns it): a create then fails and Terraform records
        it as tainted, which is right, since nothing proves Okta holds the token: the next apply
        sends the whole configuration again.
        """
        app_id = planned["id"]
        activate = planned["action"] == "activate" and not consent_pending
        try:
            connection = client.update_connection(
                app_id, connection_request(planned), activate=True if activate else None
            )
        except OktaError as exc:
            doing = f'configuring the provisioning connection of application "{app_id}"'
            if not exc.may_have_acted:
                add_okta_error(diags, exc, doing, ["id"] if isinstance(exc, OktaNotFoundError) else None)
                return None
            found = _read_back(client, app_id, exc)
            state = lost_answer_state(before, planned, found)
            if found is None or not _confirms(state, planned, activated=activate):
                add_okta_error(diags, exc, doing, read_back=found is not None)
                return state
            connection = found
        if connection.status not in STATUS_FOR_ACTION.values():
            _unsupported(diags, app_id)
            return None
        if connection.authorize_url and connection.status != "ENABLED" and not consent_pending:
            diags.add_warning(
                "Administrator consent needed",
                f'Application "{app_id}" needs an administrator to grant consent before provisioning can '
                f"work: open {connection.authorize_url} in a browser.",
            )
        return applied_state(planned, connection)

    def create(self, ctx: CreateContext, planned: State) -> State | None:
        client = configured_client(self.provider, ctx.diagnostics)
        if client is None:
            return None
        consent_pending = _consent_changed(None, planned)
        state = self._post(ctx.diagnostics, client, None, planned, consent_pending=consent_pending)
        if state is None or ctx.diagnostics.has_errors():
            return state
        if consent_pending and not self._consent(ctx.diagnostics, client, state):
            return state
        return self._reconcile(ctx.diagnostics, client, state)

    def read(self, ctx: ReadContext, current: State) -> State | None:
        client = configured_client(self.provider, ctx.diagnostics)
        if client is None:
            return current
        app_id = current["id"]
        try:
            connection = client.get_connection(app_id)
        except OktaNotFoundError:
            ctx.diagnostics.add_warning(
                "Application not found at Okta",
                f'Application "{app_id}" no longer exists at Okta, so its provisioning connection was '
                "removed from the state. The next plan proposes to create it again.",
            )
            return None
        except OktaError as exc:
            add_okta_error(
                ctx.diagnostics, exc, f'reading the provisioning connection of application "{app_id}"'
            )
            return current
        if connection.status not in STATUS_FOR_ACTION.values():
            ctx.diagnostics.add_warning(
                "Provisioning status UNKNOWN",
                f'Okta reports the provisioning connection of application "{app_id}" as UNKNOWN.',
            )
        return refreshed_state(current, connection)

    def update(self, ctx: UpdateContext, current: State, planned: State) -> State:
        client = configured_client(self.provider, ctx.diagnostics)
        if client is None:
            return current
        consent_pending = _consent_changed(current, planned)
        if _posts(current, planned):
            posted = self._post(ctx.diagnostics, client, current, planned, consent_pending=consent_pending)
            if posted is None or ctx.diagnostics.has_errors():
                return current if posted is None else posted
            state = posted
        else:
            state = deepcopy(planned)
            state["status"] = current["status"]
            state["authorize_url"] = current.get("authorize_url")
        if consent_pending and not self._consent(ctx.diagnostics, client, state):
            return state
        return self._reconcile(ctx.diagnostics, client, state)

    def delete(self, ctx: DeleteContext, current: State) -> None:
        client = configured_client(self.provider, ctx.diagnostics)
        if client is None or current.get("status") in ("DISABLED", "UNKNOWN"):
            return  # nothing to turn off: Okta refuses to deactivate an UNKNOWN connection
        app_id = current["id"]
        try:
            client.deactivate_connection(app_id)
        except OktaNotFoundError:
            return
        except OktaError as exc:
            add_okta_error(
                ctx.diagnostics, exc, f'deactivating the provisioning connection of application "{app_id}"'
            )

    def import_(self, ctx: ImportContext, id: str) -> State | None:
        diags = ctx.diagnostics
        app_id = id.strip()
        if not is_okta_id(app_id):
            diags.add_error(
                "Invalid import ID",
                f"The import ID must be {APP_ID_FORM}: terraform import okta_app_connection.NAME "
                "<application id>",
            )
            return None
        client = configured_client(self.provider, diags)
        if client is None:
            return None
        try:
            connection = client.get_connection(app_id)
        except OktaError as exc:
            add_okta_error(diags, exc, f'importing the provisioning connection of application "{app_id}"')
            return None
        if connection.status not in STATUS_FOR_ACTION.values():
            _unsupported(diags, app_id)
            return None
        return imported_state(app_id, connection)
