"""Several provider processes against one org's apps bucket, as concurrent Terraform runs are.

Each runs the provider's own client (tests/emulator/bucket_client.py), ten creates at a time as
Terraform does, and none knows of the others but through the `X-Rate-Limit-*` headers.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from okta_emulator import AppKind, Emulator

from .helpers import API_TOKEN

REPO = Path(__file__).resolve().parents[2]
LIMIT = 100  # calls per window, as in issue 17's measurement
WINDOW_SECONDS = 2  # Okta's is a minute; the same rule, sooner


@pytest.fixture
def bucket() -> Iterator[Emulator]:
    with Emulator(api_token=API_TOKEN, latency_ms=20) as emulator:
        emulator.store.rate_limiter.configure(limit=LIMIT, window_seconds=WINDOW_SECONDS)
        yield emulator


def start_client(emulator: Emulator, app_ids: list[str]) -> subprocess.Popen[str]:
    """A provider client in its own process, once it has said it is ready."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.emulator.bucket_client", emulator.url, *app_ids],
        cwd=REPO,
        env={**os.environ, "OKTA_API_TOKEN": API_TOKEN},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.communicate(timeout=30)
    return process


@pytest.mark.parametrize(("processes", "creates"), [(3, 45), (4, 40)])
def test_provider_processes_share_one_bucket_with_few_429s(
    bucket: Emulator, processes: int, creates: int
) -> None:
    apps = [[bucket.store.add_app(AppKind.ORG2ORG) for _ in range(creates)] for _ in range(processes)]
    clients = [start_client(bucket, app_ids) for app_ids in apps]
    started = time.monotonic()
    for client in clients:
        assert client.stdin is not None
        client.stdin.write("go\n")
        client.stdin.flush()
    outcomes = [client.communicate(timeout=120) for client in clients]
    seconds = time.monotonic() - started

    assert [client.returncode for client in clients] == [0] * processes, outcomes
    assert all(bucket.store.connection(app_id).status == "ENABLED" for app_ids in apps for app_id in app_ids)
    calls = len(bucket.store.requests())
    limited = bucket.store.count_status(429)
    assert calls - limited == processes * creates
    assert limited / calls < 0.02, f"{limited} of {calls} calls answered 429"
    # The windows the calls need, and at most a second more: Date and Reset are whole seconds,
    # so a provider may wait up to one more than the window needs (a lost window takes two).
    windows = math.ceil(processes * creates / LIMIT)
    assert seconds < windows * WINDOW_SECONDS + 1, f"{seconds:.1f} s"
