"""Real `terraform` against the provider installed in a filesystem mirror and the emulator.

Nothing is mocked here: Terraform starts the provider process as it would for a user, and the
provider talks HTTP to an emulator on loopback.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from okta_emulator import AppKind, Emulator
from provider.install import install

API_TOKEN = "00emulator-api-token-e2e-7f3a9c"
HEADER = """\
terraform {
  required_providers {
    okta = {
      source = "okta-py/okta"
    }
  }
}

provider "okta" {}
"""


def header_with(**arguments: object) -> str:
    """HEADER with these provider arguments (strings are quoted, anything else written as is)."""
    lines = "".join(
        f"  {name} = {chr(34) + value + chr(34) if isinstance(value, str) else value}\n"
        for name, value in arguments.items()
    )
    return HEADER.replace('provider "okta" {}', 'provider "okta" {\n' + lines + "}")


def token_connection(
    app_id: str,
    *,
    name: str = "this",
    action: str = "activate",
    token: str = "t",
    base_url: str | None = None,
) -> str:
    base_url_line = f'  base_url = "{base_url}"\n' if base_url else ""
    return f"""
resource "okta_app_connection" "{name}" {{
  id     = "{app_id}"
  action = "{action}"
{base_url_line}  profile {{
    auth_scheme = "TOKEN"
    token       = "{token}"
  }}
}}
"""


def prepared(terraform: Terraform, emulator: Emulator, header: str = HEADER) -> str:
    """A new application, and a configuration that activates its connection, initialised."""
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(token_connection(app_id), header=header)
    terraform.init()
    return app_id


def prepared_many(terraform: Terraform, emulator: Emulator, count: int, header: str = HEADER) -> list[str]:
    """`count` new applications, and a configuration that activates their connections, initialised."""
    app_ids = [emulator.store.add_app(AppKind.ORG2ORG) for _ in range(count)]
    terraform.write(token_connections(app_ids), header=header)
    terraform.init()
    return app_ids


def token_connections(app_ids: list[str]) -> str:
    """`okta_app_connection.many[*]`, one per application."""
    ids = ", ".join(f'"{app_id}"' for app_id in app_ids)
    return f"""
locals {{
  app_ids = [{ids}]
}}

resource "okta_app_connection" "many" {{
  count  = length(local.app_ids)
  id     = local.app_ids[count.index]
  action = "activate"
  profile {{
    auth_scheme = "TOKEN"
    token       = "t"
  }}
}}
"""


def terraform_binary() -> str:
    found = os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not found:
        pytest.fail("no terraform on PATH: run the tests through ./build.sh test, which installs one")
    return found


@pytest.fixture(scope="session")
def plugin_mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mirror = tmp_path_factory.mktemp("plugins")
    install(mirror)
    return mirror


@pytest.fixture(scope="session")
def cli_config(tmp_path_factory: pytest.TempPathFactory, plugin_mirror: Path) -> Path:
    path = tmp_path_factory.mktemp("cli") / "terraformrc"
    path.write_text(
        f'provider_installation {{\n  filesystem_mirror {{\n    path = "{plugin_mirror}"\n  }}\n}}\n'
    )
    return path


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(api_token=API_TOKEN) as running:
        yield running


class Terraform:
    """One working directory and the environment Terraform runs in."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.workdir = workdir
        self.env = env
        self.binary = terraform_binary()

    def write(self, body: str, header: str = HEADER) -> None:
        (self.workdir / "main.tf").write_text(header + "\n" + body)

    def run(
        self, *args: str, expect: int | None = 0, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [self.binary, *args, "-no-color"],
            cwd=self.workdir,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        if expect is not None and done.returncode != expect:
            raise AssertionError(
                f"terraform {' '.join(args)} exited {done.returncode}, expected {expect}\n"
                f"--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
            )
        return done

    def init(self) -> None:
        self.run("init", "-input=false")

    def apply(
        self, *args: str, expect: int = 0, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return self.run("apply", "-auto-approve", "-input=false", *args, expect=expect, env=env)

    def plan_exit_code(self) -> int:
        return self.run("plan", "-detailed-exitcode", "-input=false", expect=None).returncode

    def assert_no_changes(self) -> None:
        done = self.run("plan", "-detailed-exitcode", "-input=false", expect=None)
        assert done.returncode == 0, f"plan is not empty:\n{done.stdout}\n{done.stderr}"

    def resources(self) -> dict[str, dict[str, Any]]:
        shown = json.loads(self.run("show", "-json").stdout)
        found = shown.get("values", {}).get("root_module", {}).get("resources", [])
        return {r["address"]: r["values"] for r in found}

    def resource(self, address: str = "okta_app_connection.this") -> dict[str, Any]:
        return self.resources()[address]


def api_calls(emulator: Emulator) -> list[str]:
    """The emulator's journal as `METHOD suffix`, the suffix after `/connections/default`."""
    return [
        f"{entry.method} {entry.path.rsplit('/default', 1)[-1] or '/'}" for entry in emulator.store.requests()
    ]


def grant_consent(authorize_url: str) -> dict[str, str]:
    """Open an authorize link as the administrator's browser: the vendor's one-time `code` and `state`."""
    granted = httpx.get(authorize_url)
    assert granted.status_code == 200, granted.text
    return {"code": granted.json()["code"], "state": granted.json()["state"]}


def terraform_env(cli_config: Path, emulator: Emulator, home: Path) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("TF_", "OKTA_", "CHECKPOINT"))
    }
    env.update(
        HOME=str(home),
        TF_CLI_CONFIG_FILE=str(cli_config),
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        OKTA_ORG_URL=emulator.url,
        OKTA_API_TOKEN=API_TOKEN,
    )
    return env


@pytest.fixture
def terraform(tmp_path: Path, cli_config: Path, emulator: Emulator) -> Terraform:
    workdir = tmp_path / "work"
    workdir.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    return Terraform(workdir, terraform_env(cli_config, emulator, home))


@pytest.fixture
def second_terraform(tmp_path: Path, cli_config: Path, emulator: Emulator) -> Terraform:
    """Another working directory against the same emulator (for import)."""
    workdir = tmp_path / "second"
    workdir.mkdir()
    return Terraform(workdir, terraform_env(cli_config, emulator, tmp_path / "home"))


def terraform_version() -> tuple[int, int]:
    shown = subprocess.run(
        [terraform_binary(), "version", "-json"], capture_output=True, text=True, check=True
    )
    major, minor, *_ = json.loads(shown.stdout)["terraform_version"].split(".")
    return int(major), int(minor)
