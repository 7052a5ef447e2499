"""Sections 6 and 6b, rate-limited: one run against a bucket, and concurrent runs sharing one."""

from __future__ import annotations

import math
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from okta_emulator import Emulator

from .harness import API_TOKEN, Bench, new_apps, okta_config, progress
from .profile import Profile
from .report import CONCURRENT_SECTION, Row

CONCURRENT_LATENCY_MS = 20


def section_rate_limited(bench: Bench, profile: Profile, quick: bool, rows: list[Row]) -> dict[str, Any]:
    size = profile.rate_resources
    progress(f"6. rate-limited: {size} creates against buckets of 600/minute {profile.rate_buckets}")
    cases = []
    for limit, window in profile.rate_buckets:
        with Emulator(api_token=API_TOKEN) as emulator:
            emulator.store.rate_limiter.configure(limit=limit, window_seconds=window)
            app_ids = new_apps(emulator, size)
            workdir = bench.workdir(f"rate-{limit}-{window}")
            env = bench.env(emulator)
            (workdir / "main.tf").write_text(okta_config(app_ids))
            bench.init(workdir, env)
            emulator.store.clear_requests()
            run = bench.apply(workdir, env)
            calls = len(emulator.store.requests())
            limited = emulator.store.count_status(429)
            answered = calls - limited
            created = sum(1 for app_id in app_ids if emulator.store.connection(app_id).status == "ENABLED")
            rate = limit / window
            floor = answered / rate
            window_floor = (math.ceil(answered / limit) - 1) * window if answered else 0
            case = {
                "n": size,
                "limit": limit,
                "window_seconds": window,
                "seconds": round(run.seconds, 3),
                "exit_code": run.returncode,
                "not_created": size - created,
                "api_calls": calls,
                "answered_429": limited,
                "share_429": round(limited / calls, 4) if calls else None,
                "calls_per_resource": round(answered / size, 3),
                "floor_seconds_n_k_over_rate": round(floor, 3),
                "fixed_window_floor_seconds": window_floor,
            }
            cases.append(case)
            progress(
                f"  limit {limit}/{window} s: {run.seconds:.2f} s, exit {run.returncode}, "
                f"{size - created} not created, {limited}/{calls} answered 429"
            )
            bucket = f"{limit}/{window} s" + (" (window scaled down, same rate)" if window != 60 else "")
            rows.append(
                Row(
                    "6. rate-limited",
                    f"apply, {size} creates, bucket {bucket}",
                    run.seconds,
                    floor,
                    "s",
                    f"exit {run.returncode}, {size - created} not created, "
                    f"{limited}/{calls} = {100 * limited / max(calls, 1):.1f}% answered 429; "
                    f"fixed-window floor {window_floor} s",
                )
            )
    return {
        "note": "floor = N x k / rate (600/minute); a fixed window admits `limit` calls at once, so the "
        "least a fixed-window bucket allows is (ceil(calls / limit) - 1) x window"
        + ("; quick mode scales the window down at the same rate" if quick else ""),
        "cases": cases,
    }


# --- 6b. concurrent runs on one bucket ----------------------------------------------------------


def section_concurrent_runs(bench: Bench, profile: Profile, quick: bool, rows: list[Row]) -> dict[str, Any]:
    runs, size = profile.concurrent_runs, profile.concurrent_creates
    limit, window = profile.concurrent_bucket
    progress(
        f"6b. concurrent runs: {runs} applies of {size} creates against one bucket of {limit}/{window} s"
    )
    with Emulator(api_token=API_TOKEN, latency_ms=CONCURRENT_LATENCY_MS) as emulator:
        emulator.store.rate_limiter.configure(limit=limit, window_seconds=window)
        env = bench.env(emulator)
        apps = [new_apps(emulator, size) for _ in range(runs)]
        workdirs = []
        for index, app_ids in enumerate(apps):
            workdir = bench.workdir(f"concurrent-{index}")
            (workdir / "main.tf").write_text(okta_config(app_ids))
            bench.init(workdir, env)
            workdirs.append(workdir)
        emulator.store.clear_requests()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=runs) as pool:
            done = list(pool.map(lambda workdir: bench.apply(workdir, env), workdirs))
        seconds = time.perf_counter() - started
        calls = len(emulator.store.requests())
        limited = emulator.store.count_status(429)
        not_created = sum(
            1
            for app_ids in apps
            for app_id in app_ids
            if emulator.store.connection(app_id).status != "ENABLED"
        )
    answered = calls - limited
    failed = sum(1 for run in done if run.returncode != 0)
    rate_floor = answered / (limit / window)
    window_floor = (math.ceil(answered / limit) - 1) * window if answered else 0
    progress(
        f"  {seconds:.2f} s, {failed} runs failed, {not_created} not created, {limited}/{calls} answered 429"
    )
    rows.append(
        Row(
            CONCURRENT_SECTION,
            f"{runs} applies at once, {size} creates each, bucket {limit}/{window} s, "
            f"{CONCURRENT_LATENCY_MS} ms",
            seconds,
            window_floor,
            "s",
            f"{failed} runs failed, {not_created} not created, "
            f"{limited}/{calls} = {100 * limited / max(calls, 1):.1f}% answered 429; "
            f"N x k / rate {rate_floor:.1f} s",
        )
    )
    return {
        "note": "floor = N x k / rate in whole windows: (ceil(calls / limit) - 1) x window, the least a "
        "fixed-window bucket allows" + ("; quick mode scales the window down" if quick else ""),
        "runs": runs,
        "creates_per_run": size,
        "limit": limit,
        "window_seconds": window,
        "latency_ms": CONCURRENT_LATENCY_MS,
        "seconds": round(seconds, 3),
        "exit_codes": [run.returncode for run in done],
        "not_created": not_created,
        "api_calls": calls,
        "answered_429": limited,
        "share_429": round(limited / calls, 4) if calls else None,
        "floor_seconds_n_k_over_rate": round(rate_floor, 3),
        "fixed_window_floor_seconds": window_floor,
    }
