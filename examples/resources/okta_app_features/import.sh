# Import a feature by the application's ID and the feature's name, joined by "/".
terraform import okta_app_features.example 0oa1234567890abcdef/USER_PROVISIONING
