"""The real runner serving a provider with two RPCs that do not return by themselves.

ValidateProviderConfig blocks for good and ignores `stopping`, as a call stuck in another defect
would; ConfigureProvider waits for `stopping` and then answers with an error saying so. Each
writes a line to stderr once it is in flight, so that a test knows both are, and an exit
handler writes one as the process ends. Run as
`python -m tests.protocol.stuck_plugin`, as Terraform runs the plugin (same environment).
With `--parent`, it starts itself as a child instead, prints `PID|handshake` of that child
and waits on stdin: killing it leaves the plugin orphaned, as when Terraform dies.
"""

from __future__ import annotations

import atexit
import subprocess
import sys
import threading
from typing import Any

from provider.plugin.runner import run
from provider.provider import OktaProvider

STUCK = "stuck-call-in-flight"
WAITING = "waiting-call-in-flight"
STOPPED = "stopping was set"
EXITING = "exit handlers ran"


class StuckProvider(OktaProvider):
    def validate_config(self, diags: Any, config: dict[str, Any]) -> None:
        sys.stderr.write(STUCK + "\n")
        sys.stderr.flush()
        threading.Event().wait()

    def configure_provider(self, diags: Any, config: dict[str, Any]) -> None:
        sys.stderr.write(WAITING + "\n")
        sys.stderr.flush()
        self.stopping.wait()
        diags.add_error(STOPPED, "the plugin is shutting down")


def parent() -> None:
    child = subprocess.Popen([sys.executable, "-m", __spec__.name], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    sys.stdout.write(f"{child.pid}|{child.stdout.readline()}")
    sys.stdout.flush()
    sys.stdin.read()


if __name__ == "__main__":
    if sys.argv[1:] == ["--parent"]:
        parent()
    else:
        atexit.register(lambda: sys.stderr.write(EXITING + "\n"))
        run(StuckProvider)
