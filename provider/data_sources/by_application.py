"""What the data sources share: they are read by application ID, through the configured client."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any

from tf.iface import ReadDataContext
from tf.utils import Diagnostics

from provider.declared_type import DeclaredType, Problem, report
from provider.diagnostics import add_okta_error, app_id_problem, configured_client
from provider.okta import OktaError

if TYPE_CHECKING:
    from provider.okta.client import OktaClient


def app_id_problems(config: dict[str, Any]) -> list[Problem]:
    """An `id` that cannot be an application's."""
    problem = app_id_problem("id", config.get("id"))
    return [] if problem is None else [problem]


def checked_app_id(diags: Diagnostics, config: dict[str, Any]) -> str | None:
    """The configured application ID; an error for one that cannot be; None while unknown."""
    problems = app_id_problems(config)
    report(diags, problems)
    app_id = config.get("id")
    return app_id if isinstance(app_id, str) and not problems else None


class ByApplicationId(DeclaredType):
    """A data source whose only argument is the application's `id`."""

    #: What the read does, for error messages: "reading ... of application "{id}"".
    reading: str

    problems = staticmethod(app_id_problems)

    @abstractmethod
    def fetch(self, client: OktaClient, app_id: str) -> dict[str, Any]:
        """The data source's state, read from Okta."""

    def read(self, ctx: ReadDataContext, config: dict[str, Any]) -> dict[str, Any] | None:
        diags = ctx.diagnostics
        app_id = checked_app_id(diags, config)
        client = configured_client(self.provider, diags)
        if app_id is None or client is None:
            return None
        try:
            return self.fetch(client, app_id)
        except OktaError as exc:
            add_okta_error(diags, exc, f'reading {self.reading} of application "{app_id}"')
            return None
