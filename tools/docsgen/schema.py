"""The provider's schema, as `terraform providers schema -json` reports it for a local install."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from . import PROVIDER_SOURCE, ROOT, DocsError, Schema

SCHEMA_FILE = "okta-py_okta.json"

MAIN_TF = """\
terraform {
  required_providers {
    okta = {
      source = "okta-py/okta"
    }
  }
}
"""

CLI_CONFIG = """\
provider_installation {{
  filesystem_mirror {{
    path = {path}
  }}
}}
"""


def provider_python() -> str:
    """An interpreter with the provider installed: this one, else the checkout's `.venv`."""
    if all(importlib.util.find_spec(name) is not None for name in ("provider", "tf")):
        return sys.executable
    venv = ROOT / ".venv" / "bin" / "python"
    if venv.exists():
        return str(venv)
    raise DocsError("the provider is not installed in this Python; run ./build.sh test once to make .venv")


def terraform_binary(explicit: str | None = None) -> str:
    """The terraform to run, as an absolute path: `explicit`, else `$TERRAFORM`, else PATH's."""
    wanted = explicit or os.environ.get("TERRAFORM") or "terraform"
    # Resolved here: terraform runs in a temporary directory, where a relative path would miss.
    found = shutil.which(wanted)
    if not found:
        raise DocsError(
            f"no terraform found as {wanted!r} (put one on PATH, set TERRAFORM, or pass --terraform)"
        )
    return str(Path(found).absolute())


def _run(command: Sequence[str], cwd: Path, env: Mapping[str, str]) -> str:
    shown = " ".join([Path(command[0]).name, *command[1:]])
    try:
        result = subprocess.run(list(command), cwd=cwd, env=dict(env), capture_output=True, text=True)
    except OSError as exc:
        raise DocsError(f"`{shown}` could not be started: {exc}") from exc
    if result.returncode != 0:
        raise DocsError(
            f"`{shown}` failed with exit code {result.returncode}:\n"
            f"{result.stderr.strip() or result.stdout.strip()}"
        )
    return result.stdout


def generate_schema(terraform: str | None = None) -> dict[str, Any]:
    """The provider's schema as Terraform reports it, without the Terraform-dependent `format_version`."""
    binary = terraform_binary(terraform)
    with tempfile.TemporaryDirectory(prefix="okta-docs-") as tmp:
        base = Path(tmp)
        plugins, home, work = base / "plugins", base / "home", base / "work"
        home.mkdir()
        work.mkdir()
        _run([provider_python(), "-m", "provider.install", str(plugins)], cwd=ROOT, env=os.environ)
        cli_config = base / "terraformrc"
        cli_config.write_text(CLI_CONFIG.format(path=json.dumps(str(plugins))))
        (work / "main.tf").write_text(MAIN_TF)
        env = {key: value for key, value in os.environ.items() if not key.startswith(("TF_", "OKTA_"))}
        env.update(
            HOME=str(home), TF_CLI_CONFIG_FILE=str(cli_config), CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1"
        )
        _run([binary, "init", "-input=false", "-no-color"], cwd=work, env=env)
        output = _run([binary, "providers", "schema", "-json"], cwd=work, env=env)
    try:
        schema = json.loads(output)
    except json.JSONDecodeError as exc:
        raise DocsError(f"terraform providers schema -json printed no JSON: {exc}") from exc
    if not isinstance(schema, dict) or PROVIDER_SOURCE not in schema.get("provider_schemas", {}):
        raise DocsError(f"terraform reported no schema for {PROVIDER_SOURCE}")
    # "1.0" from Terraform 1.1 on, "0.2" from 1.0: the committed file must not depend on it.
    schema.pop("format_version", None)
    return schema


def schema_text(schema: Schema) -> str:
    """The schema as committed: sorted keys, two-space indents, a final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_schema(path: Path) -> dict[str, Any]:
    """The schema committed at `path`."""
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DocsError(f"{path} does not exist: run `python tools/docs.py schema` first") from exc
    if not isinstance(loaded, dict):
        raise DocsError(f"{path} is not a provider schema")
    return loaded
