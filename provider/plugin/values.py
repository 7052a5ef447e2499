"""Decoding and encoding of Terraform's msgpack values, with every kind of unknown recognised."""

from __future__ import annotations

from typing import Any

import msgpack
from msgpack import ExtType
from tf.gen import tfplugin_pb2 as pb
from tf.types import Unknown

# cty marks an unknown value with msgpack extension 0; Terraform 1.6+ sends an unknown that
# carries refinements (for example "not null", or a string prefix) as extension 12.
_UNKNOWN_EXT = 0
_REFINED_UNKNOWN_EXT = 12


def is_unknown(value: Any) -> bool:
    """True for a plain unknown and for a refined one; refined unknowns are passed on untouched."""
    return value is Unknown or (isinstance(value, ExtType) and value.code == _REFINED_UNKNOWN_EXT)


def contains_unknown(value: Any) -> bool:
    """True when `value` is unknown or holds an unknown at any depth (a list element, a map value)."""
    if is_unknown(value):
        return True  # first: a refined unknown is an ExtType, which is a tuple
    if isinstance(value, dict):
        return any(contains_unknown(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(contains_unknown(item) for item in value)
    return False


def is_known(value: Any) -> bool:
    """True when a value is neither unknown nor null."""
    return value is not None and not is_unknown(value)


def _ext_hook(code: int, data: bytes) -> Any:
    if code == _UNKNOWN_EXT:
        return Unknown
    return ExtType(code, data)


def _default(value: Any) -> Any:
    if value is Unknown:
        return ExtType(_UNKNOWN_EXT, b"")
    raise TypeError(f"cannot encode {type(value).__name__}")


def decode(value: pb.DynamicValue) -> Any:
    """A DynamicValue as plain Python: dicts for objects and blocks, None for null."""
    if value.msgpack:
        return msgpack.unpackb(value.msgpack, ext_hook=_ext_hook, raw=False)
    if value.json:
        import json

        return json.loads(value.json)
    return None


def encode(value: Any) -> pb.DynamicValue:
    """Plain Python as a msgpack DynamicValue (None becomes Terraform's null)."""
    return pb.DynamicValue(msgpack=msgpack.packb(value, default=_default, use_bin_type=True))
