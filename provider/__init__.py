"""Terraform provider for Okta application provisioning connections (plugin protocol 6)."""
