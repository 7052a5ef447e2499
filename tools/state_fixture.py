"""Writes a release's state fixture for tests/e2e/test_upgrade.py, with this checkout's provider.

    python tools/state_fixture.py FIXTURE_DIR [--terraform PATH]

FIXTURE_DIR holds `main.tf` (the configuration) and `apps.json` (application id -> emulator app
kind). The provider of this checkout is installed into a temporary filesystem mirror, the apps
are created in a fresh Okta emulator, and `terraform init` and `apply` run in a temporary
directory; a `plan` must then show no change. The state is written to
`FIXTURE_DIR/terraform-VERSION.tfstate`, VERSION being the Terraform that wrote it (the one on
PATH, or `$TERRAFORM`, or `--terraform`). Run it with the project's virtualenv
(`.venv/bin/python`) on a checkout of the release, once per Terraform the tests run on (1.0.3
and the one on PATH).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

from okta_emulator import AppKind, Emulator
from provider.install import install


def terraform_env(workdir: Path, url: str, api_token: str) -> dict[str, str]:
    """A clean environment: this checkout's provider from a mirror, the emulator as the org."""
    mirror = workdir / "plugins"
    install(mirror)
    config = workdir / "terraformrc"
    config.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TF_", "OKTA_"))}
    env.update(
        HOME=str(workdir),
        TF_CLI_CONFIG_FILE=str(config),
        CHECKPOINT_DISABLE="1",
        TF_IN_AUTOMATION="1",
        OKTA_ORG_URL=url,
        OKTA_API_TOKEN=api_token,
    )
    return env


def write_fixture(fixture: Path, terraform: str) -> Path:
    """Apply the fixture's configuration and copy the state Terraform wrote into the fixture."""
    apps: dict[str, str] = json.loads((fixture / "apps.json").read_text())
    api_token = secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory() as temporary, Emulator(api_token=api_token) as emulator:
        workdir = Path(temporary)
        for app_id, kind in apps.items():
            emulator.store.add_app(AppKind(kind), app_id)
        env = terraform_env(workdir, emulator.url, api_token)
        work = workdir / "work"
        work.mkdir()
        shutil.copy(fixture / "main.tf", work / "main.tf")
        for args in (["init", "-input=false"], ["apply", "-auto-approve", "-input=false"]):
            subprocess.run([terraform, *args, "-no-color"], cwd=work, env=env, check=True)
        plan = [terraform, "plan", "-detailed-exitcode", "-input=false", "-no-color"]
        if subprocess.run(plan, cwd=work, env=env).returncode != 0:
            raise SystemExit("the plan after apply is not empty: the fixture would not show upgrades")
        version = json.loads((work / "terraform.tfstate").read_text())["terraform_version"]
        target = fixture / f"terraform-{version}.tfstate"
        shutil.copy(work / "terraform.tfstate", target)
        return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture", type=Path)
    parser.add_argument("--terraform", default=os.environ.get("TERRAFORM") or shutil.which("terraform"))
    args = parser.parse_args()
    if not args.terraform:
        raise SystemExit("no terraform: put one on PATH, or pass --terraform")
    print(write_fixture(args.fixture, args.terraform))


if __name__ == "__main__":
    main()
