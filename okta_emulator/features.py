"""The Application Features API of the emulator: `GET /api/v1/apps/{appId}/features[/{name}]`
and `PUT /api/v1/apps/{appId}/features/{name}`, and its admin counterpart.

As `okta-app-features.openapi.yaml` and Okta's recorded answers show: `USER_PROVISIONING` on
every app kind with provisioning, `INBOUND_PROVISIONING` on all of them but `zscalerbyz`;
Okta's defaults; 400 `E0000001` ("Provisioning is not enabled for the app instance.") while the
app's connection is not enabled, which the spec documents for the list and which the emulator
gives for all three calls; 404 for an unknown app or a feature the app does not have. Answers
spell the username format `userNameFormat`, as Okta does on the wire (the spec says
`usernameFormat`), and a schedule that is not set is `null`. A PUT is validated against the
variant its `featureName` names, accepts either spelling of `usernameFormat` and `timezone`,
and changes only what it carries (the spec: "supports partial updates"); a `null` schedule
clears it.

`FeatureSettings` holds the settings (plain data and a lock); `FeatureApi` is the HTTP side.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from okta_emulator.messages import ApiError, Request, Response, Route, parse_json, validation_failed

if TYPE_CHECKING:
    from okta_emulator.store import Store

USER_PROVISIONING = "USER_PROVISIONING"
INBOUND_PROVISIONING = "INBOUND_PROVISIONING"
STATUSES = ("ENABLED", "DISABLED")
NOT_ENABLED = "Provisioning is not enabled for the app instance."

# As Okta words them on the wire (the spec's examples differ).
DESCRIPTIONS = {
    USER_PROVISIONING: "User provisioning settings from Okta to a downstream application",
    INBOUND_PROVISIONING: "In-bound provisioning settings for provisioning users from an application to Okta",
}

Settings = dict[str, object]
Checker = Callable[[object, str, list[str]], None]


def supported_features(kind: str) -> tuple[str, ...]:
    """The features an app of `kind` (an `AppKind` value) has, in Okta's list order."""
    if kind == "unsupported":
        return ()
    if kind == "zscalerbyz":
        return (USER_PROVISIONING,)
    return (USER_PROVISIONING, INBOUND_PROVISIONING)


def default_capabilities(name: str) -> Settings:
    """A never-configured feature's capabilities, as Okta reports them (spec defaults, recorded rules)."""
    if name == USER_PROVISIONING:
        return {
            "create": {"lifecycleCreate": {"status": "DISABLED"}},
            "update": {
                "profile": {"status": "DISABLED"},
                "lifecycleDeactivate": {"status": "DISABLED"},
                "password": {"status": "DISABLED", "seed": "RANDOM", "change": "KEEP_EXISTING"},
            },
        }
    return {
        "importSettings": {
            "username": {"usernameFormat": "EMAIL"},
            "schedule": {"status": "DISABLED", "fullImport": None, "incrementalImport": None},
        },
        "importRules": {
            "userCreateAndMatch": {
                "exactMatchCriteria": "USERNAME",
                "allowPartialMatch": True,
                "autoConfirmPartialMatch": False,
                "autoConfirmExactMatch": False,
                "autoConfirmNewUsers": False,
                "autoActivateNewUsers": False,
            }
        },
    }


# ---------------------------------------------------------------------------------------------
# Validation of a PUT body, and its normal form (spec spellings)
# ---------------------------------------------------------------------------------------------


def _enum(*values: str) -> Checker:
    def check(value: object, path: str, causes: list[str]) -> None:
        if value not in values:
            causes.append(f"{path}: must be one of {', '.join(values)}")

    return check


def _boolean(value: object, path: str, causes: list[str]) -> None:
    if not isinstance(value, bool):
        causes.append(f"{path}: must be a boolean")


def _object(fields: dict[str, Checker], required: tuple[str, ...] = ()) -> Checker:
    def check(value: object, path: str, causes: list[str]) -> None:
        if not isinstance(value, dict):
            causes.append(f"{path}: must be an object")
            return
        for key in required:
            if key not in value:
                causes.append(f"{path}.{key}: required")
        for key, item in value.items():
            checker = fields.get(key)
            if checker is None:
                causes.append(f"{path}.{key}: unknown property")
            elif item is None:
                causes.append(f"{path}.{key}: must not be null")
            else:
                checker(item, f"{path}.{key}", causes)

    return check


def _status_object() -> Checker:
    return _object({"status": _enum(*STATUSES)})


def _import_schedule(value: object, path: str, causes: list[str]) -> None:
    if not isinstance(value, dict):
        causes.append(f"{path}: must be an object")
        return
    if not isinstance(value.get("expression"), str) or not value["expression"]:
        causes.append(f"{path}.expression: required")
    if "timezone" in value and "timeZone" in value:
        causes.append(f"{path}.timezone: give timezone or timeZone, not both")
    zone = value.get("timezone", value.get("timeZone"))
    if zone is not None and (not isinstance(zone, str) or not 1 <= len(zone) <= 64):
        causes.append(f"{path}.timezone: must be a string of 1 to 64 characters")
    causes.extend(
        f"{path}.{key}: unknown property"
        for key in value
        if key not in ("expression", "timezone", "timeZone")
    )


def _schedule(value: object, path: str, causes: list[str]) -> None:
    if not isinstance(value, dict):
        causes.append(f"{path}: must be an object")
        return
    for key, item in value.items():
        if key == "status":
            _enum(*STATUSES)(item, f"{path}.status", causes)
        elif key in ("fullImport", "incrementalImport"):
            if item is not None:  # null: no such import
                _import_schedule(item, f"{path}.{key}", causes)
        else:
            causes.append(f"{path}.{key}: unknown property")


def _username(value: object, path: str, causes: list[str]) -> None:
    if not isinstance(value, dict):
        causes.append(f"{path}: must be an object")
        return
    if "usernameFormat" in value and "userNameFormat" in value:
        causes.append(f"{path}.usernameFormat: give usernameFormat or userNameFormat, not both")
    fmt = value.get("usernameFormat", value.get("userNameFormat"))
    if fmt is None:
        causes.append(f"{path}.usernameFormat: required")
    else:
        _enum("EMAIL", "CUSTOM")(fmt, f"{path}.usernameFormat", causes)
    expression = value.get("userNameExpression")
    if expression is not None and not isinstance(expression, str):
        causes.append(f"{path}.userNameExpression: must be a string")
    if fmt == "CUSTOM" and not expression:
        causes.append(f"{path}.userNameExpression: required when usernameFormat is CUSTOM")
    causes.extend(
        f"{path}.{key}: unknown property"
        for key in value
        if key not in ("usernameFormat", "userNameFormat", "userNameExpression")
    )


_USER_BODY = _object(
    {
        "create": _object({"lifecycleCreate": _status_object()}),
        "update": _object(
            {
                "lifecycleDeactivate": _status_object(),
                "profile": _status_object(),
                "password": _object(
                    {
                        "status": _enum(*STATUSES),
                        "seed": _enum("OKTA", "RANDOM"),
                        "change": _enum("CHANGE", "KEEP_EXISTING"),
                    }
                ),
            }
        ),
    }
)
_MATCH_FLAGS = (
    "allowPartialMatch",
    "autoConfirmPartialMatch",
    "autoConfirmExactMatch",
    "autoConfirmNewUsers",
    "autoActivateNewUsers",
)
_INBOUND_BODY = _object(
    {
        "importSettings": _object({"username": _username, "schedule": _schedule}),
        "importRules": _object(
            {
                "userCreateAndMatch": _object(
                    {"exactMatchCriteria": _enum("EMAIL", "USERNAME")} | dict.fromkeys(_MATCH_FLAGS, _boolean)
                )
            }
        ),
    },
    required=("importSettings", "importRules"),
)


def feature_causes(name: str, body: object) -> list[str]:
    """Every problem with a PUT body for feature `name`; empty when it is valid."""
    causes: list[str] = []
    (_USER_BODY if name == USER_PROVISIONING else _INBOUND_BODY)(body, name, causes)
    return causes


def _normal(value: object) -> object:
    """A valid body with Okta's alternative spellings turned into the spec's."""
    if not isinstance(value, dict):
        return value
    renamed = {"userNameFormat": "usernameFormat", "timeZone": "timezone"}
    return {renamed.get(key, key): _normal(item) for key, item in value.items()}


def _merge(current: Settings, update: Settings) -> Settings:
    """`current` with every leaf `update` carries (a partial update); a `null` replaces. An
    `EMAIL` username format has no expression (the spec gives one only to `CUSTOM`)."""
    merged = copy.deepcopy(current)
    for key, value in update.items():
        old = merged.get(key)
        if (
            isinstance(value, dict)
            and isinstance(old, dict)
            and key not in ("fullImport", "incrementalImport")
        ):
            merged[key] = _merge(old, value)
        else:
            merged[key] = copy.deepcopy(value)
    if merged.get("usernameFormat") == "EMAIL":
        merged.pop("userNameExpression", None)
    return merged


def wire_form(capabilities: Settings) -> Settings:
    """Capabilities as Okta spells them in answers: `userNameFormat`."""
    rendered = copy.deepcopy(capabilities)
    settings = rendered.get("importSettings")
    username = settings.get("username") if isinstance(settings, dict) else None
    if isinstance(username, dict) and "usernameFormat" in username:
        username["userNameFormat"] = username.pop("usernameFormat")
    return rendered


# ---------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------


class FeatureSettings:
    """The capabilities of every app's features that differ from Okta's defaults, by app id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings: dict[tuple[str, str], Settings] = {}

    def get(self, app_id: str, name: str) -> Settings:
        """The capabilities of one feature (the defaults until it is changed), spec spellings."""
        with self._lock:
            return copy.deepcopy(self._settings.get((app_id, name)) or default_capabilities(name))

    def update(self, app_id: str, name: str, body: Settings) -> Settings:
        """Apply a validated PUT body and return the feature's capabilities after it."""
        with self._lock:
            current = self._settings.get((app_id, name)) or default_capabilities(name)
            merged = _merge(current, cast(Settings, _normal(body)))
            self._settings[(app_id, name)] = merged
            return copy.deepcopy(merged)

    def forget(self, app_id: str) -> None:
        """Drop an app's settings (the app was deleted)."""
        with self._lock:
            for key in [key for key in self._settings if key[0] == app_id]:
                del self._settings[key]


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------


def feature_not_found(name: str) -> ApiError:
    """404 E0000007 for a feature the app does not have."""
    return ApiError(404, "E0000007", f"Not found: Resource not found: {name} (AppFeature)")


class FeatureApi:
    """Handlers of the features endpoints (`api_routes`) and of the admin API (`admin_routes`).

    `base_url` gives the emulator's URL, for `_links`.
    """

    def __init__(self, store: Store, base_url: Callable[[], str]) -> None:
        self.store = store
        self.base_url = base_url
        base = ("api", "v1", "apps", "*", "features")
        self.api_routes = [
            Route(base, {"GET": self._list}),
            Route((*base, "*"), {"GET": self._get, "PUT": self._put}),
        ]
        self.admin_routes = [
            Route(
                ("emulator", "apps", "*", "features", "*"), {"GET": self._admin_get, "PUT": self._admin_put}
            ),
        ]

    def render(self, app_id: str, name: str, capabilities: Settings) -> dict[str, object]:
        """A feature as Okta answers it."""
        href = f"{self.base_url()}/api/v1/apps/{app_id}/features/{name}"
        return {
            "name": name,
            "status": "ENABLED",
            "description": DESCRIPTIONS[name],
            "capabilities": wire_form(capabilities),
            "_links": {"self": {"href": href, "hints": {"allow": ["GET", "PUT"]}}},
        }

    def _feature(self, app_id: str, name: str, *, needs_enabled: bool = True) -> str:
        """Check that the app has `name`, and that its connection is enabled; raise if not."""
        connection = self.store.connection(app_id)
        if name not in supported_features(connection.kind.value):
            raise feature_not_found(name)
        if needs_enabled and connection.status != "ENABLED":
            raise validation_failed([NOT_ENABLED], "feature")
        return name

    def _enabled_kind(self, app_id: str) -> str:
        connection = self.store.connection(app_id)
        if connection.status != "ENABLED":
            raise validation_failed([NOT_ENABLED], "feature")
        return connection.kind.value

    def _list(self, request: Request, params: tuple[str, ...]) -> Response:
        (app_id,) = params
        kind = self._enabled_kind(app_id)
        settings = self.store.features
        return Response(
            200,
            [self.render(app_id, name, settings.get(app_id, name)) for name in supported_features(kind)],
        )

    def _get(self, request: Request, params: tuple[str, ...]) -> Response:
        app_id, name = params
        self._feature(app_id, name)
        return Response(200, self.render(app_id, name, self.store.features.get(app_id, name)))

    def _updated(self, request: Request, app_id: str, name: str) -> Response:
        body = parse_json(request.body)
        causes = feature_causes(name, body)
        if causes:
            raise validation_failed(causes, "feature")
        capabilities = self.store.features.update(app_id, name, cast(Settings, body))
        return Response(200, self.render(app_id, name, capabilities))

    def _put(self, request: Request, params: tuple[str, ...]) -> Response:
        app_id, name = params
        self._feature(app_id, name)
        return self._updated(request, app_id, name)

    def _admin_get(self, request: Request, params: tuple[str, ...]) -> Response:
        app_id, name = params
        self._feature(app_id, name, needs_enabled=False)
        return Response(200, self.render(app_id, name, self.store.features.get(app_id, name)))

    def _admin_put(self, request: Request, params: tuple[str, ...]) -> Response:
        """The same partial update as the API's PUT, whatever the connection's status."""
        app_id, name = params
        self._feature(app_id, name, needs_enabled=False)
        return self._updated(request, app_id, name)
