"""Import blocks and -generate-config-out (Terraform 1.5+).

The generated configuration plans cleanly once the secrets Okta never returns are added.
"""

from __future__ import annotations

import re

import httpx
import pytest

from okta_emulator import AppKind, Emulator

from .conftest import API_TOKEN, Terraform, api_calls, terraform_version

pytestmark = pytest.mark.skipif(
    terraform_version() < (1, 5), reason="import blocks and -generate-config-out need Terraform 1.5 or newer"
)


def test_generated_configuration_plans_cleanly_once_the_token_is_added(
    terraform: Terraform, emulator: Emulator
) -> None:
    app_id = emulator.store.add_app(AppKind.ORG2ORG)
    httpx.post(
        f"{emulator.url}/api/v1/apps/{app_id}/connections/default",
        params={"activate": "true"},
        headers={"Authorization": f"SSWS {API_TOKEN}"},
        json={"baseUrl": "https://scim.example.com", "profile": {"authScheme": "TOKEN", "token": "existing"}},
    ).raise_for_status()
    terraform.write(f'import {{\n  to = okta_app_connection.example\n  id = "{app_id}"\n}}\n')
    terraform.init()

    generating = terraform.run("plan", "-input=false", "-generate-config-out=generated.tf", expect=1)
    assert "Missing token" in generating.stderr, "until the secret is added, the plan says what is missing"
    generated = (terraform.workdir / "generated.tf").read_text()
    assert f'id       = "{app_id}"' in generated
    assert 'base_url = "https://scim.example.com"' in generated
    assert 'action   = "activate"' in generated
    plain_token = re.compile(r"^(\s+token\s+= )null # sensitive$", re.MULTILINE)
    assert plain_token.search(generated)

    # The plain token is filled in; token_wo (write-only) stays null.
    (terraform.workdir / "generated.tf").write_text(plain_token.sub(r'\1"existing"', generated))
    emulator.store.clear_requests()
    plan = terraform.run("plan", "-input=false", "-detailed-exitcode", expect=2)
    assert "1 to import" in plan.stdout
    assert api_calls(emulator) == ["GET /"], "the read after the import reuses the import's GET"

    terraform.apply()
    assert emulator.store.connection(app_id).profile["token"] == "existing"
    terraform.assert_no_changes()
