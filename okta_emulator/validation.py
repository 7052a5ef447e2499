"""Validation of the update-connection request body.

Checks a parsed JSON body against Okta's spec (`ProvisioningConnectionTokenRequest` or
`ProvisioningConnectionOauthRequest`, chosen by `profile.authScheme`) and against what the
target app supports. Each problem becomes one `"<field>: <problem>"` cause.
"""

from __future__ import annotations

from collections.abc import Callable

from okta_emulator.store import OAUTH2, TOKEN, AppKind

ROTATION_MODES = ("AUTO", "MANUAL")

_SETTINGS_KEYS = ("adminUsername", "adminPassword")

_Checker = Callable[[object, str, list[str]], None]


def connection_causes(body: object, kind: AppKind | None) -> list[str]:
    """Every problem with an update body; empty when it is valid.

    With `kind` None only the spec is checked, not what a particular app supports.
    """
    if body is None:
        return ["connection: must not be null"]
    if not isinstance(body, dict):
        return ["connection: must be a JSON object"]
    causes: list[str] = []
    _collect_nulls(body, "", causes)
    scheme = _auth_scheme(body, causes)
    for key, value in body.items():
        if value is None:
            continue
        if key == "baseUrl":
            if scheme == OAUTH2:
                causes.append("baseUrl: not allowed with authScheme OAUTH2")
            else:
                _string(value, key, causes)
        elif key != "profile":
            causes.append(f"{key}: unknown property")

    profile = body.get("profile")
    if isinstance(profile, dict) and scheme is not None:
        fields = _TOKEN_PROFILE if scheme == TOKEN else _OAUTH_PROFILE
        _check_object(profile, "profile", fields, causes)
        if kind is not None:
            causes.extend(_kind_causes(profile, scheme, kind))
    return causes


def _collect_nulls(value: object, path: str, causes: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            item_path = f"{path}.{key}" if path else str(key)
            if item is None:
                causes.append(f"{item_path}: must not be null")
            else:
                _collect_nulls(item, item_path, causes)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            item_path = f"{path}[{index}]"
            if item is None:
                causes.append(f"{item_path}: must not be null")
            else:
                _collect_nulls(item, item_path, causes)


def _auth_scheme(body: dict[str, object], causes: list[str]) -> str | None:
    if "profile" not in body:
        causes.append("profile: required")
        return None
    profile = body["profile"]
    if profile is None:
        return None
    if not isinstance(profile, dict):
        causes.append("profile: must be an object")
        return None
    if "authScheme" not in profile:
        causes.append("profile.authScheme: required")
        return None
    scheme = profile["authScheme"]
    if scheme is None:
        return None
    if scheme not in (TOKEN, OAUTH2):
        causes.append(f"profile.authScheme: must be one of {TOKEN}, {OAUTH2}")
        return None
    return str(scheme)


def _check_object(
    value: dict[str, object],
    path: str,
    fields: dict[str, _Checker],
    causes: list[str],
    required: tuple[str, ...] = (),
) -> None:
    for key in required:
        if key not in value:
            causes.append(f"{path}.{key}: required")
    for key, item in value.items():
        if item is None:
            continue
        item_path = f"{path}.{key}"
        checker = fields.get(key)
        if checker is not None:
            checker(item, item_path, causes)
        else:
            causes.append(f"{item_path}: unknown property")


def _string(value: object, path: str, causes: list[str]) -> None:
    if not isinstance(value, str):
        causes.append(f"{path}: must be a string")


def _checked_elsewhere(value: object, path: str, causes: list[str]) -> None:
    """Accepts a field whose value `_auth_scheme` has already checked."""


def _not_allowed_with(scheme: str) -> _Checker:
    def check(value: object, path: str, causes: list[str]) -> None:
        causes.append(f"{path}: not allowed with authScheme {scheme}")

    return check


def _settings(value: object, path: str, causes: list[str]) -> None:
    if not isinstance(value, dict):
        causes.append(f"{path}: must be an object")
        return
    fields: dict[str, _Checker] = {key: _string for key in _SETTINGS_KEYS}
    _check_object(value, path, fields, causes, required=_SETTINGS_KEYS)


def _rotation_mode(value: object, path: str, causes: list[str]) -> None:
    if value not in ROTATION_MODES:
        causes.append(f"{path}: must be one of {', '.join(ROTATION_MODES)}")


def _signing(value: object, path: str, causes: list[str]) -> None:
    if not isinstance(value, dict):
        causes.append(f"{path}: must be an object")
        return
    _check_object(value, path, {"rotationMode": _rotation_mode}, causes, required=("rotationMode",))


_TOKEN_PROFILE: dict[str, _Checker] = {
    "authScheme": _checked_elsewhere,
    "token": _string,
    "clientId": _not_allowed_with(TOKEN),
    "settings": _not_allowed_with(TOKEN),
    "signing": _not_allowed_with(TOKEN),
}
_OAUTH_PROFILE: dict[str, _Checker] = {
    "authScheme": _checked_elsewhere,
    "token": _not_allowed_with(OAUTH2),
    "clientId": _string,
    "settings": _settings,
    "signing": _signing,
}


def _kind_causes(profile: dict[str, object], scheme: str, kind: AppKind) -> list[str]:
    """Only the scheme is checked against the kind.

    Okta documents `clientId` and `signing` as used only by Org2Org and `settings` only by
    Office 365, but not that other apps reject them; the Registry page's own OAUTH2 example sends
    all three. So the emulator stores them and other kinds simply make no use of them.
    """
    if scheme not in kind.auth_schemes:
        return [f"profile.authScheme: {scheme} is not supported by this application"]
    return []
