"""A plugin with an RPC stuck for good still exits soon after Shutdown, SIGTERM or Terraform's death.

The plugin is the real runner serving `stuck_plugin.StuckProvider`: one RPC blocks forever and
ignores `stopping`, another waits for `stopping`. Before the process goes, `stopping` must be set
and the waiting RPC answered; then it must be gone within EXIT_BOUND, with its socket removed and
its exit handlers run.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from tf.gen import grpc_controller_pb2 as controller_pb
from tf.gen import grpc_controller_pb2_grpc as controller_rpc
from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

from provider.plugin.runner import SHUTDOWN_GRACE_SECONDS

from .stuck_plugin import EXITING, STOPPED, STUCK, WAITING
from .test_runner import Plugin, plugin_env, start

ROOT = Path(__file__).resolve().parents[2]
STUCK_PLUGIN = [sys.executable, "-m", "tests.protocol.stuck_plugin"]
# The grace, the half second in which the plugin notices its parent is gone, and room for a
# busy machine: far below the minutes a stuck call would keep the process alive.
EXIT_BOUND = SHUTDOWN_GRACE_SECONDS + 6


class Lines:
    """The lines a process writes to a pipe, read in a thread so that waits can be bounded."""

    def __init__(self, stream: IO[str]) -> None:
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._lines.put(line.strip())

    def wait_for(self, *expected: str, timeout: float = 30) -> None:
        missing = set(expected)
        while missing:
            missing.discard(self._lines.get(timeout=timeout))


class InFlight:
    """The two RPCs left in flight: the stuck one and the one waiting for `stopping`."""

    def __init__(self, plugin: Plugin, stderr: Lines) -> None:
        provider = rpc.ProviderStub(plugin.channel)
        self.stuck = provider.ValidateProviderConfig.future(pb.ValidateProviderConfig.Request(), timeout=120)
        self.waiting = provider.ConfigureProvider.future(pb.ConfigureProvider.Request(), timeout=120)
        stderr.wait_for(STUCK, WAITING)

    def assert_stopping_was_set_and_answered(self) -> None:
        response = self.waiting.result(timeout=EXIT_BOUND)
        assert [d.summary for d in response.diagnostics] == [STOPPED]


def wait_for_exit(pid: int, pidfd: int, timeout: float) -> None:
    """Wait until the process, not necessarily our child, has exited, or fail after `timeout`."""
    readable, _, _ = select.select([pidfd], [], [], timeout)
    assert readable, f"plugin {pid} still running {timeout} s later"


@pytest.fixture
def stuck_plugin() -> Iterator[tuple[Plugin, Lines]]:
    env = plugin_env(PYTHONPATH=str(ROOT))
    plugin = start(env, STUCK_PLUGIN)
    assert plugin.process.stderr is not None
    yield plugin, Lines(plugin.process.stderr)
    plugin.channel.close()
    if plugin.process.poll() is None:
        plugin.process.kill()
        plugin.process.wait()


def shutdown_rpc(plugin: Plugin) -> None:
    controller_rpc.GRPCControllerStub(plugin.channel).Shutdown(controller_pb.Empty(), timeout=30)


def sigterm(plugin: Plugin) -> None:
    plugin.process.send_signal(signal.SIGTERM)


@pytest.mark.parametrize("end", [shutdown_rpc, sigterm], ids=["Shutdown", "SIGTERM"])
def test_a_stuck_rpc_does_not_keep_the_plugin_alive(
    stuck_plugin: tuple[Plugin, Lines], end: Callable[[Plugin], Any]
) -> None:
    plugin, stderr = stuck_plugin
    calls = InFlight(plugin, stderr)
    end(plugin)
    assert plugin.process.wait(timeout=EXIT_BOUND) == 0
    calls.assert_stopping_was_set_and_answered()
    stderr.wait_for(EXITING)
    assert not os.path.exists(os.path.dirname(plugin.handshake[3]))


def test_a_stuck_rpc_does_not_keep_the_plugin_alive_once_terraform_is_gone() -> None:
    parent = subprocess.Popen(
        [*STUCK_PLUGIN, "--parent"],
        env=plugin_env(PYTHONPATH=str(ROOT)),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None and parent.stderr is not None
    pid, handshake = parent.stdout.readline().split("|", 1)
    pidfd = os.pidfd_open(int(pid))  # while its parent lives, the pid cannot be reused
    plugin = Plugin(parent, handshake.strip().split("|"))
    try:
        stderr = Lines(parent.stderr)
        calls = InFlight(plugin, stderr)
        parent.kill()  # Terraform dies without a word
        parent.wait(timeout=30)
        wait_for_exit(int(pid), pidfd, EXIT_BOUND)
        calls.assert_stopping_was_set_and_answered()
        stderr.wait_for(EXITING)
        assert not os.path.exists(os.path.dirname(plugin.handshake[3]))
    finally:
        plugin.channel.close()
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(pidfd, signal.SIGKILL)  # a plugin this test failed to end
        os.close(pidfd)
