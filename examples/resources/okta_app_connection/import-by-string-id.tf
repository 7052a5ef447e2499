import {
  to = okta_app_connection.example
  id = "0oa1234567890abcdef"
}
