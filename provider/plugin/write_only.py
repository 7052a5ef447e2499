"""Write-only arguments (protocol 6.8+, Terraform 1.11+): in configuration, never in state.

Terraform 1.11 and later send a write-only argument's value in the `config` of each request and
nowhere else: it is null in the prior, proposed and planned states, and every state the provider
returns must have it null. Older Terraform knows nothing of them: it treats the argument as an
ordinary one and would store its value, so it is refused before anything happens (Terraform 1.11
announces the `write_only_attributes_allowed` client capability; older ones send none).

Write-only arguments are found in the schema (top-level attributes and those of single nested
blocks); a path is the tuple of names leading to one, such as ("profile", "token_wo").
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from tf.gen import tfplugin_pb2 as pb
from tf.schema import Attribute, Block, NestMode, Schema

Path = tuple[str, ...]
State = dict[str, Any]

MINIMUM_TERRAFORM = "Terraform 1.11"


class WriteOnlyAttribute(Attribute):  # type: ignore[misc]
    """An optional argument Terraform passes to the provider but never stores (and never shows)."""

    def __init__(self, name: str, type: Any, *, description: str) -> None:
        super().__init__(name, type, description=description, optional=True, sensitive=True)

    def to_pb(self) -> pb.Schema.Attribute:
        attribute = super().to_pb()
        attribute.write_only = True
        return attribute


def write_only_paths(schema: Schema | Block, prefix: Path = ()) -> list[Path]:
    """The paths of every write-only attribute of `schema`, in schema order."""
    found = [(*prefix, a.name) for a in schema.attributes or [] if isinstance(a, WriteOnlyAttribute)]
    for nested in schema.block_types or []:
        if nested.nesting_mode is NestMode.Single:
            found += write_only_paths(nested.block, (*prefix, nested.type_name))
    return found


def value_at(value: Any, path: Path) -> Any:
    """The value at `path` in a decoded object, None where any step is missing or not an object."""
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def _with(value: State, path: Path, item: Any) -> None:
    parent = value_at(value, path[:-1]) if len(path) > 1 else value
    if isinstance(parent, dict):
        parent[path[-1]] = item


def without_write_only(value: Any, paths: list[Path]) -> Any:
    """A copy of the object `value` with every write-only attribute null (None stays None)."""
    if not isinstance(value, dict):
        return value
    cleared = deepcopy(value)
    for path in paths:
        _with(cleared, path, None)
    return cleared


def with_write_only(value: Any, config: Any, paths: list[Path]) -> Any:
    """A copy of the object `value` with the write-only values of `config` put back in place."""
    if not isinstance(value, dict):
        return value
    filled = deepcopy(value)
    for path in paths:
        _with(filled, path, value_at(config, path))
    return filled


def configured(config: Any, paths: list[Path]) -> list[Path]:
    """The write-only attributes `config` sets (a value not yet known counts: it will be one)."""
    return [path for path in paths if value_at(config, path) is not None]


def unsupported(path: Path) -> tuple[str, str]:
    """The error for a write-only argument given to a Terraform without them: (summary, detail)."""
    name, where = path[-1], ".".join(path)
    return (
        f"{name} needs {MINIMUM_TERRAFORM} or later",
        f"{where} is a write-only argument: {MINIMUM_TERRAFORM} and later pass it to the provider "
        "without storing it in the state or in plan files. This Terraform does not support "
        "write-only arguments and would store the value in plain text, so it is refused and "
        f"nothing was sent. Use {MINIMUM_TERRAFORM} or later, or `{name.removesuffix('_wo')}`, "
        "whose value is stored in the state.",
    )
