data "okta_app_features" "push" {
  app_id = "0oa1234567890abcdef"
  name   = "USER_PROVISIONING"
}

output "password_sync_enabled" {
  value = data.okta_app_features.push.capabilities.update.password.status == "ENABLED"
}
