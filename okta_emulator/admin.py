"""The unauthenticated `/emulator/` admin API, for tests and scripts driving the emulator.

Seeds and inspects apps, reads and clears the request journal, injects faults, registers OAuth
service apps and stands in for a vendor's consent page (the administrator's browser opens the
authorize link and gets a one-time code for its `state`). It never shows a stored secret.
"""

from __future__ import annotations

from typing import cast

from okta_emulator.faults import FaultError, FaultKind
from okta_emulator.messages import (
    Request,
    Response,
    Route,
    app_not_found,
    parse_json_object,
    validation_failed,
)
from okta_emulator.oauth import load_public_key
from okta_emulator.store import DISABLED, ENABLED, AppKind, Store

_FAULT_FIELDS = ("kind", "method", "path", "count", "status", "resetIn", "rateLimitHeaders")
_FAULT_JSON_NAMES = {"reset_in": "resetIn", "rate_limit_headers": "rateLimitHeaders"}
_SERVICE_APP_FIELDS = ("clientId", "publicKey", "scopes", "keyId")


def _optional_str(body: dict[str, object], name: str) -> bool:
    value = body.get(name)
    return value is None or isinstance(value, str)


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_field(field: str) -> str:
    """A fault argument as the admin API spells it: `reset_in` is `resetIn`."""
    head, dot, rest = field.partition(".")
    return _FAULT_JSON_NAMES.get(head, head) + dot + rest


class AdminApi:
    """Handlers of the admin API, routed by `routes`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.routes = [
            Route(("emulator", "apps"), {"GET": self._list_apps, "POST": self._add_app}),
            Route(("emulator", "apps", "*"), {"GET": self._get_app, "DELETE": self._delete_app}),
            Route(("emulator", "apps", "*", "connection"), {"PATCH": self._patch_connection}),
            Route(("emulator", "requests"), {"GET": self._requests, "DELETE": self._clear_requests}),
            Route(("emulator", "consent", "*", "*"), {"GET": self._consent}),
            Route(
                ("emulator", "faults"),
                {"GET": self._faults, "POST": self._inject_fault, "DELETE": self._clear_faults},
            ),
            Route(("emulator", "service-apps"), {"POST": self._add_service_app}),
        ]

    def _view(self, app_id: str) -> dict[str, object]:
        """What the admin API shows of an app: its state, and which secrets it holds."""
        connection = self.store.connection(app_id)
        profile = connection.profile
        settings = profile.get("settings")
        settings = settings if isinstance(settings, dict) else {}
        signing = profile.get("signing")
        return {
            "id": connection.app_id,
            "kind": connection.kind.value,
            "configured": connection.configured,
            "status": connection.status,
            "authScheme": connection.auth_scheme,
            "baseUrl": connection.base_url,
            "clientId": profile.get("clientId"),
            "rotationMode": signing.get("rotationMode") if isinstance(signing, dict) else None,
            "consentVerified": connection.consent_verified,
            "secrets": {
                "token": "token" in profile,
                "adminUsername": "adminUsername" in settings,
                "adminPassword": "adminPassword" in settings,
            },
        }

    def _list_apps(self, request: Request, params: tuple[str, ...]) -> Response:
        return Response(200, [{"id": app_id, "kind": kind.value} for app_id, kind in self.store.apps()])

    def _add_app(self, request: Request, params: tuple[str, ...]) -> Response:
        body = parse_json_object(request.body, "app")
        causes: list[str] = []
        kind = body.get("kind")
        kinds = [member.value for member in AppKind]
        if kind not in kinds:
            causes.append(f"kind: must be one of {', '.join(kinds)}")
        app_id = body.get("id")
        if app_id is not None and not isinstance(app_id, str):
            causes.append("id: must be a string")
        causes.extend(f"{key}: unknown property" for key in body if key not in ("kind", "id"))
        if causes:
            raise validation_failed(causes, "app")
        try:
            new_id = self.store.add_app(AppKind(str(kind)), cast(str | None, app_id))
        except ValueError as exc:
            raise validation_failed([f"id: {exc}"], "app") from exc
        return Response(201, {"id": new_id, "kind": str(kind)})

    def _get_app(self, request: Request, params: tuple[str, ...]) -> Response:
        return Response(200, self._view(params[0]))

    def _delete_app(self, request: Request, params: tuple[str, ...]) -> Response:
        self.store.delete_app(params[0])
        return Response(204)

    def _patch_connection(self, request: Request, params: tuple[str, ...]) -> Response:
        (app_id,) = params
        self.store.kind(app_id)
        body = parse_json_object(request.body, "connection")
        status = body.get("status")
        causes = [f"{key}: unknown property" for key in body if key != "status"]
        if status not in (ENABLED, DISABLED):
            causes.append(f"status: must be one of {ENABLED}, {DISABLED}")
        if causes:
            raise validation_failed(causes)
        try:
            self.store.set_status(app_id, str(status))
        except ValueError as exc:
            raise validation_failed([f"status: {exc}"]) from exc
        return Response(200, self._view(app_id))

    def _requests(self, request: Request, params: tuple[str, ...]) -> Response:
        return Response(200, [entry.to_json() for entry in self.store.requests()])

    def _clear_requests(self, request: Request, params: tuple[str, ...]) -> Response:
        self.store.clear_requests()
        return Response(204)

    def _consent(self, request: Request, params: tuple[str, ...]) -> Response:
        """The vendor's consent page: a fresh one-time code for the `state` the link carries."""
        app_name, app_id = params
        connection = self.store.connection(app_id)
        if not connection.kind.needs_consent or connection.kind.value != app_name:
            raise app_not_found(app_id)
        state = request.query.get("state")
        if not state:
            raise validation_failed(["state: required"], "consent")
        return Response(200, {"code": self.store.issue_consent_code(app_id, state), "state": state})

    def _faults(self, request: Request, params: tuple[str, ...]) -> Response:
        return Response(200, {"pending": self.store.pending_faults()})

    def _inject_fault(self, request: Request, params: tuple[str, ...]) -> Response:
        body = parse_json_object(request.body, "fault")
        causes = [f"{key}: unknown property" for key in body if key not in _FAULT_FIELDS]
        kind = body.get("kind")
        if not isinstance(kind, str):
            kinds = ", ".join(member.value for member in FaultKind)
            causes.append(f"kind: must be one of {kinds}")
        method, path = body.get("method"), body.get("path")
        causes.extend(
            f"{name}: must be a string" for name in ("method", "path") if not _optional_str(body, name)
        )
        count = body.get("count", 1)
        if not _is_integer(count):
            causes.append("count: must be an integer")
        status = body.get("status")
        if status is not None and not _is_integer(status):
            causes.append("status: must be an integer")
        reset_in = body.get("resetIn")
        if reset_in is not None and (not isinstance(reset_in, int | float) or isinstance(reset_in, bool)):
            causes.append("resetIn: must be a number")
        headers = body.get("rateLimitHeaders")
        if headers is not None and not (
            isinstance(headers, dict) and all(isinstance(value, str) for value in headers.values())
        ):
            causes.append("rateLimitHeaders: must be an object of strings")
        if causes:
            raise validation_failed(causes, "fault")
        try:
            fault = self.store.inject(
                str(kind),
                method=cast(str | None, method),
                path=cast(str | None, path),
                count=cast(int, count),
                status=cast(int | None, status),
                reset_in=cast(float | None, reset_in),
                rate_limit_headers=cast(dict[str, str] | None, headers),
            )
        except FaultError as exc:
            raise validation_failed([f"{_json_field(exc.field)}: {exc.problem}"], "fault") from exc
        return Response(
            201,
            {
                "kind": fault.kind.value,
                "method": fault.method,
                "path": fault.path,
                "count": count,
                "status": fault.status,
                "resetIn": fault.reset_in,
                "rateLimitHeaders": None if headers is None else dict(cast(dict[str, str], headers)),
            },
        )

    def _clear_faults(self, request: Request, params: tuple[str, ...]) -> Response:
        self.store.clear_faults()
        return Response(204)

    def _add_service_app(self, request: Request, params: tuple[str, ...]) -> Response:
        body = parse_json_object(request.body, "serviceApp")
        causes = [f"{key}: unknown property" for key in body if key not in _SERVICE_APP_FIELDS]
        client_id, public_key, scopes = body.get("clientId"), body.get("publicKey"), body.get("scopes")
        if not isinstance(client_id, str):
            causes.append("clientId: must be a string")
        if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
            causes.append("scopes: must be an array of strings")
        if not _optional_str(body, "keyId"):
            causes.append("keyId: must be a string")
        if not isinstance(public_key, str):
            causes.append("publicKey: must be a PEM string")
        else:
            try:
                load_public_key(public_key)
            except ValueError as exc:
                causes.append(f"publicKey: {exc}")
        if causes:
            raise validation_failed(causes, "serviceApp")
        try:
            app = self.store.add_service_app(
                str(client_id), str(public_key), cast(list[str], scopes), cast(str | None, body.get("keyId"))
            )
        except ValueError as exc:
            raise validation_failed([str(exc)], "serviceApp") from exc
        return Response(
            201,
            {
                "clientId": app.client_id,
                "scopes": sorted(app.scopes),
                "keyId": app.key_id,
                "algorithm": app.algorithm,
            },
        )
