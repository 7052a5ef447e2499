# Any Terraform: the secrets as plain arguments, which the state keeps in plain text. On
# Terraform 1.11 and later, prefer their write-only forms, token_wo and admin_password_wo.

# TOKEN authentication, enabled (Org2Org or Zscaler).
resource "okta_app_connection" "token_example" {
  id       = "0oa1234567890abcdef"
  base_url = "https://api.example.com/scim/v2"
  action   = "activate"

  profile {
    auth_scheme = "TOKEN"
    token       = "your-bearer-token-here"
  }
}

# OAUTH2 authentication: no base_url. client_id and signing are used by Org2Org,
# settings by Office 365.
resource "okta_app_connection" "oauth2_example" {
  id     = "0oa2234567890abcdef"
  action = "activate"

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

# A configured but disabled connection.
resource "okta_app_connection" "deactivated_example" {
  id       = "0oa3234567890abcdef"
  base_url = "https://api.example.com/scim/v2"
  action   = "deactivate"

  profile {
    auth_scheme = "TOKEN"
    token       = "your-bearer-token-here"
  }
}
