"""The report: the table's rows and sections, the table printed, and the JSON written."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAME_SIZE_SECTION = "3b. scale, beside terraform_data with a state as large"
PLUGIN_FLOOR_SECTION = "3c. scale, beside the plugin floor: the provider with no HTTP"
CONCURRENT_SECTION = "6b. rate-limited, concurrent runs on one bucket"
CPU_SECTION = "8. where the CPU goes (the memory runs, 0 ms)"
# The table's order, whatever order the sections ran in.
ORDER = [
    "1. start-up",
    "2. one resource",
    "3. scale",
    SAME_SIZE_SECTION,
    PLUGIN_FLOOR_SECTION,
    "4. CPU per API call",
    "5. calls per operation",
    "6. rate-limited",
    CONCURRENT_SECTION,
    "7. memory",
    CPU_SECTION,
]


@dataclass
class Row:
    """One line of the table: a figure beside its floor."""

    section: str
    case: str
    value: float | None
    floor: float | None
    unit: str
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or self.floor is None or self.floor <= 0:
            return None
        return self.value / self.floor

    def to_json(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "section": self.section,
            "case": self.case,
            "value": None if self.value is None else round(self.value, 4),
            "floor": None if self.floor is None else round(self.floor, 4),
            "unit": self.unit,
            "ratio": None if ratio is None else round(ratio, 3),
            "note": self.note,
        }


def shown(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "calls":
        return f"{value:.0f}" if value == int(value) else f"{value:.2f}"
    if unit == "s":
        return f"{value:.2f} s"
    if unit in ("ms", "MiB"):
        return f"{value:.1f} {unit}"
    return f"{value:.0f} {unit}"


def print_table(rows: list[Row], title: str) -> None:
    width = max(len(row.case) for row in rows)
    print(title)
    print(f"{'':{width}}  {'measured':>10}  {'floor':>10}  {'ratio':>6}  note")
    section = ""
    for row in rows:
        if row.section != section:
            section = row.section
            print(f"-- {section} " + "-" * (width + 30 - len(section)))
        ratio = row.ratio
        print(
            f"{row.case:{width}}  {shown(row.value, row.unit):>10}  {shown(row.floor, row.unit):>10}  "
            f"{'—' if ratio is None else f'{ratio:.2f}x':>6}  {row.note}"
        )


def machine(terraform_version: str) -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "node": platform.node(),
        "python": platform.python_version(),
        "terraform": terraform_version,
    }


def title(mode: str, terraform_version: str, duration: float) -> str:
    """The table's first line."""
    return (
        f"okta-py/okta benchmarks ({mode}), terraform {terraform_version}, {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}, {duration:.0f} s"
    )


def write_json(out: Path, report: dict[str, Any]) -> None:
    """Every figure, with the machine's details, as JSON in `out`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
