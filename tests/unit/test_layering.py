"""The provider's modules import downwards only: no import cycles, and the Okta client knows
nothing of Terraform or of the layers above it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "provider"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Each module of `provider` and the `provider` modules it imports, at any depth of its code."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
        graph[_module_name(path)] = {name for name in imported if name.split(".")[0] == "provider"}
    return graph


def _cycle_through(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path of imports from `start` back to itself, if there is one."""
    stack = [(start, [start])]
    seen: set[str] = set()
    while stack:
        module, path = stack.pop()
        for imported in graph.get(module, ()):
            if imported == start:
                return [*path, start]
            if imported not in seen:
                seen.add(imported)
                stack.append((imported, [*path, imported]))
    return None


def test_no_module_of_the_provider_imports_one_that_imports_it_back() -> None:
    graph = _imports()
    assert "provider.resources.app_connection" in graph
    cycles = [cycle for module in sorted(graph) if (cycle := _cycle_through(graph, module))]
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(cycle) for cycle in cycles)


def test_the_okta_client_imports_nothing_above_it() -> None:
    for module, imported in _imports().items():
        if module.startswith("provider.okta"):
            above = {name for name in imported if not name.startswith("provider.okta")}
            assert above == set(), f"{module} imports {sorted(above)}"


def test_the_plugin_starts_without_the_http_stack() -> None:
    # httpx costs about 60 ms to import: the handshake must not wait for it. The provider, its
    # settings and the servicer are what the runner loads before the handshake.
    loaded = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys, provider.provider, provider.plugin.servicer, provider.settings; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('httpx', 'httpcore')))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    )
    assert loaded.stdout.strip() == "[]"


@pytest.mark.parametrize("mutual_tls", [True, False], ids=["as-terraform-starts-it", "plugin-tls-off"])
def test_the_installed_launcher_reaches_the_handshake_without_site_or_pathlib(
    tmp_path: Path, mutual_tls: bool
) -> None:
    # What `./build.sh install` writes starts Python without `site` (no .pth files, no editable
    # install hook) and the provider loads no pathlib before the handshake: about 3 ms a start.
    from provider.install import import_path, launcher_command
    from provider.plugin.runner import MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE
    from provider.plugin.tls import generate

    interpreter, *flags = launcher_command(sys.executable, import_path(sys.executable))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    env |= {MAGIC_COOKIE_KEY: MAGIC_COOKIE_VALUE, "PLUGIN_PROTOCOL_VERSIONS": "6"}
    if mutual_tls:
        env["PLUGIN_CLIENT_CERT"] = generate().cert_pem.decode()
    process = subprocess.Popen(
        [interpreter, "-X", "importtime", *flags],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline().startswith("1|6|unix|")
    finally:
        process.terminate()
    imported = {line.rsplit("|", 1)[-1].strip() for line in process.communicate(timeout=30)[1].splitlines()}
    assert "provider.plugin.servicer" in imported, "importtime lists the start-up's modules"
    assert ("provider.plugin.mtls" in imported) == mutual_tls
    assert not imported & {"site", "pathlib"}
