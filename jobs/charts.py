"""The report's charts as PNG images (matplotlib's Agg canvas, no display, no pyplot state): mail clients
such as Outlook show no SVG. Each chart's numbers are also in a table beside it (templates/report)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

COLOURS = ("#1f5f99", "#e08a1e", "#3b8f4a", "#b03a48", "#6f5aa8")


def _png(figure: Figure) -> str:
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def stacked_bars(labels: Sequence[str], series: Mapping[str, Sequence[int]], title: str) -> str:
    """Bars per label, stacked by series (the next 12 weeks, by forum); a data: URI of the PNG."""
    figure = Figure(figsize=(7.2, 3.2))
    axes = figure.add_subplot()
    bottom = [0] * len(labels)
    for colour, (name, values) in zip(COLOURS, series.items(), strict=False):
        axes.bar(range(len(labels)), values, bottom=bottom, label=name, color=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
    axes.set_title(title, fontsize=9)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=8, frameon=False)
    return _png(figure)


def lines(labels: Sequence[str], series: Mapping[str, Sequence[int]], title: str) -> str:
    """One line per series over the labels (the last 30 nights); a data: URI of the PNG."""
    figure = Figure(figsize=(7.2, 3.2))
    axes = figure.add_subplot()
    for colour, (name, values) in zip(COLOURS, series.items(), strict=False):
        axes.plot(range(len(labels)), values, marker="o", markersize=3, label=name, color=colour)
    step = max(1, len(labels) // 10)
    axes.set_xticks(range(0, len(labels), step), labels[::step], rotation=45, ha="right", fontsize=8)
    axes.set_title(title, fontsize=9)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(fontsize=8, frameon=False)
    return _png(figure)
