"""The command line: runs the sections in order, prints the table, writes the JSON and the charts."""

from __future__ import annotations

import argparse
import datetime
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from okta_emulator import Emulator

from . import charts, report
from .calls import section_calls
from .cpu_memory import section_cpu, section_memory
from .harness import API_TOKEN, REPO, STARTED, UNLIMITED, Bench, progress
from .one_resource import section_one_resource
from .profile import FULL, QUICK, Profile
from .rate_limits import section_concurrent_runs, section_rate_limited
from .report import Row
from .scale import section_plugin_floor, section_scale
from .start import section_startup

RESULTS = REPO / "benchmarks" / "results" / "latest.json"

# The sections that start their own emulator, and can run on their own (--only).
STANDALONE: dict[str, Callable[[Bench, Profile, bool, list[Row]], dict[str, Any]]] = {
    "rate_limited": section_rate_limited,
    "concurrent_runs": section_concurrent_runs,
}


def run_with_emulator(
    bench: Bench, profile: Profile, startup_floor: float, rows: list[Row]
) -> dict[str, Any]:
    """Sections 2 to 5, 7 and 8, which share one emulator with the rate limit out of the way."""
    sections: dict[str, Any] = {}
    with Emulator(api_token=API_TOKEN) as emulator:
        emulator.store.rate_limiter.configure(limit=UNLIMITED, window_seconds=60)
        sections["one_resource"] = section_one_resource(bench, emulator, profile, startup_floor, rows)
        sections["scale"] = section_scale(bench, emulator, profile, startup_floor, rows)
        sections["plugin_floor"] = section_plugin_floor(bench, emulator, profile, sections["scale"], rows)
        sections["cpu_per_call"] = section_cpu(bench, emulator, profile, rows)
        sections["calls_per_operation"] = section_calls(bench, emulator, rows)
        scale, same_n = sections["scale"], str(profile.memory_resources)
        data_cpu = {
            name: runs
            for name, runs in (
                ("plain", scale["terraform_data_cpu"].get(same_n)),
                ("same-state-size", scale["terraform_data_same_state_size"].get(same_n, {}).get("cpu")),
            )
            if runs
        }
        sections["memory"] = section_memory(bench, emulator, profile, data_cpu, rows)
    return sections


def main(description: str) -> None:
    """Parse the arguments and run the benchmark; `description` heads --help."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="smaller N, fewer repeats (under 2 minutes)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"JSON output (default {RESULTS})")
    parser.add_argument(
        "--dist", type=Path, default=REPO / "dist", help="where the release zip is (default dist/)"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(STANDALONE),
        help="run only this section (repeatable); the others need the full run",
    )
    args = parser.parse_args()
    profile = QUICK if args.quick else FULL
    mode = "quick" if args.quick else "full"
    started_at = datetime.datetime.now(datetime.UTC)
    rows: list[Row] = []
    sections: dict[str, Any] = {}

    with tempfile.TemporaryDirectory(prefix="tf-okta-bench-") as scratch:
        bench = Bench(Path(scratch))
        terraform_version = bench.version()
        progress(f"{mode} run, terraform {terraform_version}, {os.cpu_count()} CPUs, scratch {scratch}")
        if not args.only:
            startup_floor, sections["startup"] = section_startup(bench, profile, args.dist, rows)
            sections.update(run_with_emulator(bench, profile, startup_floor, rows))
        for name in args.only or list(STANDALONE):
            sections[name] = STANDALONE[name](bench, profile, args.quick, rows)

    rows.sort(key=lambda row: report.ORDER.index(row.section))
    duration = time.perf_counter() - STARTED
    report.print_table(rows, report.title(mode, terraform_version, duration))
    results = {
        "mode": mode,
        "date": started_at.isoformat(timespec="seconds"),
        "duration_seconds": round(duration, 1),
        "machine": report.machine(terraform_version),
        "table": [row.to_json() for row in rows],
        "sections": sections,
    }
    report.write_json(args.out, results)
    print(f"written to {args.out}")
    charts.draw(results, args.out.parent)
