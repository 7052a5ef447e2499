"""okta_app_features: the provisioning features of an application (`USER_PROVISIONING`,
`INBOUND_PROVISIONING`).

Okta has no way to create or delete a feature, only to read and replace it: create and update
read the feature, lay the configured settings over it and PUT the whole object of the
feature's variant; destroy only forgets it. Settings the configuration leaves out are not
managed: a block left out stays out of the state, a setting left out of a block shows Okta's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tf.iface import DeleteContext, ImportContext, ReadContext
from tf.schema import Attribute, Schema
from tf.types import String, Unknown
from tf.utils import Diagnostics

from provider.declared_type import DeclaredType, Problem
from provider.diagnostics import APP_ID_FORM, add_feature_error, app_id_problem, configured_client, refused
from provider.okta import OktaAPIError, OktaError, OktaNotFoundError
from provider.okta.features import (
    FEATURE_NAMES,
    Feature,
    get_feature,
    provisioning_not_enabled,
    update_feature,
)
from provider.okta.ids import is_okta_id
from provider.plugin.servicer import (
    ConfiguredCreateContext,
    ConfiguredPlanContext,
    ConfiguredUpdateContext,
)
from provider.plugin.values import is_known, is_unknown
from provider.resources.app_features_capabilities import (
    CAPABILITIES,
    VARIANTS,
    capabilities_from_okta,
    leaves,
    request_capabilities,
    resource_block,
)

if TYPE_CHECKING:
    from provider.okta.client import OktaClient

State = dict[str, Any]
IMPORT_FORM = (
    "terraform import okta_app_features.NAME <application id>/<USER_PROVISIONING|INBOUND_PROVISIONING>"
)

SCHEMA = Schema(
    version=0,
    description="Manages a provisioning feature of an Okta application: what `USER_PROVISIONING` "
    "does in the application (create users, push profile changes, deactivate users, sync passwords) "
    "or how `INBOUND_PROVISIONING` imports and matches users. Okta has no way to delete a feature: "
    "destroying this resource removes it from state and changes nothing at Okta.",
    attributes=[
        Attribute("id", String(), computed=True, description="`{app_id}/{name}`."),
        Attribute(
            "app_id",
            String(),
            required=True,
            requires_replace=True,
            description="The ID of the application. Use `okta_app_connection.NAME.id`, so that the "
            "connection is enabled first: Okta refuses feature calls until it is. Changing it "
            "replaces the resource.",
        ),
        Attribute(
            "name",
            String(),
            required=True,
            requires_replace=True,
            description="`USER_PROVISIONING` or `INBOUND_PROVISIONING`. Changing it replaces the resource.",
        ),
        Attribute(
            "status",
            String(),
            computed=True,
            description="The feature's status as Okta reports it (read-only).",
        ),
        Attribute("description", String(), computed=True, description="Okta's description of the feature."),
    ],
    block_types=[resource_block(CAPABILITIES)],
)


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def name_problem(name: Any) -> Problem | None:
    """A name that is not a feature's, quoted back only when short and plain."""
    if isinstance(name, str) and name not in FEATURE_NAMES:
        return (
            ["name"],
            "Invalid name",
            f'name must be "USER_PROVISIONING" or "INBOUND_PROVISIONING"{refused(name)}.',
        )
    return None


def feature_id_problems(config: State) -> list[Problem]:
    """The rules for `app_id` and `name`, which the data source has too."""
    found = (app_id_problem("app_id", config.get("app_id")), name_problem(config.get("name")))
    return [problem for problem in found if problem]


def validation_problems(config: State) -> list[Problem]:
    """Every rule checked before any call: (attribute path, summary, detail). Unknown values pass."""
    problems = feature_id_problems(config)
    capabilities = config.get("capabilities")
    if not isinstance(capabilities, dict):
        return problems
    name = config.get("name")
    if name in VARIANTS:
        for group in CAPABILITIES.groups:
            if group not in VARIANTS[name] and is_known(capabilities.get(group.name)):
                problems.append(
                    (
                        ["capabilities", group.name],
                        f"{group.name} is not allowed with {name}",
                        f"{group.name} is a setting of {_owner(group.name)}, not of {name}.",
                    )
                )
    for path, leaf, value in leaves(CAPABILITIES, capabilities):
        where = ["capabilities", *path]
        if leaf.values and isinstance(value, str) and value not in leaf.values:
            allowed = " or ".join(f'"{v}"' for v in leaf.values)
            rule = f"{leaf.name} must be {allowed}{refused(value)}."
            problems.append((where, f"Invalid {leaf.name}", rule))
        if leaf.name == "expression" and value == "":
            problems.append((where, "Invalid expression", "expression must be a cron expression, not empty."))
        if leaf.name == "timezone" and isinstance(value, str) and not 1 <= len(value) <= 64:
            problems.append(
                (where, "Invalid timezone", "timezone must be an IANA time zone name of 1 to 64 characters.")
            )
    problems += _username_problems(capabilities)
    return problems


def _owner(group: str) -> str:
    return next(name for name, groups in VARIANTS.items() if group in (g.name for g in groups))


def _username_problems(capabilities: State) -> list[Problem]:
    settings = capabilities.get("import_settings")
    username = settings.get("username") if isinstance(settings, dict) else None
    if not isinstance(username, dict):
        return []
    fmt, expression = username.get("username_format"), username.get("username_expression")
    path = ["capabilities", "import_settings", "username", "username_expression"]
    if fmt == "CUSTOM" and expression is None:
        return [
            (
                path,
                "Missing username_expression",
                'username_expression is required with username_format "CUSTOM".',
            )
        ]
    if is_known(expression) and not is_unknown(fmt) and fmt != "CUSTOM":
        return [
            (
                path,
                "username_expression is not allowed",
                'username_expression is used only with username_format = "CUSTOM"; set that too.',
            )
        ]
    return []


# ---------------------------------------------------------------------------------------------
# States
# ---------------------------------------------------------------------------------------------


def feature_state(app_id: str, feature: Feature, shape: Any = True) -> State:
    """The state of a feature as Okta reports it; only the blocks present in `shape` are filled."""
    return {
        "id": f"{app_id}/{feature.name}",
        "app_id": app_id,
        "name": feature.name,
        "status": feature.status,
        "description": feature.description,
        "capabilities": capabilities_from_okta(feature.name, feature.capabilities, shape),
    }


def fetched_state(client: OktaClient, diags: Diagnostics, app_id: str, name: str, doing: str) -> State | None:
    """The feature's state as Okta reports it; None, with an error `doing` it ("reading",
    "importing"), when the call fails."""
    try:
        feature = get_feature(client, app_id, name)
    except OktaError as exc:
        add_feature_error(diags, exc, f'{doing} feature {name} of application "{app_id}"', app_id)
        return None
    return feature_state(app_id, feature)


def planned_state(current: State | None, planned: State, config: State) -> State:
    """What apply will learn from Okta marked unknown: on create the status and description;
    and every setting the configuration leaves out, of a block that was not in the state before
    or of any block when the plan changes something (the PUT keeps whatever Okta holds then,
    which may no longer be the value last read)."""
    changes = current is None or planned != current
    app_id, name = planned.get("app_id"), planned.get("name")
    planned["id"] = f"{app_id}/{name}" if isinstance(app_id, str) and isinstance(name, str) else Unknown
    if current is None:
        planned["status"] = planned["description"] = Unknown
    before = {path: value for path, _, value in leaves(CAPABILITIES, (current or {}).get("capabilities"))}
    blocks_before = {path[:-1] for path in before}
    configured = {path: value for path, _, value in leaves(CAPABILITIES, config.get("capabilities"))}
    for path, leaf, _ in leaves(CAPABILITIES, planned.get("capabilities")):
        if configured.get(path) is None and not leaf.required and (changes or path[:-1] not in blocks_before):
            _set(planned["capabilities"], path, Unknown)
    username = ((planned.get("capabilities") or {}).get("import_settings") or {}).get("username")
    if isinstance(username, dict) and username.get("username_format") == "EMAIL":
        username["username_expression"] = None  # Okta keeps one only with CUSTOM
    return planned


def _set(value: State, path: tuple[str, ...], item: Any) -> None:
    for step in path[:-1]:
        value = value[step]
    value[path[-1]] = item


# ---------------------------------------------------------------------------------------------
# The resource
# ---------------------------------------------------------------------------------------------


class AppFeatures(DeclaredType):
    """The resource type: a GET and a PUT to apply, a GET to refresh, nothing to destroy."""

    name = "app_features"
    schema = SCHEMA
    problems = staticmethod(validation_problems)

    def plan(self, ctx: ConfiguredPlanContext, current: State | None, planned: State) -> State:
        return planned_state(current, planned, ctx.config)

    def _apply(self, diags: Diagnostics, planned: State, config: State) -> State | None:
        """GET the feature, lay the settings set in the configuration over it, PUT it: the state
        after, or None. Only the configuration's: the plan also holds the settings it leaves out,
        as last read, which an administrator may have changed at Okta since."""
        client = configured_client(self.provider, diags)
        if client is None:
            return None
        app_id, name = planned["app_id"], planned["name"]
        try:
            current = get_feature(client, app_id, name)
            body = request_capabilities(name, current.capabilities, config.get("capabilities"))
            feature = update_feature(client, app_id, name, body)
        except OktaError as exc:
            add_feature_error(diags, exc, f'configuring feature {name} of application "{app_id}"', app_id)
            return None
        state = feature_state(app_id, feature, planned.get("capabilities"))
        for read_only in ("status", "description"):
            if is_known(planned.get(read_only)):  # as last read: a PUT does not change them
                state[read_only] = planned[read_only]
        return state

    def create(self, ctx: ConfiguredCreateContext, planned: State) -> State | None:
        return self._apply(ctx.diagnostics, planned, ctx.config)

    def update(self, ctx: ConfiguredUpdateContext, current: State, planned: State) -> State:
        state = self._apply(ctx.diagnostics, planned, ctx.config)
        return current if state is None else state

    def read(self, ctx: ReadContext, current: State) -> State | None:
        diags = ctx.diagnostics
        client = configured_client(self.provider, diags)
        if client is None:
            return current
        app_id, name = current["app_id"], current["name"]
        try:
            feature = get_feature(client, app_id, name)
        except OktaNotFoundError as exc:
            diags.add_warning(
                "Feature not found at Okta",
                f'Okta found no feature {name} of application "{app_id}" ({exc.error_summary or "404"}): '
                "the application or the feature is gone, so it was removed from the state. The next "
                "plan proposes to create it again.",
            )
            return None
        except OktaAPIError as exc:
            if not provisioning_not_enabled(exc):
                add_feature_error(diags, exc, f'reading feature {name} of application "{app_id}"', app_id)
                return current
            diags.add_warning(
                "Feature not read: provisioning is not enabled",
                f'Okta does not show feature {name} of application "{app_id}" while the application\'s '
                "provisioning connection is disabled, so the state keeps the settings last read. "
                'Activate the connection (action = "activate") to manage the feature again, or destroy '
                f"the resource.\n{exc.detail}",
                path=["app_id"],
            )
            return current
        except OktaError as exc:
            add_feature_error(diags, exc, f'reading feature {name} of application "{app_id}"', app_id)
            return current
        return feature_state(app_id, feature, current.get("capabilities"))

    def delete(self, ctx: DeleteContext, current: State) -> None:
        ctx.diagnostics.add_warning(
            "Feature left as it is at Okta",
            f"Okta has no way to delete feature {current.get('name')} of application "
            f'"{current.get("app_id")}": it was removed from the state only, and its settings at Okta '
            "are unchanged. Change them in a configuration, or in the Admin Console, to turn them off.",
        )

    def import_(self, ctx: ImportContext, id: str) -> State | None:
        diags = ctx.diagnostics
        app_id, _, name = id.strip().partition("/")
        if not is_okta_id(app_id) or name not in FEATURE_NAMES:
            diags.add_error(
                "Invalid import ID",
                f"The import ID must be {APP_ID_FORM}, a slash and a feature name. Import with: "
                f"{IMPORT_FORM}, for example 0oa1b2c3d4e5f6g7h8i9/USER_PROVISIONING.",
            )
            return None
        client = configured_client(self.provider, diags)
        return None if client is None else fetched_state(client, diags, app_id, name, "importing")
