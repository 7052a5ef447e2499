"""Every relative link in the README, docs/ and the other READMEs resolves: file and heading."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The user-facing Markdown; benchmarks/README.md is checked once it exists.
OPTIONAL_PAGES = ("benchmarks/README.md", "tests/e2e/fixtures/README.md")

FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*)?\)")
REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.M)
HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.M)
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def pages() -> list[Path]:
    """The Markdown files whose links are checked."""
    found = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return found + [ROOT / page for page in OPTIONAL_PAGES if (ROOT / page).is_file()]


def without_code(markdown: str) -> str:
    """The text outside fenced code blocks and code spans, where links are links."""
    return CODE_SPAN.sub("", FENCE.sub("", markdown))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: its text, lower-case, punctuation but '-' and '_' dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text, not its target
    text = re.sub(r"<[^>]+>", "", text).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """The anchors a page offers: its headings' slugs (numbered when repeated) and `<a id>`s."""
    found: set[str] = set(HTML_ANCHOR.findall(markdown))
    seen: dict[str, int] = {}
    for heading in HEADING.findall(FENCE.sub("", markdown)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def relative_links(markdown: str) -> list[str]:
    """The targets of the page's links that point into the repository (no scheme, not `//`)."""
    text = without_code(markdown)
    targets = INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)
    return [target for target in targets if target and not SCHEME.match(target) and target[:2] != "//"]


def broken_links(page: Path) -> list[str]:
    """Why each relative link of `page` does not resolve, one line each."""
    problems = []
    for target in relative_links(page.read_text(encoding="utf-8")):
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            problems.append(f"{target}: {path_part} does not exist")
        elif (
            anchor
            and resolved.is_file()
            and resolved.suffix == ".md"
            and anchor not in anchors(resolved.read_text(encoding="utf-8"))
        ):
            problems.append(f"{target}: no heading or anchor #{anchor} in {resolved.name}")
    return problems


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("The resource `okta_app_connection`", "the-resource-okta_app_connection"),
        ("OAuth consent (Google, Office 365)", "oauth-consent-google-office-365"),
        ("Rate limits, retries and timeouts", "rate-limits-retries-and-timeouts"),
        ("Moving from the official provider (okta/okta)", "moving-from-the-official-provider-oktaokta"),
        ("Import blocks (Terraform 1.5+)", "import-blocks-terraform-15"),
        ("What was changed, and what was tried", "what-was-changed-and-what-was-tried"),
        ("Drift: `ENABLED` → `activate`", "drift-enabled--activate"),
        ("See [the docs](docs/index.md) first", "see-the-docs-first"),
    ],
)
def test_slugs_follow_github(heading: str, expected: str) -> None:
    assert slug(heading) == expected


def test_repeated_headings_are_numbered_and_code_is_not_a_heading() -> None:
    markdown = '# Notes\n\n## Notes\n\n```sh\n# not a heading\n```\n\n<a id="nestedblock--x"></a>\n'
    assert anchors(markdown) == {"notes", "notes-1", "nestedblock--x"}


def test_broken_links_are_reported(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Provider\n\n## Rate limits, retries and timeouts\n")
    page = tmp_path / "README.md"
    page.write_text(
        "# Title\n\n## Install it\n\n"
        "[ok](docs/index.md#rate-limits-retries-and-timeouts) [ok](#install-it) [ok](docs/) "
        "[web](https://example.com/x.md) [mail](mailto:a@example.com)\n"
        "[gone](docs/missing.md) [bad anchor](docs/index.md#rate-limits) [bad local](#install)\n"
        "`[code](nowhere.md)`\n\n```md\n[fenced](nowhere.md)\n```\n\n[ref]: docs/also-missing.md\n"
    )
    assert broken_links(page) == [
        "docs/missing.md: docs/missing.md does not exist",
        "docs/index.md#rate-limits: no heading or anchor #rate-limits in index.md",
        "#install: no heading or anchor #install in README.md",
        "docs/also-missing.md: docs/also-missing.md does not exist",
    ]


@pytest.mark.parametrize("page", pages(), ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken_links(page) == []
