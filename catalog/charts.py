"""Bar charts of the original generator (seed-system §4.1), drawn straight to PNG with Pillow.

A chart is drawn once: its file name carries a hash of what it shows, so a page view with the
same data finds the file and draws nothing; new data gives a new name, and the old file of that
chart is removed. Files live under MEDIA_ROOT (served by the site, copied by the Markdown export
to ``images/<kind>/<slug>/<file>``).

Pillow instead of matplotlib because a full export draws a few hundred charts: matplotlib's text
layout made each one cost most of a second of CPU; drawing the bars and the text ourselves costs
a few milliseconds (``bench/charts_bench.py``).

Names in Korean, Japanese, Chinese and Hebrew must show as text, not boxes. Each text is drawn
with the first font of ``font_faces()`` that has a glyph for every one of its characters (Hangul
prefers the Korean face, kana the Japanese one, Han the Chinese one, as the original did); a text
that no single font covers is split into runs, each in the first font that has it. The fonts,
in order: DejaVu Sans (shipped with matplotlib), the Noto Sans CJK and Noto Sans Hebrew of Debian's
``fonts-noto-cjk``/``fonts-noto-core``, every font file of the folders in ``LABELSITE_FONT_DIRS``,
then the Noto fonts of the ``justmytype-intl-cjk``/``justmytype-intl-rtl`` wheels (so a machine
without the Debian packages still has them). Right-to-left text is shaped and reordered by
Pillow's raqm layout engine (HarfBuzz + FriBiDi).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import math
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import matplotlib
from django.conf import settings
from matplotlib.ft2font import FT2Font
from PIL import Image, ImageDraw, ImageFont, features

ALL_COLOR = (169, 169, 169)  # matplotlib's "darkgray", as the original
LIKED_COLOR = (50, 205, 50)  # "limegreen"
MAX_BARS = 30
MIN_BARS = 3
# Bump when the look changes, so cached files are redrawn.
STYLE_VERSION = 3

# Geometry in pixels (the original was 650 px wide).
WIDTH = 720
MARGIN = 14
ROW_HEIGHT = 24  # one bar and the gap below it
BAR_HEIGHT = 18
NAME_SIZE = 13  # font sizes in pixels
VALUE_SIZE = 12
TITLE_SIZE = 14
MAX_NAME_WIDTH = 280  # longer names are cut with an ellipsis
GAP = 6

TEXT_COLOR = (34, 34, 34)
VALUE_COLOR = (51, 51, 51)
LIKED_TEXT_COLOR = (20, 110, 20)  # a liked count too wide for its bar, written after the total
AXIS_COLOR = (187, 187, 187)
GRID_COLOR = (236, 236, 236)
TICK_TEXT_COLOR = (85, 85, 85)
ELLIPSIS = "…"

# Where Debian puts Noto fonts. Only the regular sans faces we need are opened (the folders hold hundreds).
_SYSTEM_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")
_SYSTEM_FONT_FILES = re.compile(r"NotoSans(CJK(sc|tc|jp|kr)?|Hebrew)-Regular\.(ttc|otf|ttf)$", re.IGNORECASE)
_SYSTEM_FAMILIES = ("Noto Sans CJK KR", "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans Hebrew")
# Pip-installed Noto fonts: the last resort, after the system's and LABELSITE_FONT_DIRS.
_PACKAGED_FONTS = ("justmytype_intl_cjk", "justmytype_intl_rtl")
_PACKAGED_FAMILIES = ("Noto Sans KR", "Noto Sans JP", "Noto Sans SC", "Noto Sans TC", "Noto Sans Hebrew")
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc")

_draw_lock = threading.Lock()  # FreeType faces (cached, shared) must not be used by two threads at once


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


# --- fonts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FontFace:
    """One face of a font file; ``index`` picks the face inside a collection (``.ttc``)."""

    family: str
    path: str
    index: int = 0

    @property
    def language(self) -> str | None:
        """KR/JP/SC/TC for the CJK faces (which all cover Han, in their own country's glyph shapes)."""
        last = self.family.rsplit(" ", 1)[-1]
        return last if last in ("KR", "JP", "SC", "TC") else None


def _faces_in(path: Path) -> list[FontFace]:
    """Every face of a font file, or none if FreeType cannot read it (a bad file must not take pages down)."""
    try:
        first = FT2Font(str(path))
        faces = [FontFace(first.family_name, str(path), 0)]
        for index in range(1, first.num_faces):
            faces.append(FontFace(FT2Font(str(path), face_index=index).family_name, str(path), index))
    except (OSError, RuntimeError, ValueError):
        return []
    return faces


def _font_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in _FONT_SUFFIXES and p.is_file())


def _packaged_font_files() -> list[Path]:
    files: list[Path] = []
    for package in _PACKAGED_FONTS:
        try:
            root = importlib.resources.files(package)
        except ModuleNotFoundError:
            continue
        files.extend(_font_files(Path(str(root))))
    return files


def _in_family_order(faces: list[FontFace], families: Sequence[str]) -> list[FontFace]:
    by_family: dict[str, FontFace] = {}
    for face in faces:
        by_family.setdefault(face.family, face)
    return [by_family[f] for f in families if f in by_family]


@cache
def font_faces() -> tuple[FontFace, ...]:
    """The fonts for chart text, in the order they are tried (see the module docstring)."""
    dejavu = FontFace("DejaVu Sans", str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"))
    system = [
        face
        for folder in _SYSTEM_FONT_DIRS
        for path in _font_files(Path(folder))
        if _SYSTEM_FONT_FILES.search(path.name)
        for face in _faces_in(path)
    ]
    extra_dirs = [d for d in os.environ.get("LABELSITE_FONT_DIRS", "").split(os.pathsep) if d]
    extra = [face for folder in extra_dirs for path in _font_files(Path(folder)) for face in _faces_in(path)]
    packaged = [face for path in _packaged_font_files() for face in _faces_in(path)]
    ordered = [
        dejavu,
        *_in_family_order(system, _SYSTEM_FAMILIES),
        *extra,
        *_in_family_order(packaged, _PACKAGED_FAMILIES),
    ]
    return tuple(dict.fromkeys(ordered))  # a face listed twice is tried once


def font_families() -> tuple[str, ...]:
    """The family names of ``font_faces()``, in order."""
    return tuple(face.family for face in font_faces())


@cache
def _ft2font(face: FontFace) -> FT2Font:
    return FT2Font(face.path, face_index=face.index)


def _needs_glyph(char: str) -> bool:
    # Format characters (bidi marks, zero-width joiners) and variation selectors are invisible:
    # the shaper drops them, so a font need not have them.
    return unicodedata.category(char) != "Cf" and not 0xFE00 <= ord(char) <= 0xFE0F


@cache
def has_glyph(face: FontFace, char: str) -> bool:
    """Whether ``face`` draws ``char`` as itself (a nonzero glyph index), not as the .notdef box."""
    return not _needs_glyph(char) or _ft2font(face).get_char_index(ord(char)) != 0


def _covers(face: FontFace, text: str) -> bool:
    return all(has_glyph(face, c) for c in text)


def _language_hint(text: str) -> str | None:
    """Which CJK face suits ``text``: kana → JP, Hangul → KR, Han → SC (seed-system §4.7)."""
    names = [unicodedata.name(c, "") for c in text]
    if any(n.startswith(("HIRAGANA", "KATAKANA", "BOPOMOFO")) for n in names):
        return "JP"
    if any(n.startswith("HANGUL") for n in names):
        return "KR"
    if any(n.startswith("CJK") for n in names):
        return "SC"
    return None


def _first_covering(text: str) -> FontFace | None:
    faces = font_faces()
    chosen = next((face for face in faces if _covers(face, text)), None)
    if chosen is not None and chosen.language is not None:
        hint = _language_hint(text)
        if hint and hint != chosen.language:
            chosen = next((f for f in faces if f.language == hint and _covers(f, text)), chosen)
    return chosen


@lru_cache(maxsize=16384)
def font_for_text(text: str) -> FontFace | None:
    """The font a whole text is drawn in: the first that covers every character (None if none does)."""
    return _first_covering(text)


def text_runs(text: str) -> list[tuple[FontFace, str]]:
    """``text`` cut into (font, part) runs: one run if a font covers it all, else each part in the first font having it.

    Spaces, combining marks and invisible characters stay with the run before them; a character
    no font has goes to the first font (it shows as a box: nothing better exists).
    """
    whole = font_for_text(text)
    if whole is not None:
        return [(whole, text)]
    runs: list[tuple[FontFace, str]] = []
    for char in text:
        if runs:
            face, part = runs[-1]
            if char.isspace() or unicodedata.combining(char) or has_glyph(face, char):
                runs[-1] = (face, part + char)
                continue
        face = _first_covering(char) or font_faces()[0]
        if runs and runs[-1][0] == face:
            runs[-1] = (face, runs[-1][1] + char)
        else:
            runs.append((face, char))
    if _starts_right_to_left(text):
        runs.reverse()  # runs are placed left to right; a right-to-left name starts at the right
    return runs


def _starts_right_to_left(text: str) -> bool:
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


@cache
def _image_font(face: FontFace, size: int, shaped: bool = True) -> ImageFont.FreeTypeFont:
    """The font at ``size`` pixels; ``shaped=False`` lays text out without raqm (see ``_needs_shaping``)."""
    engine = ImageFont.Layout.RAQM if shaped and features.check_feature("raqm") else ImageFont.Layout.BASIC
    font = ImageFont.truetype(face.path, size, index=face.index, layout_engine=engine)
    try:
        axes = font.get_variation_axes()
    except OSError:  # not a variable font
        return font
    # Variable Noto fonts (the pip-installed ones) default to Thin: ask for Regular.
    font.set_variation_by_axes([400 if axis["name"] in (b"Weight", "Weight") else axis["default"] for axis in axes])
    return font


# --- text ----------------------------------------------------------------------------------------

# Text in these ranges needs no shaping or reordering: one glyph per character, left to right
# (Latin, Greek, Cyrillic; punctuation and symbols; kana, Han, Hangul syllables, full-width forms).
_SIMPLE_RANGES = (
    (0x20, 0x58F),
    (0x2000, 0x2BFF),
    (0x3000, 0x9FFF),
    (0xAC00, 0xD7A3),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
)


def _needs_shaping(text: str) -> bool:
    """Whether ``text`` needs raqm (HarfBuzz shaping, FriBiDi reordering): right-to-left, combining or
    complex scripts. The rest is laid out by Pillow's basic engine, several times faster on large CJK fonts."""
    for char in text:
        code = ord(char)
        if not any(low <= code <= high for low, high in _SIMPLE_RANGES) or unicodedata.combining(char):
            return True
    return False


def clean_label(text: str) -> str:
    """One line of text: line breaks, tabs and other control characters become spaces."""
    return "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text).strip()


@lru_cache(maxsize=8192)
def _text_length(face: FontFace, part: str, size: int) -> float:
    return _image_font(face, size, _needs_shaping(part)).getlength(part)


def _runs_width(runs: list[tuple[FontFace, str]], size: int) -> float:
    return sum(_text_length(face, part, size) for face, part in runs)


def fit_text(text: str, size: int, max_width: float) -> list[tuple[FontFace, str]]:
    """The runs of ``text`` on one line, cut with an ellipsis to at most ``max_width`` pixels."""
    # No visible glyph is narrower than a quarter of the font size: what lies past this many
    # characters cannot show, so a 5,000-character name costs no more than a short one.
    most = int(max_width * 4 / size) + 1
    text = clean_label(text[: most + 1])
    if len(text) <= most:
        runs = text_runs(text)
        if _runs_width(runs, size) <= max_width:
            return runs
    low, high = 0, min(len(text), most)  # the longest prefix that fits with the ellipsis is in [low, high]
    while low < high:
        middle = (low + high + 1) // 2
        if _runs_width(text_runs(text[:middle].rstrip() + ELLIPSIS), size) <= max_width:
            low = middle
        else:
            high = middle - 1
    while 0 < low < len(text) and unicodedata.combining(text[low]):
        low -= 1  # never part a letter from its accent
    return text_runs(text[:low].rstrip() + ELLIPSIS)


@cache
def _cap_height(size: int) -> int:
    """Height of a capital letter in the first font: text is centred on it, whatever font it is in."""
    return -_image_font(font_faces()[0], size).getbbox("H", anchor="ls")[1]


@lru_cache(maxsize=4096)
def _text_mask(face: FontFace, part: str, size: int) -> tuple[Image.Image, int, int]:
    """``part`` drawn once as an alpha mask, with the mask's offset from the text's left end on its baseline.

    Glyphs are not cached by Pillow, and rasterizing them is most of the cost of a chart: the counts,
    ticks and names that come back on chart after chart are drawn once per process.
    """
    font = _image_font(face, size, _needs_shaping(part))
    ascent, descent = font.getmetrics()
    pad = size // 2 + 2  # room for glyphs reaching past their advance or the font's ascent
    width = math.ceil(_text_length(face, part, size)) + 2 * pad
    mask = Image.new("L", (width, ascent + descent + 2 * pad), 0)
    ImageDraw.Draw(mask).text((pad, pad + ascent), part, font=font, fill=255, anchor="ls")
    left, top, right, bottom = mask.getbbox() or (0, 0, 1, 1)  # only the inked part: pasting costs by area
    return mask.crop((left, top, right, bottom)), left - pad, top - pad - ascent


def _draw_runs(
    image: Image.Image,
    runs: list[tuple[FontFace, str]],
    *,
    x: float,
    middle: float,
    size: int,
    fill: tuple[int, int, int] | int,
    align: str = "left",
) -> None:
    """Draw runs on one baseline, vertically centred on ``middle`` (on the first font's capitals)."""
    width = _runs_width(runs, size)
    start = {"left": x, "right": x - width, "center": x - width / 2}[align]
    baseline = round(middle + _cap_height(size) / 2)
    for face, part in runs:
        mask, left, top = _text_mask(face, part, size)
        image.paste(fill, (round(start) + left, baseline + top), mask)
        start += _text_length(face, part, size)


def _number_runs(value: int) -> list[tuple[FontFace, str]]:
    return [(font_faces()[0], str(value))]


@cache
def _number_width(value: int) -> float:
    return _runs_width(_number_runs(value), VALUE_SIZE)


# --- the chart -----------------------------------------------------------------------------------


def _nice_step(span: float, target_ticks: int = 6) -> int:
    """A tick step of 1, 2 or 5 times a power of ten giving about ``target_ticks`` ticks."""
    power = 10 ** math.floor(math.log10(max(span / target_ticks, 1)))
    return min((m * power for m in (1, 2, 5, 10)), key=lambda step: abs(span / step - target_ticks))


@dataclass(frozen=True)
class _Layout:
    plot_left: int
    plot_right: int
    scale: float  # pixels per track
    liked_inside: tuple[bool, ...]  # per bar: is the liked count written inside its green bar


def _layout(bars: Sequence[Bar], plot_left: int, plot_right: int) -> _Layout:
    """The pixels per track that leave room, after every bar, for its value labels."""
    value_width = {v: _number_width(v) for b in bars for v in (b.total, b.liked)}
    space = plot_right - plot_left
    inside = tuple(True for _ in bars)
    scale = space / max(b.total for b in bars)

    def trailing(bar: Bar, liked_inside: bool) -> float:
        width = GAP / 2 + value_width[bar.total]
        return width if liked_inside or bar.liked == 0 else width + GAP + value_width[bar.liked]

    for _ in range(4):  # a smaller scale can push a liked label out of its bar: settle in a few rounds
        fits = [(space - trailing(b, i)) / b.total for b, i in zip(bars, inside, strict=True) if b.total > 0]
        scale = max(min(fits, default=scale), 0.01)
        now_inside = tuple(b.liked * scale >= value_width[b.liked] + GAP for b in bars)
        if now_inside == inside:
            break
        inside = tuple(a and b for a, b in zip(inside, now_inside, strict=True))
    return _Layout(plot_left, plot_right, scale, inside)


def _paste_vertical_text(image: Image.Image, text: str, *, x: int, middle: float) -> None:
    """The category title, turned 90° like a y-axis label."""
    runs = fit_text(text, TITLE_SIZE, 600)
    width = math.ceil(_runs_width(runs, TITLE_SIZE)) + 2
    height = TITLE_SIZE + 8
    mask = Image.new("L", (width, height), 0)
    _draw_runs(mask, runs, x=1, middle=height / 2, size=TITLE_SIZE, fill=255)
    turned = mask.rotate(90, expand=True)
    image.paste(TEXT_COLOR, (x, round(middle - turned.height / 2)), turned)


def render_bar_chart(bars: Sequence[Bar], *, category: str) -> Image.Image:
    """The chart as an image: one horizontal bar per entry, in the given order from the top."""
    names = [fit_text(b.name, NAME_SIZE, MAX_NAME_WIDTH) for b in bars]
    name_width = math.ceil(max((_runs_width(r, NAME_SIZE) for r in names), default=0))
    title_column = TITLE_SIZE + 8
    plot_left = MARGIN + title_column + name_width + GAP + 2
    plot_top = MARGIN
    plot_bottom = plot_top + ROW_HEIGHT * len(bars) + 4
    height = plot_bottom + 56
    layout = _layout(bars, plot_left, WIDTH - MARGIN)
    scale = layout.scale

    image = Image.new("RGB", (WIDTH, height), "white")
    draw = ImageDraw.Draw(image)

    # x axis: light grid behind the bars, a thin axis line with ticks and their values.
    step = _nice_step((layout.plot_right - plot_left) / scale)
    tick = 0
    while plot_left + tick * scale <= layout.plot_right:
        x = round(plot_left + tick * scale)
        if tick:
            draw.line([(x, plot_top), (x, plot_bottom)], fill=GRID_COLOR)
        draw.line([(x, plot_bottom), (x, plot_bottom + 4)], fill=AXIS_COLOR)
        label = _number_runs(tick)
        _draw_runs(image, label, x=x, middle=plot_bottom + 14, size=VALUE_SIZE, fill=TICK_TEXT_COLOR, align="center")
        tick += step
    draw.line([(plot_left, plot_bottom), (layout.plot_right, plot_bottom)], fill=AXIS_COLOR)
    axis_title = fit_text("Number of Tracks", TITLE_SIZE, WIDTH)
    _draw_runs(
        image, axis_title, x=(plot_left + layout.plot_right) / 2, middle=plot_bottom + 38, size=TITLE_SIZE,
        fill=TEXT_COLOR, align="center",
    )  # fmt: skip
    _paste_vertical_text(image, category, x=MARGIN, middle=(plot_top + plot_bottom) / 2)

    for row, (bar, name, liked_inside) in enumerate(zip(bars, names, layout.liked_inside, strict=True)):
        middle = plot_top + row * ROW_HEIGHT + ROW_HEIGHT / 2
        top = round(middle - BAR_HEIGHT / 2)
        _draw_runs(image, name, x=plot_left - GAP, middle=middle, size=NAME_SIZE, fill=TEXT_COLOR, align="right")
        total_width = round(bar.total * scale)
        liked_width = round(min(bar.liked, bar.total) * scale)
        if total_width > 0:
            draw.rectangle([plot_left, top, plot_left + total_width - 1, top + BAR_HEIGHT - 1], fill=ALL_COLOR)
        if liked_width > 0:
            draw.rectangle([plot_left, top, plot_left + liked_width - 1, top + BAR_HEIGHT - 1], fill=LIKED_COLOR)
        total_x = plot_left + total_width + GAP / 2
        _draw_runs(image, _number_runs(bar.total), x=total_x, middle=middle, size=VALUE_SIZE, fill=VALUE_COLOR)
        if bar.liked > 0 and liked_inside:
            _draw_runs(
                image, _number_runs(bar.liked), x=plot_left + liked_width / 2, middle=middle, size=VALUE_SIZE,
                fill=TEXT_COLOR, align="center",
            )  # fmt: skip
        elif bar.liked > 0:
            _draw_runs(
                image,
                _number_runs(bar.liked),
                x=total_x + _number_width(bar.total) + GAP,
                middle=middle,
                size=VALUE_SIZE,
                fill=LIKED_TEXT_COLOR,
            )
    return image


WHITE = (255, 255, 255)
_TEXT_COLORS = (TEXT_COLOR, VALUE_COLOR, LIKED_TEXT_COLOR, TICK_TEXT_COLOR)
_BACKGROUNDS = (WHITE, GRID_COLOR, ALL_COLOR, LIKED_COLOR)
_EDGE_STEPS = 15


@cache
def _palette() -> Image.Image:
    """Every colour a chart has: the flat ones exactly, and each text colour over each background in 15 steps."""
    colors = [WHITE, ALL_COLOR, LIKED_COLOR, GRID_COLOR, AXIS_COLOR, *_TEXT_COLORS]
    for ink in _TEXT_COLORS:
        for paper in _BACKGROUNDS:
            for step in range(1, _EDGE_STEPS):
                alpha = step / _EDGE_STEPS
                colors.append(tuple(round(i * alpha + p * (1 - alpha)) for i, p in zip(ink, paper, strict=True)))
    colors = list(dict.fromkeys(colors))
    assert len(colors) <= 256, len(colors)
    palette = Image.new("P", (1, 1))
    palette.putpalette([channel for color in colors for channel in color])
    return palette


def _to_palette(image: Image.Image) -> Image.Image:
    """The image in 256 colours: a third of the file size, and quicker to write.

    A chart's colours are known (``_palette``): the bars, lines and background keep theirs
    exactly, the anti-aliased edges of letters move by a few levels at most, which no eye sees.
    """
    return image.quantize(palette=_palette(), dither=Image.Dither.NONE)


def draw_bar_chart(path: Path, bars: Sequence[Bar], *, category: str) -> None:
    """Draw horizontal bars (largest on top) to ``path`` as PNG, atomically (write, then rename)."""
    with _draw_lock:
        image = render_bar_chart(bars, category=category)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".png.tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            _to_palette(image).save(out, format="PNG", compress_level=3)  # level 6 is twice the time for 15% less
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
