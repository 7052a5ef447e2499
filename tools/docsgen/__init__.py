"""The documentation generator behind `tools/docs.py`, in the layout of HashiCorp's tfplugindocs.

`schema` asks Terraform for the provider's schema, `walker` turns a schema block into the
`## Schema` section, `render` fills the page templates in `templates/` (one per page kind) with
those sections, the examples and the prose notes kept beside the examples, and `check` compares
what would be generated with what is committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
PROVIDER_SOURCE = "registry.terraform.io/okta-py/okta"

Schema = Mapping[str, Any]
"""A schema, or any part of one, as parsed from `terraform providers schema -json`."""


class DocsError(Exception):
    """Generation failed; the message says why."""
