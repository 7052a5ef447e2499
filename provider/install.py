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

The interpreter runs isolated (-I: no PYTHONPATH, no user site-packages) and without `site`
(-S), its import path given in the launcher: the interpreter's site-packages, then this
checkout. `site` would read every `.pth` file there, and the editable install's one loads an
import hook with pathlib, urllib and ipaddress: about 3 ms of every start, which Terraform pays
three to five times per command.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import subprocess
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


# Asked of the interpreter the launcher will run: where it finds the provider's dependencies
# (its site-packages) and the provider itself (this checkout, through the editable install).
_IMPORT_PATH = (
    "import json, os, site, provider; "
    "print(json.dumps([*site.getsitepackages(), os.path.dirname(os.path.dirname(provider.__file__))]))"
)


def import_path(interpreter: str) -> list[str]:
    """The directories the launcher puts on the import path of `interpreter`, after the stdlib."""
    found = subprocess.run([interpreter, "-I", "-c", _IMPORT_PATH], capture_output=True, text=True)
    if found.returncode != 0:
        last = (found.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"{interpreter} cannot run the provider ({last}): install it there first")
    return [str(entry) for entry in json.loads(found.stdout)]


def launcher_command(interpreter: str, path: list[str]) -> list[str]:
    """What the launcher runs: `interpreter` without `site`, with `path` after the stdlib."""
    return [interpreter, "-I", "-S", "-c", f"import sys; sys.path += {path!r}; {_ENTRY}"]


def launcher_script(interpreter: str, path: list[str]) -> bytes:
    """The launcher's bytes: the command quoted for the shell, whatever characters its paths hold.

    It first checks that the directories of `path` are still there (test is a shell builtin): a
    `.venv` made anew with another Python has another site-packages, and the launcher then says
    what to do instead of failing in Python with "No module named ...".
    """
    directories = " ".join(shlex.quote(entry) for entry in path)
    stale = shlex.quote(
        "terraform-provider-okta: this launcher's Python environment has changed; "
        "run ./build.sh install (python -m provider.install) again"
    )
    return os.fsencode(
        "#!/bin/sh\n"
        f"for directory in {directories}; do\n"
        f'  [ -d "$directory" ] || {{ echo {stale} >&2; exit 1; }}\n'
        "done\n"
        f'exec {shlex.join(launcher_command(interpreter, path))} "$@"\n'
    )


def install(plugins_dir: Path, interpreter: str = sys.executable) -> Path:
    """Write the launcher into `plugins_dir` and return its path."""
    release = provider_version()
    target = plugins_dir / HOST / NAMESPACE / TYPE / release / platform_name()
    target.mkdir(parents=True, exist_ok=True)
    launcher = target / f"terraform-provider-{TYPE}_v{release}"
    interpreter = os.path.abspath(interpreter)
    launcher.write_bytes(launcher_script(interpreter, import_path(interpreter)))
    launcher.chmod(0o755)
    return launcher


def main() -> None:
    plugins_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path.home() / ".terraform.d" / "plugins"
    print(install(plugins_dir.absolute()))


if __name__ == "__main__":
    main()
