"""Injected faults: error statuses, dropped connections, cut bodies and slow answers."""

from __future__ import annotations

import json
import socket
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx
import pytest

from okta_emulator import AppKind, Emulator
from okta_emulator.faults import FaultKind

from .helpers import API_TOKEN, assert_error, connection_path, http_client


def server_epoch(response: httpx.Response) -> int:
    return int(parsedate_to_datetime(response.headers["Date"]).timestamp())


@pytest.mark.parametrize(
    ("status", "code", "summary"),
    [
        (500, "E0000009", "Internal Server Error"),
        (502, "E0000009", "Bad Gateway"),
        (503, "E0000009", "Service Unavailable"),
        (504, "E0000009", "Gateway Timeout"),
        (401, "E0000011", "Invalid token provided"),
        (403, "E0000006", "You do not have permission to perform the requested action"),
    ],
)
def test_status_fault_answers_an_okta_error_instead(
    emulator: Emulator, client: httpx.Client, status: int, code: str, summary: str
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.inject("status", status=status)

    failed = client.post(connection_path(app_id, "/lifecycle/activate"))
    retried = client.post(connection_path(app_id, "/lifecycle/activate"))

    assert assert_error(failed, status, code, summary) == []
    assert retried.status_code == 204
    assert emulator.store.connection(app_id).status == "ENABLED"
    journal = emulator.store.requests()
    assert [(entry.status, entry.fault) for entry in journal] == [(status, "status"), (204, None)]
    assert journal[0].to_json()["fault"] == "status"


def test_status_fault_does_not_handle_the_request(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ZSCALERBYZ)
    emulator.store.inject(FaultKind.STATUS, status=500)

    response = client.post(connection_path(app_id), json={"profile": {"authScheme": "TOKEN", "token": "t"}})

    assert response.status_code == 500
    assert emulator.store.connection(app_id).configured is False


def test_429_fault_advertises_its_reset(client: httpx.Client, emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.inject("status", status=429, reset_in=7)
    emulator.store.inject("status", status=429)

    limited = client.get(connection_path(app_id))
    default_reset = client.get(connection_path(app_id))

    assert_error(limited, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
    assert limited.headers["X-Rate-Limit-Limit"] == "600"
    assert limited.headers["X-Rate-Limit-Remaining"] == "0"
    assert int(limited.headers["X-Rate-Limit-Reset"]) - server_epoch(limited) == 7
    assert int(default_reset.headers["X-Rate-Limit-Reset"]) - server_epoch(default_reset) == 1
    assert len(limited.headers.get_list("Date")) == 1
    assert emulator.store.count_status(429) == 2


def test_faults_match_method_and_path_suffix_first_in_first_out(
    emulator: Emulator, client: httpx.Client
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    store = emulator.store
    store.inject("status", method="post", path="/lifecycle/activate", count=2, status=502)
    store.inject("status", path="/connections/default", status=503)
    store.inject("status", status=504)
    assert store.pending_faults() == 4

    statuses = [
        client.get(connection_path(app_id, "/jwks")).status_code,
        client.get(connection_path(app_id)).status_code,
        client.post(connection_path(app_id, "/lifecycle/activate")).status_code,
        client.post(connection_path(app_id, "/lifecycle/deactivate")).status_code,
        client.post(connection_path(app_id, "/lifecycle/activate")).status_code,
        client.post(connection_path(app_id, "/lifecycle/activate")).status_code,
    ]

    assert statuses == [504, 503, 502, 204, 502, 204]
    assert store.pending_faults() == 0


def test_faults_only_hit_the_okta_api(emulator: Emulator, client: httpx.Client) -> None:
    emulator.store.inject("status", status=500)

    admin = client.get("/emulator/apps")
    token = client.post("/oauth2/v1/token", data={"grant_type": "client_credentials"})
    elsewhere = client.get("/")

    assert (admin.status_code, token.status_code, elsewhere.status_code) == (200, 401, 404)
    assert emulator.store.pending_faults() == 1


def test_clear_faults(emulator: Emulator, client: httpx.Client) -> None:
    emulator.store.inject("reset_before", count=3)
    emulator.store.inject("slow", reset_in=5)

    emulator.store.clear_faults()

    assert emulator.store.pending_faults() == 0
    assert client.get(connection_path("0oaNone")).status_code == 404


def test_reset_before_drops_the_request_unhandled(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.inject("reset_before", path="/lifecycle/activate")

    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post(connection_path(app_id, "/lifecycle/activate"))
    after = client.get(connection_path(app_id))

    assert after.status_code == 200
    assert emulator.store.connection(app_id).status == "DISABLED"
    journal = emulator.store.requests()
    assert [(entry.path, entry.status, entry.fault) for entry in journal] == [
        (connection_path(app_id, "/lifecycle/activate"), 0, "reset_before"),
        (connection_path(app_id), 200, None),
    ]


def test_reset_after_lands_the_change(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ZSCALERBYZ)
    emulator.store.inject("reset_after", method="POST")
    body = {"baseUrl": "https://scim.example.com", "profile": {"authScheme": "TOKEN", "token": "t"}}

    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        client.post(connection_path(app_id) + "?activate=true", json=body)

    connection = emulator.store.connection(app_id)
    assert (connection.configured, connection.status) == (True, "ENABLED")
    [entry] = emulator.store.requests()
    assert (entry.status, entry.fault) == (0, "reset_after")
    assert entry.body == {
        "baseUrl": "https://scim.example.com",
        "profile": {"authScheme": "TOKEN", "token": "***REDACTED***"},
    }


@pytest.mark.parametrize("kind", ["reset_before", "reset_after"])
def test_reset_sends_no_bytes(emulator: Emulator, kind: str) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.inject(kind)
    parts = urlsplit(emulator.url)
    request = (
        f"GET {connection_path(app_id)} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        f"Authorization: SSWS {API_TOKEN}\r\n\r\n"
    )

    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(request.encode())
        try:
            received = sock.recv(65536)
        except ConnectionResetError:
            received = b""

    assert received == b""


def test_truncate_sends_half_a_body_with_status_200(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    full = client.get(connection_path(app_id)).content
    emulator.store.inject("truncate")

    response = client.get(connection_path(app_id))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert int(response.headers["Content-Length"]) == len(response.content) == len(full) // 2
    assert full.startswith(response.content)
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert client.get(connection_path(app_id)).json() == json.loads(full)
    assert [(entry.status, entry.fault) for entry in emulator.store.requests()][-2] == (200, "truncate")


def test_truncate_lands_the_change(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.GOOGLE)
    emulator.store.inject("truncate", method="POST")

    response = client.post(connection_path(app_id), json={"profile": {"authScheme": "OAUTH2"}})

    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert emulator.store.connection(app_id).configured is True


def test_slow_fault_times_out_the_client_after_the_change_landed(emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.inject("slow", path="/lifecycle/activate", reset_in=30)

    with (
        http_client(emulator.url) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        http.post(connection_path(app_id, "/lifecycle/activate"), timeout=httpx.Timeout(5, read=0.2))

    assert emulator.store.connection(app_id).status == "ENABLED"
    assert [(entry.status, entry.fault) for entry in emulator.store.requests()] == [(204, "slow")]


def test_slow_fault_answers_late(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.inject("slow", reset_in=0.25)

    started = time.perf_counter()
    response = client.get(connection_path(app_id))
    elapsed = time.perf_counter() - started

    assert response.status_code == 200
    assert response.json()["status"] == "DISABLED"
    assert elapsed >= 0.25


def test_stopping_is_not_held_up_by_a_slow_answer() -> None:
    emulator = Emulator(api_token=API_TOKEN)
    emulator.start()
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    emulator.store.inject("slow", reset_in=60)
    with http_client(emulator.url) as http:
        started = time.perf_counter()
        with pytest.raises(httpx.ReadTimeout):
            http.get(connection_path(app_id), timeout=httpx.Timeout(5, read=0.1))
        emulator.stop()
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"kind": "explode"},
            "kind must be one of status, reset_before, reset_after, truncate, slow, rate_limit_headers",
        ),
        ({"kind": "status"}, "status is required by a status fault"),
        ({"kind": "status", "status": 418}, "status must be 401, 403, 404, 429 or a 5xx status, got 418"),
        ({"kind": "status", "status": 599}, "or a 5xx status, got 599"),
        ({"kind": "reset_after", "status": 500}, "status applies to status faults only"),
        ({"kind": "status", "status": 500, "reset_in": 1}, "reset_in applies to slow faults"),
        ({"kind": "slow"}, "reset_in is required by a slow fault"),
        ({"kind": "slow", "reset_in": 0}, "reset_in must be more than 0 and at most 300 seconds, got 0"),
        ({"kind": "slow", "reset_in": float("nan")}, "reset_in must be more than 0 and at most 300 seconds"),
        ({"kind": "slow", "reset_in": 10**400}, "at most 300 seconds, got inf"),
        ({"kind": "status", "status": 429, "reset_in": 301}, "at most 300 seconds, got 301"),
        ({"kind": "truncate", "count": 0}, "count must be between 1 and 1000, got 0"),
        ({"kind": "truncate", "count": 1001}, "count must be between 1 and 1000, got 1001"),
        ({"kind": "truncate", "path": "connections/default"}, "path must start with '/'"),
        ({"kind": "truncate", "path": "/a b"}, "path must be at most 1024 visible ASCII characters"),
        ({"kind": "truncate", "path": "/" + "a" * 1024}, "path must be at most 1024 visible"),
        ({"kind": "truncate", "method": "GET /"}, "method must be an HTTP method"),
        ({"kind": "truncate", "method": "G" * 17}, "method must be an HTTP method"),
        ({"kind": "rate_limit_headers"}, "rate_limit_headers is required by a rate_limit_headers fault"),
        ({"kind": "rate_limit_headers", "rate_limit_headers": {}}, "must name at least one of limit"),
        ({"kind": "rate_limit_headers", "rate_limit_headers": {"Retry-After": "1"}}, "keys must be limit"),
        (
            {"kind": "rate_limit_headers", "rate_limit_headers": {"reset": "1\r\nSet-Cookie: x"}},
            "rate_limit_headers.reset must be a string of at most 64 printable ASCII characters",
        ),
        ({"kind": "rate_limit_headers", "rate_limit_headers": {"limit": "9" * 65}}, "at most 64 printable"),
        (
            {"kind": "status", "status": 500, "rate_limit_headers": {"reset": "nan"}},
            "rate_limit_headers applies to rate_limit_headers faults and 429 status faults only",
        ),
        (
            {"kind": "status", "status": 429, "reset_in": 2, "rate_limit_headers": {"reset": "nan"}},
            "reset_in cannot be given with rate_limit_headers.reset",
        ),
    ],
)
def test_inject_rejects_nonsense(emulator: Emulator, kwargs: dict[str, object], message: str) -> None:
    kind = str(kwargs.pop("kind"))
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        emulator.store.inject(kind, **kwargs)
    assert emulator.store.pending_faults() == 0


def test_admin_api_injects_and_clears_faults(
    emulator: Emulator, anonymous: httpx.Client, client: httpx.Client
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    created = anonymous.post(
        "/emulator/faults",
        json={
            "kind": "status",
            "method": "get",
            "path": "/connections/default",
            "count": 2,
            "status": 429,
            "resetIn": 3,
        },
    )
    slow = anonymous.post("/emulator/faults", json={"kind": "slow", "resetIn": 0.5})
    pending = anonymous.get("/emulator/faults")
    limited = client.get(connection_path(app_id))
    cleared = anonymous.delete("/emulator/faults")
    after = client.get(connection_path(app_id))

    assert created.status_code == 201
    assert created.json() == {
        "kind": "status",
        "method": "GET",
        "path": "/connections/default",
        "count": 2,
        "status": 429,
        "resetIn": 3,
        "rateLimitHeaders": None,
    }
    assert slow.json() == {
        "kind": "slow",
        "method": None,
        "path": None,
        "count": 1,
        "status": None,
        "resetIn": 0.5,
        "rateLimitHeaders": None,
    }
    assert pending.json() == {"pending": 3}
    assert limited.status_code == 429
    assert int(limited.headers["X-Rate-Limit-Reset"]) - server_epoch(limited) == 3
    assert cleared.status_code == 204
    assert emulator.store.pending_faults() == 0
    assert after.status_code == 200


@pytest.mark.parametrize(
    ("body", "causes"),
    [
        (
            {"kind": "boom"},
            [
                "kind: must be one of status, reset_before, reset_after, truncate, slow, "
                "rate_limit_headers, got 'boom'"
            ],
        ),
        (
            {
                "kind": "status",
                "status": "500",
                "count": "2",
                "resetIn": True,
                "method": 1,
                "extra": 0,
                "rateLimitHeaders": {"reset": 1},
            },
            [
                "extra: unknown property",
                "method: must be a string",
                "count: must be an integer",
                "status: must be an integer",
                "resetIn: must be a number",
                "rateLimitHeaders: must be an object of strings",
            ],
        ),
        ({"kind": "status", "status": 200}, ["status: must be 401, 403, 404, 429 or a 5xx status, got 200"]),
        ({"kind": "truncate", "count": 0}, ["count: must be between 1 and 1000, got 0"]),
        ({"kind": "truncate", "count": 10**6}, ["count: must be between 1 and 1000, got 1000000"]),
        (
            {"kind": "slow", "resetIn": 1e300},
            ["resetIn: must be more than 0 and at most 300 seconds, got 1e+300"],
        ),
        (
            {"kind": "rate_limit_headers", "rateLimitHeaders": {"remaining": "0\nX-Injected: 1"}},
            ["rateLimitHeaders.remaining: must be a string of at most 64 printable ASCII characters"],
        ),
    ],
)
def test_admin_api_rejects_bad_faults(
    emulator: Emulator, anonymous: httpx.Client, body: dict[str, object], causes: list[str]
) -> None:
    response = anonymous.post("/emulator/faults", json=body)

    assert assert_error(response, 400, "E0000001", "Api validation failed: fault") == causes
    assert emulator.store.pending_faults() == 0


@pytest.mark.parametrize(
    ("raw", "cause"),
    [
        (
            b'{"kind": "status", "status": 429, "resetIn": 1e400}',
            "resetIn: must be more than 0 and at most 300 seconds, got inf",
        ),
        (
            b'{"kind": "slow", "resetIn": -1e400}',
            "resetIn: must be more than 0 and at most 300 seconds, got -inf",
        ),
        (
            b'{"kind": "slow", "resetIn": 1' + b"0" * 400 + b"}",
            "resetIn: must be more than 0 and at most 300 seconds, got inf",
        ),
        (
            b'{"kind": "truncate", "path": "/' + b"a" * 5000 + b'"}',
            "path: must be at most 1024 visible ASCII characters",
        ),
        (
            b'{"kind": "truncate", "method": "' + b"G" * 5000 + b'"}',
            "method: must be an HTTP method such as GET",
        ),
    ],
)
def test_admin_api_refuses_values_it_cannot_serve(
    emulator: Emulator, anonymous: httpx.Client, client: httpx.Client, raw: bytes, cause: str
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)

    response = anonymous.post("/emulator/faults", content=raw, headers={"Content-Type": "application/json"})
    after = client.get(connection_path(app_id))

    [refused] = assert_error(response, 400, "E0000001", "Api validation failed: fault")
    assert refused.startswith(cause)
    assert len(response.content) < 1000
    assert emulator.store.pending_faults() == 0
    assert after.status_code == 200
    assert len(after.headers["X-Rate-Limit-Reset"]) == 10


GARBAGE = [
    {"reset": "nan"},
    {"reset": "inf"},
    {"reset": "1e400"},
    {"reset": "soon"},
    {"reset": ""},
    {"remaining": "lots", "limit": "-5"},
    {"limit": "1e3", "remaining": "0.5"},
]


@pytest.mark.parametrize(
    "values", GARBAGE, ids=lambda values: ",".join(f"{k}={v}" for k, v in values.items())
)
def test_a_429_can_carry_garbage_rate_limit_headers(
    emulator: Emulator, anonymous: httpx.Client, client: httpx.Client, values: dict[str, str]
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    created = anonymous.post(
        "/emulator/faults", json={"kind": "status", "status": 429, "rateLimitHeaders": values}
    )

    limited = client.get(connection_path(app_id))

    assert created.status_code == 201
    assert created.json()["rateLimitHeaders"] == values
    assert_error(limited, 429, "E0000047")
    sent = {
        name: limited.headers[f"X-Rate-Limit-{name.capitalize()}"] for name in ("limit", "remaining", "reset")
    }
    real = {"limit": "600", "remaining": "0", "reset": str(server_epoch(limited) + 1)}
    assert sent == {**real, **values}
    assert client.get(connection_path(app_id)).status_code == 200


def test_a_served_request_can_carry_a_reset_an_hour_ahead(emulator: Emulator, client: httpx.Client) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    hour_ahead = str(int(time.time()) + 3600)
    emulator.store.inject("rate_limit_headers", method="POST", rate_limit_headers={"reset": hour_ahead})

    response = client.post(
        connection_path(app_id) + "?activate=true", json={"profile": {"authScheme": "TOKEN", "token": "t"}}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "ENABLED"
    assert response.headers["X-Rate-Limit-Reset"] == hour_ahead
    assert response.headers["X-Rate-Limit-Remaining"] == "599"
    assert [entry.fault for entry in emulator.store.requests()] == ["rate_limit_headers"]
    assert emulator.store.connection(app_id).status == "ENABLED"
