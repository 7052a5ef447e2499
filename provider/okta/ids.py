"""Okta IDs in the API's URLs: each must reach Okta as exactly one path segment."""

from __future__ import annotations

import re
from urllib.parse import quote

# Okta's object IDs are letters and digits (an application's: `0oa` and 17 more); nothing else
# can be one, and nothing else is sure to stay one path segment.
_ID = re.compile(r"[A-Za-z0-9]+")


def is_okta_id(value: str) -> bool:
    """Whether `value` has the form of an Okta object ID."""
    return _ID.fullmatch(value) is not None


def path_segment(value: str) -> str:
    """`value` percent-encoded as one path segment, whatever it holds.

    Besides `/`, `?`, `#` and `%`, dots are encoded too: HTTP clients resolve a `.` or `..`
    segment before sending, which would call another URL.
    """
    return quote(value, safe="").replace(".", "%2E")
