"""Redaction of secrets in anything that may be logged: JSON bodies, form bodies, headers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

REDACTED = "***REDACTED***"

# Lower-cased names of fields and headers that hold secrets, wherever they appear.
SECRET_NAMES = frozenset(
    {
        "authorization",
        "dpop",
        "token",
        "adminpassword",
        "adminusername",
        "client_assertion",
        "access_token",
        "refresh_token",
        "id_token",
        "assertion",
        "private_key",
        "password",
    }
)


def redact_value(value: Any) -> Any:
    """A copy of a decoded JSON value with every secret field replaced."""
    if isinstance(value, dict):
        return {k: REDACTED if k.lower() in SECRET_NAMES else redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(item) for item in value]
    return value


def redact_body(content: bytes, content_type: str) -> str:
    """A loggable form of an HTTP body: JSON and forms redacted field by field, anything else elided."""
    if not content:
        return ""
    text = content.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return json.dumps(redact_value(json.loads(text)))
        except ValueError:
            return f"<{len(content)} bytes of invalid JSON>"
    if "x-www-form-urlencoded" in content_type:
        pairs = parse_qsl(text, keep_blank_values=True)
        return urlencode([(k, REDACTED if k.lower() in SECRET_NAMES else v) for k, v in pairs])
    return f"<{len(content)} bytes of {content_type or 'unknown type'}>"


def redact_headers(headers: Any) -> dict[str, str]:
    return {k: REDACTED if k.lower() in SECRET_NAMES else v for k, v in headers.items()}
