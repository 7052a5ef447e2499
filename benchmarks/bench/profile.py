"""The two modes' sizes and repeats: the full run and `--quick`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Profile:
    """The mode's sizes and repeats."""

    startup_runs: int
    startup_warmups: int
    one_resource_runs: int
    scale_sizes: list[int]
    scale_repeats: int
    latencies_ms: list[int]
    parallelisms: list[int]
    cpu_resources: int
    floor_calls: int
    rate_resources: int
    rate_buckets: list[tuple[int, int]]  # (limit, window seconds), each 600/minute
    concurrent_runs: int
    concurrent_creates: int  # per run
    concurrent_bucket: tuple[int, int]  # (limit, window seconds)
    memory_resources: int


FULL = Profile(
    startup_runs=15,
    startup_warmups=2,
    one_resource_runs=5,
    scale_sizes=[200, 1000],
    scale_repeats=3,
    latencies_ms=[0, 50],
    parallelisms=[10, 30],
    cpu_resources=200,
    floor_calls=500,
    rate_resources=300,
    rate_buckets=[(600, 60), (100, 10)],
    concurrent_runs=3,
    concurrent_creates=45,
    concurrent_bucket=(100, 60),
    memory_resources=1000,
)
QUICK = Profile(
    startup_runs=5,
    startup_warmups=1,
    one_resource_runs=3,
    scale_sizes=[50],
    scale_repeats=1,
    latencies_ms=[0, 50],
    parallelisms=[10, 30],
    cpu_resources=50,
    floor_calls=500,
    rate_resources=60,
    rate_buckets=[(10, 1)],
    concurrent_runs=3,
    concurrent_creates=45,
    concurrent_bucket=(100, 10),
    memory_resources=100,
)
