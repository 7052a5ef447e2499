data "okta_app_connection" "scim" {
  id = "0oa1234567890abcdef"
}

output "scim_connection_enabled" {
  value = data.okta_app_connection.scim.status == "ENABLED"
}
