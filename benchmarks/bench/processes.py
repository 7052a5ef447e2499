"""What the wrapped launcher records of each provider process, and commands measured with it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okta_emulator import Emulator

from .harness import USAGE_VARIABLE, Bench, Run


@dataclass(frozen=True)
class Usage:
    """What one provider process recorded at exit (times from just after the interpreter started)."""

    pid: int
    cpu_seconds: float
    peak_rss_kib: int  # VmHWM; -1 where /proc is missing
    ru_maxrss_kib: int  # includes the spawning parent's peak: not the provider's own
    started: float
    ended: float


def read_usage(path: Path) -> list[Usage]:
    if not path.exists():
        return []
    found = []
    for line in path.read_text().splitlines():
        pid, user, system, peak, maxrss, started, ended = line.split()
        cpu = float(user) + float(system)
        found.append(Usage(int(pid), cpu, int(peak), int(maxrss), float(started), float(ended)))
    return sorted(found, key=lambda usage: usage.started)


def usage_summary(usages: list[Usage], calls: int, since: float) -> dict[str, Any]:
    """CPU, memory and lifetime of a command's provider processes; `since`: when it started."""
    total = sum(usage.cpu_seconds for usage in usages)
    idle = min((usage.cpu_seconds for usage in usages), default=0.0)
    busiest = max((usage.cpu_seconds for usage in usages), default=0.0)
    return {
        "provider_processes": len(usages),
        "processes": [
            {
                "alive_from_s": round(usage.started - since, 3),
                "alive_until_s": round(usage.ended - since, 3),
                "cpu_s": round(usage.cpu_seconds, 4),
                "peak_rss_kib": usage.peak_rss_kib,
                "ru_maxrss_kib": usage.ru_maxrss_kib,
            }
            for usage in usages
        ],
        "cpu_seconds_total": round(total, 4),
        "cpu_seconds_least_busy_process": round(idle, 4),
        "api_calls": calls,
        "cpu_us_per_call": round(total / calls * 1e6, 1) if calls else None,
        # Every process pays about the least busy one's CPU just to start and answer the schema.
        "cpu_us_per_call_without_startups": (
            round((total - idle * len(usages)) / calls * 1e6, 1) if calls else None
        ),
        # The process that made the calls, less a start-up.
        "cpu_us_per_call_busiest_process": round((busiest - idle) / calls * 1e6, 1) if calls else None,
    }


def measured_command(
    bench: Bench, emulator: Emulator, workdir: Path, command: str, usage_file: Path
) -> tuple[Run, dict[str, Any]]:
    """Run apply or plan with the wrapped provider; the summary of its processes' usage."""
    usage_file.unlink(missing_ok=True)
    emulator.store.clear_requests()
    env = {**bench.env(emulator, wrapped=True), USAGE_VARIABLE: str(usage_file)}
    since = time.time()
    run = bench.command(workdir, env, command)
    summary = usage_summary(read_usage(usage_file), len(emulator.store.requests()), since)
    summary["cpu_budget"] = {
        "wall_s": round(run.seconds, 3),
        "terraform_cpu_s": round(run.children_cpu - summary["cpu_seconds_total"], 3),
        "provider_cpu_s": summary["cpu_seconds_total"],
        "emulator_and_harness_cpu_s": round(run.own_cpu, 3),
    }
    return run, summary
