"""The scatter plot of a clustering run (matplotlib, Agg backend), written once per run.

Clusters are coloured and labelled by their numbers, as on the page, so no name from the data
(which may be Korean, Japanese or Hebrew) has to be drawn; only the axis names come from the
data (genre names), and a name the font cannot draw is left out of the label.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
from matplotlib import colormaps, font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

DPI = 100
SIZE_INCHES = (7, 7)


@cache
def _drawable_codepoints() -> frozenset[int]:
    path = font_manager.findfont(font_manager.FontProperties(family=matplotlib.rcParams["font.family"]))
    return frozenset(FT2Font(path).get_charmap())


def _drawable(text: str) -> bool:
    # Right-to-left scripts (Hebrew, Arabic) have glyphs in DejaVu, but matplotlib would draw
    # them in the wrong order: leave them out too.
    codepoints = _drawable_codepoints()
    return all(ord(ch) in codepoints and unicodedata.bidirectional(ch) not in ("R", "AL") for ch in text)


def drawable_axis_label(name: str, fallback: str) -> str:
    """``name`` without the comma-separated parts the default font cannot draw (``fallback`` if none is left)."""
    parts = [p for p in name.split(", ") if p and _drawable(p)]
    return ", ".join(parts) or fallback


def write_scatter(
    path: Path,
    *,
    xy: np.ndarray,
    numbers: np.ndarray,
    x_axis: str,
    y_axis: str,
) -> Path:
    """Draw each track at ``xy`` coloured by its cluster ``numbers`` (1-based) and write a PNG at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # A bare Figure (no pyplot): nothing global to clean up, safe in worker threads.
    fig = Figure(figsize=SIZE_INCHES, dpi=DPI)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.08, top=0.97)
    cmap = colormaps["tab10"]
    for number in sorted(set(numbers.tolist())):
        rows = numbers == number
        colour = cmap((number - 1) % 10)
        ax.scatter(xy[rows, 0], xy[rows, 1], s=14, alpha=0.7, color=colour, label=f"Cluster #{number}")
        cx, cy = xy[rows].mean(axis=0)
        ax.annotate(
            str(number),
            (cx, cy),
            ha="center",
            va="center",
            fontsize=13,
            fontweight="bold",
            bbox={"boxstyle": "circle", "facecolor": "white", "edgecolor": colour},
        )
    # The names describe the positive direction of each component.
    ax.set_xlabel(drawable_axis_label(x_axis, "First principal component") + " →")
    ax.set_ylabel(drawable_axis_label(y_axis, "Second principal component") + " →")
    # A fixed corner: loc="best" scans every point and costs more than the drawing.
    ax.legend(title="Cluster", loc="upper right", fontsize=9, framealpha=0.8)
    # Principal-component units mean nothing to a reader (and tick labels are half the drawing time).
    ax.set_xticks([])
    ax.set_yticks([])
    tmp = path.with_suffix(".tmp.png")
    # zlib level 1 instead of 6: a bigger file, but encoding was half the cost of a plot.
    fig.savefig(tmp, format="png", metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    tmp.replace(path)
    return path
