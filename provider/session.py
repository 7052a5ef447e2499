"""What resources and data sources need of the provider: its Okta client, once configured.

They depend on this small interface, not on `provider.provider`, which lists them: so the
provider module may import them, and no module imports back the one that imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from provider.okta.client import OktaClient


class NotConfigured(Exception):
    """An operation needs the Okta client before ConfigureProvider succeeded."""


class Session(Protocol):
    """The configured provider as resources see it."""

    @property
    def client(self) -> OktaClient:
        """The Okta client; raises NotConfigured before the provider is configured."""
        ...
