"""Stored states fitted to the current schema, as terraform-plugin-go providers do.

Terraform hands every stored state to UpgradeResourceState as the JSON it was written as, with
the schema version it was written at, and accepts back only a value of the current schema's
exact type. `tf` returns the JSON untouched, so a state written before an attribute was added
(or by the official okta/okta provider) is refused by Terraform core with "an object with N
attributes is required". Here the state is moved forward by the resource's upgrade steps, one
per schema version, then fitted:

- attributes and nested blocks the state lacks become null (an empty list for set blocks);
  computed ones are filled by the next refresh;
- attributes the schema no longer has are dropped (a step carries any whose value matters);
- every value is checked against its type, and a state that cannot be fitted is an
  `UnfitState` error that names the attribute and says what to do;
- a state without one of the arguments that name the remote object (required, not computed,
  and replacing the resource when changed, such as an application ID) is unfit too: no read
  can tell which object it was about.

A resource declares its steps as a class attribute `upgrade_steps`: `{n: step}`, where `step`
takes a state written at schema version `n` (as a dict, possibly lacking attributes) and
returns it as version `n + 1` writes it. Every version below the schema's needs a step (a
missing one is a provider bug, reported as an internal error). A resource may also declare
`adopt_state`, a step run first on every state at schema version 0, which is where states
moved in from another provider (`terraform state replace-provider`) arrive: it recognises them
by their shape and makes them say what that provider really did at the API.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from tf.schema import Block, NestedBlock, NestMode, Schema

State = dict[str, Any]
Step = Callable[[State], State]
Path = list[str]

_JSON_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "number": (int, float), "bool": (bool,)}
_WHAT_TO_DO = (
    "Remove the resource from the state (terraform state rm ADDRESS) and import it again "
    "(terraform import ADDRESS ID, or an import block)."
)
_FOUND = {
    str: "a string",
    bool: "a bool",
    int: "a number",
    float: "a number",
    list: "a list",
    dict: "an object",
}


class UnfitState(Exception):
    """A stored state that cannot be fitted to the schema: what is wrong and what to do."""

    def __init__(self, summary: str, detail: str, path: Path | None = None) -> None:
        super().__init__(f"{summary}: {detail}")
        self.summary = summary
        self.detail = detail
        self.path = path


def upgrade_state(type_name: str, resource_class: Any, version: int, stored: Any) -> State:
    """A stored state of `type_name`, written at schema `version`, as its current schema has it."""
    steps: Mapping[int, Step] = getattr(resource_class, "upgrade_steps", {})
    adopt: Step | None = getattr(resource_class, "adopt_state", None)
    return upgrade(type_name, resource_class.get_schema(), steps, version, stored, adopt)


def upgrade(
    type_name: str,
    schema: Schema,
    steps: Mapping[int, Step],
    version: int,
    stored: Any,
    adopt: Step | None = None,
) -> State:
    """`stored`, written at schema `version`, adopted (at version 0), moved forward by `steps`
    and fitted to `schema`."""
    current = schema.version or 0
    if version > current:
        raise UnfitState(
            "State written by a newer provider",
            f"The state of this {type_name} was written at schema version {version}, by a newer "
            f"release of the provider; this release knows versions up to {current}. Use that release "
            "or a newer one: an older provider cannot read what a newer one wrote.",
        )
    state = _object(type_name, stored, [])
    if version == 0 and adopt is not None:
        state = _object(type_name, adopt(state), [])
    for step_version in range(version, current):
        step = steps.get(step_version)
        if step is None:
            raise RuntimeError(f"{type_name} is at schema version {current} with no step from {step_version}")
        state = _object(type_name, step(state), [])
    fitted = fit(type_name, schema, state)
    for attribute in schema.attributes or []:
        identifies = attribute.required and attribute.requires_replace and not attribute.computed
        if identifies and fitted[attribute.name] is None:
            raise UnfitState(
                "Stored state does not fit the schema",
                f"The stored state of this {type_name} has no {attribute.name}, which names the object "
                f"at Okta; without it the provider cannot tell which object the state is about. "
                f"{_WHAT_TO_DO}",
                [attribute.name],
            )
    return fitted


def fit(type_name: str, schema: Schema | Block, state: State, path: Path | None = None) -> State:
    """`state` with exactly the schema's attributes and blocks, every value checked against its type."""
    path = path or []
    fitted: State = {}
    for attribute in schema.attributes or []:
        at = [*path, attribute.name]
        fitted[attribute.name] = _value(
            type_name, json.loads(attribute.type.tf_type()), state.get(attribute.name), at
        )
    for nested in schema.block_types or []:
        fitted[nested.type_name] = _block(
            type_name, nested, state.get(nested.type_name), [*path, nested.type_name]
        )
    return fitted


def _block(type_name: str, nested: NestedBlock, value: Any, path: Path) -> Any:
    if nested.nesting_mode is NestMode.Single:
        return None if value is None else fit(type_name, nested.block, _object(type_name, value, path), path)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _wrong_type(type_name, path, "a list of blocks", value)
    return [fit(type_name, nested.block, _object(type_name, item, path), path) for item in value]


def _object(type_name: str, value: Any, path: Path) -> State:
    if not isinstance(value, dict):
        raise _wrong_type(type_name, path, "an object", value)
    return value


def _value(type_name: str, cty_type: Any, value: Any, path: Path) -> Any:
    """`value` checked against a cty type in its JSON form ("string", ["list", "string"], ...)."""
    if value is None:
        return value
    if isinstance(cty_type, str):
        # bool is a subclass of int in Python: a number must not be a bool.
        if not isinstance(value, _JSON_TYPES[cty_type]) or (cty_type != "bool" and isinstance(value, bool)):
            raise _wrong_type(type_name, path, f"a {cty_type}", value)
        return value
    kind, inner = cty_type
    if kind in ("list", "set"):
        if not isinstance(value, list):
            raise _wrong_type(type_name, path, f"a {kind}", value)
        return [_value(type_name, inner, item, path) for item in value]
    if kind == "map":
        entries = _object(type_name, value, path)
        return {key: _value(type_name, inner, item, [*path, key]) for key, item in entries.items()}
    attributes = _object(type_name, value, path)
    return {
        name: _value(type_name, kind_of, attributes.get(name), [*path, name])
        for name, kind_of in inner.items()
    }


def _wrong_type(type_name: str, path: Path, expected: str, value: Any) -> UnfitState:
    where = ".".join(path) or "the state itself"
    found = _FOUND.get(type(value), type(value).__name__)
    return UnfitState(
        "Stored state does not fit the schema",
        f"The stored state of this {type_name} has {where} as {found}, "
        f"where this release of the provider expects {expected}; the state was not written by a "
        f"provider this release can read. {_WHAT_TO_DO}",
        path or None,
    )
