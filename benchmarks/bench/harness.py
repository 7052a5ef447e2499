"""The harness every section runs in: an isolated world of HOME, TMPDIR, plugin mirrors, CLI
configurations and working directories, the terraform commands run in it, and the configurations
written for it.

Everything lives in one temporary directory, removed at the end; TF_*/OKTA_*/CHECKPOINT*/PLUGIN_*
variables of the caller are not passed on. Terraform finds okta-py/okta in one of three
filesystem mirrors (`provider.install`): the plain launcher, the wrapped one that records each
process's CPU and memory (`launchers.WRAPPER`), and the plugin floor's.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import startup

from okta_emulator import AppKind, Emulator
from provider.install import install

from .launchers import FLOOR_LAUNCHER, WRAPPER

REPO = Path(__file__).resolve().parents[2]
API_TOKEN = "00benchmark-api-token-5d2e8a"
USAGE_VARIABLE = "OKTA_BENCH_CPU_FILE"
COMMAND_TIMEOUT = 1800.0
FLOOR_PROVIDER = REPO / "benchmarks" / "floor_provider.py"
UNLIMITED = 1_000_000_000  # requests per window: the rate limit out of the way
STARTUPS = {"apply": 4, "plan": 3}  # S in the scale floor: provider starts per command
LABELS = {"apply": "apply (create N)", "plan": "plan (refresh N)"}
AUTO = {"apply": ("-auto-approve",), "plan": ()}

HEADER = """\
terraform {
  required_providers {
    okta = {
      source = "okta-py/okta"
    }
  }
}
"""

STARTED = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


@dataclass
class Run:
    """One finished terraform command.

    `children_cpu`: user+sys CPU of Terraform and every provider process it started (they are
    reaped, so RUSAGE_CHILDREN counts them); `own_cpu`: this process's meanwhile, which is
    mostly the in-process emulator answering.
    """

    seconds: float
    returncode: int
    stdout: str
    stderr: str
    children_cpu: float = 0.0
    own_cpu: float = 0.0

    def cpu_json(self) -> dict[str, float]:
        return {
            "terraform_and_providers_cpu_s": round(self.children_cpu, 3),
            "emulator_and_harness_cpu_s": round(self.own_cpu, 3),
        }


def okta_config(
    app_ids: Sequence[str], *, action: str = "activate", token: str = "t", **settings: int
) -> str:
    """`okta_app_connection.many[*]`, one per application, with these provider settings."""
    arguments = "".join(f"  {name} = {value}\n" for name, value in settings.items())
    ids = ", ".join(f'"{app_id}"' for app_id in app_ids)
    return f"""{HEADER}
provider "okta" {{
{arguments}}}

locals {{
  app_ids = [{ids}]
}}

resource "okta_app_connection" "many" {{
  count  = length(local.app_ids)
  id     = local.app_ids[count.index]
  action = "{action}"
  profile {{
    auth_scheme = "TOKEN"
    token       = "{token}"
  }}
}}
"""


def data_config(count: int, input_length: int = 1) -> str:
    """The floor: `count` built-in terraform_data resources, no provider to start.

    Each holds a string of `input_length` characters, twice in state (as input and output).
    """
    return f"""
resource "terraform_data" "many" {{
  count = {count}
  input = "{"x" * input_length}"
}}
"""


def state_bytes(workdir: Path) -> int:
    return (workdir / "terraform.tfstate").stat().st_size


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


class Bench:
    """The isolated world every command runs in: HOME, TMPDIR, mirrors, CLI configs, work dirs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.home.mkdir()
        self.tmp.mkdir()
        found = shutil.which("terraform")
        if found is None:
            raise SystemExit("no terraform on PATH (./build.sh installs one under .tools/)")
        self.terraform = found
        self.python = startup.venv_python()
        self.plain_config = self._mirror("plain")
        self.wrapped_config = self._mirror(
            "wrapped", WRAPPER.format(python=self.python, variable=USAGE_VARIABLE)
        )
        self.floor_config = self._mirror(
            "floor", FLOOR_LAUNCHER.format(python=self.python, path=str(FLOOR_PROVIDER))
        )
        self._workdirs = 0

    def _mirror(self, name: str, launcher_text: str | None = None) -> Path:
        """A filesystem mirror holding okta-py/okta; `launcher_text` replaces its launcher."""
        mirror = self.root / f"mirror-{name}"
        launcher = install(mirror, interpreter=self.python)
        if launcher_text is not None:
            launcher.write_text(launcher_text)
        config = self.root / f"terraformrc-{name}"
        config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n'
        )
        return config

    def env(self, emulator: Emulator | None = None, *, wrapped: bool = False) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TF_", "OKTA_", "CHECKPOINT", "PLUGIN_"))
        }
        env.update(
            HOME=str(self.home),
            TMPDIR=str(self.tmp),
            TF_CLI_CONFIG_FILE=str(self.wrapped_config if wrapped else self.plain_config),
            CHECKPOINT_DISABLE="1",
            TF_IN_AUTOMATION="1",
        )
        if emulator is not None:
            env.update(OKTA_ORG_URL=emulator.url, OKTA_API_TOKEN=API_TOKEN)
        return env

    def floor_env(self, emulator: Emulator, latency_ms: int) -> dict[str, str]:
        """Where okta-py/okta is the plugin floor, waiting `latency_ms` per call to Okta."""
        return {
            **self.env(emulator),
            "TF_CLI_CONFIG_FILE": str(self.floor_config),
            "FLOOR_LATENCY_MS": str(latency_ms),
        }

    def workdir(self, name: str) -> Path:
        self._workdirs += 1
        path = self.root / "work" / f"{self._workdirs:02d}-{name}"
        path.mkdir(parents=True)
        return path

    def run(self, workdir: Path, env: dict[str, str], *args: str) -> Run:
        children, own = cpu_seconds(resource.RUSAGE_CHILDREN), cpu_seconds(resource.RUSAGE_SELF)
        started = time.perf_counter()
        done = subprocess.run(
            [self.terraform, *args, "-no-color"],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
        run = Run(
            time.perf_counter() - started,
            done.returncode,
            done.stdout,
            done.stderr,
            cpu_seconds(resource.RUSAGE_CHILDREN) - children,
            cpu_seconds(resource.RUSAGE_SELF) - own,
        )
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-8:]
            progress(f"  terraform {args[0]} exited {done.returncode}: " + " | ".join(tail))
        return run

    def init(self, workdir: Path, env: dict[str, str]) -> None:
        done = self.run(workdir, env, "init", "-input=false")
        if done.returncode != 0:
            raise SystemExit(f"terraform init failed in {workdir}:\n{done.stdout}\n{done.stderr}")

    def apply(self, workdir: Path, env: dict[str, str], *args: str) -> Run:
        return self.run(workdir, env, "apply", "-auto-approve", "-input=false", *args)

    def plan(self, workdir: Path, env: dict[str, str], *args: str) -> Run:
        return self.run(workdir, env, "plan", "-input=false", *args)

    def command(self, workdir: Path, env: dict[str, str], command: str, *args: str) -> Run:
        """`apply` or `plan`, as the sections name them."""
        return self.apply(workdir, env, *args) if command == "apply" else self.plan(workdir, env, *args)

    def version(self) -> str:
        done = subprocess.run(
            [self.terraform, "version", "-json"], env=self.env(), capture_output=True, text=True, check=False
        )
        try:
            return str(json.loads(done.stdout)["terraform_version"])
        except (ValueError, KeyError):
            return done.stdout.strip()


def forget_state(workdir: Path) -> None:
    for name in ("terraform.tfstate", "terraform.tfstate.backup"):
        (workdir / name).unlink(missing_ok=True)


def new_apps(emulator: Emulator, count: int) -> list[str]:
    return [emulator.store.add_app(AppKind.ORG2ORG) for _ in range(count)]


def api_calls(emulator: Emulator) -> list[str]:
    """The journal as `METHOD /suffix?query` (suffix after /connections/default), oldest first."""
    calls = []
    for entry in emulator.store.requests():
        suffix = entry.path.rsplit("/default", 1)[-1] if "/connections/default" in entry.path else entry.path
        query = "&".join(f"{key}={value}" for key, value in sorted(entry.query.items()))
        calls.append(f"{entry.method} {suffix or '/'}{'?' + query if query else ''} -> {entry.status}")
    return calls
