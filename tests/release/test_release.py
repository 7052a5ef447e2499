"""The release build (`tools/release.py`): a provider binary that Terraform runs without Python.

One PyInstaller build per session (about half a minute), and a second one to compare its bytes
with; the zip is then installed the way a user would, from Terraform's implicit local mirror, and
applied against the in-process Okta emulator with an environment that has no Python in it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from okta_emulator import AppKind, Emulator

REPO = Path(__file__).resolve().parents[2]
RELEASE_PY = REPO / "tools" / "release.py"
API_TOKEN = "00emulator-api-token-release-5c1e8b"
PROVIDER_DIR = ("registry.terraform.io", "okta-py", "okta")
CONFIGURATION = """\
terraform {
  required_providers {
    okta = {
      source = "okta-py/okta"
    }
  }
}

provider "okta" {}

resource "okta_app_connection" "this" {
  id     = "%s"
  action = "activate"
  profile {
    auth_scheme = "TOKEN"
    token       = "t"
  }
}
"""


def run_release(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, str(RELEASE_PY), *args], capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, f"release.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Release:
    dist: Path
    version: str
    archive: Path
    sums: Path
    manifest: Path


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    """The one build of the session."""
    dist = tmp_path_factory.mktemp("dist")
    built = Path(run_release("dist", "--out", str(dist)).stdout.strip().splitlines()[-1])
    version = re.fullmatch(r"terraform-provider-okta_(.+)_linux_amd64\.zip", built.name)
    assert version is not None, built.name
    number = version.group(1)
    return Release(
        dist=dist,
        version=number,
        archive=built,
        sums=dist / f"terraform-provider-okta_{number}_SHA256SUMS",
        manifest=dist / f"terraform-provider-okta_{number}_manifest.json",
    )


def release_files(dist: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(dist.iterdir())}


def test_two_builds_from_the_same_checkout_are_byte_identical(
    release: Release, tmp_path_factory: pytest.TempPathFactory
) -> None:
    again = tmp_path_factory.mktemp("dist-again")
    run_release("dist", "--out", str(again))
    first, second = release_files(release.dist), release_files(again)
    assert (
        list(first)
        == list(second)
        == sorted([release.archive.name, release.sums.name, release.manifest.name])
    )
    assert first == second


def test_release_notes_list_the_bundled_dependency_versions(release: Release) -> None:
    notes = run_release("notes", "--dist", str(release.dist)).stdout
    listed = dict(
        line.split() for line in notes.split("Bundled Python packages")[1].split("\n\n")[0].splitlines()[1:]
    )
    # What the build environment had installed, which the zip bundles.
    assert {name: importlib.metadata.version(name) for name in listed} == listed
    assert {"tf", "grpcio", "protobuf", "httpx", "pyjwt", "cryptography"} <= set(listed)
    assert not {"pytest", "pyinstaller", "setuptools"} & set(listed)
    with zipfile.ZipFile(release.archive) as bundle:
        tops = {name.split("/")[1] for name in bundle.namelist() if name.startswith("_internal/")}
    assert {"grpc", "google", "httpx", "jwt", "cryptography", "tf"} <= tops


@pytest.fixture(scope="module")
def release_module(monkeypatch_module: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch_module.syspath_prepend(str(RELEASE_PY.parent))  # release.py imports lock.py beside it
    spec = importlib.util.spec_from_file_location("okta_release_tool", RELEASE_PY)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_dist_refuses_an_environment_that_is_not_the_lock(release_module: ModuleType, tmp_path: Path) -> None:
    release_module.check_build_environment(sys.executable)  # the venv ./build.sh installs
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "venv")], check=True)
    with pytest.raises(release_module.ReleaseError) as refused:
        release_module.check_build_environment(str(tmp_path / "venv" / "bin" / "python"))
    assert "differs from requirements-lock.txt" in str(refused.value)
    assert f"grpcio missing (locked: {importlib.metadata.version('grpcio')})" in str(refused.value)


def test_the_release_binary_serves_in_debug_mode_until_ctrl_c(
    release: Release, release_module: ModuleType, tmp_path: Path
) -> None:
    release_module.extract_package_zip(release.archive, tmp_path)
    process = subprocess.Popen(
        [str(tmp_path / f"terraform-provider-okta_v{release.version}"), "-debug"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": "/tmp"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "the release binary printed nothing in 60 s"
        printed = b""
        while not printed.endswith(b"\n\n"):
            chunk = process.stdout.read1()
            assert chunk, f"the release binary ended its output early: {printed!r}"
            printed += chunk
        reattach = json.loads(printed.decode().split("TF_REATTACH_PROVIDERS='")[1].split("'")[0])
        socket = Path(reattach["registry.terraform.io/okta-py/okta"]["Addr"]["String"])
        assert socket.is_socket()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        assert not socket.parent.exists()
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


@pytest.fixture(scope="session")
def mirror(tmp_path_factory: pytest.TempPathFactory, release: Release) -> Path:
    """`release.py mirror`'s network-mirror layout: the directory for okta-py/okta."""
    root = tmp_path_factory.mktemp("mirror")
    run_release("mirror", str(root), "--dist", str(release.dist))
    return root.joinpath(*PROVIDER_DIR)


@dataclass
class Applied:
    lock: str
    status: str
    installed: Path


def terraform_path() -> Path:
    found = os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not found:
        pytest.fail("no terraform on PATH: run the tests through ./build.sh test, which installs one")
    return Path(found).resolve()


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory, release: Release) -> Iterator[Applied]:
    """`terraform init` and `apply` with the zip in ~/.terraform.d/plugins and no Python around."""
    root = tmp_path_factory.mktemp("applied")
    home = root / "home"
    plugins = home.joinpath(".terraform.d", "plugins", *PROVIDER_DIR)
    plugins.mkdir(parents=True)
    shutil.copyfile(release.archive, plugins / release.archive.name)
    bin_dir = root / "bin"
    bin_dir.mkdir()
    (bin_dir / "terraform").symlink_to(terraform_path())
    cli_config = root / "terraformrc"
    cli_config.write_text("")  # no provider_installation: the implicit local mirror is used
    work = root / "work"
    work.mkdir()

    with Emulator(api_token=API_TOKEN) as emulator:
        app_id = emulator.store.add_app(AppKind.ORG2ORG)
        (work / "main.tf").write_text(CONFIGURATION % app_id)
        # Built from nothing: PATH is only terraform, and no PYTHON* or VIRTUAL_ENV is set.
        env = {
            "PATH": str(bin_dir),
            "HOME": str(home),
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "CHECKPOINT_DISABLE": "1",
            "TF_IN_AUTOMATION": "1",
            "OKTA_ORG_URL": emulator.url,
            "OKTA_API_TOKEN": API_TOKEN,
        }
        assert not [key for key in env if key.startswith("PYTHON") or key == "VIRTUAL_ENV"]
        # The second init installs again with the lock file present: Terraform then checks the
        # zip itself against the lock's h1 (which the first init took from the extracted files).
        for command in (
            ["init", "-input=false"],
            ["apply", "-auto-approve", "-input=false"],
            ["init", "-input=false"],
        ):
            if command[0] == "init":
                shutil.rmtree(work / ".terraform", ignore_errors=True)
            done = subprocess.run(
                ["terraform", *command, "-no-color"],
                cwd=work,
                env=env,
                executable=str(bin_dir / "terraform"),
                capture_output=True,
                text=True,
                timeout=300,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            assert done.returncode == 0, f"terraform {command[0]}:\n{done.stdout}\n{done.stderr}"
        status = emulator.store.connection(app_id).status
    installed = (
        work.joinpath(".terraform", "providers", *PROVIDER_DIR, release.version, "linux_amd64")
        / f"terraform-provider-okta_v{release.version}"
    )
    yield Applied(lock=(work / ".terraform.lock.hcl").read_text(), status=status, installed=installed)


def test_dist_holds_zip_manifest_and_verifying_sha256sums(release: Release) -> None:
    for path in (release.archive, release.sums, release.manifest):
        assert path.is_file(), path
    assert release.manifest.read_bytes() == (REPO / "registry-manifest.json").read_bytes()
    assert json.loads(release.manifest.read_text()) == {
        "version": 1,
        "metadata": {"protocol_versions": ["6.0"]},
    }
    with zipfile.ZipFile(release.archive) as bundle:
        entries = {info.filename: info.external_attr >> 16 for info in bundle.infolist()}
    executable = f"terraform-provider-okta_v{release.version}"
    assert entries[executable] == stat.S_IFREG | 0o755
    assert {name for name in entries if "/" not in name} == {executable}
    assert all(name.startswith("_internal/") for name in entries if name != executable)
    # Regular files only (no directory entries, no links), or Terraform's two h1 hashes disagree.
    assert all(stat.S_ISREG(mode) for mode in entries.values())
    assert list(entries) == sorted(entries)
    listed = {}
    for line in release.sums.read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert listed == {
        release.archive.name: sha256(release.archive),
        release.manifest.name: sha256(release.manifest),
    }


# What `python -m provider` and `./build.sh install` run, not the provider itself.
DEVELOPER_MODULES = {"provider/__main__.py", "provider/install.py"}
# Developer tools that are importable where the release is built; the provider imports none.
DEVELOPER_TOOLS = {"okta_emulator", "tools", "benchmarks", "tests", "pytest", "_pytest", "pygments"}
DEVELOPER_TOOLS |= {"mypy", "ruff", "PyInstaller", "pip", "setuptools"}


def test_zip_ships_what_the_provider_runs_and_nothing_of_the_build_machine(release: Release) -> None:
    with zipfile.ZipFile(release.archive) as bundle:
        contents = {info.filename: bundle.read(info) for info in bundle.infolist()}
    internal = {name.removeprefix("_internal/") for name in contents if name.startswith("_internal/")}
    # Every module of the provider package, compiled, and none of the developer modules beside it.
    sources = {path.relative_to(REPO).as_posix() for path in (REPO / "provider").rglob("*.py")}
    assert sources >= DEVELOPER_MODULES
    assert {name for name in internal if name.startswith("provider/")} == {
        name.removesuffix(".py") + ".pyc" for name in sources - DEVELOPER_MODULES
    }
    tops = {name.split("/")[0].removesuffix(".pyc") for name in internal}
    assert not tops & DEVELOPER_TOOLS
    # No metadata of the project's own (editable) install, and none of a dependency that points
    # outside the bundle (a file URL, scripts in a bin/ directory).
    dist_infos = {top for top in tops if top.endswith(".dist-info")}
    assert not [top for top in dist_infos if top.startswith("terraform_provider_okta-")]
    assert not [name for name in internal if name.endswith(("/direct_url.json", "/entry_points.txt"))]
    records = [contents[f"_internal/{top}/RECORD"].decode() for top in dist_infos]
    assert not [line for record in records for line in record.splitlines() if line.startswith("../")]
    # Nothing in it names the checkout it was built from.
    checkout = os.fsencode(REPO)
    assert not [name for name, data in contents.items() if checkout in data]


def test_zip_leaves_out_multiprocessing_whose_runtime_hook_would_run_at_every_start(
    release: Release,
) -> None:
    with zipfile.ZipFile(release.archive) as bundle:
        names = bundle.namelist()
    assert "_internal/concurrent/futures/thread.pyc" in names, "the listing is of the modules"
    assert not [name for name in names if name.startswith("_internal/multiprocessing/")]


def test_the_executable_runs_no_runtime_hook_the_provider_does_not_need(
    release: Release, tmp_path: Path
) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    name = f"terraform-provider-okta_v{release.version}"
    with zipfile.ZipFile(release.archive) as bundle:
        bundle.extract(name, tmp_path)
    embedded = set(CArchiveReader(str(tmp_path / name)).toc)
    assert "terraform_provider_okta_entry" in embedded, "the listing is of the scripts it runs"
    assert "pyi_rth_pkgutil" in embedded
    assert "pyi_rth_inspect" not in embedded


def test_binary_installs_and_applies_with_no_python_in_the_environment(
    release: Release, applied: Applied
) -> None:
    assert applied.status == "ENABLED"
    assert 'provider "registry.terraform.io/okta-py/okta"' in applied.lock
    assert f'version = "{release.version}"' in applied.lock
    # What Terraform installed and ran is the PyInstaller executable, not a Python launcher.
    assert applied.installed.read_bytes()[:4] == b"\x7fELF"
    assert (applied.installed.parent / "_internal").is_dir()


def test_network_mirror_layout_and_hashes_match_terraform(
    release: Release, mirror: Path, applied: Applied
) -> None:
    assert json.loads((mirror / "index.json").read_text()) == {"versions": {release.version: {}}}
    archives = json.loads((mirror / f"{release.version}.json").read_text())["archives"]
    assert list(archives) == ["linux_amd64"]
    entry = archives["linux_amd64"]
    assert entry["url"] == release.archive.name
    assert (mirror / release.archive.name).read_bytes() == release.archive.read_bytes()
    h1 = [value for value in entry["hashes"] if value.startswith("h1:")]
    zh = [value for value in entry["hashes"] if value.startswith("zh:")]
    assert zh == [f"zh:{sha256(release.archive)}"]
    locked = re.findall(r'"(h1:[A-Za-z0-9+/=]+)"', applied.lock)
    assert len(h1) == 1
    assert locked == h1, f"lock file has {locked}, the mirror {h1}"
