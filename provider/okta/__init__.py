"""A small client for Okta's app-connection API: HTTP and Okta only, nothing about Terraform."""

from provider.okta.auth import (
    DEFAULT_SCOPES,
    AccessTokenCredentials,
    ApiToken,
    Credentials,
    InvalidPrivateKey,
    ServiceAppCredentials,
    load_private_key,
)
from provider.okta.client import ClientOptions, OktaClient
from provider.okta.errors import (
    OktaAPIError,
    OktaAuthError,
    OktaCancelled,
    OktaError,
    OktaNotFoundError,
    OktaResponseError,
    OktaTransportError,
)
from provider.okta.models import Connection, OAuthConnectionRequest, TokenConnectionRequest
from provider.okta.org_url import InvalidOrgURL, normalize_org_url
from provider.okta.retry import RetryPolicy

__all__ = [
    "DEFAULT_SCOPES",
    "AccessTokenCredentials",
    "ApiToken",
    "ClientOptions",
    "Connection",
    "Credentials",
    "InvalidOrgURL",
    "InvalidPrivateKey",
    "OAuthConnectionRequest",
    "OktaAPIError",
    "OktaAuthError",
    "OktaCancelled",
    "OktaClient",
    "OktaError",
    "OktaNotFoundError",
    "OktaResponseError",
    "OktaTransportError",
    "RetryPolicy",
    "ServiceAppCredentials",
    "TokenConnectionRequest",
    "load_private_key",
    "normalize_org_url",
]
