"""One provider client in its own process, as one of several Terraform runs against one org.

    python -m tests.emulator.bucket_client ORG_URL APP_ID... (the API token in OKTA_API_TOKEN)

It builds the provider's `OktaClient`, prints `ready` once it is imported and built, and on a
line `go` on stdin creates every application's connection, ten at a time as Terraform would.
Each create that fails is printed as `failed <app id>: <error>`; the exit status is the count.
"""

from __future__ import annotations

import functools
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from provider.okta.client import OktaClient
from provider.okta.credentials import ApiToken
from provider.okta.errors import OktaError
from provider.okta.models import TokenConnectionRequest

PARALLELISM = 10  # Terraform's default


def create(client: OktaClient, app_id: str) -> str | None:
    """Create one connection; the error, if it failed."""
    try:
        client.update_connection(app_id, TokenConnectionRequest(token="t"), activate=True)
    except OktaError as exc:
        return f"failed {app_id}: {exc}"
    return None


def main(org_url: str, app_ids: list[str]) -> int:
    client = OktaClient(org_url, ApiToken(os.environ["OKTA_API_TOKEN"]))
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return 1
    with ThreadPoolExecutor(max_workers=PARALLELISM) as pool:
        failures = [failure for failure in pool.map(functools.partial(create, client), app_ids) if failure]
    client.close()
    for failure in failures:
        print(failure, flush=True)
    return len(failures)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
