from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import Artist, Label, SlugRedirect, Track
from catalog.tables import TRACK_TABLE_HEADERS
from clusters.services import recluster_artist, recluster_label
from tests.website.html import PageReader
from tests.website.library import CJK_ARTISTS, HOSTILE_ARTIST, HOSTILE_LABEL, HOSTILE_TRACK, page_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    page_library()


def read(client: Client, url: str) -> PageReader:
    response = client.get(url)
    assert response.status_code == 200, url
    return PageReader(response.content.decode())


def test_label_page_has_the_original_sections_in_order(client, library):
    page = read(client, "/labels/darkroom/")

    assert [text for tag, text in page.headings if tag == "h1"] == ["Darkroom"]
    assert page.h2() == ["Top Artists", "Top Albums", "Genres", "Tracks released under Darkroom"]
    html = client.get("/labels/darkroom/").content.decode()
    assert "23 songs" in html
    assert page.tables_with(("Art", "Tracks", "💚", "Artist", "🔗"))
    assert page.tables_with(("Art", "Tracks", "💚", "Album", "Release Date", "🔗"))
    assert page.tables_with(("Tracks", "💚", "Genre"))


def test_track_table_has_the_contract_columns_and_folds_rows_after_ten(client, library):
    page = read(client, "/labels/darkroom/")

    track_tables = page.tables_with(TRACK_TABLE_HEADERS)
    assert list(TRACK_TABLE_HEADERS) == ["Art", "Track", "Album", "Artists", "Label", "💚", "🔗"]
    # The first 10 rows, then the other 13 in a second table inside <details>.
    assert [len(t.rows) for t in track_tables] == [10, 13]
    html = client.get("/labels/darkroom/").content.decode()
    assert "<details" in html and "<summary>See all tracks</summary>" in html
    rows = [row for t in track_tables for row in t.rows]
    liked = {t.name for t in Track.objects.filter(is_liked=True)}
    for row in rows:
        art, name, album, artists, labels, heart, link = row
        assert art.images[0]["width"] == "50" and art.images[0]["loading"] == "lazy"
        assert heart.text == ("💚" if name.text in liked else "")
        assert link.links[0][0].startswith("https://open.spotify.com/track/")
    split = next(r for r in rows if r[1].text.startswith("Split single"))
    assert split[3].links == [("/artists/billie_eilish/", "Billie Eilish"), ("/artists/khalid/", "Khalid")]
    assert split[4].links == [("/labels/darkroom/", "Darkroom"), ("/labels/interscope_records/", "Interscope Records")]


def test_appears_as_lists_spellings_only_when_there_are_several(client, library):
    darkroom = client.get("/labels/darkroom/").content.decode()
    assert "Appears as:" in darkroom
    assert "<li>Darkroom (20 tracks)</li>" in darkroom
    assert "<li>Darkroom/Interscope Records (3 tracks)</li>" in darkroom

    single_spelling = client.get(f"/labels/{Label.objects.get(name='K-Label 한국').slug}/").content.decode()
    assert "Appears as" not in single_spelling


def test_names_link_only_to_pages_that_exist(client, library):
    """Crawl every internal link from the home page: none answers 404 or 500."""
    seen, queue = set(), ["/"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        if "text/html" not in response["Content-Type"]:
            continue
        for href, _ in PageReader(response.content.decode()).links:
            if href.startswith("/") and not href.startswith("/admin"):
                queue.append(href.split("?")[0].split("#")[0])
    assert "/labels/darkroom/" in seen and "/artists/billie_eilish/" in seen
    # Tiny Label (2 tracks) and the CJK artists (3 tracks each) have no page, so no link either.
    assert not any("tiny_label" in url for url in seen)
    assert not any(Artist.objects.get(name=name).slug in url for url in seen for name in CJK_ARTISTS)


def test_unknown_slugs_and_pages_below_the_thresholds_answer_404(client, library):
    assert client.get("/labels/no_such_label/").status_code == 404
    assert client.get("/artists/no_such_artist/").status_code == 404
    assert client.get("/labels/tiny_label/").status_code == 404
    assert client.get(f"/artists/{Artist.objects.get(name=CJK_ARTISTS[0]).slug}/").status_code == 404
    # No cluster run yet: the clusters page does not exist and no page links to it.
    assert client.get("/labels/darkroom/clusters/").status_code == 404
    assert "/labels/darkroom/clusters/" not in client.get("/labels/darkroom/").content.decode()


def test_an_old_slug_redirects_permanently_to_the_current_page(client, library):
    label = Label.objects.get(slug="darkroom")
    label.slug = "darkroom_records"
    label.save()
    SlugRedirect.objects.create(kind=SlugRedirect.Kind.LABEL, old_slug="darkroom", label=label)
    artist = Artist.objects.get(slug="khalid")
    SlugRedirect.objects.create(kind=SlugRedirect.Kind.ARTIST, old_slug="khalid_old", artist=artist)

    response = client.get("/labels/darkroom/")
    assert response.status_code == 301 and response["Location"] == "/labels/darkroom_records/"
    response = client.get("/artists/khalid_old/")
    assert response.status_code == 301 and response["Location"] == "/artists/khalid/"
    response = client.get("/labels/darkroom/clusters/")
    assert response.status_code == 301 and response["Location"] == "/labels/darkroom_records/clusters/"


def test_hostile_names_render_literally(client, library):
    artist = Artist.objects.get(name=HOSTILE_ARTIST)
    for url in ["/", "/labels/", "/artists/", f"/artists/{artist.slug}/"]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "onerror=alert" not in html.replace("onerror=alert(2)&gt;", "")
        assert 'href="y"' not in html and 'href="http://evil.example"' not in html
        assert "<b>Bold</b>" not in html

    page = read(client, f"/artists/{artist.slug}/")
    assert [text for tag, text in page.headings if tag == "h1"] == [HOSTILE_ARTIST]
    names = [c.text for t in page.tables_with(TRACK_TABLE_HEADERS) for c in t.column("Track")]
    assert HOSTILE_TRACK.replace("Pipe", "Hostile album | <i>x</i> song 1") not in names  # sanity: real names
    assert "Hostile album | <i>x</i> song 1" in names
    labels = {c.text for t in page.tables_with(TRACK_TABLE_HEADERS) for c in t.column("Label")}
    assert HOSTILE_LABEL in labels


def test_hostile_track_name_stays_text_in_every_cell(client, library):
    album = Track.objects.filter(album__name="Darkroom album 1").first().album
    Track.objects.filter(pk=Track.objects.filter(album=album).first().pk).update(name=HOSTILE_TRACK)

    page = read(client, "/labels/darkroom/")
    cells = [row[1] for t in page.tables_with(TRACK_TABLE_HEADERS) for row in t.rows]
    hostile = [c for c in cells if c.text == HOSTILE_TRACK]
    assert len(hostile) == 1 and hostile[0].links == [] and hostile[0].images == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/labels/darkroom/").content.decode()


def test_descriptions_render_markdown_without_scripts_or_javascript_links(client, library):
    Label.objects.filter(slug="darkroom").update(
        description="**Bold claim** <script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    html = client.get("/labels/darkroom/").content.decode()

    assert "<strong>Bold claim</strong>" in html
    assert "<script>alert(1)" not in html
    assert "javascript:" not in html
    assert "onerror" not in html


def test_clusters_page_describes_each_cluster_with_nearest_tracks_first(client, library):
    label = Label.objects.get(slug="darkroom")
    recluster_label(label.pk)
    from clusters.selectors import current_run_for_label

    run = current_run_for_label(label)
    assert run is not None

    label_page = client.get("/labels/darkroom/").content.decode()
    assert 'href="/labels/darkroom/clusters/"' in label_page
    page = read(client, "/labels/darkroom/clusters/")
    assert [text for tag, text in page.headings if tag == "h1"] == ["Clusters in Darkroom"]
    clusters = list(run.clusters.all())
    assert page.h2() == [f"Cluster #{c.number}" for c in clusters]
    html = client.get("/labels/darkroom/clusters/").content.decode()
    for cluster in clusters:
        assert f"{cluster.size} tracks" in html or cluster.size == 1
        if cluster.description:
            assert cluster.description in html
    tables = page.tables_with(TRACK_TABLE_HEADERS)
    assert [[c.text for c in t.column("Track")] for t in tables] == [
        [t.name for t in c.nearest_tracks] for c in clusters
    ]
    assert any(img.get("src") == run.scatter_url for img in page.images)


def test_artist_page_shows_image_albums_labels_genres_and_tracks(client, library):
    recluster_artist(Artist.objects.get(slug="billie_eilish").pk)
    page = read(client, "/artists/billie_eilish/")

    assert page.h2() == ["Top Albums", "Top Record Labels", "Genres", "Tracks"]
    assert page.images[0]["width"] == "100" and page.images[0]["alt"] == "Billie Eilish"
    labels = page.tables_with(("Tracks", "💚", "Label"))[0]
    assert [c.text for c in labels.column("Label")] == ["Darkroom", "Interscope Records"]
    html = client.get("/artists/billie_eilish/").content.decode()
    assert "<li>art pop</li><li>pop</li>" in html
    assert 'href="/artists/billie_eilish/clusters/"' in html
    assert read(client, "/artists/billie_eilish/clusters/").tables_with(TRACK_TABLE_HEADERS)


def test_index_pages_list_every_page_and_filter_by_query(client, library):
    labels = read(client, "/labels/").tables_with(("Tracks", "💚", "Label"))[0]
    assert sorted(c.text for c in labels.column("Label")) == sorted(
        ["Darkroom", "Interscope Records", "K-Label 한국", HOSTILE_LABEL]
    )
    found = read(client, "/labels/?q=dark").tables_with(("Tracks", "💚", "Label"))[0]
    assert [c.text for c in found.column("Label")] == ["Darkroom"]
    artists = read(client, "/artists/").tables_with(("Art", "Tracks", "💚", "Artist", "🔗"))[0]
    assert sorted(c.text for c in artists.column("Artist")) == sorted(["Billie Eilish", "Khalid", HOSTILE_ARTIST])


def test_every_page_has_a_title_and_a_meta_description(client, library):
    for url in ["/", "/labels/", "/artists/", "/labels/darkroom/", "/artists/khalid/"]:
        html = client.get(url).content.decode()
        assert "<title>" in html and '<meta name="description" content="' in html
        description = html.split('<meta name="description" content="')[1].split('"')[0]
        assert len(description) > 20


def test_home_page_shows_counts_labels_artists_genres_and_charts(client, library):
    page = read(client, "/")
    assert page.h2() == ["Record Labels", "Artists", "Genres"]
    charts = [img for img in page.images if img.get("alt", "").startswith("Bar chart of top")]
    assert len(charts) == 3
    for chart in charts:
        assert client.get(chart["src"]).status_code == 200


PAGE_URLS = [
    "/",
    "/labels/",
    "/artists/",
    "/labels/darkroom/",
    "/labels/darkroom/clusters/",
    "/artists/billie_eilish/",
    "/artists/billie_eilish/clusters/",
]
MAX_QUERIES = 16


@pytest.mark.parametrize("albums", [2, 60], ids=["small library", "large library"])
def test_every_page_costs_the_same_few_queries_whatever_its_size(client, albums, django_assert_max_num_queries):
    from django.core.cache import cache

    page_library(n_albums=albums)
    recluster_label(Label.objects.get(slug="darkroom").pk)
    recluster_artist(Artist.objects.get(slug="billie_eilish").pk)
    for url in PAGE_URLS:
        cache.clear()  # measure a page built from scratch, not one served from the page cache
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(url).status_code == 200, url


def test_a_cached_page_shows_new_data_after_a_catalog_write(client, library, django_capture_on_commit_callbacks):
    from catalog.services import LibraryData, library_upsert
    from tests.factories import album_obj, saved, track_obj

    assert "23 songs" in client.get("/labels/darkroom/").content.decode()
    album = album_obj("Darkroom late album", artists=["Billie Eilish"], label="Darkroom")
    track = track_obj("late song", album=album, artists=["Billie Eilish"])
    with django_capture_on_commit_callbacks(execute=True):  # the version is bumped once the write commits
        library_upsert(data=LibraryData(saved_tracks=[saved(track)], albums=[album]))

    assert "24 songs" in client.get("/labels/darkroom/").content.decode()
