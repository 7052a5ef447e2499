"""`./build.sh install`'s layout: a plain `terraform init` finds the provider and writes a lock file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from okta_emulator import AppKind, Emulator

from .conftest import API_TOKEN, HEADER, terraform_binary


def test_implicit_local_mirror_install_then_init_and_apply(tmp_path: Path, emulator: Emulator) -> None:
    home = tmp_path / "home"
    installed = subprocess.run(
        [sys.executable, "-m", "provider.install"],
        env={**os.environ, "HOME": str(home)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert installed.stdout.strip().startswith(
        str(home / ".terraform.d" / "plugins" / "registry.terraform.io")
    )

    app_id = emulator.store.add_app(AppKind.ZSCALERBYZ)
    workdir = tmp_path / "work"
    workdir.mkdir()
    (workdir / "main.tf").write_text(
        HEADER
        + f"""
resource "okta_app_connection" "this" {{
  id       = "{app_id}"
  base_url = "https://admin.zscaler.example/scim"
  action   = "activate"
  profile {{
    auth_scheme = "TOKEN"
    token       = "t"
  }}
}}
"""
    )
    empty_cli_config = tmp_path / "terraformrc"
    empty_cli_config.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "OKTA_"))}
    env.update(
        HOME=str(home),
        TF_CLI_CONFIG_FILE=str(empty_cli_config),
        CHECKPOINT_DISABLE="1",
        OKTA_ORG_URL=emulator.url,
        OKTA_API_TOKEN=API_TOKEN,
    )
    for command in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
        subprocess.run(
            [terraform_binary(), *command, "-no-color"], cwd=workdir, env=env, check=True, capture_output=True
        )
    lock = (workdir / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/okta-py/okta"' in lock
    assert emulator.store.connection(app_id).status == "ENABLED"
