"""The launcher `provider.install` writes: what it runs, and what it says when its venv changed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from provider.install import import_path, launcher_script


def test_the_launcher_names_the_fix_when_its_python_environment_is_gone(tmp_path: Path) -> None:
    # A .venv made anew with another Python has another site-packages than the one written in.
    gone = str(tmp_path / "old venv" / "lib" / "python3.10" / "site-packages")
    launcher = tmp_path / "terraform-provider-okta"
    launcher.write_bytes(launcher_script(sys.executable, [gone, *import_path(sys.executable)]))
    launcher.chmod(0o755)
    done = subprocess.run([str(launcher)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert done.stderr.strip().endswith("run ./build.sh install (python -m provider.install) again")
    assert "Traceback" not in done.stderr


def test_a_launcher_whose_directories_are_there_runs_the_provider(tmp_path: Path) -> None:
    launcher = tmp_path / "terraform-provider-okta"
    launcher.write_bytes(launcher_script(sys.executable, import_path(sys.executable)))
    launcher.chmod(0o755)
    done = subprocess.run([str(launcher)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1, "started by hand, the provider says what it is and exits"
    assert "This is a Terraform provider plugin" in done.stderr
