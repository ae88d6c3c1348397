"""Bar charts of the original generator (seed-system §4.1), drawn with matplotlib's Agg backend.

A chart is drawn once: its file name carries a hash of what it shows, so a page view with the
same data finds the file and skips matplotlib entirely; new data gives a new name, and the old
file of that chart is removed. Files live under MEDIA_ROOT (served by the site, copied by the
Markdown export to ``images/<kind>/<slug>/<file>``).

Names in Korean, Japanese, Chinese and Hebrew must show as text, not boxes: ``font_families()``
lists DejaVu Sans then the Noto CJK and Hebrew families found (Debian ``fonts-noto-cjk`` and
``fonts-noto-core``, or the font files of ``LABELSITE_FONT_DIRS``), and matplotlib ≥ 3.6 falls
back per glyph through that list.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from django.conf import settings  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

ALL_COLOR = "darkgray"
LIKED_COLOR = "limegreen"
MAX_BARS = 30
MIN_BARS = 3
# Bump when the look changes, so cached files are redrawn.
STYLE_VERSION = 1

# Families tried in order for every glyph (the first one that has it wins).
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
# Where Debian puts Noto fonts, plus any folders listed in LABELSITE_FONT_DIRS (os.pathsep-separated).
_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")

_draw_lock = threading.Lock()  # pyplot-free drawing is thread-safe per figure; the font cache is not


@dataclass(frozen=True)
class Bar:
    """One bar: a name, all its tracks (grey) and its liked tracks (green, drawn on top)."""

    name: str
    total: int
    liked: int


@dataclass(frozen=True)
class Chart:
    """A drawn image, referenced by pages and the export.

    - ``kind``/``slug``: whose image (``labels``/``darkroom``, ``artists``/…, ``overview``/``""``).
    - ``file``: its name in the export, relative to ``images/<kind>/<slug>/`` (``albums.png``,
      ``clusters/clusters_scatter.png``).
    - ``alt``: the alt text (``Bar chart of top 8 albums``).
    - ``media_path``: where the file is, relative to MEDIA_ROOT (its name may carry a content hash).
    """

    kind: str
    slug: str
    file: str
    alt: str
    media_path: str

    @property
    def url(self) -> str:
        """The site's URL of the image."""
        return "/" + settings.MEDIA_URL.strip("/") + "/" + self.media_path

    @property
    def export_path(self) -> str:
        """The image's path in the Markdown export, relative to the export root."""
        return "/".join(p for p in ("images", self.kind, self.slug, self.file) if p)

    @property
    def source_path(self) -> Path:
        """The file on disk (to copy into the export)."""
        return Path(settings.MEDIA_ROOT) / self.media_path


_DISPOSABLE_WORDS = ("remaster", "deluxe", "soundtrack", "standard", "bonus", "stereo")
_ORDINAL_ALBUM = re.compile(r"the \d+(st|nd|rd|th)( mini)? album", re.IGNORECASE)


def _disposable(part: str) -> bool:
    lowered = part.lower()
    return any(w in lowered for w in _DISPOSABLE_WORDS) or bool(_ORDINAL_ALBUM.match(part.strip()))


def short_album_name(name: str) -> str:
    """The original's short album name for chart labels (seed-system §4.6).

    "Folklore - Deluxe Version" → "Folklore"; "1989 (Taylor's Version) (Deluxe)" → "1989 (Taylor's Version)".
    """
    if " - " in name:
        head, tail = name.split(" - ", 1)
        return head if _disposable(tail) else name
    match = re.search(r"\s*\(([^()]*)\)\s*$", name)
    if match and _disposable(match.group(1)):
        return name[: match.start()]
    return name


def top_bars(bars: Sequence[Bar]) -> list[Bar]:
    """The bars a chart shows: the top 30 by tracks, then liked, then name, all descending."""
    return sorted(bars, key=lambda b: (b.total, b.liked, b.name), reverse=True)[:MAX_BARS]


@cache
def font_families() -> tuple[str, ...]:
    """The font family list for chart text, registering extra font files on first use."""
    extra = [d for d in os.environ.get("LABELSITE_FONT_DIRS", "").split(os.pathsep) if d]
    known = {f.name for f in font_manager.fontManager.ttflist}
    for folder in (*_FONT_DIRS, *extra):
        if not Path(folder).is_dir():
            continue
        for path in font_manager.findSystemFonts(fontpaths=[folder]):
            name = Path(path).name
            if ("CJK" in name or "Hebrew" in name or folder in extra) and "Serif" not in name:
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue  # an unreadable font file must not take the page down
        known = {f.name for f in font_manager.fontManager.ttflist}
    return tuple(f for f in _PREFERRED_FAMILIES if f in known) or ("DejaVu Sans",)


def draw_bar_chart(path: Path, bars: Sequence[Bar], *, category: str) -> None:
    """Draw horizontal bars (largest on top) to ``path`` as PNG, atomically (write, then rename)."""
    height = max(3.0, 0.42 * len(bars) + 1.2)
    with _draw_lock:
        figure = Figure(figsize=(9, height), dpi=72, layout="constrained")
        figure.set_facecolor("white")
        axes = figure.add_subplot()
        names = [b.name for b in bars][::-1]
        totals = [b.total for b in bars][::-1]
        liked = [b.liked for b in bars][::-1]
        positions = range(len(bars))
        all_bars = axes.barh(positions, totals, color=ALL_COLOR, label="All tracks")
        liked_bars = axes.barh(positions, liked, color=LIKED_COLOR, label="Liked")
        axes.bar_label(all_bars, padding=3, fontfamily=list(font_families()))
        axes.bar_label(liked_bars, label_type="center", fontfamily=list(font_families()))
        axes.set_yticks(list(positions), labels=names, fontfamily=list(font_families()))
        axes.set_xlabel("Number of Tracks", fontfamily=list(font_families()))
        axes.set_ylabel(category, fontfamily=list(font_families()))
        axes.spines[["left", "top", "right"]].set_visible(False)
        axes.margins(x=0.08)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".png.tmp")
        os.close(fd)
        try:
            figure.savefig(tmp, format="png")
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


def bar_chart(*, kind: str, slug: str, name: str, category: str, noun: str, bars: Sequence[Bar]) -> Chart | None:
    """The chart of ``bars`` (top 30), drawn unless the same chart exists; None under 3 bars.

    ``name`` is the file stem (``albums``), ``category`` the axis title (``Album``) and ``noun``
    the alt text's noun (``albums``, ``record labels``).
    """
    shown = top_bars(bars)
    if len(shown) < MIN_BARS:
        return None
    digest = hashlib.sha256(
        json.dumps([STYLE_VERSION, category, [(b.name, b.total, b.liked) for b in shown]]).encode()
    ).hexdigest()[:16]
    folder = "/".join(p for p in ("charts", kind, slug) if p)
    media_path = f"{folder}/{name}-{digest}.png"
    alt = f"Bar chart of top {len(shown)} {noun}"
    chart = Chart(kind=kind, slug=slug, file=f"{name}.png", alt=alt, media_path=media_path)
    target = chart.source_path
    if not target.exists():
        draw_bar_chart(target, shown, category=category)
        for old in target.parent.glob(f"{name}-*.png"):
            if old != target:
                old.unlink(missing_ok=True)  # the same chart for older data
    return chart
