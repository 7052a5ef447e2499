"""Terraform's side of the plugin protocol, as the fault model drives it in-process.

Each `Command` is one Terraform command: a new provider (Terraform starts a provider process per
command), configured with ConfigureProvider, its client built on the fault injector, then the
resource RPCs Terraform would send. Every diagnostic of every RPC is kept for the invariants.
"""

from __future__ import annotations

import threading
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from tf.gen import tfplugin_pb2 as pb
from tf.types import Unknown

from provider.okta.client import OktaClient
from provider.plugin.servicer import OktaProviderServicer
from provider.plugin.values import decode, encode
from provider.provider import OktaProvider

TYPE = "okta_app_connection"
State = dict[str, Any]
# Attributes Terraform fills from the prior state when the configuration leaves them null.
COMPUTED = ("base_url", "status", "authorize_url")


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    summary: str
    detail: str


def proposed_new_state(config: State, prior: State | None) -> State:
    """Terraform's proposed new state: the configuration, with computed attributes it leaves null
    taken from the prior state (none computed inside `profile`)."""
    proposed = deepcopy(config)
    for name in COMPUTED:
        if proposed.get(name) is None:
            proposed[name] = None if prior is None else prior.get(name)
    return proposed


def unknown_paths(value: Any, path: str = "") -> list[str]:
    """Where `value` holds an unknown; Terraform refuses to store any after apply."""
    if value is Unknown:
        return [path or "."]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in unknown_paths(item, f"{path}.{key}")]
    return []


def inconsistencies(planned: Any, applied: Any, path: str = "") -> list[str]:
    """Known planned values that the applied state does not keep ("Provider produced
    inconsistent result after apply")."""
    if planned is Unknown:
        return []
    if isinstance(planned, dict) and isinstance(applied, dict):
        return [
            p
            for key, item in planned.items()
            for p in inconsistencies(item, applied.get(key), f"{path}.{key}")
        ]
    return [] if planned == applied else [path or "."]


@dataclass
class Command:
    """One Terraform command's provider process and what its RPCs answered."""

    provider_config: State
    transport: Any
    stopping: threading.Event = field(default_factory=threading.Event)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.provider = OktaProvider(self.stopping)
        self.servicer = OktaProviderServicer(self.provider, self.stopping)
        self._client: OktaClient | None = None

    def configure(self) -> bool:
        """ConfigureProvider, then the client on the injector, below retries, governor and logs."""
        request = pb.ConfigureProvider.Request(config=encode(self.provider_config))
        if not self._keep(self.servicer.ConfigureProvider(request, None)):
            return False
        settings = self.provider._settings
        assert settings is not None
        self._client = OktaClient(
            settings.org_url,
            settings.credentials,
            options=settings.options,
            stopping=self.stopping,
            transport=self.transport,
        )
        self.provider._client = self._client
        return True

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    @property
    def failed(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    def _keep(self, response: Any) -> bool:
        """Record a response's diagnostics; True when it has no error."""
        ok = True
        for d in response.diagnostics:
            error = d.severity == pb.Diagnostic.ERROR
            ok = ok and not error
            self.diagnostics.append(Diagnostic("error" if error else "warning", d.summary, d.detail))
        return ok

    def plan(self, prior: State | None, config: State | None) -> tuple[bool, State | None, bool]:
        """PlanResourceChange: (no error, planned state, whether it asks for replacement)."""
        proposed = None if config is None else proposed_new_state(config, prior)
        request = pb.PlanResourceChange.Request(
            type_name=TYPE,
            prior_state=encode(prior),
            proposed_new_state=encode(proposed),
            config=encode(config),
        )
        response = self.servicer.PlanResourceChange(request, None)
        return self._keep(response), decode(response.planned_state), bool(response.requires_replace)

    def apply(self, prior: State | None, planned: State | None, config: State | None) -> State | None:
        """ApplyResourceChange; its new state is what Terraform records, errors or not."""
        request = pb.ApplyResourceChange.Request(
            type_name=TYPE, prior_state=encode(prior), planned_state=encode(planned), config=encode(config)
        )
        response = self.servicer.ApplyResourceChange(request, None)
        self._keep(response)
        state: State | None = decode(response.new_state)
        return state

    def read(self, current: State, private: bytes = b"") -> tuple[bool, State | None]:
        """ReadResource: (no error, the refreshed state; None when the object is gone)."""
        request = pb.ReadResource.Request(type_name=TYPE, current_state=encode(current), private=private)
        response = self.servicer.ReadResource(request, None)
        return self._keep(response), decode(response.new_state)

    def import_(self, app_id: str) -> State | None:
        """ImportResourceState then the ReadResource Terraform sends after it; None on failure."""
        response = self.servicer.ImportResourceState(
            pb.ImportResourceState.Request(type_name=TYPE, id=app_id), None
        )
        if not self._keep(response) or len(response.imported_resources) != 1:
            return None
        [imported] = response.imported_resources
        ok, state = self.read(decode(imported.state), imported.private)
        return state if ok else None
