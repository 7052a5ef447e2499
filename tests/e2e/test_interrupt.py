"""Ctrl-C during apply: the connection Okta configured is recorded in state, nothing is lost.

And when Terraform itself is killed, its provider does not outlive it, even with a call stuck.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from okta_emulator import Emulator
from provider.plugin.runner import PARENT_CHECK_SECONDS, SHUTDOWN_GRACE_SECONDS

from .conftest import Terraform, prepared

# Noticing Terraform is gone, the grace for in-flight calls, and room for a busy machine; a stuck
# call to Okta would otherwise hold the provider for its read timeout (60 s) and more.
PROVIDER_EXIT_BOUND = PARENT_CHECK_SECONDS + SHUTDOWN_GRACE_SECONDS + 6


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def started_apply(terraform: Terraform, output: int) -> subprocess.Popen[str]:
    """`terraform apply` started in its own process group, as in a terminal; its stdout and stderr
    both go to `output` (subprocess.PIPE or subprocess.DEVNULL)."""
    return subprocess.Popen(
        [terraform.binary, "apply", "-auto-approve", "-input=false", "-no-color"],
        cwd=terraform.workdir,
        env=terraform.env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def interrupted_apply(terraform: Terraform, until: Callable[[], bool]) -> str:
    """Start `terraform apply`, and once `until()` holds, press Ctrl-C; returns its output."""
    apply = started_apply(terraform, subprocess.PIPE)
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
    app_id = prepared(terraform, emulator)
    # The POST lands at once; its answer takes longer than the provider's shutdown grace (2 s),
    # so only a provider that survives SIGINT can deliver it to Terraform.
    emulator.latency_ms = 6500
    output = interrupted_apply(terraform, lambda: emulator.store.connection(app_id).configured)
    assert "Interrupt received" in output
    emulator.latency_ms = 0

    state = terraform.resource()
    assert state["status"] == "ENABLED"
    assert emulator.store.connection(app_id).status == "ENABLED"
    terraform.assert_no_changes()


def test_ctrl_c_ends_a_rate_limit_wait_at_once(terraform: Terraform, emulator: Emulator) -> None:
    prepared(terraform, emulator)
    emulator.store.inject("status", method="POST", status=429, reset_in=60)
    output = interrupted_apply(terraform, lambda: emulator.store.count_status(429) == 1)
    assert "Interrupted: Terraform asked the provider to stop" in output
    assert [entry.status for entry in emulator.store.requests()] == [429], "no retry after the stop"
    assert "Error:" in output


# What the installed launcher runs (provider.install): the provider's process has it in its command line.
PROVIDER_ENTRY = b"from provider.main import main"


def descendants(root: int) -> dict[int, bytes]:
    """Every process below `root`, with its command line."""
    parents: dict[int, int] = {}
    commands: dict[int, bytes] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            commands[int(entry.name)] = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
    found: dict[int, bytes] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid in commands:
                found[pid] = commands[pid]
                frontier.append(pid)
    return found


def test_a_provider_stuck_in_a_call_is_gone_soon_after_terraform_is_killed(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = prepared(terraform, emulator)
    emulator.latency_ms = 300_000  # Okta's answer never comes while the test runs
    apply = started_apply(terraform, subprocess.DEVNULL)
    pidfds: list[int] = []
    try:
        wait_until(lambda: emulator.store.connection(app_id).configured)
        below = descendants(apply.pid)
        providers = [pid for pid, command in below.items() if PROVIDER_ENTRY in command]
        pidfds = [os.pidfd_open(pid) for pid in providers]
        assert pidfds, "the provider applying the change runs below Terraform"
        # Terraform is gone without a word, its provider's call still waiting. Terraform 1.0 runs
        # as two processes (panicwrap): both are killed, and none of the providers.
        binary = terraform.binary.encode()
        for pid in [pid for pid, command in below.items() if command.startswith(binary)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        apply.kill()
        apply.wait(timeout=30)
        for pidfd in pidfds:
            exited, _, _ = select.select([pidfd], [], [], PROVIDER_EXIT_BOUND)
            assert exited, f"a provider still runs {PROVIDER_EXIT_BOUND} s after Terraform died"
    finally:
        if apply.poll() is None:
            apply.kill()
            apply.wait()
        for pidfd in pidfds:
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(pidfd, signal.SIGKILL)  # one this test failed to end
            os.close(pidfd)
