"""Attribute paths through nested single blocks: what changed, and which changes force replacement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tf.schema import Attribute, Block, Schema

from provider.plugin.values import is_unknown

Path = tuple[str, ...]


def _block_of(schema: Schema | Block) -> Block:
    if isinstance(schema, Schema):
        return Block(attributes=schema.attributes, block_types=schema.block_types)
    return schema


def iter_attributes(schema: Schema | Block, prefix: Path = ()) -> Iterator[tuple[Path, Attribute]]:
    """Every attribute of the schema with its path, nested blocks included."""
    block = _block_of(schema)
    for attribute in block.attributes:
        yield (*prefix, attribute.name), attribute
    for nested in block.block_types:
        yield from iter_attributes(nested.block, (*prefix, nested.type_name))


def lookup(value: Any, path: Path) -> Any:
    """The value at `path`, or None when a block on the way is absent."""
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def changed_paths(schema: Schema | Block, prior: dict[str, Any], proposed: dict[str, Any]) -> set[Path]:
    """Paths of the attributes whose proposed value differs from the prior one (unknown counts)."""
    changed = set()
    for path, _ in iter_attributes(schema):
        before, after = lookup(prior, path), lookup(proposed, path)
        if is_unknown(after) or before != after:
            changed.add(path)
    return changed


def replacing_paths(schema: Schema | Block, changed: set[Path]) -> list[Path]:
    """The changed paths whose attribute is marked requires_replace, at any depth."""
    return sorted(
        path for path, attribute in iter_attributes(schema) if attribute.requires_replace and path in changed
    )
