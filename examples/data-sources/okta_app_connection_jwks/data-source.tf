# The keys of an Org2Org OAuth connection, to register on the hub org's service app.
data "okta_app_connection_jwks" "org2org" {
  id = "0oa1234567890abcdef"
}

output "org2org_key_ids" {
  value = [for key in data.okta_app_connection_jwks.org2org.keys : key.kid]
}
