"""`terraform-provider-okta -debug`: the provider in the foreground, Terraform attached to it.

The installed launcher is started by hand, as a developer would in one shell; its
TF_REATTACH_PROVIDERS line is given to the real terraform CLI, which then drives that process
(it alone has the Okta credentials) over several commands without ending it; SIGINT (Ctrl-C)
ends it and removes its socket.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from okta_emulator import AppKind, Emulator

from .conftest import API_TOKEN, Terraform, token_connection

PROVIDER_ADDRESS = "registry.terraform.io/okta-py/okta"


@dataclass
class DebugProvider:
    process: subprocess.Popen[str]
    reattach: str
    printed: str


def launcher(plugin_mirror: Path) -> Path:
    [found] = plugin_mirror.glob("registry.terraform.io/okta-py/okta/*/*/terraform-provider-okta_v*")
    return found


def read_until_reattach_line(process: subprocess.Popen[str], timeout: float = 60.0) -> str:
    """What the process printed up to and including its TF_REATTACH_PROVIDERS line."""
    assert process.stdout is not None
    printed = b""
    deadline = time.monotonic() + timeout
    # Straight from the pipe (no buffered reader to hide a line from select) up to its last line.
    while b"TF_REATTACH_PROVIDERS='" not in printed or not printed.endswith(b"\n\n"):
        ready, _, _ = select.select([process.stdout], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(process.stdout.fileno(), 4096) if ready else b""
        if not chunk:
            raise AssertionError(f"no TF_REATTACH_PROVIDERS line; printed:\n{printed!r}")
        printed += chunk
    return printed.decode()


@pytest.fixture
def debug_provider(plugin_mirror: Path, emulator: Emulator) -> Iterator[DebugProvider]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TF_", "OKTA_"))}
    # A short TMPDIR: the socket's path must fit in a unix socket address.
    with tempfile.TemporaryDirectory(prefix="tf-debug-") as sockets:
        env.update(TMPDIR=sockets, OKTA_ORG_URL=emulator.url, OKTA_API_TOKEN=API_TOKEN)
        process = subprocess.Popen(
            [str(launcher(plugin_mirror)), "-debug"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            printed = read_until_reattach_line(process)
            [line] = [line for line in printed.splitlines() if "TF_REATTACH_PROVIDERS=" in line]
            yield DebugProvider(
                process, line.strip().removeprefix("TF_REATTACH_PROVIDERS=").strip("'"), printed
            )
        finally:
            if process.poll() is None:
                process.kill()
            process.communicate(timeout=30)


def without_okta(terraform: Terraform, reattach: str) -> dict[str, str]:
    """Terraform's environment with the reattach line and no Okta credentials of its own."""
    env = {key: value for key, value in terraform.env.items() if not key.startswith("OKTA_")}
    return {**env, "TF_REATTACH_PROVIDERS": reattach}


def test_debug_prints_the_reattach_line_terraform_plugin_go_prints(debug_provider: DebugProvider) -> None:
    assert debug_provider.printed.startswith(
        "Provider started. To attach Terraform CLI, set the TF_REATTACH_PROVIDERS environment variable"
        " with the following:\n\n\tTF_REATTACH_PROVIDERS='{"
    )
    config: dict[str, Any] = json.loads(debug_provider.reattach)
    assert list(config) == [PROVIDER_ADDRESS]
    socket = config[PROVIDER_ADDRESS]["Addr"]["String"]
    assert config[PROVIDER_ADDRESS] == {
        "Protocol": "grpc",
        "ProtocolVersion": 6,
        "Pid": debug_provider.process.pid,  # the launcher execs the interpreter: the same process
        "Test": True,
        "Addr": {"Network": "unix", "String": socket},
    }
    assert Path(socket).is_socket()
    assert Path(socket).parent.stat().st_mode & 0o777 == 0o700


def test_terraform_drives_the_debug_provider_until_ctrl_c(
    terraform: Terraform, emulator: Emulator, debug_provider: DebugProvider
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.env = without_okta(terraform, debug_provider.reattach)
    terraform.write(token_connection(app_id))
    terraform.init()
    terraform.apply()
    terraform.assert_no_changes()
    assert emulator.store.connection(app_id).status == "ENABLED"
    assert terraform.resource()["id"] == app_id
    # "Test": true, so Terraform ended none of its three sessions with the process.
    assert debug_provider.process.poll() is None

    socket = Path(json.loads(debug_provider.reattach)[PROVIDER_ADDRESS]["Addr"]["String"])
    os.killpg(debug_provider.process.pid, signal.SIGINT)
    assert debug_provider.process.wait(timeout=30) == 0
    assert not socket.parent.exists()


def test_without_the_debug_provider_the_same_terraform_has_no_credentials(
    terraform: Terraform, emulator: Emulator
) -> None:
    # The control for the test above: the provider Terraform starts itself has no Okta settings.
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.env = {key: value for key, value in terraform.env.items() if not key.startswith("OKTA_")}
    terraform.write(token_connection(app_id))
    terraform.init()
    failed = terraform.apply(expect=1)
    assert "org_url" in failed.stdout + failed.stderr
    assert emulator.store.connection(app_id).status != "ENABLED"
