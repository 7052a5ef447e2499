"""Generates the provider's Terraform Registry documentation from its schema and `examples/`.

The schema descriptions in `provider/`, the examples and the behaviour notes beside them
(`examples/**/notes.md`) are the only sources of text; nothing in `docs/` is edited by hand.
Three commands (paths default to this checkout's; stdlib only):

    python tools/docs.py schema [--out schemas]
        Installs the provider into a temporary filesystem mirror, runs `terraform init` and
        `terraform providers schema -json` in a temporary directory, and writes the schema,
        normalised, to `schemas/okta-py_okta.json`.

    python tools/docs.py render [--schema schemas/okta-py_okta.json] [--examples examples] [--out docs]
        Writes Registry-format Markdown in the layout and style of HashiCorp's tfplugindocs:
        `docs/index.md`, `docs/resources/<name>.md`, `docs/data-sources/<name>.md`. Pages of
        types that no longer exist are removed; other files under `docs/` are left alone.

    python tools/docs.py check
        Regenerates both and compares them with the committed files: exit 0 when identical,
        1 (with the stale files and a diff excerpt) when not, 2 when generation failed.

Terraform is the `terraform` on PATH, or `$TERRAFORM`, or `--terraform`. The output is
byte-stable: keys and names are sorted, there are no timestamps and no machine paths. The work
is done by the package `tools/docsgen/` (schema, walker, renderer and its page templates, check).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from docsgen import ROOT, DocsError
from docsgen.check import check, display
from docsgen.render import render_docs, write_docs
from docsgen.schema import SCHEMA_FILE, generate_schema, load_schema, schema_text

REGENERATE = "./build.sh docs"


def main(argv: Sequence[str] | None = None) -> int:
    """Runs one command; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="tools/docs.py", description=__doc__.split("\n\n")[0] if __doc__ else ""
    )
    commands = parser.add_subparsers(dest="command", required=True)
    schema_cmd = commands.add_parser(
        "schema", help="write schemas/okta-py_okta.json from `terraform providers schema`"
    )
    schema_cmd.add_argument("--out", type=Path, default=ROOT / "schemas", help="directory (default: schemas)")
    render_cmd = commands.add_parser("render", help="write docs/ from the schema file and examples/")
    render_cmd.add_argument("--schema", type=Path, default=ROOT / "schemas" / SCHEMA_FILE)
    render_cmd.add_argument("--examples", type=Path, default=ROOT / "examples")
    render_cmd.add_argument("--out", type=Path, default=ROOT / "docs", help="directory (default: docs)")
    check_cmd = commands.add_parser("check", help="exit 1 when the committed schemas/ or docs/ are stale")
    check_cmd.add_argument("--schemas", type=Path, default=ROOT / "schemas")
    check_cmd.add_argument("--docs", type=Path, default=ROOT / "docs")
    check_cmd.add_argument("--examples", type=Path, default=ROOT / "examples")
    for command in (schema_cmd, check_cmd):
        command.add_argument("--terraform", help="the terraform binary (default: $TERRAFORM, else PATH)")
    args = parser.parse_args(argv)

    try:
        if args.command == "schema":
            target = args.out / SCHEMA_FILE
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(schema_text(generate_schema(args.terraform)).encode())
            print(f"wrote {display(target)}")
        elif args.command == "render":
            pages = render_docs(load_schema(args.schema), args.examples)
            for relative in write_docs(pages, args.out):
                print(f"removed {display(args.out / relative)}")
            for relative in sorted(pages):
                print(f"wrote {display(args.out / relative)}")
        else:
            stale = check(args.schemas, args.docs, args.examples, args.terraform)
            if stale:
                print("The generated documentation is stale:\n", file=sys.stderr)
                print("\n".join(stale), file=sys.stderr)
                print(
                    f"\nRun `{REGENERATE}` (python tools/docs.py schema && python tools/docs.py render) "
                    "and commit schemas/ and docs/.",
                    file=sys.stderr,
                )
                return 1
            print("schemas/ and docs/ are up to date.")
    except DocsError as exc:
        print(f"tools/docs.py {args.command}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
