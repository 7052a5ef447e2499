"""-parallelism=30 is honoured: the provider's worker pool does not cap concurrent operations."""

from __future__ import annotations

from okta_emulator import AppKind, Emulator

from .conftest import Terraform, header_with, token_connections

COUNT = 30


def test_thirty_creates_run_concurrently(terraform: Terraform, emulator: Emulator) -> None:
    app_ids = [emulator.store.add_app(AppKind.ORG2ORG) for _ in range(COUNT)]
    # Requests in flight are bounded by max_concurrent_requests (default 10), not by the worker pool.
    terraform.write(token_connections(app_ids), header=header_with(max_concurrent_requests=30))
    terraform.init()
    emulator.latency_ms = 1500
    terraform.apply("-parallelism=30")
    # tf's own runner had 10 workers: at most 10 calls could be in flight.
    assert emulator.store.peak_in_flight > 20
    assert all(emulator.store.connection(app_id).status == "ENABLED" for app_id in app_ids)
