"""Charts of the scale sections, drawn with matplotlib (the `bench` extra) next to the JSON.

One PNG per scale section: wall time against N, for each latency and -parallelism, the provider
beside its floor, and beside the plugin floor where section 3c measured it (its largest N and
highest latency). Without matplotlib the run still writes its table and JSON, and says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .harness import LABELS, progress
from .report import PLUGIN_FLOOR_SECTION, SAME_SIZE_SECTION

# The floor drawn in each section's chart: its file, title and the cell's key for that floor.
SCALE_CHARTS = (
    ("scale.png", "3. scale, beside the formula floor", "floor_seconds"),
    ("scale_same_state_size.png", SAME_SIZE_SECTION, "floor_same_state_size_seconds"),
)
PLUGIN_FLOOR_CHART = "scale_plugin_floor.png"
COMMANDS = ("apply", "plan")


def draw(results: dict[str, Any], directory: Path) -> list[Path]:
    """Draw the charts of `results`' scale sections into `directory`; the files written."""
    sections = results["sections"]
    if "scale" not in sections:
        return []
    try:
        from matplotlib.figure import Figure
    except ImportError:
        progress("charts not drawn: matplotlib is missing (pip install -e '.[bench]')")
        return []
    subtitle = _subtitle(results)
    plugin = sections.get("plugin_floor")
    written = []
    for name, title, floor_key in SCALE_CHARTS:
        figure = _scale_figure(Figure, sections["scale"]["cells"], floor_key, plugin)
        written.append(_save(figure, directory / name, f"{title}\n{subtitle}"))
    if plugin:
        written.append(
            _save(
                _plugin_floor_figure(Figure, plugin),
                directory / PLUGIN_FLOOR_CHART,
                f"{PLUGIN_FLOOR_SECTION}\n{subtitle}",
            )
        )
    progress("charts: " + ", ".join(str(path) for path in written))
    return written


def _subtitle(results: dict[str, Any]) -> str:
    machine = results["machine"]
    return (
        f"{results['mode']} run of {results['date']}, {machine['cpu_count']} CPUs, "
        f"terraform {machine['terraform']}, Python {machine['python']}"
    )


def _scale_figure(
    figure_class: Any, cells: list[dict[str, Any]], floor_key: str, plugin: dict[str, Any] | None
) -> Any:
    """Panels of command x latency; per -parallelism, the provider (solid) and the floor (dashed)."""
    latencies = sorted({cell["latency_ms"] for cell in cells})
    parallelisms = sorted({cell["parallelism"] for cell in cells})
    sizes = sorted({cell["n"] for cell in cells})
    colours = dict(zip(parallelisms, ("tab:blue", "tab:orange", "tab:green", "tab:red"), strict=False))
    figure = figure_class(figsize=(5.5 * len(latencies), 8), layout="constrained")
    axes = figure.subplots(len(COMMANDS), len(latencies), squeeze=False)
    for row, command in enumerate(COMMANDS):
        for column, latency in enumerate(latencies):
            panel = axes[row][column]
            for parallelism in parallelisms:
                chosen = sorted(
                    (
                        cell
                        for cell in cells
                        if (cell["latency_ms"], cell["parallelism"]) == (latency, parallelism)
                    ),
                    key=lambda cell: cell["n"],
                )
                ns = [cell["n"] for cell in chosen]
                colour = colours.get(parallelism)
                panel.plot(
                    ns,
                    [cell[command]["seconds"] for cell in chosen],
                    "o-",
                    color=colour,
                    label=f"provider, P={parallelism}",
                )
                panel.plot(
                    ns,
                    [cell[command][floor_key] for cell in chosen],
                    "s--",
                    color=colour,
                    label=f"floor, P={parallelism}",
                )
                plugin_seconds = _plugin_seconds(plugin, latency, parallelism, command)
                if plugin_seconds is not None and plugin is not None:
                    panel.plot(
                        [plugin["n"]],
                        [plugin_seconds],
                        "^",
                        color=colour,
                        markersize=10,
                        label=f"plugin floor, P={parallelism}",
                    )
            panel.set_title(f"{LABELS[command]}, {latency} ms latency")
            panel.set_xlabel("N (resources)")
            panel.set_ylabel("wall time (s)")
            panel.set_xticks(sizes)
            panel.set_xlim(0, max(sizes) * 1.1)
            panel.set_ylim(bottom=0)
            panel.grid(alpha=0.3)
            panel.legend(fontsize="small")
    return figure


def _plugin_seconds(
    plugin: dict[str, Any] | None, latency: int, parallelism: int, command: str
) -> float | None:
    """Section 3c's plugin floor for this cell, where it ran."""
    if plugin is None or plugin["latency_ms"] != latency:
        return None
    for cell in plugin["cells"]:
        if cell["parallelism"] == parallelism:
            return float(cell[command]["floor"]["seconds"])
    return None


def _plugin_floor_figure(figure_class: Any, plugin: dict[str, Any]) -> Any:
    """Per command and -parallelism: the provider, the plugin floor and section 3's floor, as bars."""
    figure = figure_class(figsize=(11, 5), layout="constrained")
    axes = figure.subplots(1, len(COMMANDS), squeeze=False)
    bars = (
        ("provider, in turns", "tab:blue"),
        ("plugin floor (no HTTP)", "tab:purple"),
        ("section 3's floor", "tab:gray"),
    )
    width = 0.8 / len(bars)
    for column, command in enumerate(COMMANDS):
        panel = axes[0][column]
        cells = plugin["cells"]
        heights = [_plugin_floor_bars(cell[command]) for cell in cells]
        for index, (label, colour) in enumerate(bars):
            positions = [position + (index - 1) * width for position in range(len(cells))]
            drawn = panel.bar(positions, [bar[index] for bar in heights], width, label=label, color=colour)
            panel.bar_label(drawn, fmt="%.2f s", fontsize="small")
        panel.set_xticks(range(len(cells)), [f"P={cell['parallelism']}" for cell in cells])
        panel.set_title(f"{LABELS[command]}, N={plugin['n']}, {plugin['latency_ms']} ms")
        panel.set_ylabel("wall time (s)")
        panel.set_ylim(0, max(max(bar) for bar in heights) * 1.15)
        panel.grid(axis="y", alpha=0.3)
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=len(bars))
    return figure


def _plugin_floor_bars(figures: dict[str, Any]) -> tuple[float, float, float]:
    """Section 3c's cell for one command: the provider, the plugin floor, section 3's floor."""
    return figures["provider"]["seconds"], figures["floor"]["seconds"], figures["floor_seconds"]


def _save(figure: Any, path: Path, title: str) -> Path:
    """Title `figure` and write it to `path`."""
    figure.suptitle(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    return path
