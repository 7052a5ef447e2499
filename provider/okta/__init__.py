"""A small client for Okta's app-connection API: HTTP and Okta only, nothing about Terraform.

Importing this package is cheap: the HTTP stack (httpx, PyJWT, cryptography) loads only with
`provider.okta.client`, so the plugin processes that answer schema and validation calls never
pay for it.
"""

from provider.okta.credentials import (
    DEFAULT_SCOPES,
    AccessTokenCredentials,
    ApiToken,
    Credentials,
    ServiceAppCredentials,
)
from provider.okta.errors import (
    OktaAPIError,
    OktaAuthError,
    OktaCancelled,
    OktaError,
    OktaNotFoundError,
    OktaResponseError,
    OktaTransportError,
)
from provider.okta.keys import InvalidPrivateKey, load_private_key
from provider.okta.models import Connection, OAuthConnectionRequest, TokenConnectionRequest
from provider.okta.options import ClientOptions, RetryPolicy, Timeouts
from provider.okta.org_url import InvalidOrgURL, normalize_org_url
from provider.okta.proxy import InvalidProxy, environment_proxy, proxy_url

__all__ = [
    "DEFAULT_SCOPES",
    "AccessTokenCredentials",
    "ApiToken",
    "ClientOptions",
    "Connection",
    "Credentials",
    "InvalidOrgURL",
    "InvalidPrivateKey",
    "InvalidProxy",
    "OAuthConnectionRequest",
    "OktaAPIError",
    "OktaAuthError",
    "OktaCancelled",
    "OktaError",
    "OktaNotFoundError",
    "OktaResponseError",
    "OktaTransportError",
    "RetryPolicy",
    "ServiceAppCredentials",
    "Timeouts",
    "TokenConnectionRequest",
    "environment_proxy",
    "load_private_key",
    "normalize_org_url",
    "proxy_url",
]
