from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import matplotlib
import pytest
from matplotlib.ft2font import FT2Font
from PIL import Image, ImageChops, ImageStat, features

from catalog import charts
from catalog.charts import (
    ALL_COLOR,
    ELLIPSIS,
    LIKED_COLOR,
    MAX_NAME_WIDTH,
    NAME_SIZE,
    WIDTH,
    Bar,
    bar_chart,
    draw_bar_chart,
    fit_text,
    font_faces,
    font_families,
    font_for_text,
    has_glyph,
    short_album_name,
    text_runs,
    top_bars,
)

HANGUL, KANA, HAN, HEBREW = "악동뮤지션", "ヨルシカ", "周杰伦", "עומר אדם"
NON_LATIN = [HANGUL, KANA, HAN, HEBREW]


def bars(n: int, prefix: str = "Artist") -> list[Bar]:
    return [Bar(name=f"{prefix} {i}", total=i + 3, liked=i % 4) for i in range(n)]


def chart(bar_list, **kw):
    return bar_chart(
        kind="labels", slug="darkroom", name="artists", category="Artist", noun="artists", bars=bar_list, **kw
    )


def glyph_indices(face: charts.FontFace, text: str) -> list[int]:
    """Glyph numbers straight from FreeType (0 is .notdef, the box), independent of the module's own cache."""
    font = FT2Font(face.path, face_index=face.index)
    return [font.get_char_index(ord(c)) for c in text]


def rendered(text: str, size: int = NAME_SIZE) -> Image.Image:
    """``text`` drawn the way chart labels are, on a white strip."""
    image = Image.new("L", (MAX_NAME_WIDTH + 20, size * 3), 255)
    charts._draw_runs(image, text_runs(text), x=10, middle=size * 1.5, size=size, fill=0)
    return image


def require_cjk_fonts() -> None:
    if not any(face.language for face in font_faces()):
        from tests import servers

        servers.missing_service(
            "no CJK font: apt-get install fonts-noto-cjk, or pip install -r requirements.txt (justmytype-intl-cjk)"
        )


def test_no_chart_under_three_bars(settings):
    assert chart(bars(2)) is None
    assert chart(bars(3)) is not None


def test_chart_keeps_the_top_30_by_tracks_then_liked_then_name():
    many = bars(40) + [Bar("Zed", 50, 1), Bar("Abe", 50, 1), Bar("Mid", 50, 5)]
    top = top_bars(many)

    assert len(top) == 30
    assert [b.name for b in top[:3]] == ["Mid", "Zed", "Abe"]
    assert chart(many).alt == "Bar chart of top 30 artists"


def test_a_chart_is_drawn_once_and_redrawn_only_when_its_data_changes(settings):
    first = chart(bars(5))
    path = first.source_path
    drawn_at = path.stat().st_mtime_ns

    again = chart(bars(5))
    assert again == first and path.stat().st_mtime_ns == drawn_at  # the file was reused, not redrawn

    changed = chart(bars(6))
    assert changed.media_path != first.media_path and changed.source_path.exists()
    assert not path.exists()  # the stale chart of the same page is removed
    assert changed.export_path == "images/labels/darkroom/artists.png"
    assert changed.url.startswith("/media/") and changed.url.endswith(".png")


def test_a_chart_is_a_png_of_the_chart_width_growing_with_its_bars(tmp_path):
    draw_bar_chart(tmp_path / "small.png", bars(3), category="Artist")
    draw_bar_chart(tmp_path / "large.png", bars(30), category="Artist")

    with Image.open(tmp_path / "small.png") as small, Image.open(tmp_path / "large.png") as large:
        assert small.format == large.format == "PNG"
        assert small.width == large.width == WIDTH
        assert large.height > small.height + 20 * 24
        assert small.convert("RGB").getpixel((0, 0)) == (255, 255, 255)  # white background


def test_the_same_chart_drawn_twice_is_the_same_file_byte_for_byte(tmp_path):
    """Exports of the same data are identical: text kept in memory from the first drawing changes nothing."""
    data = [Bar(name, 9 - i, i % 3) for i, name in enumerate([*NON_LATIN, "Sigur Rós", "a | b"])]
    draw_bar_chart(tmp_path / "first.png", data, category="Artist")
    draw_bar_chart(tmp_path / "other.png", bars(12), category="Album")
    draw_bar_chart(tmp_path / "again.png", data, category="Artist")

    assert (tmp_path / "first.png").read_bytes() == (tmp_path / "again.png").read_bytes()


@pytest.mark.parametrize("name", NON_LATIN, ids=["hangul", "kana", "han", "hebrew"])
def test_korean_japanese_chinese_and_hebrew_names_are_drawn_in_a_font_that_has_their_letters(name):
    require_cjk_fonts()
    face = font_for_text(name)

    assert face is not None
    assert all(index != 0 for index in glyph_indices(face, name)), f"{face.family} lacks some of {name!r}"
    # The label as drawn is not the row of .notdef boxes that unknown characters give in the same font.
    boxes = "\uffff" * len(name)
    assert glyph_indices(face, boxes) == [0] * len(boxes)
    assert ImageChops.difference(rendered(name), rendered(boxes)).getbbox() is not None


def test_cjk_names_get_their_own_countrys_face():
    require_cjk_fonts()
    assert font_for_text(HANGUL).language == "KR"
    assert font_for_text(KANA).language == "JP"
    assert font_for_text(HAN).language == "SC"
    assert font_for_text("Sigur Rós").family == "DejaVu Sans"


def test_hebrew_is_written_right_to_left():
    """The first letter of a Hebrew name is drawn at its right end (raqm's bidi), not at its left."""
    if not features.check("raqm"):
        from tests import servers

        servers.missing_service("Pillow without raqm (libraqm/libfribidi): no right-to-left layout")
    ayin, word = "ע", "עוד"  # the first letter looks like neither of the others
    width = round(charts._runs_width(text_runs(ayin), NAME_SIZE))
    total = round(charts._runs_width(text_runs(word), NAME_SIZE))
    letter = rendered(ayin).crop((10, 0, 10 + width, NAME_SIZE * 3))
    drawn = rendered(word)

    def unlike(box: tuple[int, int, int, int]) -> int:
        return ImageStat.Stat(ImageChops.difference(drawn.crop(box), letter)).sum[0]

    right_end, left_end = (10 + total - width, 0, 10 + total, NAME_SIZE * 3), (10, 0, 10 + width, NAME_SIZE * 3)
    assert unlike(right_end) < unlike(left_end) / 2


def test_the_glyph_check_sees_the_box_a_latin_font_would_draw_for_hangul():
    """Guard for the tests above: a font without Hangul is told apart from one with it."""
    dejavu = font_faces()[0]
    assert dejavu.family == "DejaVu Sans"
    assert not has_glyph(dejavu, "악")
    assert glyph_indices(dejavu, "악") == [0]
    assert has_glyph(dejavu, "a")


def test_a_name_no_single_font_covers_is_drawn_in_runs_each_in_a_font_that_has_it():
    require_cjk_fonts()
    name = f"{HANGUL} ✓ {HEBREW} mix"
    runs = text_runs(name)

    assert "".join(part for _, part in runs) in (name, "".join(part for _, part in reversed(runs)))
    assert len(runs) > 1
    for face, part in runs:
        assert all(index != 0 for c, index in zip(part, glyph_indices(face, part), strict=True) if not c.isspace())


def test_hostile_names_draw_literally_on_one_line_and_long_ones_are_cut_with_an_ellipsis(tmp_path):
    hostile = [
        Bar("<script>alert(1)</script>", 9, 3),
        Bar("a | b", 8, 0),
        Bar("line one\nline two\r\n\ttab", 7, 7),
        Bar("W" * 5000, 6, 2),
        Bar("\\*x*_ [x](y)", 5, 1),
        Bar(HEBREW * 700, 4, 1),
    ]
    draw_bar_chart(tmp_path / "hostile.png", hostile, category="<b>Artist</b>")

    with Image.open(tmp_path / "hostile.png") as image:
        assert image.width == WIDTH
    assert "".join(p for _, p in fit_text("<script>alert(1)</script>", NAME_SIZE, MAX_NAME_WIDTH)) == (
        "<script>alert(1)</script>"
    )
    assert "".join(p for _, p in fit_text("line one\nline two", NAME_SIZE, MAX_NAME_WIDTH)) == "line one line two"
    for long_name in ("W" * 5000, HEBREW * 700):
        runs = fit_text(long_name, NAME_SIZE, MAX_NAME_WIDTH)
        shown = "".join(p for _, p in runs)
        assert shown.endswith(ELLIPSIS) and 10 < len(shown) < 200
        assert charts._runs_width(runs, NAME_SIZE) <= MAX_NAME_WIDTH


def bar_spans(path: Path) -> list[tuple[int, int]]:
    """(green pixels, green + grey pixels) of each bar from the top, read along the bar's top rows."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
    pixels = rgb.load()

    def spans_at(y: int) -> tuple[int, int, int]:
        """Start, green width and total width of the first bar-coloured run of 5+ pixels on row y."""
        x = 0
        while x < rgb.width:
            if pixels[x, y] in (ALL_COLOR, LIKED_COLOR):
                start = x
                while x < rgb.width and pixels[x, y] == LIKED_COLOR:
                    x += 1
                green = x - start
                while x < rgb.width and pixels[x, y] == ALL_COLOR:
                    x += 1
                if x - start >= 5:
                    return start, green, x - start
            x += 1
        return -1, 0, 0

    bar_rows = [y for y in range(rgb.height) if spans_at(y)[0] >= 0]
    tops = [y for y in bar_rows if y - 1 not in bar_rows]
    return [spans_at(top + 1)[1:] for top in tops]  # text inside a bar sits in its middle rows


def test_grey_and_green_bars_are_as_long_as_all_and_liked_tracks_largest_on_top(tmp_path):
    data = [Bar("Most", 40, 10), Bar("All liked", 24, 24), Bar("Half", 16, 8), Bar("None liked", 10, 0)]
    draw_bar_chart(tmp_path / "chart.png", data, category="Artist")

    spans = bar_spans(tmp_path / "chart.png")

    assert len(spans) == len(data)
    pixels_per_track = spans[0][1] / data[0].total
    assert pixels_per_track > 5
    for bar, (green, total) in zip(data, spans, strict=True):
        assert abs(total - bar.total * pixels_per_track) <= 1.5, bar
        assert abs(green - bar.liked * pixels_per_track) <= 1.5, bar


def test_fonts_in_labelsite_font_dirs_are_tried_after_the_system_noto_fonts(tmp_path, monkeypatch):
    extra = tmp_path / "fonts"
    extra.mkdir()
    shutil.copy(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSansMono.ttf", extra)
    (extra / "broken.ttf").write_bytes(b"not a font")  # skipped, not fatal
    monkeypatch.setenv("LABELSITE_FONT_DIRS", str(extra))
    font_faces.cache_clear()
    try:
        families = font_families()
    finally:
        font_faces.cache_clear()

    assert families[0] == "DejaVu Sans"
    mono = families.index("DejaVu Sans Mono")
    assert all(families.index(f) < mono for f in families if f.startswith("Noto Sans CJK") or f == "Noto Sans Hebrew")


@pytest.mark.skipif(importlib.util.find_spec("justmytype_intl_cjk") is None, reason="requirements.txt not installed")
def test_the_pip_installed_noto_fonts_cover_the_names_without_system_fonts():
    """What `make demo` relies on where fonts-noto-cjk/fonts-noto-core are not installed."""
    packaged = [face for face in font_faces() if "justmytype" in face.path]

    assert {face.family for face in packaged} >= {"Noto Sans KR", "Noto Sans JP", "Noto Sans SC", "Noto Sans Hebrew"}
    for name in NON_LATIN:
        assert any(all(has_glyph(face, c) for c in name if not c.isspace()) for face in packaged), name


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Folklore - Deluxe Version", "Folklore"),
        ("Live - At Wembley", "Live - At Wembley"),
        ("1989 (Taylor's Version) (Deluxe)", "1989 (Taylor's Version)"),
        ("Nevermind (Remastered)", "Nevermind"),
        ("Help! (Live)", "Help! (Live)"),
        ("The 1st Mini Album", "The 1st Mini Album"),
    ],
)
def test_short_album_names_drop_disposable_suffixes(name, short):
    assert short_album_name(name) == short
