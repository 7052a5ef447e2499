"""The in-process Python API: `Store` and the `Emulator` object's own lifecycle."""

from __future__ import annotations

import dataclasses
import http.client
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

from okta_emulator import AppKind, Emulator
from okta_emulator.store import Store, UnknownAppError

from .helpers import API_TOKEN, APP_ID_PATTERN, connection_path, http_client


def test_app_kinds() -> None:
    assert [kind.value for kind in AppKind] == [
        "org2org",
        "zscalerbyz",
        "office365",
        "google",
        "slack",
        "zoomus",
        "unsupported",
    ]
    assert AppKind("org2org") is AppKind.ORG2ORG
    assert isinstance(AppKind.ORG2ORG, str)
    assert f"{AppKind.GOOGLE}" == "google"


def test_add_app_generates_okta_shaped_ids() -> None:
    store = Store()

    ids = {store.add_app(AppKind.ORG2ORG) for _ in range(50)}

    assert len(ids) == 50
    assert all(APP_ID_PATTERN.fullmatch(app_id) for app_id in ids)


def test_add_app_rejects_duplicates_and_bad_ids() -> None:
    store = Store()
    store.add_app(AppKind.GOOGLE, "0oaFixed")

    with pytest.raises(ValueError, match="already exists"):
        store.add_app(AppKind.SLACK, "0oaFixed")
    with pytest.raises(ValueError):
        store.add_app(AppKind.SLACK, "a/b")
    with pytest.raises(ValueError):
        store.add_app("nonsense")


def test_unknown_app_raises_key_error() -> None:
    store = Store()

    with pytest.raises(KeyError):
        store.delete_app("0oaNone")
    with pytest.raises(UnknownAppError):
        store.connection("0oaNone")
    with pytest.raises(KeyError):
        store.set_status("0oaNone", "ENABLED")


def test_set_status_validates() -> None:
    store = Store()
    app_id = store.add_app(AppKind.ORG2ORG)
    unsupported = store.add_app(AppKind.UNSUPPORTED)

    with pytest.raises(ValueError):
        store.set_status(app_id, "UNKNOWN")
    with pytest.raises(ValueError):
        store.set_status(unsupported, "ENABLED")
    assert store.set_status(app_id, "ENABLED").status == "ENABLED"


def test_never_configured_snapshot() -> None:
    store = Store()
    org2org = store.connection(store.add_app(AppKind.ORG2ORG))
    office = store.connection(store.add_app(AppKind.OFFICE365))
    unsupported = store.connection(store.add_app(AppKind.UNSUPPORTED))

    assert (org2org.configured, org2org.status, org2org.auth_scheme, org2org.base_url) == (
        False,
        "DISABLED",
        "TOKEN",
        None,
    )
    assert (office.auth_scheme, office.profile, office.consent_verified) == ("OAUTH2", {}, False)
    assert (unsupported.status, unsupported.auth_scheme) == ("UNKNOWN", "UNKNOWN")


def test_snapshots_are_frozen_copies_that_hide_secrets_in_repr(
    emulator: Emulator, client: httpx.Client
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    client.post(connection_path(app_id), json={"profile": {"authScheme": "TOKEN", "token": "very-secret"}})

    snapshot = emulator.store.connection(app_id)
    snapshot.profile["token"] = "tampered"

    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.status = "ENABLED"  # type: ignore[misc]
    assert emulator.store.connection(app_id).profile["token"] == "very-secret"
    assert "very-secret" not in repr(emulator.store.connection(app_id))


def test_emulator_refuses_non_loopback_hosts() -> None:
    for host in ("0.0.0.0", "192.168.1.10", "example.com", "::"):
        with pytest.raises(ValueError, match="loopback"):
            Emulator(api_token=API_TOKEN, host=host)
    with pytest.raises(ValueError):
        Emulator(api_token="")


def test_emulator_lifecycle() -> None:
    emu = Emulator(api_token=API_TOKEN)
    with pytest.raises(RuntimeError):
        _ = emu.url

    emu.start()
    try:
        with pytest.raises(RuntimeError):
            emu.start()
        url = emu.url
        assert url.startswith("http://127.0.0.1:")
        with http_client(url) as http:
            assert http.get("/emulator/apps").status_code == 200
    finally:
        emu.stop()
    emu.stop()

    with http_client(url) as http, pytest.raises(httpx.ConnectError):
        http.get("/emulator/apps")


def test_keep_alive_is_supported_and_closed_on_stop() -> None:
    with Emulator(api_token=API_TOKEN) as emu:
        app_id = emu.store.add_app(AppKind.ORG2ORG)
        parts = urlsplit(emu.url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
        headers = {"Authorization": f"SSWS {API_TOKEN}"}
        statuses = []
        for path in (
            connection_path(app_id),
            connection_path(app_id, "/lifecycle/activate"),
            "/emulator/apps",
        ):
            connection.request("POST" if "lifecycle" in path else "GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
        sock = connection.sock
        assert statuses == [200, 204, 200]
        assert sock is not None

    sock.settimeout(5)
    try:
        sock.sendall(f"GET {connection_path(app_id)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        answer = sock.recv(1024)
    except (ConnectionResetError, BrokenPipeError):
        answer = b""
    finally:
        connection.close()
    assert answer == b""


def test_concurrent_updates(emulator: Emulator) -> None:
    app_ids = [emulator.store.add_app(AppKind.ORG2ORG) for _ in range(20)]

    def configure(app_id: str) -> int:
        with http_client(emulator.url) as http:
            body = {
                "baseUrl": f"https://{app_id}.example.com",
                "profile": {"authScheme": "TOKEN", "token": app_id},
            }
            return http.post(connection_path(app_id) + "?activate=true", json=body).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(configure, app_ids))

    assert statuses == [200] * 20
    for app_id in app_ids:
        connection = emulator.store.connection(app_id)
        assert (connection.status, connection.profile["token"]) == ("ENABLED", app_id)
    assert len(emulator.store.requests()) == 20


def test_peak_in_flight_counts_concurrent_api_requests(emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.latency_ms = 200

    def get(_: int) -> int:
        with httpx.Client(base_url=emulator.url, headers={"Authorization": f"SSWS {API_TOKEN}"}) as http:
            return http.get(connection_path(app_id)).status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        assert list(pool.map(get, range(5))) == [200] * 5
    assert 2 <= emulator.store.peak_in_flight <= 5
    emulator.store.clear_requests()
    assert emulator.store.peak_in_flight == 0
