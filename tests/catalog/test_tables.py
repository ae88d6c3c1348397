from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from catalog import selectors
from catalog.models import Label, Track
from catalog.tables import (
    Cell,
    Page,
    Part,
    Table,
    albums_table,
    artists_table,
    genres_table,
    labels_table,
    tally_albums,
    tally_artists,
    tally_genres,
    tally_labels,
    top_rows_text,
)
from tests.website.html import PageReader
from tests.website.library import page_library


def test_one_table_renders_the_same_cells_in_the_same_order_in_html():
    table = Table(
        headers=("Art", "Name | pipe", "Count"),
        rows=[
            (
                Cell.image("https://i.example/a.png"),
                Cell((Part("<b>A</b>", page=Page("label", "a")), Part("*B*"))),
                Cell.text(i),
            )
            for i in range(13)
        ],
        numeric=frozenset({2}),
    )
    page = PageReader(render_to_string("website/_table.html", {"table": table}))

    assert [t.headers for t in page.tables] == [list(table.headers)] * 2
    shown = [row for t in page.tables for row in t.rows]
    assert len(shown) == len(table.rows)
    for html_row, data_row in zip(shown, table.rows, strict=True):
        assert [c.text for c in html_row] == [c.plain for c in data_row]
        assert html_row[1].links == [("/labels/a/", "<b>A</b>")]
        assert html_row[0].images[0]["src"] == "https://i.example/a.png"


def test_short_tables_have_no_details_and_long_ones_fold_after_ten():
    short = Table(headers=("A",), rows=[(Cell.text(i),) for i in range(10)])
    long = Table(headers=("A",), rows=[(Cell.text(i),) for i in range(11)], more_text="See all <things>")

    assert "<details" not in render_to_string("website/_table.html", {"table": short})
    html = render_to_string("website/_table.html", {"table": long})
    assert "<summary>See all &lt;things&gt;</summary>" in html


def test_top_rows_text_says_top_100_only_when_rows_were_cut():
    assert top_rows_text(list(range(150)), "artists") == (list(range(100)), "See top 100 artists")
    assert top_rows_text(list(range(12)), "albums") == (list(range(12)), "See all 12 albums")


@pytest.mark.django_db
def test_count_tables_follow_the_original_columns_sort_orders_and_links():
    page_library()
    label = Label.objects.get(slug="darkroom")
    tracks = selectors.track_rows(selectors.label_tracks(label), genres=True)
    artist_ids, label_ids = selectors.artist_page_ids(), selectors.label_page_ids()

    artists = artists_table(tally_artists(tracks), artist_page_ids=artist_ids)
    assert list(artists.headers) == ["Art", "Tracks", "💚", "Artist", "🔗"]
    on_label = Track.objects.filter(album__label_links__label=label)

    def expected(**where):
        return [str(on_label.filter(**where).count()), str(on_label.filter(is_liked=True, **where).count())]

    assert [[c.plain for c in row[1:4]] for row in artists.rows] == [
        [*expected(artist_credits__artist__name="Billie Eilish"), "Billie Eilish"],
        [*expected(artist_credits__artist__name="Khalid"), "Khalid"],
    ]
    assert artists.rows[0][3].parts[0].page == Page("artist", "billie_eilish")

    albums = albums_table(tally_albums(tracks))
    assert list(albums.headers) == ["Art", "Tracks", "💚", "Album", "Release Date", "🔗"]
    counts = [(int(row[1].plain), int(row[2].plain), row[3].plain) for row in albums.rows]
    assert counts == sorted(counts, reverse=True)  # tracks, liked, name, all descending
    assert albums.rows[0][5].parts[0].url.startswith("https://open.spotify.com/album/")

    labels = labels_table(tally_labels(tracks), label_page_ids=label_ids)
    interscope = Label.objects.get(slug="interscope_records")
    assert [[c.plain for c in row] for row in labels.rows] == [
        [*expected(), "Darkroom"],
        [*expected(album__label_links__label=interscope), "Interscope Records"],
    ]

    genres = genres_table(tally_genres(tracks))
    # Every track's primary artist is Billie Eilish (pop, art pop); ties sort by name, descending.
    assert [[c.plain for c in row] for row in genres.rows] == [[*expected(), "pop"], [*expected(), "art pop"]]
    assert all(part.page is None for row in genres.rows for part in row[2].parts)  # no genre pages


@pytest.mark.django_db
def test_names_without_a_page_are_plain_text():
    page_library()
    label = Label.objects.get(slug="darkroom")
    tracks = selectors.track_rows(selectors.label_tracks(label))

    table = artists_table(tally_artists(tracks), artist_page_ids=set())
    assert all(row[3].parts[0].page is None for row in table.rows)
