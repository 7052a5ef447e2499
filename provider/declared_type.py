"""What every resource and data source type shares with `tf`: its name, its schema and its
validation, declared once as class attributes instead of written out as methods in each."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

from tf.schema import Schema
from tf.utils import Diagnostics

from provider.session import Session

# A rule the configuration breaks: (attribute path, summary, detail).
Problem = tuple[list[str], str, str]


def report(diags: Diagnostics, problems: Iterable[Problem]) -> None:
    """Each problem as an error that points at its attribute."""
    for path, summary, detail in problems:
        diags.add_error(summary, detail, path=path)


class DeclaredType(ABC):
    """A resource or data source type: `name`, `schema` and `problems` are all a subclass declares
    for `tf`'s `get_name`, `get_schema` and `validate`."""

    #: The type's name without the provider's prefix, such as "app_connection".
    name: ClassVar[str]
    schema: ClassVar[Schema]

    def __init__(self, provider: Session) -> None:
        self.provider = provider

    @staticmethod
    @abstractmethod
    def problems(config: dict[str, Any]) -> list[Problem]:
        """Every rule the configuration breaks, checked before any call. Unknown values pass."""

    @classmethod
    def get_name(cls) -> str:
        return cls.name

    @classmethod
    def get_schema(cls) -> Schema:
        return cls.schema

    def validate(self, diags: Diagnostics, type_name: str, config: dict[str, Any]) -> None:
        report(diags, self.problems(config))
