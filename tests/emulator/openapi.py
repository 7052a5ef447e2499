"""A small validator of JSON values against the schemas of an OpenAPI 3.0 extract.

The extracts are copied verbatim from the team's reference into `spec/` beside this module
(Apache-2.0, as their info block says). It knows the keywords they use: `$ref`, `type`, `properties`,
`required`, `enum`, `items`, `allOf`, `oneOf` (chosen by its `discriminator` when it has one,
as Okta's SDKs do), `minLength` and `maxLength`. Anything else (`readOnly`, `example`, `x-*`)
says nothing about validity. Properties a schema does not list are allowed, as in OpenAPI.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

SPECS = Path(__file__).resolve().parent / "spec"

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}


@cache
def load(name: str) -> dict[str, Any]:
    """An extract from `spec/`, parsed."""
    with (SPECS / name).open(encoding="utf-8") as file:
        spec: dict[str, Any] = yaml.safe_load(file)
    return spec


def response_schema(spec: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    """The JSON schema of one documented response."""
    response = spec["paths"][path][method]["responses"][status]
    if "$ref" in response:
        response = _resolve(spec, response["$ref"])
    schema: dict[str, Any] = response["content"]["application/json"]["schema"]
    return schema


def problems(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str = "$") -> list[str]:
    """Every way `value` breaks `schema`; empty when it validates."""
    if "$ref" in schema:
        return problems(spec, _resolve(spec, schema["$ref"]), value, where)
    found: list[str] = []
    for part in schema.get("allOf", []):
        found += problems(spec, part, value, where)
    if "oneOf" in schema:
        found += _one_of(spec, schema, value, where)
    kind = schema.get("type")
    if kind is not None and (
        not isinstance(value, _TYPES[kind]) or (kind != "boolean" and isinstance(value, bool))
    ):
        return [*found, f"{where}: expected {kind}, got {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str) and not schema.get("minLength", 0) <= len(value) <= schema.get(
        "maxLength", len(value)
    ):
        found.append(f"{where}: length {len(value)} out of bounds")
    if isinstance(value, dict):
        found += [f"{where}.{key}: required" for key in schema.get("required", []) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                found += problems(spec, sub, value[key], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += problems(spec, schema["items"], item, f"{where}[{index}]")
    return found


def _resolve(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    resolved: dict[str, Any] = node
    return resolved


def _one_of(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> list[str]:
    discriminator = schema.get("discriminator")
    if discriminator is not None and isinstance(value, dict):
        target = discriminator["mapping"].get(value.get(discriminator["propertyName"]))
        if target is None:
            return [f"{where}: no variant for {discriminator['propertyName']}"]
        return problems(spec, {"$ref": target}, value, where)
    matching = [option for option in schema["oneOf"] if not problems(spec, option, value, where)]
    return [] if len(matching) == 1 else [f"{where}: matches {len(matching)} variants of oneOf, not 1"]
