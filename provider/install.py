"""Installs this checkout's provider where Terraform looks for local providers.

`python -m provider.install [PLUGINS_DIR]` writes the unpacked filesystem-mirror layout
`PLUGINS_DIR/registry.terraform.io/okta-py/okta/VERSION/OS_ARCH/terraform-provider-okta_vVERSION`.
The default PLUGINS_DIR, `~/.terraform.d/plugins`, is Terraform's implicit local mirror, so a
plain `terraform init` finds `okta-py/okta` there and writes a lock file. The executable is a
small launcher bound to the current interpreter (the project's virtualenv).

The launcher is a `/bin/sh` script that `exec`s the quoted interpreter, not a `#!python` line:
Linux splits a `#!` line at the first space and cuts it at 127 or 255 bytes, so a checkout in
`my dir/` or deep in a tree would leave Terraform a launcher it cannot start. The shell adds
well under 1 % to the provider's start-up (measured: about 0.4 ms with dash), and `exec` leaves
Terraform talking to Python itself (the same process, the same signals).
"""

from __future__ import annotations

import os
import platform
import shlex
import sys
from importlib.metadata import version
from pathlib import Path

HOST, NAMESPACE, TYPE = "registry.terraform.io", "okta-py", "okta"
_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
_ENTRY = "from provider.main import main; main()"


def provider_version() -> str:
    return version("terraform-provider-okta")


def platform_name() -> str:
    machine = platform.machine().lower()
    return f"{sys.platform.rstrip('0123456789')}_{_ARCHES.get(machine, machine)}"


def launcher_script(interpreter: str) -> bytes:
    """The launcher's bytes: `interpreter` quoted for the shell, whatever characters its path holds."""
    # -I: isolated mode, so PYTHONPATH or a user site-packages cannot change the provider.
    command = shlex.join([interpreter, "-I", "-c", _ENTRY])
    return os.fsencode(f'#!/bin/sh\nexec {command} "$@"\n')


def install(plugins_dir: Path, interpreter: str = sys.executable) -> Path:
    """Write the launcher into `plugins_dir` and return its path."""
    release = provider_version()
    target = plugins_dir / HOST / NAMESPACE / TYPE / release / platform_name()
    target.mkdir(parents=True, exist_ok=True)
    launcher = target / f"terraform-provider-{TYPE}_v{release}"
    launcher.write_bytes(launcher_script(os.path.abspath(interpreter)))
    launcher.chmod(0o755)
    return launcher


def main() -> None:
    plugins_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.home() / ".terraform.d" / "plugins"
    print(install(plugins_dir.absolute()))


if __name__ == "__main__":
    main()
