"""Installs this checkout's provider where Terraform looks for local providers.

`python -m provider.install [PLUGINS_DIR]` writes the unpacked filesystem-mirror layout
`PLUGINS_DIR/registry.terraform.io/okta-py/okta/VERSION/OS_ARCH/terraform-provider-okta_vVERSION`.
The default PLUGINS_DIR, `~/.terraform.d/plugins`, is Terraform's implicit local mirror, so a
plain `terraform init` finds `okta-py/okta` there and writes a lock file. The executable is a
small launcher bound to the current interpreter (the project's virtualenv).
"""

from __future__ import annotations

import platform
import sys
from importlib.metadata import version
from pathlib import Path

HOST, NAMESPACE, TYPE = "registry.terraform.io", "okta-py", "okta"
_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def provider_version() -> str:
    return version("terraform-provider-okta")


def platform_name() -> str:
    machine = platform.machine().lower()
    return f"{sys.platform.rstrip('0123456789')}_{_ARCHES.get(machine, machine)}"


def install(plugins_dir: Path, interpreter: str = sys.executable) -> Path:
    """Write the launcher into `plugins_dir` and return its path."""
    release = provider_version()
    target = plugins_dir / HOST / NAMESPACE / TYPE / release / platform_name()
    target.mkdir(parents=True, exist_ok=True)
    launcher = target / f"terraform-provider-{TYPE}_v{release}"
    # -I: isolated mode, so PYTHONPATH or a user site-packages cannot change the provider.
    launcher.write_text(f"#!{interpreter} -I\nfrom provider.main import main\n\nmain()\n")
    launcher.chmod(0o755)
    return launcher


def main() -> None:
    plugins_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.home() / ".terraform.d" / "plugins"
    print(install(plugins_dir.absolute()))


if __name__ == "__main__":
    main()
