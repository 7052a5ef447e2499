"""Attribute types `tf` does not ship: objects, for nested read-only values."""

from __future__ import annotations

import json
from typing import Any

from tf.types import TfType


class Object(TfType):  # type: ignore[misc]
    """An object with fixed attribute types; its value is a dict (or None)."""

    def __init__(self, attributes: dict[str, TfType]) -> None:
        self.attributes = attributes

    def encode(self, value: Any) -> Any:
        return value

    def decode(self, value: Any) -> Any:
        return value

    def tf_type(self) -> bytes:
        types = {name: json.loads(kind.tf_type()) for name, kind in self.attributes.items()}
        return json.dumps(["object", types], separators=(",", ":")).encode()
