# The connection first: Okta configures features only once it is enabled, and
# app_id = okta_app_connection.scim.id makes Terraform order the two.
resource "okta_app_connection" "scim" {
  id     = "0oa1234567890abcdef"
  action = "activate"

  profile {
    auth_scheme = "TOKEN"
    token       = "your-bearer-token-here"
  }
}

# Push users to the application. Settings left out are not managed: they keep
# the values they have at Okta, which the state shows.
resource "okta_app_features" "scim_push" {
  app_id = okta_app_connection.scim.id
  name   = "USER_PROVISIONING"

  capabilities {
    create {
      lifecycle_create { status = "ENABLED" }
    }
    update {
      profile { status = "ENABLED" }
      lifecycle_deactivate { status = "ENABLED" }
      password {
        status = "ENABLED"
        seed   = "RANDOM"
        change = "KEEP_EXISTING"
      }
    }
  }
}

# Import users into Okta (Org2Org, Google Workspace, Office 365, Slack, Zoom).
resource "okta_app_features" "scim_import" {
  app_id = okta_app_connection.scim.id
  name   = "INBOUND_PROVISIONING"

  capabilities {
    import_settings {
      username {
        username_format     = "CUSTOM"
        username_expression = "source.login"
      }
      schedule {
        status = "ENABLED"
        full_import {
          expression = "0 2 * * *"
          timezone   = "Europe/Paris"
        }
      }
    }
    import_rules {
      user_create_and_match {
        exact_match_criteria    = "EMAIL"
        auto_activate_new_users = true
      }
    }
  }
}
