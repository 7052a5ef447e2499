"""The plugin floor: this provider, with Okta answered in-process after the latency, no HTTP.

Everything but the Okta client is the real provider: `tf`'s protocol modules, grpcio, the
runner with its mutual TLS relay and 64 workers, the servicer, the provider's settings and the
`okta_app_connection` resource with its schema, validation and state mapping. Each call the
resource makes only waits FLOOR_LATENCY_MS, as a call to Okta at the emulator's latency would,
and is answered as an org whose connections are all TOKEN connections would answer it.

So a configuration and a state are exactly the provider's, and Terraform does the same work for
them. What Terraform and this floor take for N resources is the least a provider with this
schema on this stack can take; the provider's time beside it is the cost of its HTTP client
(section 3c of the benchmark, `bench/scale.py`). Run by the benchmark's launcher, as Terraform
runs any plugin.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING, cast

from provider.okta.models import Connection, ConnectionRequest, TokenConnectionRequest
from provider.provider import OktaProvider
from provider.session import NotConfigured

if TYPE_CHECKING:
    from provider.okta.client import OktaClient

LATENCY_SECONDS = float(os.environ.get("FLOOR_LATENCY_MS", "0")) / 1000


class WaitingClient:
    """The Okta client's calls, each one a wait of the latency and the answer Okta would give.

    It answers the benchmark's workload only, as the emulator answers it (TOKEN connections of
    org2org apps, no base URL, no consent link): every read finds the connection ENABLED, as
    `action = "activate"` leaves it, and a POST without `activate` reports it DISABLED.
    """

    def get_connection(self, app_id: str) -> Connection:
        time.sleep(LATENCY_SECONDS)
        return Connection(status="ENABLED", auth_scheme="TOKEN")

    def update_connection(
        self, app_id: str, request: ConnectionRequest, *, activate: bool | None = None
    ) -> Connection:
        time.sleep(LATENCY_SECONDS)
        status = "ENABLED" if activate else "DISABLED"
        scheme = request.body()["profile"]["authScheme"]
        base_url = request.base_url if isinstance(request, TokenConnectionRequest) else None
        return Connection(status=status, auth_scheme=scheme, base_url=base_url)

    def verify_consent(self, app_name: str, app_id: str, code: str, state: str) -> None:
        time.sleep(LATENCY_SECONDS)

    def activate_connection(self, app_id: str) -> None:
        time.sleep(LATENCY_SECONDS)

    def deactivate_connection(self, app_id: str) -> None:
        time.sleep(LATENCY_SECONDS)


class FloorProvider(OktaProvider):
    """The provider, configured as usual, whose client is the waiting one."""

    def __init__(self, stopping: threading.Event) -> None:
        super().__init__(stopping)
        self._waiting = WaitingClient()

    @property
    def client(self) -> OktaClient:
        with self._lock:
            if self._settings is None:
                raise NotConfigured
        return cast("OktaClient", self._waiting)  # the calls the resource makes, duck-typed


if __name__ == "__main__":
    from provider.plugin.runner import run

    run(FloorProvider)
