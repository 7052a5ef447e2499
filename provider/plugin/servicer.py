"""Our ProviderServicer: the resource RPCs of `tf`, rewritten where `tf` falls short.

Differences from `tf.provider.ProviderServicer`, each a gap found against real Terraform:
- values are plain dicts (single nested blocks are dicts), unknowns of every kind recognised;
- Resource.plan() runs on create too, with the changed paths of nested attributes, and
  requires_replace is honoured at any depth;
- destroy plans (plan_destroy capability) are answered instead of rejected;
- no RPC ever raises: an unexpected exception becomes an error diagnostic (no stack trace in
  it), and apply then returns the prior state so nothing recorded is lost;
- private state is passed through instead of dropped;
- stored states are moved forward by the resource's upgrade steps and fitted to the current
  schema (see provider.plugin.upgrade) instead of being handed back as they were stored;
- the ReadResource that Terraform sends right after an import is answered with the imported
  state, without a second read at Okta (see `_imported_here`);
- write-only arguments (see provider.plugin.write_only) are refused by a Terraform that does not
  announce them, taken from the request's config at apply, and null in every state returned;
- plan, create and update get the configuration too (`ConfiguredPlanContext` and the like): the
  planned state cannot tell an optional and computed argument left out from one set to the value
  it had;
- data sources get the same decoding and the same guarantee that no exception escapes;
- the schema response is built once per process;
- StopProvider only signals cancellation; the process stops on go-plugin's Shutdown.

The service has only the RPCs the provider serves (tools/protocol.py trims protocol 6.11 to
them); gRPC answers any other, such as resource identity or list resources, with UNIMPLEMENTED,
as Terraform expects of a provider without that feature.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
from collections.abc import Callable
from copy import deepcopy
from typing import Any, TypeVar

import grpc
from tf.gen import tfplugin_pb2 as pb
from tf.iface import (
    CreateContext,
    DeleteContext,
    ImportContext,
    PlanContext,
    Provider,
    ReadContext,
    ReadDataContext,
    Resource,
    UpdateContext,
)
from tf.provider import ProviderServicer
from tf.utils import Diagnostics, _to_attribute_path

from provider.plugin.paths import changed_paths, replacing_paths
from provider.plugin.upgrade import UnfitState, upgrade_state
from provider.plugin.values import decode, encode
from provider.plugin.write_only import (
    configured,
    unsupported,
    with_write_only,
    without_write_only,
    write_only_paths,
)

log = logging.getLogger("provider.plugin")

Handler = TypeVar("Handler", bound=Callable[..., Any])

INTERNAL_ERROR = "Internal error in the Okta provider"

Config = dict[str, Any]


class Configured:
    """The configuration being planned or applied, beside what `tf`'s context carries (unknown
    values as in the request); a plain mixin, as a dataclass costs about 0.4 ms of every start."""

    config: Config

    def __init__(self, *args: Any, config: Config, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config = config


class ConfiguredPlanContext(Configured, PlanContext):  # type: ignore[misc]
    """A PlanContext with the resource's configuration."""


class ConfiguredCreateContext(Configured, CreateContext):  # type: ignore[misc]
    """A CreateContext with the configuration being applied."""


class ConfiguredUpdateContext(Configured, UpdateContext):  # type: ignore[misc]
    """An UpdateContext with the configuration being applied."""


def _internal_error(diags: Diagnostics, rpc: str, exc: BaseException) -> None:
    log.error("unexpected error in %s", rpc, exc_info=exc)
    diags.add_error(
        INTERNAL_ERROR,
        f"{rpc} failed with {type(exc).__name__}: {exc}. This is a bug in the provider; "
        "the provider's log (TF_LOG_PROVIDER=DEBUG) has the details.",
    )


def answers_with(response_type: Any) -> Callable[[Handler], Handler]:
    """Turn any exception escaping an RPC handler into an error diagnostic of `response_type`."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def guarded(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
            try:
                return handler(self, request, context)
            except Exception as exc:
                diags = Diagnostics()
                _internal_error(diags, handler.__name__, exc)
                return response_type(diagnostics=diags.to_pb())

        return guarded  # type: ignore[return-value]

    return wrap


class OktaProviderServicer(ProviderServicer):  # type: ignore[misc]
    """The gRPC servicer Terraform talks to."""

    def __init__(self, app: Provider, stopping: threading.Event) -> None:
        super().__init__(app)
        self.stopping = stopping
        self._schema_response: pb.GetProviderSchema.Response | None = None
        self._schema_lock = threading.Lock()
        # Terraform reads every resource it has just imported. Our imports read the connection
        # from Okta already and return exactly what a read would, so the import tags its state's
        # private data with a mark only this process knows, and the read that follows returns
        # the state as it is: one API call per import, not two. Any later read, in this process
        # or another, finds no mark (that read clears it) and asks Okta.
        self._imported_here = b"imported-by:" + os.urandom(16).hex().encode()

    def _resource(self, type_name: str) -> Resource:
        return self.app.new_resource(self._get_res_cls(type_name))

    def _write_only(self, type_name: str) -> list[tuple[str, ...]]:
        return write_only_paths(self._get_res_cls(type_name).get_schema())

    @answers_with(pb.GetProviderSchema.Response)
    def GetProviderSchema(self, request: Any, context: grpc.ServicerContext) -> Any:
        with self._schema_lock:
            if self._schema_response is None:
                self._schema_response = super().GetProviderSchema(request, context)
            return self._schema_response

    @answers_with(pb.ValidateProviderConfig.Response)
    def ValidateProviderConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        diags = Diagnostics()
        self.app.validate_config(diags, decode(request.config) or {})
        return pb.ValidateProviderConfig.Response(diagnostics=diags.to_pb())

    @answers_with(pb.ConfigureProvider.Response)
    def ConfigureProvider(self, request: Any, context: grpc.ServicerContext) -> Any:
        diags = Diagnostics()
        self.app.configure_provider(diags, decode(request.config) or {})
        return pb.ConfigureProvider.Response(diagnostics=diags.to_pb())

    @answers_with(pb.ValidateResourceConfig.Response)
    def ValidateResourceConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        diags = Diagnostics()
        config = decode(request.config) or {}
        if not request.client_capabilities.write_only_attributes_allowed:
            for path in configured(config, self._write_only(request.type_name)):
                diags.add_error(*unsupported(path), path=list(path))
        self._resource(request.type_name).validate(diags, request.type_name, config)
        return pb.ValidateResourceConfig.Response(diagnostics=diags.to_pb())

    @answers_with(pb.UpgradeResourceState.Response)
    def UpgradeResourceState(self, request: Any, context: grpc.ServicerContext) -> Any:
        diags = Diagnostics()
        klass = self._get_res_cls(request.type_name)
        try:
            state = upgrade_state(
                request.type_name, klass, request.version, json.loads(request.raw_state.json)
            )
        except UnfitState as exc:
            diags.add_error(exc.summary, exc.detail, path=exc.path)
            return pb.UpgradeResourceState.Response(diagnostics=diags.to_pb())
        return pb.UpgradeResourceState.Response(upgraded_state=encode(state), diagnostics=diags.to_pb())

    @answers_with(pb.PlanResourceChange.Response)
    def PlanResourceChange(self, request: Any, context: grpc.ServicerContext) -> Any:
        type_name = request.type_name
        write_only = self._write_only(type_name)
        prior = decode(request.prior_state)
        proposed = without_write_only(decode(request.proposed_new_state), write_only)
        if proposed is None:
            return pb.PlanResourceChange.Response(
                planned_state=request.proposed_new_state, planned_private=request.prior_private
            )
        schema = self._get_res_cls(type_name).get_schema()
        diags = Diagnostics()
        changed = changed_paths(schema, prior, proposed) if prior is not None else set()
        replace = replacing_paths(schema, changed)
        ctx = ConfiguredPlanContext(
            diags,
            type_name,
            changed_fields={".".join(path) for path in changed},
            config=decode(request.config) or {},
        )
        planned = self._resource(type_name).plan(ctx, deepcopy(prior), deepcopy(proposed))
        return pb.PlanResourceChange.Response(
            planned_state=encode(without_write_only(planned, write_only)),
            requires_replace=[_to_attribute_path(list(path)) for path in replace],
            planned_private=request.prior_private,
            diagnostics=diags.to_pb(),
        )

    @answers_with(pb.ApplyResourceChange.Response)
    def ApplyResourceChange(self, request: Any, context: grpc.ServicerContext) -> Any:
        type_name = request.type_name
        write_only = self._write_only(type_name)
        prior = decode(request.prior_state)
        # Write-only values reach the resource from the configuration; they leave in no state.
        config = decode(request.config)
        planned = with_write_only(decode(request.planned_state), config, write_only)
        diags = Diagnostics()
        resource = self._resource(type_name)
        new_state: dict[str, Any] | None
        try:
            if prior is None:
                creating = ConfiguredCreateContext(diags, type_name, config=config or {})
                new_state = resource.create(creating, planned)
            elif planned is None:
                resource.delete(DeleteContext(diags, type_name), prior)
                new_state = prior if diags.has_errors() else None
            else:
                updating = ConfiguredUpdateContext(diags, type_name, config=config or {})
                new_state = resource.update(updating, prior, planned)
        except Exception as exc:
            _internal_error(diags, "ApplyResourceChange", exc)
            new_state = prior
        return pb.ApplyResourceChange.Response(
            new_state=encode(without_write_only(new_state, write_only)),
            private=request.planned_private,
            diagnostics=diags.to_pb(),
        )

    @answers_with(pb.ReadResource.Response)
    def ReadResource(self, request: Any, context: grpc.ServicerContext) -> Any:
        type_name = request.type_name
        if request.private == self._imported_here:
            return pb.ReadResource.Response(new_state=request.current_state, private=b"")
        current = decode(request.current_state)
        diags = Diagnostics()
        try:
            new_state = self._resource(type_name).read(ReadContext(diags, type_name), current)
        except Exception as exc:
            _internal_error(diags, "ReadResource", exc)
            new_state = current
        return pb.ReadResource.Response(
            new_state=encode(new_state), private=request.private, diagnostics=diags.to_pb()
        )

    @answers_with(pb.ImportResourceState.Response)
    def ImportResourceState(self, request: Any, context: grpc.ServicerContext) -> Any:
        type_name = request.type_name
        diags = Diagnostics()
        state = self._resource(type_name).import_(ImportContext(diags, type_name), request.id)
        imported = (
            [
                pb.ImportResourceState.ImportedResource(
                    type_name=type_name, state=encode(state), private=self._imported_here
                )
            ]
            if state is not None
            else []
        )
        return pb.ImportResourceState.Response(imported_resources=imported, diagnostics=diags.to_pb())

    @answers_with(pb.ValidateDataResourceConfig.Response)
    def ValidateDataResourceConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        diags = Diagnostics()
        klass = self._get_ds_cls(request.type_name)
        self.app.new_data_source(klass).validate(diags, request.type_name, decode(request.config) or {})
        return pb.ValidateDataResourceConfig.Response(diagnostics=diags.to_pb())

    @answers_with(pb.ReadDataSource.Response)
    def ReadDataSource(self, request: Any, context: grpc.ServicerContext) -> Any:
        diags = Diagnostics()
        klass = self._get_ds_cls(request.type_name)
        config = decode(request.config) or {}
        state = self.app.new_data_source(klass).read(ReadDataContext(diags, request.type_name), config)
        return pb.ReadDataSource.Response(state=encode(state), diagnostics=diags.to_pb())

    def StopProvider(self, request: Any, context: grpc.ServicerContext) -> Any:
        """Terraform was interrupted: signal waits to end, but let in-flight calls finish."""
        self.stopping.set()
        return pb.StopProvider.Response()
