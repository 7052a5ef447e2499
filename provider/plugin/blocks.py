"""The single nested block type that `tf` does not ship (it has only set-nested blocks)."""

from __future__ import annotations

from typing import Any

from tf.schema import Block, NestedBlock, NestMode


class SingleNestedBlock(NestedBlock):  # type: ignore[misc]
    """A block written at most once (`profile { ... }`); its value is a dict, or None when absent.

    Terraform requires min_items == max_items for single nesting: 1/1 makes the block required.
    """

    def __init__(self, type_name: str, block: Block, *, required: bool = False) -> None:
        count = 1 if required else 0
        super().__init__(type_name, NestMode.Single, block, min_items=count, max_items=count)
        self.required = required

    def encode(self, value: Any) -> Any:
        return value

    def decode(self, value: Any) -> Any:
        return value

    def semantically_equal(self, a_decoded: Any, b_decoded: Any) -> bool:
        return bool(a_decoded == b_decoded)
