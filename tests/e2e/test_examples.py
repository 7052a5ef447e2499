"""Every file in examples/ is formatted (`terraform fmt -check`) and valid (`terraform validate`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import Terraform, terraform_version

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
IMPORT_BLOCKS = "import-by-string-id.tf"
WRITE_ONLY = "resource-write-only.tf"


def test_examples_are_formatted(terraform: Terraform) -> None:
    done = terraform.run("fmt", "-check", "-recursive", "-diff", str(EXAMPLES), expect=None)
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize(
    "example",
    sorted(path.parent.relative_to(EXAMPLES) for path in EXAMPLES.glob("*/*/*.tf")),
    ids=str,
)
def test_examples_are_valid(terraform: Terraform, example: Path) -> None:
    shutil.copy(EXAMPLES / "provider" / "provider.tf", terraform.workdir)
    for source in sorted((EXAMPLES / example).glob("*.tf")):
        if source.name == IMPORT_BLOCKS and terraform_version() < (1, 5):
            continue  # import blocks are Terraform 1.5+ syntax; the file is checked on newer versions
        if source.name == WRITE_ONLY and terraform_version() < (1, 11):
            continue  # write-only arguments and ephemeral variables: checked on Terraform 1.11+
        shutil.copy(source, terraform.workdir)
    terraform.init()
    terraform.run("validate")
