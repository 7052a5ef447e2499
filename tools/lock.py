"""The dependency lock, `requirements-lock.txt`: every package of the release and of CI, pinned with hashes.

    python tools/lock.py update     re-resolve the lock with pip-compile (what `./build.sh lock` runs)
    python tools/lock.py check      exit 1, naming the cause, when the lock is stale against pyproject.toml
    python tools/lock.py runtime    the locked packages the release bundles, `name==version` a line
    python tools/lock.py unlocked   the installed packages that the lock does not have (to uninstall)

The lock is written by pip-tools' `pip-compile --generate-hashes` from pyproject.toml: the runtime
dependencies, every extra and the build backend (so the project installs editable with
--no-build-isolation), each with every hash the index has for that version. pip-compile runs on
pip, so it reaches the index exactly as pip is configured; index and find-links options are kept
out of the file, which names no machine. `update` keeps the pins of the lock it replaces where
pyproject.toml still allows them; a lock left with merge-conflict markers is first replaced by
the committed one (HEAD's). The lock ends with a digest of pyproject.toml's dependency
declarations, which `check` recomputes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "requirements-lock.txt"
PYPROJECT = REPO / "pyproject.toml"
UPDATE_COMMAND = "./build.sh lock"
DIGEST_PREFIX = "# pyproject.toml dependencies sha256: "
# pip-compile's annotation for a requirement of the project itself (with a suffix for build-system).
_PROJECT_VIA = re.compile(r"^terraform-provider-okta \(pyproject\.toml(::[a-z.-]+)?\)$")
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)
# Installed alongside everything locked without being in the lock: the installer and the project.
_NOT_LOCKED = {"pip", "terraform-provider-okta"}
PIP_COMPILE_OPTIONS = (
    "--quiet",
    "--generate-hashes",
    "--allow-unsafe",  # setuptools too: the editable install builds with the locked one
    "--strip-extras",
    "--all-extras",
    "--all-build-deps",
    "--no-emit-index-url",
    "--no-emit-find-links",
)


class LockError(Exception):
    """The lock cannot be read or made; the message says why."""


@dataclass
class Locked:
    """One pinned package: its version and the packages it is there for (pip-compile's "via")."""

    version: str
    via: set[str] = field(default_factory=set)


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares them: lower case, runs of -_. as one dash."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(text: str) -> dict[str, Locked]:
    """The pins of a pip-compile output, keyed by normalized name, with their "via" annotations."""
    pins: dict[str, Locked] = {}
    current: Locked | None = None
    in_via = False
    for line in text.splitlines():
        pin = _PIN.match(line)
        if pin:
            current = pins[normalize(pin.group(1))] = Locked(pin.group(2))
            in_via = False
            continue
        comment = line.strip().removeprefix("#").strip()
        if current is None or not line.startswith("    #"):
            in_via = False
            continue
        if comment.startswith("via "):
            current.via.add(comment.removeprefix("via ").strip())
        elif comment == "via":
            in_via = True
        elif in_via and comment:
            current.via.add(comment)
    if not pins:
        raise LockError("the lock pins no package")
    return pins


def declared(pyproject: dict[str, object]) -> dict[str, list[str]]:
    """pyproject.toml's dependency declarations: runtime, each extra, and the build backend's."""
    project = pyproject.get("project")
    build = pyproject.get("build-system")
    if not isinstance(project, dict) or not isinstance(build, dict):
        raise LockError("pyproject.toml has no [project] or [build-system] table")
    found = {"dependencies": list(project.get("dependencies", [])), "build-system": list(build["requires"])}
    for extra, requirements in sorted(project.get("optional-dependencies", {}).items()):
        found[f"extra {extra}"] = list(requirements)
    return found


def digest(pyproject: dict[str, object]) -> str:
    """What the lock was made from: a hash of the declarations, blind to the rest of pyproject.toml."""
    canonical = json.dumps(declared(pyproject), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def stale_reasons(lock_text: str, pyproject: dict[str, object]) -> list[str]:
    """Why the lock no longer matches pyproject.toml; empty when it does."""
    from packaging.requirements import Requirement

    if _CONFLICT.search(lock_text):
        return ["it holds merge-conflict markers"]
    pins = read_lock(lock_text)
    reasons = []
    direct: set[str] = set()
    for where, requirements in declared(pyproject).items():
        for text in requirements:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
                continue
            name = normalize(requirement.name)
            direct.add(name)
            pin = pins.get(name)
            if pin is None:
                reasons.append(f"{where} requires {text!r}, which the lock does not pin")
            elif not requirement.specifier.contains(pin.version, prereleases=True):
                reasons.append(f"{where} requires {text!r}, the lock pins {name}=={pin.version}")
    for name, pin in sorted(pins.items()):
        if name not in direct and any(_PROJECT_VIA.match(parent) for parent in pin.via):
            reasons.append(
                f"the lock pins {name}=={pin.version} for pyproject.toml, which no longer asks for it"
            )
    recorded = [
        line.removeprefix(DIGEST_PREFIX) for line in lock_text.splitlines() if line.startswith(DIGEST_PREFIX)
    ]
    if not reasons and recorded != [digest(pyproject)]:
        reasons.append("pyproject.toml's dependency declarations changed since it was made")
    return reasons


def runtime_packages(lock_text: str, pyproject: dict[str, object]) -> dict[str, str]:
    """The locked packages the provider runs with: its dependencies and theirs, name to version."""
    from_project = {
        normalize(re.split(r"[\s\[<>=!~;(]", text, maxsplit=1)[0])
        for text in declared(pyproject)["dependencies"]
    }
    pins = read_lock(lock_text)
    runtime = from_project & set(pins)
    while True:
        more = {name for name, pin in pins.items() if name not in runtime and pin.via & runtime}
        if not more:
            return {name: pins[name].version for name in sorted(runtime)}
        runtime |= more


def unlocked(lock_text: str, installed: dict[str, str]) -> list[str]:
    """The installed distributions (name to version) that the lock does not pin."""
    pins = read_lock(lock_text)
    return sorted(name for name in map(normalize, installed) if name not in pins and name not in _NOT_LOCKED)


def installed_distributions() -> dict[str, str]:
    """This interpreter's distributions, name to version."""
    from importlib.metadata import distributions

    return {dist.metadata["Name"]: dist.version for dist in distributions()}


def load_pyproject(path: Path = PYPROJECT) -> dict[str, object]:
    with path.open("rb") as file:
        return tomllib.load(file)


def update(lock: Path = LOCK, pyproject: Path = PYPROJECT) -> None:
    """Re-resolve the lock with pip-compile (run by the interpreter pip-tools is installed in)."""
    if lock.exists() and _CONFLICT.search(lock.read_text()):
        committed = subprocess.run(
            ["git", "show", f"HEAD:{lock.relative_to(REPO).as_posix()}"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        if committed.returncode != 0:
            raise LockError(f"{lock.name} has merge-conflict markers and HEAD has no {lock.name}")
        print(f"==> {lock.name} has merge-conflict markers: starting from HEAD's", file=sys.stderr)
        lock.write_text(committed.stdout)
    command = [sys.executable, "-m", "piptools", "compile", *PIP_COMPILE_OPTIONS]
    # Paths relative to the checkout: pip-compile writes them into the lock's annotations.
    command += ["--output-file", os.path.relpath(lock, REPO), os.path.relpath(pyproject, REPO)]
    env = {**os.environ, "CUSTOM_COMPILE_COMMAND": UPDATE_COMMAND}
    done = subprocess.run(command, cwd=REPO, env=env, check=False)
    if done.returncode != 0:
        raise LockError(f"pip-compile failed (exit {done.returncode})")
    text = lock.read_text()
    text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith(DIGEST_PREFIX))
    lock.write_text(f"{text}{DIGEST_PREFIX}{digest(load_pyproject(pyproject))}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/lock.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "check", "runtime", "unlocked"])
    args = parser.parse_args(argv)
    try:
        if args.command == "update":
            update()
            return main(["check"])
        lock_text = LOCK.read_text()
        if args.command == "check":
            reasons = stale_reasons(lock_text, load_pyproject())
            for reason in reasons:
                print(f"{LOCK.name} is stale: {reason}", file=sys.stderr)
            if reasons:
                print(f"Run `{UPDATE_COMMAND}` and commit {LOCK.name}.", file=sys.stderr)
            return 1 if reasons else 0
        if args.command == "runtime":
            lines = [
                f"{name}=={version}"
                for name, version in runtime_packages(lock_text, load_pyproject()).items()
            ]
        else:
            lines = unlocked(lock_text, installed_distributions())
        print("".join(f"{line}\n" for line in lines), end="")
    except (LockError, OSError, ValueError) as error:
        print(f"lock.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
