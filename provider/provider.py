"""The okta-py/okta provider: its configuration schema, configuration, and resource types."""

from __future__ import annotations

import os
import threading
from typing import Any

from tf.iface import DataSource, Resource
from tf.schema import Attribute, Schema
from tf.types import String
from tf.utils import Diagnostics

from provider.okta import OktaClient
from provider.settings import Settings, SettingsError, check_config, resolve

SOURCE_ADDRESS = "registry.terraform.io/okta-py/okta"

PROVIDER_SCHEMA = Schema(
    version=0,
    description="Manages Okta application provisioning connections.",
    attributes=[
        Attribute(
            "org_url",
            String(),
            optional=True,
            description="The org's address, for example `https://dev-123456.okta.com`. "
            "Environment variable: `OKTA_ORG_URL`. `http://` is accepted only for loopback hosts. "
            "Conflicts with `org_name`.",
        ),
        Attribute(
            "org_name",
            String(),
            optional=True,
            description="The org's name, the `dev-123456` of `dev-123456.okta.com`; used with "
            "`base_url`. Environment variable: `OKTA_ORG_NAME`.",
        ),
        Attribute(
            "base_url",
            String(),
            optional=True,
            description="The domain of the org, used with `org_name`: `okta.com` (default), "
            "`oktapreview.com` or `okta-emea.com`. Environment variable: `OKTA_BASE_URL`.",
        ),
        Attribute(
            "api_token",
            String(),
            optional=True,
            sensitive=True,
            description="An Okta API token, sent as `Authorization: SSWS <token>`. "
            "Environment variable: `OKTA_API_TOKEN`.",
        ),
    ],
)


class NotConfigured(Exception):
    """An operation needs the Okta client before ConfigureProvider succeeded."""


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
                diags.add_error(problem.summary, problem.detail, path=[problem.argument])
            return
        with self._lock:
            if settings != self._settings:
                self._client = OktaClient(settings.org_url, settings.api_token)
                self._settings = settings

    @property
    def client(self) -> OktaClient:
        client = self._client
        if client is None:
            raise NotConfigured
        return client

    def get_data_sources(self) -> list[type[DataSource]]:
        return []

    def get_resources(self) -> list[type[Resource]]:
        from provider.resources.app_connection import AppConnection

        return [AppConnection]

    def get_functions(self) -> list[Any]:
        return []

    def new_resource(self, klass: type[Resource]) -> Resource:
        return klass(self)

    def new_data_source(self, klass: type[DataSource]) -> DataSource:
        return klass(self)
