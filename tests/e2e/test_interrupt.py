"""Ctrl-C during apply: the connection Okta configured is recorded in state, nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

from okta_emulator import AppKind, Emulator

from .conftest import Terraform, token_connection


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def interrupted_apply(terraform: Terraform, until: Callable[[], bool]) -> str:
    """Start `terraform apply`, and once `until()` holds, press Ctrl-C; returns its output."""
    apply = subprocess.Popen(
        [terraform.binary, "apply", "-auto-approve", "-input=false", "-no-color"],
        cwd=terraform.workdir,
        env=terraform.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as in a terminal
    )
    try:
        wait_until(until)
        os.killpg(apply.pid, signal.SIGINT)  # Ctrl-C reaches terraform and the provider alike
        output, _ = apply.communicate(timeout=120)
    finally:
        if apply.poll() is None:
            apply.kill()
    return output


def test_sigint_to_the_process_group_mid_apply_keeps_the_created_connection(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(token_connection(app_id))
    terraform.init()
    # The POST lands at once; its answer takes longer than the provider's stop grace (5 s), so
    # only a provider that survives SIGINT can deliver it to Terraform.
    emulator.latency_ms = 6500
    output = interrupted_apply(terraform, lambda: emulator.store.connection(app_id).configured)
    assert "Interrupt received" in output
    emulator.latency_ms = 0

    state = terraform.resource()
    assert state["status"] == "ENABLED"
    assert emulator.store.connection(app_id).status == "ENABLED"
    terraform.assert_no_changes()


def test_ctrl_c_ends_a_rate_limit_wait_at_once(terraform: Terraform, emulator: Emulator) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    terraform.write(token_connection(app_id))
    terraform.init()
    emulator.store.inject("status", method="POST", status=429, reset_in=60)
    output = interrupted_apply(terraform, lambda: emulator.store.count_status(429) == 1)
    assert "Interrupted: Terraform asked the provider to stop" in output
    assert [entry.status for entry in emulator.store.requests()] == [429], "no retry after the stop"
    assert "Error:" in output
