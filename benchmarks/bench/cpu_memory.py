"""Sections 4, 7 and 8: CPU per API call, peak memory, and where the CPU goes."""

from __future__ import annotations

import os
import statistics
import subprocess
from typing import Any

from okta_emulator import Emulator

from .harness import API_TOKEN, LABELS, Bench, new_apps, okta_config, progress
from .launchers import HTTPX_LOOP, IMPORT_GRPC_PEAK
from .processes import measured_command
from .profile import Profile
from .report import CPU_SECTION, Row


def import_grpc_peak_kib(python: str, env: dict[str, str]) -> int:
    """Peak resident memory (VmHWM, KiB) of a Python process that imports grpc."""
    done = subprocess.run([python, "-c", IMPORT_GRPC_PEAK], env=env, capture_output=True, text=True)
    return int(done.stdout.strip() or -1)


def httpx_floor_seconds_per_call(bench: Bench, emulator: Emulator, calls: int) -> float:
    app_id = new_apps(emulator, 1)[0]
    url = f"{emulator.url}/api/v1/apps/{app_id}/connections/default"
    done = subprocess.run(
        [bench.python, "-I", "-c", HTTPX_LOOP, url, API_TOKEN, str(calls)],
        env=bench.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the httpx floor loop failed:\n{done.stderr}")
    return float(done.stdout.strip()) / calls


def section_cpu(bench: Bench, emulator: Emulator, profile: Profile, rows: list[Row]) -> dict[str, Any]:
    size = profile.cpu_resources
    progress(f"4. CPU per API call: apply of N={size} at 0 ms, P=10, wrapped launcher")
    emulator.latency_ms = 0
    workdir = bench.workdir(f"cpu-{size}")
    (workdir / "main.tf").write_text(okta_config(new_apps(emulator, size)))
    bench.init(workdir, bench.env(emulator, wrapped=True))
    run, summary = measured_command(bench, emulator, workdir, "apply", bench.root / "usage-cpu")
    floor = httpx_floor_seconds_per_call(bench, emulator, profile.floor_calls)
    processes, calls = summary["provider_processes"], summary["api_calls"]
    progress(
        f"  {processes} provider processes, {summary['cpu_seconds_total']} s CPU for {calls} calls "
        f"({summary['cpu_us_per_call']} µs/call); httpx floor {floor * 1e6:.0f} µs/call"
    )
    if calls:
        section = "4. CPU per API call"
        rows.append(
            Row(
                section,
                f"provider, all {processes} processes (apply N={size})",
                summary["cpu_us_per_call"],
                floor * 1e6,
                "µs",
                f"{summary['cpu_seconds_total']} s CPU / {calls} calls; floor: httpx GET loop",
            )
        )
        rows.append(
            Row(
                section,
                "provider, start-up CPU taken out",
                summary["cpu_us_per_call_without_startups"],
                floor * 1e6,
                "µs",
                f"minus {processes} x the least busy process ({summary['cpu_seconds_least_busy_process']} s)",
            )
        )
        rows.append(
            Row(
                section,
                "provider, the calling process, start-up taken out",
                summary["cpu_us_per_call_busiest_process"],
                floor * 1e6,
                "µs",
                "ApplyResourceChange work + HTTP, per call",
            )
        )
    return {
        "n": size,
        "latency_ms": 0,
        "parallelism": 10,
        "apply_seconds": round(run.seconds, 3),
        "apply_exit_code": run.returncode,
        **summary,
        "httpx_floor_calls": profile.floor_calls,
        "httpx_floor_cpu_us_per_call": round(floor * 1e6, 1),
    }


def section_memory(
    bench: Bench,
    emulator: Emulator,
    profile: Profile,
    data_cpu: dict[str, dict[str, list[dict[str, float]]]],
    rows: list[Row],
) -> dict[str, Any]:
    """Peak memory, and where the CPU goes: Terraform's share beside its share with terraform_data.

    `data_cpu`: section 3's CPU of the terraform_data runs of the same N, by floor ("plain", and
    "same state size"), where section 3 ran that N.
    """
    size = profile.memory_resources
    progress(f"7. memory: apply and refreshing plan of N={size} at 0 ms, P=10, wrapped launcher")
    emulator.latency_ms = 0
    floor_kib = import_grpc_peak_kib(bench.python, bench.env())
    workdir = bench.workdir(f"memory-{size}")
    (workdir / "main.tf").write_text(okta_config(new_apps(emulator, size)))
    bench.init(workdir, bench.env(emulator, wrapped=True))
    report: dict[str, Any] = {
        "n": size,
        "measure": "VmHWM of each provider process at exit (ru_maxrss would include Terraform's own "
        "peak: the provider is exec'd from a vfork/CLONE_VM child, and exec keeps the old mm's peak)",
        "floor_import_grpc_peak_rss_kib": floor_kib,
    }
    for command in ("apply", "plan"):
        run, summary = measured_command(bench, emulator, workdir, command, bench.root / f"usage-{command}")
        sizes = [process["peak_rss_kib"] for process in summary["processes"]]
        peak, least = max(sizes, default=0), min(sizes, default=0)
        report[command] = {
            "seconds": round(run.seconds, 3),
            "exit_code": run.returncode,
            "peak_rss_kib": peak,
            "least_peak_rss_kib": least,
            **summary,
        }
        budget = summary["cpu_budget"]
        progress(
            f"  {command}: peak RSS {peak / 1024:.1f} MiB over {len(sizes)} provider processes; "
            f"{budget['wall_s']} s wall, CPU: terraform {budget['terraform_cpu_s']} s, provider "
            f"{budget['provider_cpu_s']} s, emulator {budget['emulator_and_harness_cpu_s']} s"
        )
        label = LABELS[command]
        rows.append(
            Row(
                "7. memory",
                f"provider peak RSS, {label}, N={size}",
                peak / 1024,
                floor_kib / 1024,
                "MiB",
                f"floor: VmHWM of python -c 'import grpc'; least provider process {least / 1024:.1f} MiB",
            )
        )
        for floor_name, runs in data_cpu.items():
            rows.append(
                Row(
                    CPU_SECTION,
                    f"Terraform's own CPU, {label}, N={size}, beside {floor_name} terraform_data",
                    budget["terraform_cpu_s"],
                    statistics.median(taken["terraform_and_providers_cpu_s"] for taken in runs[command]),
                    "s",
                    f"floor: Terraform's CPU for as many {floor_name} terraform_data (section 3)",
                )
            )
        busy = budget["terraform_cpu_s"] + budget["provider_cpu_s"] + budget["emulator_and_harness_cpu_s"]
        cores = os.cpu_count() or 1
        rows.append(
            Row(
                CPU_SECTION,
                f"wall time, {label}, N={size}",
                budget["wall_s"],
                busy / cores,
                "s",
                f"floor: all CPU ({budget['terraform_cpu_s']:.1f} s Terraform, "
                f"{budget['provider_cpu_s']:.1f} s provider, {budget['emulator_and_harness_cpu_s']:.1f} s "
                f"emulator) spread over {cores} cores",
            )
        )
    return report
