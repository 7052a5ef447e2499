import {
  to = okta_app_features.example
  id = "0oa1234567890abcdef/USER_PROVISIONING"
}
