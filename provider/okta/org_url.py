"""Validation of the org URL: https everywhere, plain http only for loopback hosts."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


class InvalidOrgURL(ValueError):
    """The org URL is not one the client may talk to; the message says why."""


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_org_url(url: str) -> str:
    """Return `scheme://host[:port]` for a valid org URL, or raise InvalidOrgURL."""
    if "@" in url:
        # Checked first, so that no other message quotes the URL with its credentials, even a
        # URL too malformed to tell them apart.
        raise InvalidOrgURL("the org URL must not contain credentials (an @)")
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        raise InvalidOrgURL(f"{url!r} is not an absolute URL such as https://dev-123456.okta.com")
    if parts.scheme == "http" and not is_loopback(host):
        raise InvalidOrgURL(
            f"{url!r} uses http://; only https:// is allowed except for loopback hosts "
            "(127.0.0.0/8, localhost, ::1)"
        )
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise InvalidOrgURL(f"{url!r} must be the org's address alone, without a path or query")
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidOrgURL(f"{url!r} has an invalid port") from exc
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}"
