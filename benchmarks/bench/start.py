"""Section 1, start-up: process start until the go-plugin handshake, beside two floors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import startup

from .harness import Bench, progress
from .profile import Profile
from .report import Row


def section_startup(
    bench: Bench, profile: Profile, dist: Path, rows: list[Row]
) -> tuple[float, dict[str, Any]]:
    """Returns the floor's median in seconds, and the section's JSON; the release comes from `dist`."""
    progress("1. start-up: time to the go-plugin handshake")
    python = bench.python
    archive = startup.release_zip(dist)
    scratch = bench.root / "startup"
    (scratch / "tmp").mkdir(parents=True)
    env = startup.plugin_environment(home=bench.home, tmp=scratch / "tmp")
    cases = startup.python_cases(python, scratch / "mirror")
    skipped = startup.release_problem(archive)
    if skipped is None:
        executable = startup.extract(archive, scratch / "package")
        cases.append(startup.Case("release binary (PyInstaller)", [str(executable)], archive.name))
    else:
        progress(f"  release binary not measured: {skipped}")
    startup.sample(cases, env, profile.startup_runs, profile.startup_warmups)
    for case in cases:
        progress(f"  {case.name}: median {case.median_ms:.1f} ms")
    floor, framework = cases[0], cases[1]  # python_cases: floor, framework floor, launcher
    for case in cases[1:]:
        rows.append(Row("1. start-up", case.name, case.median_ms, floor.median_ms, "ms", "median"))
    launcher = cases[2]
    rows.append(
        Row(
            "1. start-up",
            f"{launcher.name}, beside the framework floor",
            launcher.median_ms,
            framework.median_ms,
            "ms",
            "median; the provider's own share",
        )
    )
    report = {
        "measure": "process start until the first stdout line (the go-plugin handshake)",
        "runs": profile.startup_runs,
        "warmups": profile.startup_warmups,
        "floor_median_ms": round(floor.median_ms, 2),
        "cases": [
            {
                "name": case.name,
                "command": case.shown or " ".join(case.command),
                "median_ms": round(case.median_ms, 2),
                "p90_ms": round(case.p90_ms, 2),
                "samples_ms": [round(sample, 2) for sample in case.samples_ms],
            }
            for case in cases
        ],
        "release_binary_skipped": skipped,
    }
    return floor.median_ms / 1000, report
