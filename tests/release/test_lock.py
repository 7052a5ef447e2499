"""requirements-lock.txt (`tools/lock.py`): current against pyproject.toml, and stale when it is not.

The first test is the CI check: it fails once a dependency in pyproject.toml changes without
`./build.sh lock` having been run. The others feed `stale_reasons` an edited pyproject.toml.
"""

from __future__ import annotations

import copy
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
LOCK_PY = REPO / "tools" / "lock.py"


@pytest.fixture(scope="module")
def lock() -> ModuleType:
    spec = importlib.util.spec_from_file_location("okta_lock_tool", LOCK_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def lock_text(lock: ModuleType) -> str:
    return str(lock.LOCK.read_text())


@pytest.fixture
def pyproject(lock: ModuleType) -> dict[str, Any]:
    return copy.deepcopy(lock.load_pyproject())


def test_the_committed_lock_is_current_against_pyproject() -> None:
    done = subprocess.run(
        [sys.executable, str(LOCK_PY), "check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_every_pin_of_the_lock_has_hashes(lock: ModuleType, lock_text: str) -> None:
    pins = lock.read_lock(lock_text)
    assert {"tf", "grpcio", "httpx", "pyinstaller", "pytest", "setuptools"} <= set(pins)
    lines = lock_text.splitlines()
    pinned = [i for i, line in enumerate(lines) if line.split("==")[0] in pins and "==" in line]
    assert len(pinned) == len(pins)
    assert all(lines[i + 1].startswith("    --hash=sha256:") for i in pinned)
    # What pip-compile was run with stays out of the lock: no index, no find-links, no machine path.
    assert "--index-url" not in lock_text and "--find-links" not in lock_text
    assert str(REPO) not in lock_text


def test_a_new_dependency_makes_the_lock_stale(
    lock: ModuleType, lock_text: str, pyproject: dict[str, Any]
) -> None:
    pyproject["project"]["optional-dependencies"]["dev"].append("not-a-locked-package>=1")
    assert lock.stale_reasons(lock_text, pyproject) == [
        "extra dev requires 'not-a-locked-package>=1', which the lock does not pin"
    ]


def test_a_range_the_pin_is_outside_of_makes_the_lock_stale(
    lock: ModuleType, lock_text: str, pyproject: dict[str, Any]
) -> None:
    pinned = lock.read_lock(lock_text)["httpx"].version
    dependencies = pyproject["project"]["dependencies"]
    dependencies[:] = [d for d in dependencies if not d.startswith("httpx")] + [f"httpx>{pinned}"]
    assert lock.stale_reasons(lock_text, pyproject) == [
        f"dependencies requires 'httpx>{pinned}', the lock pins httpx=={pinned}"
    ]


def test_a_removed_dependency_makes_the_lock_stale(
    lock: ModuleType, lock_text: str, pyproject: dict[str, Any]
) -> None:
    dev = pyproject["project"]["optional-dependencies"]["dev"]
    dev[:] = [d for d in dev if not d.startswith("ruff")]
    [reason] = lock.stale_reasons(lock_text, pyproject)
    assert reason.startswith("the lock pins ruff==") and "no longer asks for it" in reason


def test_any_other_change_to_the_declarations_makes_the_lock_stale(
    lock: ModuleType, lock_text: str, pyproject: dict[str, Any]
) -> None:
    # An extra of a dependency brings packages the lock cannot be checked for by name.
    dependencies = pyproject["project"]["dependencies"]
    dependencies[:] = [d.replace("httpx>=", "httpx[http2]>=") for d in dependencies]
    assert lock.stale_reasons(lock_text, pyproject) == [
        "pyproject.toml's dependency declarations changed since it was made"
    ]


def test_a_change_outside_the_declarations_leaves_the_lock_current(
    lock: ModuleType, lock_text: str, pyproject: dict[str, Any]
) -> None:
    pyproject["project"]["version"] = "9.9.9"
    pyproject["project"]["description"] = "another"
    assert lock.stale_reasons(lock_text, pyproject) == []


def test_merge_conflict_markers_make_the_lock_stale(
    lock: ModuleType, lock_text: str, pyproject: dict[str, Any]
) -> None:
    conflicted = lock_text.replace("\nhttpx==", "\n<<<<<<< HEAD\n=======\n>>>>>>> dev\nhttpx==", 1)
    assert lock.stale_reasons(conflicted, pyproject) == ["it holds merge-conflict markers"]


def test_the_runtime_packages_are_the_provider_dependencies_and_theirs(
    lock: ModuleType, lock_text: str, pyproject: dict[str, Any]
) -> None:
    runtime = lock.runtime_packages(lock_text, pyproject)
    pins = lock.read_lock(lock_text)
    assert {"tf", "grpcio", "protobuf", "httpx", "pyjwt", "cryptography", "httpcore", "msgpack"} <= set(
        runtime
    )
    assert all(runtime[name] == pins[name].version for name in runtime)
    assert not {"pytest", "pyinstaller", "mypy", "ruff", "setuptools", "packaging"} & set(runtime)


def test_unlocked_names_the_installed_packages_the_lock_lacks(lock: ModuleType, lock_text: str) -> None:
    installed = {"HTTPX": "0.28.1", "h2": "4.1.0", "pip": "23.2.1", "terraform_provider_okta": "0.1.0"}
    assert lock.unlocked(lock_text, installed) == ["h2"]
