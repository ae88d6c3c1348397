"""Time to draw one 30-bar chart: Pillow (catalog.charts) against the matplotlib drawing it replaced.

The names mix Latin, Hangul, kana, Han and Hebrew (made up here, not the reference library's).
Each implementation draws ``--runs`` charts into a temporary folder, each with names not drawn
before (the Pillow drawing keeps the text it drew in memory: counts and tick values come back
from chart to chart, as in an export, but names would flatter it); the median
CPU time (this process) and wall time per chart are printed, with the ratio. The first drawing of
each is timed apart (fonts loaded, caches cold) and left out of the medians. The machine has 2
cores shared with other work: the load average is printed too.

The old drawing (matplotlib Agg, constrained layout, per-glyph font fallback) is kept here only,
for the side-by-side figure.

    .venv/bin/python bench/charts_bench.py [--runs 20] [--bars 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labelsite.settings")

from catalog.charts import ALL_COLOR, LIKED_COLOR, Bar, draw_bar_chart  # noqa: E402

NAMES = [
    "악동뮤지션",
    "ヨルシカ",
    "周杰伦",
    "עומר אדם",
    "Sigur Rós",
    "The Velvet Underground & Nico",
    "宇多田ヒカル",
    "BTS (방탄소년단)",
    "Ёлка",
    "Beyoncé",
    "Ofra Haza עפרה חזה",
    "坂本龍一",
    "Mariya Takeuchi 竹内まりや",
    "Hyukoh 혁오",
    "A Tribe Called Quest",
]


def mixed_bars(count: int, run: int = 0) -> list[Bar]:
    """``count`` bars; each ``run`` gives names not seen before (catalog.charts keeps drawn text in memory)."""
    bars = [
        Bar(
            name=f"{NAMES[i % len(NAMES)]} {run * count + i}",
            total=3 + 4 * (count - i),
            liked=(count - i) * (i % 3),
        )
        for i in range(count)
    ]
    return sorted(bars, key=lambda b: (b.total, b.liked, b.name), reverse=True)


# --- the matplotlib drawing of catalog/charts.py before the Pillow rewrite (STYLE_VERSION 1) -----

_PREFERRED_FAMILIES = (
    "DejaVu Sans",
    "Noto Sans CJK KR",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans KR",
    "Noto Sans JP",
    "Noto Sans SC",
    "Noto Sans Hebrew",
    "Noto Sans",
)
_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")


@cache
def matplotlib_font_families() -> tuple[str, ...]:
    from matplotlib import font_manager

    extra = [d for d in os.environ.get("LABELSITE_FONT_DIRS", "").split(os.pathsep) if d]
    for folder in (*_FONT_DIRS, *extra):
        if not Path(folder).is_dir():
            continue
        for path in font_manager.findSystemFonts(fontpaths=[folder]):
            name = Path(path).name
            if ("CJK" in name or "Hebrew" in name or folder in extra) and "Serif" not in name:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue
    known = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(f for f in _PREFERRED_FAMILIES if f in known) or ("DejaVu Sans",)


def matplotlib_draw_bar_chart(path: Path, bars: Sequence[Bar], *, category: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    families = list(matplotlib_font_families())
    height = max(3.0, 0.42 * len(bars) + 1.2)
    figure = Figure(figsize=(9, height), dpi=72, layout="constrained")
    figure.set_facecolor("white")
    axes = figure.add_subplot()
    names = [b.name for b in bars][::-1]
    positions = range(len(bars))
    all_color, liked_color = [tuple(c / 255 for c in color) for color in (ALL_COLOR, LIKED_COLOR)]
    all_bars = axes.barh(positions, [b.total for b in bars][::-1], color=all_color, label="All tracks")
    liked_bars = axes.barh(positions, [b.liked for b in bars][::-1], color=liked_color, label="Liked")
    axes.bar_label(all_bars, padding=3, fontfamily=families)
    axes.bar_label(liked_bars, label_type="center", fontfamily=families)
    axes.set_yticks(list(positions), labels=names, fontfamily=families)
    axes.set_xlabel("Number of Tracks", fontfamily=families)
    axes.set_ylabel(category, fontfamily=families)
    axes.spines[["left", "top", "right"]].set_visible(False)
    axes.margins(x=0.08)
    figure.savefig(path, format="png")


# --- measuring ------------------------------------------------------------------------------------


def time_drawing(draw: Callable[..., None], bar_count: int, folder: Path, runs: int) -> dict[str, float]:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    draw(folder / "first.png", mixed_bars(bar_count), category="Artist")
    first_cpu, first_wall = time.process_time() - cpu0, time.perf_counter() - wall0
    cpu_times, wall_times = [], []
    for run in range(1, runs + 1):
        bars = mixed_bars(bar_count, run)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        draw(folder / f"chart-{run}.png", bars, category="Artist")
        cpu_times.append(time.process_time() - cpu0)
        wall_times.append(time.perf_counter() - wall0)
    return {
        "first_cpu": first_cpu,
        "first_wall": first_wall,
        "cpu": statistics.median(cpu_times),
        "wall": statistics.median(wall_times),
        "size": (folder / "chart-1.png").stat().st_size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--bars", type=int, default=30)
    parser.add_argument("--keep", type=Path, help="also write each implementation's chart here, to look at")
    args = parser.parse_args()

    import warnings

    warnings.filterwarnings("ignore", message=".*constrained_layout not applied.*")
    results = {}
    with tempfile.TemporaryDirectory(prefix="labelsite-charts-bench-") as tmp:
        for name, draw in (("pillow", draw_bar_chart), ("matplotlib", matplotlib_draw_bar_chart)):
            folder = Path(tmp) / name
            folder.mkdir()
            results[name] = time_drawing(draw, args.bars, folder, args.runs)
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                draw(args.keep / f"{name}.png", mixed_bars(args.bars), category="Artist")

    print(f"load average (1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    print(f"one {args.bars}-bar chart, mixed scripts, median of {args.runs} (first drawing apart):")
    for name, r in results.items():
        print(
            f"  {name:<10} CPU {r['cpu'] * 1000:7.1f} ms  wall {r['wall'] * 1000:7.1f} ms"
            f"  (first: CPU {r['first_cpu'] * 1000:.0f} ms, wall {r['first_wall'] * 1000:.0f} ms)"
            f"  PNG {r['size'] / 1024:.0f} KiB"
        )
    new, old = results["pillow"], results["matplotlib"]
    print(f"speed-up: CPU {old['cpu'] / new['cpu']:.1f}x, wall {old['wall'] / new['wall']:.1f}x")
    charts = 273  # bar charts of the reference library's full export
    print(f"{charts} charts (the reference library's export): pillow {charts * new['cpu']:.1f} s CPU, "
          f"matplotlib {charts * old['cpu']:.1f} s CPU")  # fmt: skip


if __name__ == "__main__":
    main()
