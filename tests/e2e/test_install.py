"""`./build.sh install`'s layout: a plain `terraform init` finds the provider and writes a lock file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from okta_emulator import AppKind, Emulator

from .conftest import API_TOKEN, HEADER, terraform_binary


def install_init_and_apply(tmp_path: Path, emulator: Emulator, python: str) -> None:
    """`python -m provider.install` into ~/.terraform.d/plugins, then `terraform init` and `apply`."""
    home = tmp_path / "home"
    installed = subprocess.run(
        [python, "-m", "provider.install"],
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
        done = subprocess.run(
            [terraform_binary(), *command, "-no-color"], cwd=workdir, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"terraform {command[0]}:\n{done.stdout}\n{done.stderr}"
    lock = (workdir / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/okta-py/okta"' in lock
    assert emulator.store.connection(app_id).status == "ENABLED"


def test_implicit_local_mirror_install_then_init_and_apply(tmp_path: Path, emulator: Emulator) -> None:
    install_init_and_apply(tmp_path, emulator, sys.executable)


def test_install_from_a_checkout_whose_path_has_spaces_quotes_and_length(
    tmp_path: Path, emulator: Emulator
) -> None:
    # The environment reached through a path a `#!` line cannot hold: a space, shell quoting
    # characters, and more bytes than the kernel reads of a `#!` line (255 since Linux 5.1).
    odd = tmp_path / "my checkout's $HOME" / ("deep " * 40).strip() / "p"
    odd.parent.mkdir(parents=True)
    odd.symlink_to(sys.prefix, target_is_directory=True)
    python = odd / Path(sys.executable).relative_to(sys.prefix)
    assert len(os.fsencode(python)) > 255
    install_init_and_apply(tmp_path, emulator, str(python))
