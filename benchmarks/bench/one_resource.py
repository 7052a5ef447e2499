"""Section 2, one resource: plan, apply and refreshing plan beside one built-in terraform_data."""

from __future__ import annotations

import statistics
from typing import Any

from okta_emulator import Emulator

from .harness import Bench, data_config, forget_state, new_apps, okta_config, progress
from .processes import measured_command
from .profile import Profile
from .report import Row


def section_one_resource(
    bench: Bench, emulator: Emulator, profile: Profile, startup_floor: float, rows: list[Row]
) -> dict[str, Any]:
    progress(f"2. one resource: {profile.one_resource_runs} runs (+1 warm-up) per command")
    commands = ("plan (no state: create)", "apply (create)", "plan (refresh)")
    medians: dict[str, dict[str, float]] = {}
    samples: dict[str, dict[str, list[float]]] = {}
    for kind in ("terraform_data", "okta_app_connection"):
        workdir = bench.workdir(f"one-{kind}")
        env = bench.env(emulator)
        okta = kind == "okta_app_connection"
        (workdir / "main.tf").write_text(okta_config(new_apps(emulator, 1)) if okta else data_config(1))
        bench.init(workdir, env)
        taken: dict[str, list[float]] = {command: [] for command in commands}
        for repeat in range(profile.one_resource_runs + 1):
            if okta:  # a fresh application each time: every apply is a real create
                (workdir / "main.tf").write_text(okta_config(new_apps(emulator, 1)))
            forget_state(workdir)
            runs = [bench.plan(workdir, env), bench.apply(workdir, env), bench.plan(workdir, env)]
            if repeat > 0:
                for command, run in zip(commands, runs, strict=True):
                    taken[command].append(run.seconds)
        samples[kind] = taken
        medians[kind] = {command: statistics.median(values) for command, values in taken.items()}
        shown = ", ".join(f"{command} {seconds:.2f} s" for command, seconds in medians[kind].items())
        progress(f"  {kind}: {shown}")

    # Anatomy, once, with the wrapped launcher: how often Terraform starts the provider per
    # command, and how long each process lives and computes.
    workdir = bench.workdir("one-anatomy")
    (workdir / "main.tf").write_text(okta_config(new_apps(emulator, 1)))
    bench.init(workdir, bench.env(emulator, wrapped=True))
    anatomy: dict[str, Any] = {}
    for command in commands:
        usage_file = bench.root / "usage-anatomy"
        run, summary = measured_command(bench, emulator, workdir, command.split()[0], usage_file)
        anatomy[command] = {"seconds": round(run.seconds, 3), "exit_code": run.returncode, **summary}
        lives = [process["alive_until_s"] - process["alive_from_s"] for process in summary["processes"]]
        progress(
            f"  anatomy of {command}: {run.seconds:.2f} s, {len(lives)} provider processes alive "
            f"{', '.join(f'{life:.2f}' for life in lives)} s"
        )

    for command in commands:
        starts = anatomy[command]["provider_processes"]
        with_startups = medians["terraform_data"][command] + starts * startup_floor
        rows.append(
            Row(
                "2. one resource",
                f"terraform {command}",
                medians["okta_app_connection"][command],
                medians["terraform_data"][command],
                "s",
                f"median; floor: one terraform_data; provider started {starts}x, "
                f"floor + {starts} x start-up floor = {with_startups:.2f} s",
            )
        )
    return {
        "runs": profile.one_resource_runs,
        "latency_ms": 0,
        "median_seconds": {kind: {c: round(s, 3) for c, s in m.items()} for kind, m in medians.items()},
        "samples_seconds": {
            kind: {c: [round(s, 3) for s in values] for c, values in taken.items()}
            for kind, taken in samples.items()
        },
        "anatomy_wrapped_launcher": anatomy,
    }
