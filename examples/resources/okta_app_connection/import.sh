# Import the provisioning connection of an application by the application's ID.
# Okta never returns secrets: token and admin_password stay empty in state until the
# next apply sends the values written in the configuration.
terraform import okta_app_connection.example 0oa1234567890abcdef
