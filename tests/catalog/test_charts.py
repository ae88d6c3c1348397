from __future__ import annotations

import warnings

import pytest
from matplotlib.figure import Figure

from catalog.charts import Bar, bar_chart, draw_bar_chart, font_families, short_album_name, top_bars

NON_LATIN = ["악동뮤지션", "ヨルシカ", "周杰伦", "עומר אדם", "Sigur Rós"]


def bars(n: int, prefix: str = "Artist") -> list[Bar]:
    return [Bar(name=f"{prefix} {i}", total=i + 3, liked=i % 4) for i in range(n)]


def chart(bar_list, **kw):
    return bar_chart(
        kind="labels", slug="darkroom", name="artists", category="Artist", noun="artists", bars=bar_list, **kw
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


def test_korean_japanese_chinese_and_hebrew_names_have_glyphs(tmp_path):
    families = font_families()
    if not any("CJK" in f or f.endswith((" KR", " JP", " SC")) for f in families) or not any(
        "Hebrew" in f for f in families
    ):
        from tests import servers

        servers.missing_service(
            "Noto CJK/Hebrew fonts are not installed (apt-get install fonts-noto-cjk fonts-noto-core)"
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw_bar_chart(tmp_path / "chart.png", [Bar(name, 5, 2) for name in NON_LATIN], category="Artist")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    assert (tmp_path / "chart.png").stat().st_size > 1000


def test_missing_glyph_warnings_are_what_the_font_test_looks_for(tmp_path):
    """Guard for the test above: a font without Hangul does warn, so silence there means glyphs were found."""
    figure = Figure()
    figure.text(0, 0, "악동뮤지션", fontfamily=["DejaVu Sans"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(tmp_path / "x.png")
    assert any("missing from" in str(w.message) for w in caught)


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
