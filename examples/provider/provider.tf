terraform {
  required_providers {
    okta = {
      source = "okta-py/okta"
    }
  }
}

variable "okta_org_url" {
  type        = string
  description = "The Okta org, for example https://dev-123456.okta.com"
}

variable "okta_api_token" {
  type      = string
  sensitive = true
}

# Every argument can come from the environment instead (OKTA_ORG_URL, OKTA_API_TOKEN, ...);
# a value set here wins over the environment.
provider "okta" {
  org_url   = var.okta_org_url
  api_token = var.okta_api_token
}
