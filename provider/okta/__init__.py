"""A small client for Okta's app-connection API: HTTP and Okta only, nothing about Terraform."""

from provider.okta.client import OktaClient
from provider.okta.errors import (
    OktaAPIError,
    OktaError,
    OktaNotFoundError,
    OktaResponseError,
    OktaTransportError,
)
from provider.okta.models import Connection, OAuthConnectionRequest, TokenConnectionRequest
from provider.okta.org_url import InvalidOrgURL, normalize_org_url

__all__ = [
    "Connection",
    "InvalidOrgURL",
    "OAuthConnectionRequest",
    "OktaAPIError",
    "OktaClient",
    "OktaError",
    "OktaNotFoundError",
    "OktaResponseError",
    "OktaTransportError",
    "TokenConnectionRequest",
    "normalize_org_url",
]
