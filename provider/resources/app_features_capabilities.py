"""The capability tree of `okta_app_features`, written once for the resource and the data source.

Each group is a nested block of the resource (an object attribute of the data source) and an
object of Okta's `capabilities`; each leaf is an attribute and a field. The names are the
official provider's, so configurations port over. Conversions go both ways: Okta's
capabilities (spec spelling, see provider.okta.features) to a Terraform value, shaped like a
given state so that blocks the configuration leaves out stay out; and a planned value laid
over Okta's capabilities, for the PUT.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tf.schema import Attribute, Block
from tf.types import Bool, String, TfType

from provider.okta.features import INBOUND_PROVISIONING, USER_PROVISIONING
from provider.plugin.blocks import SingleNestedBlock
from provider.plugin.types import Object
from provider.plugin.values import is_known

Value = dict[str, Any]
STATUSES = ("ENABLED", "DISABLED")


@dataclass(frozen=True)
class Leaf:
    """One setting: its attribute name, Okta's field name, whether it is a bool, its values."""

    name: str
    field: str
    description: str
    values: tuple[str, ...] = ()
    boolean: bool = False
    required: bool = False


@dataclass(frozen=True)
class Group:
    """One object of settings: a nested block of the resource."""

    name: str
    field: str
    description: str
    leaves: tuple[Leaf, ...] = ()
    groups: tuple[Group, ...] = ()


def _status(what: str) -> Leaf:
    return Leaf("status", "status", f"`ENABLED` or `DISABLED`: {what}.", STATUSES)


def _import(name: str, field: str, what: str) -> Group:
    return Group(
        name,
        field,
        f"The {what} import schedule; Okta reports none until one is set.",
        (
            Leaf("expression", "expression", "The schedule, as a UNIX cron expression.", required=True),
            Leaf("timezone", "timezone", "The IANA time zone of the schedule (1 to 64 characters)."),
        ),
    )


def _match(name: str, field: str, what: str) -> Leaf:
    return Leaf(name, field, what, boolean=True)


CREATE = Group(
    "create",
    "create",
    "Creating users in the application (`USER_PROVISIONING` only).",
    groups=(
        Group(
            "lifecycle_create",
            "lifecycleCreate",
            "Whether Okta assigns a new app account to each user managed by Okta.",
            (_status("create users in the application"),),
        ),
    ),
)
UPDATE = Group(
    "update",
    "update",
    "Pushing changes to the application (`USER_PROVISIONING` only).",
    groups=(
        Group(
            "profile",
            "profile",
            "Whether updates to a user's Okta profile are pushed to the application.",
            (_status("push profile updates"),),
        ),
        Group(
            "lifecycle_deactivate",
            "lifecycleDeactivate",
            "Whether users are deactivated in the application when unassigned or deactivated in Okta.",
            (_status("deactivate users"),),
        ),
        Group(
            "password",
            "password",
            "Whether Okta creates and pushes a password for each assigned user.",
            (
                _status("sync passwords"),
                Leaf("seed", "seed", "`OKTA` (the user's Okta password) or `RANDOM`.", ("OKTA", "RANDOM")),
                Leaf(
                    "change",
                    "change",
                    "`CHANGE` (a password change in Okta changes it in the app) or `KEEP_EXISTING`.",
                    ("CHANGE", "KEEP_EXISTING"),
                ),
            ),
        ),
    ),
)
IMPORT_SETTINGS = Group(
    "import_settings",
    "importSettings",
    "How users are imported (`INBOUND_PROVISIONING` only).",
    groups=(
        Group(
            "username",
            "username",
            "The Okta username of imported users.",
            (
                Leaf(
                    "username_format",
                    "usernameFormat",
                    "`EMAIL`, or `CUSTOM` with `username_expression`.",
                    ("EMAIL", "CUSTOM"),
                ),
                Leaf(
                    "username_expression",
                    "userNameExpression",
                    "The Okta Expression Language statement of the username; exactly with "
                    '`username_format = "CUSTOM"`.',
                ),
            ),
        ),
        Group(
            "schedule",
            "schedule",
            "When users are imported.",
            (_status("run scheduled imports"),),
            (
                _import("full_import", "fullImport", "full"),
                _import("incremental_import", "incrementalImport", "incremental"),
            ),
        ),
    ),
)
IMPORT_RULES = Group(
    "import_rules",
    "importRules",
    "How imported users are matched and created (`INBOUND_PROVISIONING` only).",
    groups=(
        Group(
            "user_create_and_match",
            "userCreateAndMatch",
            "Rules for matching and creating users.",
            (
                Leaf(
                    "exact_match_criteria",
                    "exactMatchCriteria",
                    "The attribute users are matched on: `EMAIL` or `USERNAME`.",
                    ("EMAIL", "USERNAME"),
                ),
                _match(
                    "allow_partial_match",
                    "allowPartialMatch",
                    "Import users on a partial match (first and last name).",
                ),
                _match("auto_activate_new_users", "autoActivateNewUsers", "Activate imported new users."),
                _match(
                    "autoconfirm_exact_match", "autoConfirmExactMatch", "Confirm exact matches automatically."
                ),
                _match(
                    "autoconfirm_new_users",
                    "autoConfirmNewUsers",
                    "Confirm imported new users automatically.",
                ),
                _match(
                    "autoconfirm_partial_match",
                    "autoConfirmPartialMatch",
                    "Confirm partial matches automatically.",
                ),
            ),
        ),
    ),
)
CAPABILITIES = Group(
    "capabilities",
    "capabilities",
    "The feature's settings.",
    groups=(CREATE, UPDATE, IMPORT_SETTINGS, IMPORT_RULES),
)
# The top-level groups each feature has.
VARIANTS = {USER_PROVISIONING: (CREATE, UPDATE), INBOUND_PROVISIONING: (IMPORT_SETTINGS, IMPORT_RULES)}


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------


def _kind(leaf: Leaf) -> TfType:
    return Bool() if leaf.boolean else String()


def resource_block(group: Group) -> SingleNestedBlock:
    """The group as an optional nested block; every leaf optional and computed but `expression`."""
    return SingleNestedBlock(
        group.name,
        Block(
            description=group.description,
            attributes=[
                Attribute(
                    leaf.name,
                    _kind(leaf),
                    required=leaf.required,
                    optional=not leaf.required,
                    computed=not leaf.required,
                    description=leaf.description
                    + ("" if leaf.required else " When not set, not managed: shows Okta's value."),
                )
                for leaf in group.leaves
            ],
            block_types=[resource_block(sub) for sub in group.groups],
        ),
    )


def object_type(group: Group) -> Object:
    """The group as an object type, for a computed attribute of the data source."""
    types: dict[str, TfType] = {leaf.name: _kind(leaf) for leaf in group.leaves}
    types.update({sub.name: object_type(sub) for sub in group.groups})
    return Object(types)


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


def leaves(
    group: Group, value: Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Leaf, Any]]:
    """Every leaf of the present blocks of `value`: (attribute path, leaf, value)."""
    if not isinstance(value, dict):
        return
    for leaf in group.leaves:
        yield (*path, leaf.name), leaf, value.get(leaf.name)
    for sub in group.groups:
        yield from leaves(sub, value.get(sub.name), (*path, sub.name))


def from_okta(group: Group, okta: Any, shape: Any = True) -> Value | None:
    """Okta's object for `group` as a Terraform value. `shape` is the value whose present blocks
    are filled (True: all of them); a block absent from it stays absent, as does one Okta lacks."""
    if not isinstance(okta, dict) or shape is None:
        return None
    value: Value = {}
    for leaf in group.leaves:
        item = okta.get(leaf.field)
        value[leaf.name] = item if isinstance(item, bool if leaf.boolean else str) else None
    for sub in group.groups:
        sub_shape = shape.get(sub.name) if isinstance(shape, dict) else True
        value[sub.name] = from_okta(sub, okta.get(sub.field), sub_shape)
    return value


def capabilities_from_okta(name: str, okta: dict[str, Any], shape: Any = True) -> Value | None:
    """The `capabilities` value of feature `name`: only its own groups, shaped like `shape`."""
    if shape is None:
        return None
    value: Value = {group.name: None for group in CAPABILITIES.groups}
    for group in VARIANTS.get(name, ()):
        sub_shape = shape.get(group.name) if isinstance(shape, dict) else True
        value[group.name] = from_okta(group, okta.get(group.field), sub_shape)
    return value


def _overlay(group: Group, okta: dict[str, Any], planned: Value) -> dict[str, Any]:
    result = dict(okta)
    for leaf in group.leaves:
        item = planned.get(leaf.name)
        if is_known(item):
            result[leaf.field] = item
    for sub in group.groups:
        sub_planned = planned.get(sub.name)
        if isinstance(sub_planned, dict):
            current = result.get(sub.field)
            result[sub.field] = _overlay(sub, current if isinstance(current, dict) else {}, sub_planned)
    return result


def request_capabilities(name: str, okta: dict[str, Any], planned: Value | None) -> dict[str, Any]:
    """The whole object to PUT for feature `name`: Okta's `okta`, with every known value of the
    planned `capabilities` laid over it, and only the objects of the feature's variant."""
    body = {group.field: copy.deepcopy(okta.get(group.field) or {}) for group in VARIANTS[name]}
    for group in VARIANTS[name]:
        sub_planned = (planned or {}).get(group.name)
        if isinstance(sub_planned, dict):
            body[group.field] = _overlay(group, body[group.field], sub_planned)
    username = body.get("importSettings", {}).get("username")
    if isinstance(username, dict) and username.get("usernameFormat") == "EMAIL":
        username.pop("userNameExpression", None)  # only CUSTOM has one
    return body
