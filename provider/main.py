"""Console entry point `terraform-provider-okta`: Terraform starts this as the plugin process.

With `-debug` it serves in the foreground for a debugger and prints the TF_REATTACH_PROVIDERS
line to give Terraform (provider.plugin.runner.serve_debug).
"""

from __future__ import annotations

import sys
import threading


def _make_provider(stopping: threading.Event) -> object:
    from provider.provider import OktaProvider

    return OktaProvider(stopping)


def main() -> None:
    from provider.plugin.runner import run

    run(_make_provider, sys.argv[1:])
