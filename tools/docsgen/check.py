"""The stale-docs check: the committed `schemas/` and `docs/` against what would be generated now."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from pathlib import Path

from . import ROOT
from .render import generated_pages_on_disk, render_docs
from .schema import SCHEMA_FILE, generate_schema, schema_text


def _diff_excerpt(relative: str, committed: str | None, fresh: str | None, limit: int = 40) -> str:
    if committed is None:
        return f"  {relative}: missing (not committed)"
    if fresh is None:
        return f"  {relative}: no longer generated (its type is gone); delete it"
    diff = list(
        difflib.unified_diff(
            committed.splitlines(), fresh.splitlines(), f"a/{relative}", f"b/{relative}", lineterm=""
        )
    )
    shown = "\n".join(f"    {line}" for line in diff[:limit])
    more = f"\n    ... ({len(diff) - limit} more diff lines)" if len(diff) > limit else ""
    return f"  {relative}: differs\n{shown}{more}"


def stale_files(expected: Mapping[str, str], committed: Mapping[str, str | None]) -> list[str]:
    """Descriptions of every file whose committed text is not the generated one."""
    report = []
    for relative in sorted({*expected, *committed}):
        fresh, old = expected.get(relative), committed.get(relative)
        if fresh != old:
            report.append(_diff_excerpt(relative, old, fresh))
    return report


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def check(schemas: Path, docs: Path, examples: Path, terraform: str | None = None) -> list[str]:
    """Descriptions of every stale file under `schemas` and `docs`; empty when all are current."""
    schema = generate_schema(terraform)
    # Keys as shown to the user: relative to the checkout when the directories are inside it.
    schema_key = display(schemas / SCHEMA_FILE)
    expected = {schema_key: schema_text(schema)}
    committed = {schema_key: _read(schemas / SCHEMA_FILE)}
    pages = render_docs(json.loads(expected[schema_key]), examples)
    for relative in sorted({*pages, *generated_pages_on_disk(docs)}):
        key = display(docs / relative)
        committed[key] = _read(docs / relative)
        if relative in pages:
            expected[key] = pages[relative]
    return stale_files(expected, committed)


def display(path: Path) -> str:
    """`path` relative to the checkout when it is inside it, for messages."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()
