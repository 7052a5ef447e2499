"""Validation of the org URL: https everywhere, plain http only for loopback hosts.

Messages never repeat the URL: it may carry credentials or a token in places no rule can tell
apart, so they say what is wrong instead.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import SplitResult, urlsplit

# One label of a DNS name as clients resolve it: letters, digits and inner hyphens.
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


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


def host_problem(host: str) -> str | None:
    """Why the HTTP client could not connect to `host` (a URL's hostname, lower case), or None.

    An IP address, or a DNS name whose labels are letters, digits and inner hyphens; an
    internationalised name must be valid IDNA, as httpx encodes it, and so must `xn--` labels.
    """
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    ascii_host = host
    if not host.isascii() or any(label.startswith("xn--") for label in host.split(".")):
        import idna  # only here: most hosts are plain ASCII and never pay for its tables

        try:
            ascii_host = idna.encode(host).decode("ascii")
            idna.decode(ascii_host)
        except (idna.IDNAError, UnicodeError):
            return "the host name is not a valid internationalised domain name"
    labels = ascii_host.split(".")
    if len(ascii_host) > 253 or not all(_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        return "the host is neither a domain name nor an IP address"
    return None


def split_url(url: str) -> tuple[SplitResult, int | None] | str:
    """`url` split, with its port; or why it cannot be a URL the client connects to."""
    if any(not ch.isprintable() or ch.isspace() for ch in url):
        return "it contains spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return (
            "it is not a valid URL: a bracket without its pair, or a port that is not a number from 1 "
            "to 65535 (in a password, write / ? # [ ] @ percent-encoded)"
        )
    if port == 0:
        return "its port must be a number from 1 to 65535"
    return parts, port


def normalize_org_url(url: str) -> str:
    """Return `scheme://host[:port]` for a valid org URL, or raise InvalidOrgURL."""
    if "@" in url:
        # Checked first, so that no other message can be about a URL with credentials in it.
        raise InvalidOrgURL("the org URL must not contain credentials (an @)")
    split = split_url(url.strip())
    if isinstance(split, str):
        raise InvalidOrgURL(f"the org URL is invalid: {split}")
    parts, port = split
    host = (parts.hostname or "").lower()
    if not host or parts.scheme not in ("https", "http"):
        raise InvalidOrgURL("the org URL must be an absolute URL such as https://dev-123456.okta.com")
    if parts.scheme == "http" and not is_loopback(host):
        raise InvalidOrgURL(
            "the org URL uses http://; only https:// is allowed except for loopback hosts "
            "(127.0.0.0/8, localhost, ::1)"
        )
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise InvalidOrgURL("the org URL must be the org's address alone, without a path or query")
    reason = host_problem(host)
    if reason is not None:
        raise InvalidOrgURL(f"the org URL is invalid: {reason}")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}"
