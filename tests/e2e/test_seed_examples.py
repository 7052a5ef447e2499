"""The Registry page's three examples, exactly as written, each with a provider configuration."""

from __future__ import annotations

import pytest

from okta_emulator import AppKind, Emulator

from .conftest import Terraform

SEED_APP_ID = "0oa1234567890abcdef"

TOKEN_EXAMPLE = """
resource "okta_app_connection" "token_example" {
  id       = "0oa1234567890abcdef"
  base_url = "https://api.example.com/scim/v2"
  action   = "activate"
  
  profile {
    auth_scheme = "TOKEN"
    token       = "your-bearer-token-here"
  }
}
"""

OAUTH2_EXAMPLE = """
resource "okta_app_connection" "oauth2_example" {
  id       = "0oa1234567890abcdef"
  action   = "activate"
  
  profile {
    auth_scheme = "OAUTH2"
    client_id   = "oauth2-client-id"
    
    settings {
      admin_username = "admin@example.com"
      admin_password = "secure-password"
    }
    
    signing {
      rotation_mode = "MANUAL"
    }
  }
}
"""

DEACTIVATED_EXAMPLE = """
resource "okta_app_connection" "deactivated_example" {
  id       = "0oa1234567890abcdef"
  base_url = "https://api.example.com/scim/v2"
  action   = "deactivate"
  
  profile {
    auth_scheme = "TOKEN"
    token       = "your-bearer-token-here"
  }
}
"""


@pytest.mark.parametrize(
    ("example", "address", "status", "profile"),
    [
        (
            TOKEN_EXAMPLE,
            "okta_app_connection.token_example",
            "ENABLED",
            {"authScheme": "TOKEN", "token": "your-bearer-token-here"},
        ),
        (
            OAUTH2_EXAMPLE,
            "okta_app_connection.oauth2_example",
            "ENABLED",
            {
                "authScheme": "OAUTH2",
                "clientId": "oauth2-client-id",
                "settings": {"adminUsername": "admin@example.com", "adminPassword": "secure-password"},
                "signing": {"rotationMode": "MANUAL"},
            },
        ),
        (
            DEACTIVATED_EXAMPLE,
            "okta_app_connection.deactivated_example",
            "DISABLED",
            {"authScheme": "TOKEN", "token": "your-bearer-token-here"},
        ),
    ],
    ids=["token", "oauth2", "deactivated"],
)
def test_seed_example_applies_and_settles(
    terraform: Terraform,
    emulator: Emulator,
    example: str,
    address: str,
    status: str,
    profile: dict[str, object],
) -> None:
    emulator.store.add_app(AppKind.ORG2ORG, app_id=SEED_APP_ID)
    terraform.write(example)
    terraform.init()
    terraform.apply()

    connection = emulator.store.connection(SEED_APP_ID)
    assert connection.status == status
    assert connection.profile == profile
    assert terraform.resource(address)["status"] == status
    terraform.assert_no_changes()
