"""Write-only arguments found in a schema, taken out of states and put back from configuration."""

from __future__ import annotations

from typing import Any

from tf.types import String, Unknown

from provider.plugin.write_only import (
    WriteOnlyAttribute,
    configured,
    unsupported,
    with_write_only,
    without_write_only,
    write_only_paths,
)
from provider.resources.app_connection import SCHEMA

TOKEN, PASSWORD = ("profile", "token_wo"), ("profile", "settings", "admin_password_wo")


def config(**settings: Any) -> dict[str, Any]:
    return {
        "id": "0oa1",
        "profile": {
            "token_wo": "secret",
            "token_wo_version": 1,
            "settings": settings or None,
        },
    }


def test_the_connection_schema_has_three_write_only_arguments() -> None:
    assert write_only_paths(SCHEMA) == [TOKEN, PASSWORD, ("oauth_consent", "code_wo")]


def test_a_write_only_attribute_is_optional_sensitive_and_marked_write_only() -> None:
    attribute = WriteOnlyAttribute("secret_wo", String(), description="d").to_pb()
    assert (attribute.optional, attribute.sensitive, attribute.write_only) == (True, True, True)
    assert not attribute.required and not attribute.computed


def test_without_write_only_nulls_them_at_any_depth_and_leaves_the_original_alone() -> None:
    original = config(admin_password_wo="pw", admin_username="u")
    cleared = without_write_only(original, [TOKEN, PASSWORD])
    assert cleared["profile"]["token_wo"] is None
    assert cleared["profile"]["settings"] == {"admin_password_wo": None, "admin_username": "u"}
    assert cleared["profile"]["token_wo_version"] == 1
    assert original["profile"]["token_wo"] == "secret"


def test_absent_blocks_and_null_objects_are_left_as_they_are() -> None:
    assert without_write_only(None, [TOKEN]) is None
    assert without_write_only(config(), [PASSWORD])["profile"]["settings"] is None
    assert without_write_only({"id": "a", "profile": Unknown}, [TOKEN])["profile"] is Unknown


def test_with_write_only_puts_the_configured_values_back() -> None:
    planned = without_write_only(config(admin_password_wo="pw"), [TOKEN, PASSWORD])
    filled = with_write_only(planned, config(admin_password_wo="pw"), [TOKEN, PASSWORD])
    assert filled == config(admin_password_wo="pw")
    assert planned["profile"]["token_wo"] is None


def test_configured_counts_values_not_yet_known() -> None:
    assert configured(config(), [TOKEN, PASSWORD]) == [TOKEN]
    unknown = config(admin_password_wo=Unknown)
    unknown["profile"]["token_wo"] = None
    assert configured(unknown, [TOKEN, PASSWORD]) == [PASSWORD]


def test_the_error_for_an_old_terraform_names_the_argument_and_the_version_needed() -> None:
    summary, detail = unsupported(PASSWORD)
    assert summary == "admin_password_wo needs Terraform 1.11 or later"
    assert "profile.settings.admin_password_wo is a write-only argument" in detail
    assert "`admin_password`" in detail
