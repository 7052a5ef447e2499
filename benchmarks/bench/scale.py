"""Sections 3, 3b and 3c, scale: N resources beside the three floors (formula, same-size, plugin)."""

from __future__ import annotations

import math
import os
import statistics
from pathlib import Path
from typing import Any

from okta_emulator import Emulator

from .harness import (
    AUTO,
    LABELS,
    STARTUPS,
    Bench,
    Run,
    data_config,
    forget_state,
    new_apps,
    okta_config,
    progress,
    state_bytes,
)
from .profile import Profile
from .report import PLUGIN_FLOOR_SECTION, SAME_SIZE_SECTION, Row


def section_scale(
    bench: Bench, emulator: Emulator, profile: Profile, startup_floor: float, rows: list[Row]
) -> dict[str, Any]:
    repeats = profile.scale_repeats
    progress(
        f"3. scale: N in {profile.scale_sizes}, latency in {profile.latencies_ms} ms, "
        f"-parallelism in {profile.parallelisms} (max_concurrent_requests = -parallelism), "
        f"median of {repeats} run(s) each"
    )
    commands = ("apply", "plan")
    baselines: dict[int, dict[str, list[float]]] = {}
    baseline_cpu: dict[int, dict[str, list[dict[str, float]]]] = {}
    matched: dict[int, dict[str, Any]] = {}
    cells: list[dict[str, Any]] = []
    for size in profile.scale_sizes:
        workdir = bench.workdir(f"scale-data-{size}")
        baselines[size], baseline_cpu[size] = data_runs(bench, workdir, data_config(size), repeats)
        baseline = {command: statistics.median(baselines[size][command]) for command in commands}
        data_state_bytes = state_bytes(workdir)
        progress(f"  terraform_data N={size}: apply {baseline['apply']:.2f} s, plan {baseline['plan']:.2f} s")

        workdir = bench.workdir(f"scale-okta-{size}")
        env = bench.env(emulator)
        (workdir / "main.tf").write_text(okta_config(new_apps(emulator, 1)))
        bench.init(workdir, env)
        for latency in profile.latencies_ms:
            emulator.latency_ms = latency
            for parallelism in profile.parallelisms:
                flag = f"-parallelism={parallelism}"
                runs: dict[str, list[Run]] = {command: [] for command in commands}
                calls: dict[str, list[int]] = {command: [] for command in commands}
                peaks: dict[str, list[int]] = {command: [] for command in commands}
                for _ in range(repeats):
                    app_ids = new_apps(emulator, size)
                    config = okta_config(app_ids, max_concurrent_requests=parallelism)
                    (workdir / "main.tf").write_text(config)
                    forget_state(workdir)
                    for command in commands:
                        emulator.store.clear_requests()
                        run = bench.command(workdir, env, command, flag)
                        runs[command].append(run)
                        calls[command].append(len(emulator.store.requests()))
                        peaks[command].append(emulator.store.peak_in_flight)
                cell: dict[str, Any] = {"n": size, "latency_ms": latency, "parallelism": parallelism}
                for command in commands:
                    seconds = statistics.median(run.seconds for run in runs[command])
                    made = round(statistics.median(calls[command]))
                    waits = math.ceil(made / parallelism) * latency / 1000
                    floor = baseline[command] + STARTUPS[command] * startup_floor + waits
                    failed = [run.returncode for run in runs[command] if run.returncode]
                    cell[command] = {
                        "seconds": round(seconds, 3),
                        "samples_seconds": [round(run.seconds, 3) for run in runs[command]],
                        "samples_cpu": [run.cpu_json() for run in runs[command]],
                        "exit_codes": [run.returncode for run in runs[command]],
                        "api_calls": calls[command],
                        "calls_per_resource": round(made / size, 3),
                        "peak_in_flight": max(peaks[command]),
                        "floor_seconds": round(floor, 3),
                        "floor_terms": {
                            "terraform_data": round(baseline[command], 3),
                            "startups": round(STARTUPS[command] * startup_floor, 3),
                            "latency_waits": round(waits, 3),
                        },
                    }
                    label = LABELS[command]
                    rows.append(
                        Row(
                            "3. scale",
                            f"N={size} {latency:>2} ms P={parallelism} {label}",
                            seconds,
                            floor,
                            "s",
                            f"k={made / size:.2f}, peak in flight {max(peaks[command])}"
                            + (f", exit codes {failed}" if failed else ""),
                        )
                    )
                    shown = ", ".join(f"{run.seconds:.2f}" for run in runs[command])
                    last = runs[command][-1]
                    progress(
                        f"  N={size} latency={latency} ms P={parallelism} {command}: {shown} s "
                        f"(floor {floor:.2f} s, {made} calls, peak in flight {max(peaks[command])}; "
                        f"CPU terraform+provider {last.children_cpu:.1f} s, emulator {last.own_cpu:.1f} s)"
                    )
                cells.append(cell)
        emulator.latency_ms = 0
        okta_state_bytes = state_bytes(workdir)
        matched[size] = same_size_baseline(bench, size, data_state_bytes, okta_state_bytes, repeats)
        for cell in cells:
            if cell["n"] == size:
                same_size_rows(cell, matched[size], startup_floor, rows)
    return {
        "repeats": repeats,
        "startup_floor_seconds": round(startup_floor, 4),
        "startups_per_command": STARTUPS,
        "terraform_data_seconds": {
            str(size): {command: [round(value, 3) for value in values] for command, values in taken.items()}
            for size, taken in baselines.items()
        },
        "terraform_data_cpu": {str(size): taken for size, taken in baseline_cpu.items()},
        "terraform_data_same_state_size": {str(size): taken for size, taken in matched.items()},
        "cells": cells,
        "note": "seconds: median of the runs; every run creates N new applications "
        "on a fresh state; max_concurrent_requests is set to the -parallelism value; terraform_data "
        "runs at -parallelism=10",
    }


def data_runs(
    bench: Bench, workdir: Path, config: str, repeats: int
) -> tuple[dict[str, list[float]], dict[str, list[dict[str, float]]]]:
    """Apply then plan `config` (terraform_data only) `repeats` times from an empty state, at
    -parallelism=10; returns each command's seconds and CPU, one entry per repeat."""
    env = bench.env()
    (workdir / "main.tf").write_text(config)
    bench.init(workdir, env)
    seconds: dict[str, list[float]] = {command: [] for command in AUTO}
    cpu: dict[str, list[dict[str, float]]] = {command: [] for command in AUTO}
    for _ in range(repeats):
        forget_state(workdir)
        for command in AUTO:
            run = bench.run(workdir, env, command, "-input=false", "-parallelism=10", *AUTO[command])
            seconds[command].append(run.seconds)
            cpu[command].append(run.cpu_json())
    return seconds, cpu


def same_size_baseline(
    bench: Bench, size: int, data_state_bytes: int, okta_state_bytes: int, repeats: int
) -> dict[str, Any]:
    """terraform_data again, its strings padded until its state is as large as the provider's.

    Terraform rewrites the whole local state after every resource it applies, so an apply of N
    costs it time in proportion to N x the state's size; a floor with a smaller state leaves
    that cost of the schema's size to the provider's account.
    """
    padding = max(0, round((okta_state_bytes - data_state_bytes) / (2 * size)))
    workdir = bench.workdir(f"scale-data-same-size-{size}")
    taken, cpu = data_runs(bench, workdir, data_config(size, input_length=1 + padding), repeats)
    found: dict[str, Any] = {
        "input_length": 1 + padding,
        "state_bytes": state_bytes(workdir),
        "provider_state_bytes": okta_state_bytes,
        "seconds": {command: [round(value, 3) for value in values] for command, values in taken.items()},
        "median_seconds": {command: statistics.median(values) for command, values in taken.items()},
        "cpu": cpu,
    }
    progress(
        f"  terraform_data N={size}, state as large as the provider's ({found['state_bytes']} bytes, "
        f"provider {okta_state_bytes}): apply {found['median_seconds']['apply']:.2f} s, "
        f"plan {found['median_seconds']['plan']:.2f} s"
    )
    return found


def same_size_rows(
    cell: dict[str, Any], matched: dict[str, Any], startup_floor: float, rows: list[Row]
) -> None:
    """The cell's figures again, beside a floor whose terraform_data state is as large.

    Not the additive formula of section 3: Terraform's work on a large state is long enough to
    overlap the waits on Okta, so the least the command can take is the longer of the two.
    """
    for command in ("apply", "plan"):
        figures = cell[command]
        floor = (
            max(matched["median_seconds"][command], figures["floor_terms"]["latency_waits"])
            + STARTUPS[command] * startup_floor
        )
        figures["floor_same_state_size_seconds"] = round(floor, 3)
        label = LABELS[command]
        rows.append(
            Row(
                SAME_SIZE_SECTION,
                f"N={cell['n']} {cell['latency_ms']:>2} ms P={cell['parallelism']} {label}",
                figures["seconds"],
                floor,
                "s",
                f"state: terraform_data {matched['state_bytes']} bytes, "
                f"provider {matched['provider_state_bytes']}",
            )
        )


def section_plugin_floor(
    bench: Bench, emulator: Emulator, profile: Profile, scale: dict[str, Any], rows: list[Row]
) -> dict[str, Any]:
    """The plugin floor and the provider in turns, at section 3's largest N and highest latency."""
    size, latency, repeats = max(profile.scale_sizes), max(profile.latencies_ms), profile.scale_repeats
    progress(
        f"3c. the plugin floor and the provider in turns: N={size}, {latency} ms, -parallelism in "
        f"{profile.parallelisms}, median of {repeats} run(s) each"
    )
    emulator.latency_ms = latency
    envs = {"floor": bench.floor_env(emulator, latency), "provider": bench.env(emulator)}
    workdirs = {who: bench.workdir(f"plugin-floor-{who}-{size}") for who in envs}
    cells: list[dict[str, Any]] = []
    for parallelism in profile.parallelisms:
        flag = f"-parallelism={parallelism}"
        section3 = next(
            cell
            for cell in scale["cells"]
            if (cell["n"], cell["latency_ms"], cell["parallelism"]) == (size, latency, parallelism)
        )
        runs: dict[tuple[str, str], list[Run]] = {(who, command): [] for who in envs for command in AUTO}
        for _ in range(repeats):
            for who, workdir in workdirs.items():
                config = okta_config(new_apps(emulator, size), max_concurrent_requests=parallelism)
                (workdir / "main.tf").write_text(config)
                if not (workdir / ".terraform.lock.hcl").exists():
                    bench.init(workdir, envs[who])
                forget_state(workdir)
                for command in AUTO:
                    runs[who, command].append(bench.command(workdir, envs[who], command, flag))
        cell: dict[str, Any] = {"parallelism": parallelism}
        for command in AUTO:
            # The resource is the provider's own, so it makes the same calls: section 3's floor holds.
            formula = section3[command]["floor_seconds"]
            taken = {who: statistics.median(run.seconds for run in runs[who, command]) for who in envs}
            failed = [run.returncode for who in envs for run in runs[who, command] if run.returncode]
            cpu = statistics.median(run.children_cpu for run in runs["floor", command])
            cell[command] = {
                who: {
                    "seconds": round(taken[who], 3),
                    "samples_seconds": [round(run.seconds, 3) for run in runs[who, command]],
                    "samples_cpu": [run.cpu_json() for run in runs[who, command]],
                    "exit_codes": [run.returncode for run in runs[who, command]],
                }
                for who in envs
            }
            cell[command]["floor_seconds"] = round(formula, 3)
            case = f"N={size} {latency:>2} ms P={parallelism} {LABELS[command]}"
            failures = f"; exit codes {failed}" if failed else ""
            rows.append(
                Row(
                    PLUGIN_FLOOR_SECTION,
                    f"{case}: the plugin floor",
                    taken["floor"],
                    formula,
                    "s",
                    f"the provider with Okta answered in-process after the latency, {cpu:.1f} s of CPU "
                    f"with Terraform's on {os.cpu_count()} cores; floor: section 3's{failures}",
                )
            )
            rows.append(
                Row(
                    PLUGIN_FLOOR_SECTION,
                    f"{case}: okta_app_connection, in turns",
                    taken["provider"],
                    taken["floor"],
                    "s",
                    "floor: the plugin floor; the ratio is the HTTP client's share, with the emulator "
                    f"answering on the same cores{failures}",
                )
            )
            shown_runs = {who: ", ".join(f"{run.seconds:.2f}" for run in runs[who, command]) for who in envs}
            progress(
                f"  P={parallelism} {command}: plugin floor {shown_runs['floor']} s, provider "
                f"{shown_runs['provider']} s (section 3's floor {formula:.2f} s)"
            )
        cells.append(cell)
    emulator.latency_ms = 0
    return {"n": size, "latency_ms": latency, "repeats": repeats, "cells": cells}
