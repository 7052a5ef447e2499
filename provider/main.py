"""Console entry point `terraform-provider-okta`: Terraform starts this as the plugin process."""

from __future__ import annotations

import threading


def _make_provider(stopping: threading.Event) -> object:
    from provider.provider import OktaProvider

    return OktaProvider(stopping)


def main() -> None:
    from provider.plugin.runner import run

    run(_make_provider)
