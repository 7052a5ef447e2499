"""The `python -m okta_emulator` command line, run as a real subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import API_TOKEN, APP_ID_PATTERN, connection_path, http_client

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_DEADLINE_SECONDS = 10.0


def cli_env(token: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "OKTA_EMULATOR_API_TOKEN"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    if token is not None:
        env["OKTA_EMULATOR_API_TOKEN"] = token
    return env


def wait_for_file(path: Path, process: subprocess.Popen[str]) -> str:
    """Poll until the ready file exists, failing early if the process dies."""
    deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"emulator exited early with {process.returncode}")
        if time.monotonic() > deadline:
            pytest.fail("emulator did not write its ready file in time")
        time.sleep(0.02)
    return path.read_text(encoding="utf-8")


@pytest.fixture
def spawn() -> Iterator[list[subprocess.Popen[str]]]:
    """Collects started processes and kills any a test left running."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def start(spawn: list[subprocess.Popen[str]], args: list[str], token: str | None) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "okta_emulator", *args],
        cwd=REPO_ROOT,
        env=cli_env(token),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    spawn.append(process)
    return process


def test_cli_serves_and_exits_on_sigterm(spawn: list[subprocess.Popen[str]], tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    args = ["--port", "0", "--ready-file", str(ready), "--app", "org2org:0oaCliOrg2Org", "--app", "google"]
    process = start(spawn, args, API_TOKEN)

    url = wait_for_file(ready, process)
    with http_client(url) as http:
        response = http.get(connection_path("0oaCliOrg2Org"), params={"q": "query-marker"})
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=10)

    assert response.status_code == 200
    assert response.json()["status"] == "DISABLED"
    assert process.returncode == 0
    lines = stdout.splitlines()
    assert lines[0] == f"okta-emulator listening on {url}"
    assert url.startswith("http://127.0.0.1:")
    assert lines[1] == "app org2org 0oaCliOrg2Org"
    kind, google_id = lines[2].split()[1:]
    assert kind == "google"
    assert APP_ID_PATTERN.fullmatch(google_id)
    assert len(lines) == 3
    assert f"GET {connection_path('0oaCliOrg2Org')} 200 " in stderr
    assert "query-marker" not in stderr
    assert API_TOKEN not in stderr
    assert API_TOKEN not in stdout
    assert "Authorization" not in stderr
    assert not ready.exists()


def test_cli_generates_and_prints_a_token_once(spawn: list[subprocess.Popen[str]], tmp_path: Path) -> None:
    ready = tmp_path / "url.txt"
    process = start(spawn, ["--port", "0", "--ready-file", str(ready), "--app", "zscalerbyz:0oaZ"], None)

    url = wait_for_file(ready, process)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == f"okta-emulator listening on {url}"
    token_line = process.stdout.readline().split()
    assert token_line[0] == "api-token"
    token = token_line[1]
    app_line = process.stdout.readline().strip()
    with http_client(url, token) as http, http_client(url) as other:
        authorized = http.get(connection_path("0oaZ"))
        unauthorized = other.get(connection_path("0oaZ"))
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=10)

    assert (authorized.status_code, unauthorized.status_code) == (200, 401)
    assert len(token) >= 32
    assert process.returncode == 0
    assert app_line == "app zscalerbyz 0oaZ"
    assert token not in stderr


def test_cli_refuses_non_loopback_host() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "okta_emulator", "--host", "0.0.0.0", "--port", "0"],
        cwd=REPO_ROOT,
        env=cli_env(API_TOKEN),
        capture_output=True,
        text=True,
        timeout=10,
    )

    assert result.returncode == 2
    assert "--host must be a loopback address" in result.stderr
    assert result.stdout == ""


def test_cli_rejects_unknown_app_kind() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "okta_emulator", "--port", "0", "--app", "salesforce"],
        cwd=REPO_ROOT,
        env=cli_env(API_TOKEN),
        capture_output=True,
        text=True,
        timeout=10,
    )

    assert result.returncode == 2
    assert "unknown app kind 'salesforce'" in result.stderr


def test_cli_concurrency_limit_and_dpop_flags(spawn: list[subprocess.Popen[str]], tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    args = ["--port", "0", "--ready-file", str(ready), "--app", "org2org:0oaC", "--concurrency-limit", "0"]
    process = start(spawn, [*args, "--require-dpop"], API_TOKEN)

    url = wait_for_file(ready, process)
    with http_client(url) as http:
        limited = http.get(connection_path("0oaC"))
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": "checked-after-the-dpop-nonce",
        }
        token = http.post("/oauth2/v1/token", data=form)
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=10)

    assert limited.status_code == 429
    assert limited.headers["X-Rate-Limit-Limit"] == "0"
    assert token.status_code == 400
    assert token.json()["error"] == "use_dpop_nonce"
    assert token.headers["DPoP-Nonce"]
