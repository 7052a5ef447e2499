# Terraform 1.11 and later: the secrets as write-only arguments, never stored in the state or
# in plan files. Ephemeral variables (Terraform 1.10+) are not stored anywhere either.
variable "scim_token" {
  type      = string
  ephemeral = true
}

variable "m365_admin_password" {
  type      = string
  ephemeral = true
}

resource "okta_app_connection" "write_only_example" {
  id       = "0oa4234567890abcdef"
  base_url = "https://api.example.com/scim/v2"
  action   = "activate"

  profile {
    auth_scheme      = "TOKEN"
    token_wo         = var.scim_token
    token_wo_version = 1 # change it to send a new token
  }
}

resource "okta_app_connection" "write_only_oauth2_example" {
  id     = "0oa5234567890abcdef"
  action = "activate"

  profile {
    auth_scheme = "OAUTH2"

    settings {
      admin_username            = "admin@example.com"
      admin_password_wo         = var.m365_admin_password
      admin_password_wo_version = 1
    }
  }
}
