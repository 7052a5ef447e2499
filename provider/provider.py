"""The okta-py/okta provider: its configuration schema, configuration, and resource types."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from tf.iface import DataSource, Resource
from tf.schema import Attribute, Schema
from tf.types import Number, Set, String
from tf.utils import Diagnostics

if TYPE_CHECKING:
    from provider.okta.client import OktaClient

from provider.session import NotConfigured
from provider.settings import Settings, SettingsError, check_config, resolve

SOURCE_ADDRESS = "registry.terraform.io/okta-py/okta"


def _string(name: str, description: str, *, sensitive: bool = False) -> Attribute:
    return Attribute(name, String(), optional=True, sensitive=sensitive, description=description)


def _number(name: str, description: str) -> Attribute:
    return Attribute(name, Number(), optional=True, description=description)


PROVIDER_SCHEMA = Schema(
    version=0,
    description="Manages Okta application provisioning connections.",
    attributes=[
        _string(
            "org_url",
            "The org's address, for example `https://dev-123456.okta.com`. Environment variable: "
            "`OKTA_ORG_URL`. `http://` is accepted only for loopback hosts. Conflicts with `org_name`.",
        ),
        _string(
            "org_name",
            "The org's name, the `dev-123456` of `dev-123456.okta.com`; used with `base_url`. "
            "Environment variable: `OKTA_ORG_NAME`.",
        ),
        _string(
            "base_url",
            "The domain of the org, used with `org_name`: `okta.com` (default), `oktapreview.com` or "
            "`okta-emea.com`. Environment variable: `OKTA_BASE_URL`.",
        ),
        _string(
            "api_token",
            "An Okta API token, sent as `Authorization: SSWS <token>`. Environment variable: "
            "`OKTA_API_TOKEN`. Use exactly one of `api_token`, `access_token`, or `client_id` with "
            "`private_key`.",
            sensitive=True,
        ),
        _string(
            "access_token",
            "An OAuth 2.0 access token obtained elsewhere, sent as `Authorization: Bearer <token>`. "
            "Environment variable: `OKTA_ACCESS_TOKEN`.",
            sensitive=True,
        ),
        _string(
            "client_id",
            "The client ID of an OAuth 2.0 service app; the provider gets access tokens for it with a "
            "`private_key_jwt` assertion. Environment variable: `OKTA_API_CLIENT_ID`.",
        ),
        _string(
            "private_key",
            "The service app's private key: PEM text or the path of a PEM file; RSA (PKCS#1 or PKCS#8, "
            "signed RS256) or P-256 EC (signed ES256). Environment variable: `OKTA_API_PRIVATE_KEY`.",
            sensitive=True,
        ),
        _string(
            "private_key_id",
            "The key ID (`kid`) of `private_key` as registered with the service app. Environment "
            "variable: `OKTA_API_PRIVATE_KEY_ID`.",
        ),
        Attribute(
            "scopes",
            Set(String()),
            optional=True,
            description="Scopes the service app asks for. Default: `okta.apps.manage`, `okta.apps.read`. "
            "Environment variable: `OKTA_API_SCOPES` (separated by commas or spaces).",
        ),
        _string(
            "http_proxy",
            "A proxy for every call to Okta, `http://host:port` or `https://host:port` (`http://` when "
            "no scheme is given), as in the official provider; it wins over `HTTPS_PROXY`, which is "
            "honoured otherwise, with `NO_PROXY`. Sensitive, as it may carry the proxy's password.",
            sensitive=True,
        ),
        _number(
            "max_retries",
            "How often a failed call is retried (429, 502-504, network failures, a 500 at most twice). "
            "Default 5.",
        ),
        _number(
            "min_wait_seconds",
            "The first backoff before retrying a 5xx or network failure, a random wait between half of "
            "it and all of it; it doubles with each retry. Default 1.",
        ),
        _number(
            "max_wait_seconds",
            "The longest single wait before a retry, a 429's wait for the rate-limit reset included. "
            "Default 90.",
        ),
        _number(
            "request_timeout",
            "Bound, in seconds, on one API call with its retries: no retry starts that would end after "
            "it, and each attempt's connect, read and write timeouts are cut to the time left. "
            "Default 0: none.",
        ),
        _number(
            "max_api_capacity",
            "Percent (1-100) of the org's apps rate-limit bucket the provider may spend per minute before "
            "it waits for the next window. Default 100.",
        ),
        _number(
            "max_concurrent_requests",
            "Requests to Okta in flight at once, shared by all operations. Default 10, below Okta's "
            "lowest concurrency limit.",
        ),
    ],
)


class OktaProvider:
    """Implements tf's Provider protocol. Configuration may be repeated (Terraform does so)."""

    def __init__(self, stopping: threading.Event | None = None) -> None:
        self.stopping = stopping or threading.Event()
        self._lock = threading.Lock()
        self._settings: Settings | None = None
        self._client: OktaClient | None = None

    def get_model_prefix(self) -> str:
        return "okta_"

    def full_name(self) -> str:
        return SOURCE_ADDRESS

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return PROVIDER_SCHEMA

    def validate_config(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        for problem in check_config(config):
            diags.add_error(problem.summary, problem.detail, path=[problem.argument])

    def configure_provider(self, diags: Diagnostics, config: dict[str, Any]) -> None:
        try:
            settings = resolve(config, os.environ)
        except SettingsError as exc:
            for problem in exc.problems:
                path = [problem.argument] if problem.argument else None
                diags.add_error(problem.summary, problem.detail, path=path)
            return
        with self._lock:
            if settings != self._settings:
                self._settings, self._client = settings, None

    @property
    def client(self) -> OktaClient:
        """The client, built at the first API call: processes that only plan never load httpx."""
        with self._lock:
            if self._client is None:
                if self._settings is None:
                    raise NotConfigured
                from provider.okta.client import OktaClient

                settings = self._settings
                self._client = OktaClient(
                    settings.org_url, settings.credentials, options=settings.options, stopping=self.stopping
                )
            return self._client

    def get_data_sources(self) -> list[type[DataSource]]:
        from provider.data_sources.app_connection import AppConnectionData
        from provider.data_sources.app_connection_jwks import AppConnectionJwksData
        from provider.data_sources.app_features import AppFeaturesData

        return [AppConnectionData, AppConnectionJwksData, AppFeaturesData]

    def get_resources(self) -> list[type[Resource]]:
        from provider.resources.app_connection import AppConnection
        from provider.resources.app_features import AppFeatures

        return [AppConnection, AppFeatures]

    def get_functions(self) -> list[Any]:
        return []

    def new_resource(self, klass: type[Resource]) -> Resource:
        return klass(self)

    def new_data_source(self, klass: type[DataSource]) -> DataSource:
        return klass(self)
