"""Release tooling for the okta-py/okta provider: a Python-free binary and its Terraform layouts.

    python tools/release.py dist [--out dist]      build the release files with PyInstaller
    python tools/release.py mirror DIR [--dist dist] [--verify]
                                                   write a Terraform network-mirror layout
    python tools/release.py notes [--dist dist]    print the release notes

`dist` builds the provider with PyInstaller in one-directory mode (stripped) and writes, for this
machine's platform (linux_amd64 on the build machines):

- `terraform-provider-okta_VERSION_OS_ARCH.zip`: the executable `terraform-provider-okta_vVERSION`
  and its `_internal/` directory at the root, as Terraform expects of a provider package;
- `terraform-provider-okta_VERSION_manifest.json`: a copy of the repository's
  `registry-manifest.json`;
- `terraform-provider-okta_VERSION_SHA256SUMS`: `sha256sum` lines for the two files above.

The zip holds regular files only: no directory entries and no symbolic links (links are stored as
copies of their targets). Terraform hashes a packed package ("h1:", `dirhash.HashZip`) over every
zip entry and an unpacked one (`dirhash.HashDir`) over the files it finds on disk, following
links; with files only, the two agree and a lock file written from either verifies the other.

`mirror` writes the network-mirror protocol's static layout for `registry.terraform.io/okta-py/okta`
(`index.json`, `VERSION.json` with "h1:" and "zh:" hashes, and the zip). `--verify` installs the
zip from a packed filesystem mirror with the `terraform` on PATH and checks that the lock file
Terraform writes holds the same "h1:" hash.

Needs only the standard library. `dist` builds with the repository's .venv (the running interpreter
when there is none), and only when it holds exactly the packages of `requirements-lock.txt`, at
their locked versions (`./build.sh dist` installs them first): the release bundles the lock.
`notes` lists the bundled dependency versions from the lock.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import re
import select
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterable
from pathlib import Path

import lock

REPO = Path(__file__).resolve().parent.parent
HOST, NAMESPACE, TYPE = "registry.terraform.io", "okta-py", "okta"
SOURCE = f"{HOST}/{NAMESPACE}/{TYPE}"
PROJECT = f"terraform-provider-{TYPE}"
REGISTRY_MANIFEST = REPO / "registry-manifest.json"
DEFAULT_MANIFEST = '{"version": 1, "metadata": {"protocol_versions": ["6.0"]}}\n'
MAGIC_COOKIE = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
)
# Zip entries get this timestamp, so the archive depends on the files' contents only.
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
_ENTRY_SCRIPT = "from provider.main import main\n\nmain()\n"


class ReleaseError(Exception):
    """A release step failed; the message says which and why."""


# --- names and versions ---------------------------------------------------------------------


def project_version() -> str:
    """The version in pyproject.toml (what `importlib.metadata.version` reports once installed)."""
    with (REPO / "pyproject.toml").open("rb") as file:
        found = tomllib.load(file)["project"]["version"]
    if not isinstance(found, str):
        raise ReleaseError("pyproject.toml has no [project] version string")
    return found


def platform_name() -> str:
    """Terraform's name for this machine's platform, as in `provider.install`: linux_amd64."""
    machine = platform.machine().lower()
    return f"{sys.platform.rstrip('0123456789')}_{_ARCHES.get(machine, machine)}"


def executable_name(version: str) -> str:
    return f"{PROJECT}_v{version}"


def zip_name(version: str, target: str) -> str:
    return f"{PROJECT}_{version}_{target}.zip"


def sums_name(version: str) -> str:
    return f"{PROJECT}_{version}_SHA256SUMS"


def manifest_name(version: str) -> str:
    return f"{PROJECT}_{version}_manifest.json"


# --- hashes ---------------------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _hash1(entries: Iterable[tuple[str, bytes]]) -> str:
    """Go's `dirhash.Hash1` over (path, content) pairs: the "h1:" hash in Terraform lock files."""
    lines = []
    for path, content in entries:
        if "\n" in path:
            raise ReleaseError(f"dirhash cannot hash a file name with a newline: {path!r}")
        lines.append((path, f"{hashlib.sha256(content).hexdigest()}  {path}\n"))
    # sort.Strings orders by bytes; for UTF-8 that is the order of code points, which str uses.
    summary = "".join(line for _, line in sorted(lines)).encode()
    return "h1:" + base64.b64encode(hashlib.sha256(summary).digest()).decode()


def hash1_zip(archive: Path) -> str:
    """The "h1:" hash of `archive`, the same whether Terraform hashes it packed or extracted.

    Packed, Terraform hashes every zip entry (`dirhash.HashZip`); extracted, every file on disk,
    links followed (`dirhash.HashDir`), and its lock file records the latter. The two agree only
    for a zip of regular files, so any other zip is refused: with a directory entry, the first
    `terraform init` succeeds and every later one fails the lock file's checksum.
    """
    with zipfile.ZipFile(archive) as bundle:
        members = bundle.infolist()
        for info in members:
            if info.is_dir():
                raise ReleaseError(f"{archive.name} holds a directory entry, {info.filename}")
            if stat.S_ISLNK(info.external_attr >> 16):
                raise ReleaseError(f"{archive.name} holds a symbolic link, {info.filename}")
        return _hash1((info.filename, bundle.read(info)) for info in members)


def hash1_dir(directory: Path) -> str:
    """Go's `dirhash.HashDir(directory, "", Hash1)`: every non-directory, links followed."""
    files = sorted(path for path in directory.rglob("*") if not (path.is_dir() and not path.is_symlink()))
    return _hash1((path.relative_to(directory).as_posix(), path.read_bytes()) for path in files)


# --- zip ------------------------------------------------------------------------------------


def write_package_zip(source: Path, archive: Path) -> None:
    """Zip the files under `source` at the archive's root, in path order, modes kept.

    Links are stored as copies of what they point to; directories get no entries of their own.
    """
    files = sorted(
        (path.relative_to(source).as_posix(), path)
        for path in source.rglob("*")
        if not (path.is_dir() and not path.is_symlink())
    )
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for name, path in files:
            resolved = path.resolve(strict=True)
            if not resolved.is_file():
                raise ReleaseError(f"{path} is not a regular file")
            mode = 0o755 if resolved.stat().st_mode & stat.S_IXUSR else 0o644
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
            info.create_system = 3  # Unix: readers take the mode from external_attr's high bits.
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with resolved.open("rb") as reader, bundle.open(info, "w") as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)


def extract_package_zip(archive: Path, destination: Path) -> None:
    """Extract as Terraform does, with each file's mode from the zip (ZipFile.extractall drops it)."""
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            target = destination.joinpath(*info.filename.split("/"))
            if not target.resolve().is_relative_to(destination.resolve()):
                raise ReleaseError(f"{archive.name}: {info.filename} points outside the package")
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with bundle.open(info) as reader, target.open("wb") as writer:
                shutil.copyfileobj(reader, writer, 1 << 20)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode)


# --- dist -----------------------------------------------------------------------------------


def build_interpreter() -> str:
    """The repository's virtualenv, where the provider and its dependencies are installed."""
    venv_python = REPO / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def installed_in(python: str) -> dict[str, str]:
    """The distributions installed for `python`, normalized name to version."""
    script = (
        "import importlib.metadata as m, json\n"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    done = subprocess.run([python, "-c", script], capture_output=True, text=True, check=True)
    return {lock.normalize(name): version for name, version in json.loads(done.stdout).items()}


def check_build_environment(python: str) -> None:
    """Refuse to build unless `python` holds exactly the locked packages, at the locked versions.

    PyInstaller bundles what the provider imports from the build environment, optional imports
    included, so the release is the lock's only when that environment is.
    """
    lock_text = lock.LOCK.read_text()
    installed = installed_in(python)
    pins = lock.read_lock(lock_text)
    differences = [
        f"{name} {installed.get(name, 'missing')} (locked: {pin.version})"
        for name, pin in sorted(pins.items())
        if installed.get(name) != pin.version
    ]
    differences += [f"{name} {installed[name]} (not locked)" for name in lock.unlocked(lock_text, installed)]
    if differences:
        raise ReleaseError(
            f"the build environment of {python} differs from {lock.LOCK.name}: {', '.join(differences)}; "
            "`./build.sh dist` installs the lock"
        )


def registry_manifest() -> bytes:
    """The repository's registry-manifest.json, created with the protocol-6 default if absent."""
    if not REGISTRY_MANIFEST.exists():
        REGISTRY_MANIFEST.write_text(DEFAULT_MANIFEST)
    return REGISTRY_MANIFEST.read_bytes()


def run_pyinstaller(python: str, version: str, scratch: Path) -> Path:
    """Build the one-directory bundle under `scratch` and return its directory.

    PyInstaller first writes the build's spec from the options below (pyi-makespec), which
    `_without_unused_runtime_hooks` edits, then builds from it.
    """
    entry = scratch / "terraform_provider_okta_entry.py"
    entry.write_text(_ENTRY_SCRIPT)
    name = executable_name(version)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    makespec = [
        python,
        "-m",
        "PyInstaller.utils.cliutils.makespec",
        "--log-level",
        "WARN",
        "--onedir",
        "--strip",
        "--name",
        name,
        "--specpath",
        str(scratch / "spec"),
        # The source tree, not the editable install's import hook, is where `provider` lives.
        "--paths",
        str(REPO),
        # Only the modules the entry script imports, found by PyInstaller's analysis: collecting
        # every submodule of `provider` would add `provider.install`, whose importlib.metadata call
        # makes PyInstaller copy the editable install's dist-info (this checkout's path, the
        # emulator's entry point). tests/release checks the zip's listing.
        # Modules as plain .pyc files beside the executable rather than in a compressed archive:
        # nothing to decompress at each start, which Terraform pays 3 to 4 times per command
        # (about 15 % less time to the handshake, builds of the same code side by side).
        "--debug",
        "noarchive",
        # Importable in the build venv, never used by the provider: pygments comes with pytest and
        # would be collected through httpx's optional command line (4 MB); _pytest through anyio.
        "--exclude-module",
        "pygments",
        "--exclude-module",
        "_pytest",
        # grpc imports grpcio-tools when it is installed (a dev dependency, for tools/protocol.py):
        # the provider never runs protoc, so its compiler (about 7 MB) stays out.
        "--exclude-module",
        "grpc_tools",
        # Nothing in the provider starts processes, but once multiprocessing is bundled (the
        # stdlib's concurrent.futures.process names it), PyInstaller's runtime hook for it imports
        # it, with spawn, pickle and util, at every start: about 5 ms before the handshake.
        "--exclude-module",
        "multiprocessing",
        str(entry),
    ]
    subprocess.run(makespec, check=True, cwd=scratch, env=env, stdout=subprocess.DEVNULL)
    spec = scratch / "spec" / f"{name}.spec"
    spec.write_text(_without_unused_runtime_hooks(spec.read_text()))
    build = [python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN"]
    build += ["--distpath", str(scratch / "dist"), "--workpath", str(scratch / "build"), str(spec)]
    subprocess.run(build, check=True, cwd=scratch, env=env)
    bundle = scratch / "dist" / name
    if not (bundle / name).is_file() or not (bundle / "_internal").is_dir():
        raise ReleaseError(f"PyInstaller did not produce {bundle / name} and {bundle / '_internal'}")
    return bundle


# PyInstaller adds a runtime hook for each hooked module the analysis finds, with no option to
# leave one out. `pyi_rth_inspect` makes inspect.getsourcefile() work in a frozen program, which
# the provider never calls, and imports zipfile (with shutil, bz2, lzma and pathlib) and reads
# base_library.zip's listing to do so: about 5 ms before the handshake, at every start.
UNUSED_RUNTIME_HOOKS = ("pyi_rth_inspect",)


def _without_unused_runtime_hooks(spec: str) -> str:
    """The spec with the `UNUSED_RUNTIME_HOOKS` taken out of the scripts the executable runs."""
    marker = "\npyz = PYZ(a.pure)"
    if marker not in spec:
        raise ReleaseError(f"the spec PyInstaller wrote has no {marker.strip()!r} to insert before")
    keep = f"a.scripts = [script for script in a.scripts if script[0] not in {UNUSED_RUNTIME_HOOKS!r}]"
    return spec.replace(marker, f"\n{keep}{marker}", 1)


def read_handshake(executable: Path, timeout: float = 60.0) -> str:
    """Start the provider as Terraform would, with a client certificate (so through its mutual-TLS
    relay), and return its go-plugin handshake line."""
    from provider.plugin.tls import generate

    with tempfile.TemporaryDirectory(prefix="tf-okta-release-") as scratch:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": scratch,
            "TMPDIR": scratch,  # where the plugin puts its socket, removed with the directory
            MAGIC_COOKIE[0]: MAGIC_COOKIE[1],
            "PLUGIN_PROTOCOL_VERSIONS": "6",
            "PLUGIN_CLIENT_CERT": generate().cert_pem.decode(),
        }
        process = subprocess.Popen(
            [str(executable)],
            cwd=scratch,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            ready, _, _ = select.select([process.stdout], [], [], timeout)
            line = process.stdout.readline() if ready else ""
            if not line:
                process.kill()
                _, errors = process.communicate(timeout=10)
                raise ReleaseError(f"{executable.name} printed no handshake in {timeout:.0f} s:\n{errors}")
            return line.strip()
        finally:
            process.kill()
            process.wait()


def check_package(archive: Path, version: str) -> None:
    """Extract the zip as Terraform would and start the provider from there."""
    with tempfile.TemporaryDirectory(prefix="tf-okta-package-") as scratch:
        root = Path(scratch)
        extract_package_zip(archive, root)
        executable = root / executable_name(version)
        if not os.access(executable, os.X_OK):
            raise ReleaseError(f"{executable.name} is not executable once extracted")
        if hash1_dir(root) != hash1_zip(archive):
            raise ReleaseError("the h1 hash of the zip differs from that of its extracted files")
        handshake = read_handshake(executable)
    if not re.fullmatch(r"1\|6\|unix\|[^|]+\|grpc\|[A-Za-z0-9+/]+", handshake):
        raise ReleaseError(f"unexpected handshake from the extracted provider: {handshake!r}")


def dist(out: Path) -> Path:
    """Build the release files into `out` and return the zip's path."""
    started = time.monotonic()
    version = project_version()
    target = platform_name()
    python = build_interpreter()
    check_build_environment(python)
    print(f"==> PyInstaller {installed_in(python)['pyinstaller']} ({python})", file=sys.stderr)
    manifest = registry_manifest()
    out.mkdir(parents=True, exist_ok=True)
    archive = out / zip_name(version, target)
    with tempfile.TemporaryDirectory(prefix="tf-okta-build-") as scratch:
        bundle = run_pyinstaller(python, version, Path(scratch))
        write_package_zip(bundle, archive)
    check_package(archive, version)
    manifest_path = out / manifest_name(version)
    manifest_path.write_bytes(manifest)
    (out / sums_name(version)).write_text(
        "".join(f"{sha256_file(path)}  {path.name}\n" for path in sorted((archive, manifest_path)))
    )
    elapsed = time.monotonic() - started
    size = archive.stat().st_size
    print(f"==> {archive} ({size / 1e6:.1f} MB) built in {elapsed:.0f} s", file=sys.stderr)
    return archive


# --- mirror ---------------------------------------------------------------------------------


def find_zip(dist_dir: Path, version: str, target: str) -> Path:
    archive = dist_dir / zip_name(version, target)
    if not archive.is_file():
        raise ReleaseError(f"{archive} does not exist: run `python tools/release.py dist` first")
    return archive


def _read_json(path: Path) -> dict[str, object]:
    if not path.exists():
        return {}
    loaded = json.loads(path.read_text())
    return loaded if isinstance(loaded, dict) else {}


def mirror(directory: Path, dist_dir: Path) -> dict[str, str]:
    """Write the network-mirror layout and return this platform's archive entry (url, h1, zh)."""
    version = project_version()
    target = platform_name()
    archive = find_zip(dist_dir, version, target)
    h1, zh = hash1_zip(archive), "zh:" + sha256_file(archive)
    provider_dir = directory / HOST / NAMESPACE / TYPE
    provider_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(archive, provider_dir / archive.name)

    # Other versions and platforms already in the mirror are kept.
    index_path = provider_dir / "index.json"
    versions = _read_json(index_path).get("versions")
    versions = dict(versions) if isinstance(versions, dict) else {}
    versions[version] = {}
    index_path.write_text(json.dumps({"versions": dict(sorted(versions.items()))}, indent=2) + "\n")

    version_path = provider_dir / f"{version}.json"
    archives = _read_json(version_path).get("archives")
    archives = dict(archives) if isinstance(archives, dict) else {}
    archives[target] = {"url": archive.name, "hashes": [h1, zh]}
    version_path.write_text(json.dumps({"archives": dict(sorted(archives.items()))}, indent=2) + "\n")
    return {"url": archive.name, "h1": h1, "zh": zh}


def terraform_binary() -> str:
    found = os.environ.get("TERRAFORM") or shutil.which("terraform")
    if not found:
        raise ReleaseError("no terraform on PATH (or in $TERRAFORM)")
    return found


LOCK_HASH = re.compile(r'"(h1:[A-Za-z0-9+/=]+)"')


def terraform_lock_h1(archive: Path) -> list[str]:
    """Install `archive` from a packed filesystem mirror with `terraform init`; the lock's h1 hashes."""
    with tempfile.TemporaryDirectory(prefix="tf-okta-verify-") as scratch:
        root = Path(scratch)
        plugins = root / "plugins"
        (plugins / HOST / NAMESPACE / TYPE).mkdir(parents=True)
        shutil.copyfile(archive, plugins / HOST / NAMESPACE / TYPE / archive.name)
        config = root / "terraformrc"
        config.write_text(
            f'provider_installation {{\n  filesystem_mirror {{\n    path = "{plugins}"\n  }}\n}}\n'
        )
        work = root / "work"
        work.mkdir()
        required = f'{TYPE} = {{ source = "{NAMESPACE}/{TYPE}" }}'
        (work / "main.tf").write_text(f"terraform {{\n  required_providers {{\n    {required}\n  }}\n}}\n")
        env = {key: value for key, value in os.environ.items() if not key.startswith(("TF_", "CHECKPOINT"))}
        env.update(HOME=str(root), TF_CLI_CONFIG_FILE=str(config), CHECKPOINT_DISABLE="1")
        done = subprocess.run(
            [terraform_binary(), "init", "-input=false", "-no-color"],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise ReleaseError(f"terraform init failed:\n{done.stdout}\n{done.stderr}")
        return LOCK_HASH.findall((work / ".terraform.lock.hcl").read_text())


# --- notes ----------------------------------------------------------------------------------


def notes(dist_dir: Path) -> str:
    version = project_version()
    target = platform_name()
    archive = find_zip(dist_dir, version, target)
    libc, libc_version = platform.libc_ver()
    libc_text = f"{libc} {libc_version}" if libc else "unknown (platform.libc_ver() found none)"
    bundled = lock.runtime_packages(lock.LOCK.read_text(), lock.load_pyproject())
    packages = "".join(f"  {name} {version}\n" for name, version in bundled.items())
    return f"""\
{SOURCE} {version}

Supported platform: {target} only. The provider is a self-contained executable (built with
PyInstaller from Python {platform.python_version()}): no Python installation is needed to run it.

It needs a C library at least as new as the build machine's: {libc_text}
(platform.libc_ver() = {(libc, libc_version)!r}). Older glibc releases cannot load it.

Bundled Python packages, as pinned (with their hashes) in {lock.LOCK.name}:
{packages}
Install: Terraform installs it from a registry, a network mirror or a filesystem mirror, e.g.
  ~/.terraform.d/plugins/{SOURCE}/{archive.name}

Checksums:
  {archive.name}
    sha256: {sha256_file(archive)}
    lock file: {hash1_zip(archive)}
"""


# --- command line ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/release.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("dist", help="build the release zip, manifest and SHA256SUMS")
    build.add_argument("--out", type=Path, default=Path("dist"), help="output directory (default: dist)")
    layout = commands.add_parser("mirror", help="write a network-mirror layout of the built zip")
    layout.add_argument("directory", type=Path, metavar="DIR")
    layout.add_argument("--dist", type=Path, default=Path("dist"), help="where the zip is (default: dist)")
    layout.add_argument(
        "--verify", action="store_true", help="check the h1 hash against `terraform init`'s lock file"
    )
    release_notes = commands.add_parser("notes", help="print the release notes")
    release_notes.add_argument("--dist", type=Path, default=Path("dist"), help="where the zip is")
    args = parser.parse_args(argv)

    try:
        if args.command == "dist":
            print(dist(args.out))
        elif args.command == "mirror":
            entry = mirror(args.directory, args.dist)
            print(json.dumps(entry, indent=2))
            if args.verify:
                locked = terraform_lock_h1(find_zip(args.dist, project_version(), platform_name()))
                if entry["h1"] not in locked:
                    raise ReleaseError(f"terraform's lock file has {locked}, not {entry['h1']}")
                print(f"terraform init locked {entry['h1']}: the hashes agree", file=sys.stderr)
        else:
            print(notes(args.dist), end="")
    except (ReleaseError, subprocess.CalledProcessError, OSError) as error:
        print(f"release.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
