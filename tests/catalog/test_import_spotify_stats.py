"""Importing the original generator's CSV data folder (invented data in tests/data/import/spotify_stats)."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog import labels as label_rules
from catalog.models import Album, AlbumLabel, Artist, AudioFeatures, Label, LabelSource, Track
from catalog.selectors import library_counts
from catalog.sources.batches import source_library_write
from catalog.sources.csvutil import BadRows, ImportFileError
from catalog.sources.spotify_stats import spotify_stats_read

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "import" / "spotify_stats"
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference-library"


def import_folder(folder: Path, **kwargs):
    library = spotify_stats_read(folder, bad_rows=BadRows(**kwargs))
    return source_library_write(library, label_source=LabelSource.IMPORT)


def library_snapshot() -> list[tuple]:
    """Everything an import writes, in a comparable form."""
    tracks = [
        (t.spotify_id, t.name, t.album.spotify_id, t.duration_ms, t.explicit, t.isrc, t.popularity, t.is_liked)
        for t in Track.objects.select_related("album").order_by("spotify_id")
    ]
    credits = [
        (t.spotify_id, [c.artist.spotify_id for c in t.artist_credits.select_related("artist").order_by("position")])
        for t in Track.objects.order_by("spotify_id")
    ]
    links = list(AlbumLabel.objects.order_by("album_id", "position").values_list("album_id", "label_id", "source"))
    artists = [(a.spotify_id, a.name, sorted(g.name for g in a.genres.all())) for a in Artist.objects.all()]
    features = list(AudioFeatures.objects.order_by("track_id").values_list("track_id", "energy", "tempo", "source"))
    return [tracks, credits, links, artists, features, list(Label.objects.values_list("key", "name", "slug"))]


@pytest.fixture
def folder(tmp_path) -> Path:
    """A writable copy of the invented folder, for the bad-input cases."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE, target)
    return target


def rewrite_line(path: Path, line: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line - 1] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_import_reads_tracks_albums_artists_credits_and_likes():
    outcome = import_folder(FIXTURE)

    assert outcome.tracks_read == 7
    assert Track.objects.count() == 7
    assert Album.objects.count() == 4
    assert Artist.objects.count() == 4
    paper_moon = Track.objects.get(spotify_id="tPaperMoon")
    assert paper_moon.album.name == "Harbor Songs"
    harbor_lights = Track.objects.get(spotify_id="tHarborLights")
    # Credit order follows artist_index, not the order of the rows in track_artist.csv.
    assert [c.artist.name for c in harbor_lights.artist_credits.order_by("position")] == [
        "Mira Sol",
        "The Paper Kites of Nowhere",
    ]
    assert harbor_lights.explicit is True
    assert harbor_lights.duration_ms == 240000
    assert harbor_lights.isrc == "QZAAA1900003"
    assert set(Track.objects.filter(is_liked=True).values_list("spotify_id", flat=True)) == {
        "tLowTide",
        "tFirstSnow",
        "tHostile",
    }


def test_import_keeps_names_literally_including_non_latin_and_hostile_text():
    import_folder(FIXTURE)

    assert Track.objects.get(spotify_id="tHostile").name == "*x* | [x](y) <script>"
    assert Artist.objects.get(spotify_id="aPipe").name == "Pipe | Dream <b>, Jr."
    assert Artist.objects.get(spotify_id="aDalbit").name == "달빛 소년단"
    # The original's CSV round-trip turned an album called "NA" into NaN; here it stays "NA".
    assert Album.objects.get(spotify_id="bNA").name == "NA"


def test_import_links_albums_to_labels_from_the_label_column_with_co_labels_split():
    import_folder(FIXTURE)

    night = Album.objects.get(spotify_id="bNight")
    assert [link.label.name for link in night.label_links.order_by("position")] == ["Northwind Records", "Copperline"]
    assert {link.source for link in AlbumLabel.objects.all()} == {LabelSource.IMPORT}
    northwind = Label.objects.with_counts().get(name="Northwind Records")
    assert northwind.track_count == 4
    assert not Album.objects.get(spotify_id="bNA").label_links.exists()  # no label in the file


def test_import_gives_artists_their_genres_and_images_and_tracks_their_features():
    import_folder(FIXTURE)

    mira = Artist.objects.get(spotify_id="aMiraSol")
    assert sorted(g.name for g in mira.genres.all()) == ["chamber folk", "indie folk"]
    assert mira.image_url == "https://img.example/mira.jpg"
    assert not Artist.objects.get(spotify_id="aPaperKites").genres.exists()
    assert AudioFeatures.objects.count() == 6
    low_tide = AudioFeatures.objects.get(track__spotify_id="tLowTide")
    assert (low_tide.tempo, low_tide.key, low_tide.time_signature, low_tide.source) == (102.25, 2, 3, "import")
    assert not AudioFeatures.objects.filter(track__spotify_id="tHostile").exists()


def test_importing_the_same_folder_again_changes_nothing():
    import_folder(FIXTURE)
    before = library_snapshot()

    outcome = import_folder(FIXTURE)

    assert not outcome.result.changed
    assert outcome.result.summary() == "nothing changed"
    assert library_snapshot() == before


def test_liked_tracks_csv_is_the_whole_liked_set(folder):
    import_folder(folder)
    (folder / "liked_tracks.csv").write_text("track_uri\nspotify:track:tFirstSnow\n", encoding="utf-8")

    outcome = import_folder(folder)

    assert set(Track.objects.filter(is_liked=True).values_list("spotify_id", flat=True)) == {"tFirstSnow"}
    assert outcome.result.unliked == 2


def test_optional_files_may_be_missing(folder):
    for name in ("album_artist.csv", "artist_genre.csv", "liked_tracks.csv", "audio_features.csv", "playlists.csv"):
        (folder / name).unlink()

    import_folder(folder)

    assert Track.objects.count() == 7
    assert not Track.objects.filter(is_liked=True).exists()
    assert not AudioFeatures.objects.exists()


BAD_INPUTS = [
    pytest.param(
        "tracks.csv",
        1,
        "name,popularity,explicit,duration_ms,uri,album,isrc",
        "tracks.csv line 1: missing required column 'album_uri' "
        "(found: name, popularity, explicit, duration_ms, uri, album, isrc)",
        id="missing-column",
    ),
    pytest.param(
        "tracks.csv",
        4,
        "Harbor Lights,12,True,240000,spotify:track:tHarborLights,spotify:album:bHarbor",
        "tracks.csv line 4: expected 7 fields, found 6",
        id="malformed-row",
    ),
    pytest.param(
        "albums.csv",
        2,
        "Harbor Songs,album,Northwind Records,30,3,May 2019,spotify:album:bHarbor,https://img.example/harbor.jpg",
        "albums.csv line 2, column release_date: not a date (YYYY, YYYY-MM or YYYY-MM-DD): 'May 2019'",
        id="bad-date",
    ),
    pytest.param(
        "tracks.csv",
        5,
        "Night Swim,20,False,199000,spotify:track:tNightSwim,spotify:album:bMissing,QZAAA2100001",
        "tracks.csv line 5, column album_uri: unknown album 'spotify:album:bMissing' (not in albums.csv)",
        id="unknown-album",
    ),
    pytest.param(
        "track_artist.csv",
        3,
        "spotify:track:tHarborLights,spotify:artist:aNobody,1",
        "track_artist.csv line 3, column artist_uri: unknown artist 'spotify:artist:aNobody' (not in artists.csv)",
        id="unknown-artist",
    ),
    pytest.param(
        "liked_tracks.csv",
        3,
        "spotify:track:tNobody",
        "liked_tracks.csv line 3, column track_uri: unknown track 'spotify:track:tNobody' (not in tracks.csv)",
        id="unknown-liked-track",
    ),
    pytest.param(
        "tracks.csv",
        2,
        "Low Tide,30,False,201000,spotify:album:tLowTide,spotify:album:bHarbor,QZAAA1900001",
        "tracks.csv line 2, column uri: not a Spotify track URI (spotify:track:<id>): 'spotify:album:tLowTide'",
        id="wrong-uri-kind",
    ),
    pytest.param(
        "audio_features.csv",
        7,
        "0.66,loud,1,-4.8,1,0.06,0.1,0.0,0.2,0.7,124.0,4,spotify:track:tSummerNight",
        "audio_features.csv line 7, column energy: not a number: 'loud'",
        id="bad-number",
    ),
    pytest.param(
        "artists.csv",
        3,
        "Mira Sol,spotify:artist:aMiraSol,40,1200,",
        "artists.csv line 3, column uri: duplicate 'spotify:artist:aMiraSol'",
        id="duplicate-id",
    ),
]


@pytest.mark.parametrize(("file", "line", "content", "message"), BAD_INPUTS)
def test_bad_input_names_file_line_and_column_and_writes_nothing(folder, file, line, content, message):
    rewrite_line(folder / file, line, content)

    with pytest.raises(CommandError) as excinfo:
        call_command("import_library", "--format", "spotify-stats", str(folder), stdout=StringIO(), stderr=StringIO())

    assert str(excinfo.value) == f"{message} (nothing was imported)"
    assert not Track.objects.exists()
    assert not Artist.objects.exists()
    assert not Label.objects.exists()


def test_a_file_that_is_not_utf8_is_reported_with_its_line_and_column(folder):
    path = folder / "albums.csv"
    data = path.read_bytes().replace(b"Night Swim", "Night Sw\xefm".encode("latin-1"))
    path.write_bytes(data)

    with pytest.raises(ImportFileError) as excinfo:
        spotify_stats_read(folder)

    assert str(excinfo.value) == "albums.csv line 3, column name: not UTF-8 text (byte 0xef); save the file as UTF-8"


def test_a_missing_required_file_is_named(folder):
    (folder / "track_artist.csv").unlink()

    with pytest.raises(ImportFileError, match=r"^track_artist.csv: file not found$"):
        spotify_stats_read(folder)


def test_skip_bad_rows_reports_each_skipped_row_and_imports_the_rest(folder):
    rewrite_line(folder / "tracks.csv", 3, "Paper Moon,25,maybe,187500,spotify:track:tPaperMoon,spotify:album:bHarbor,")
    stderr = StringIO()

    call_command(
        "import_library", "--format", "spotify-stats", str(folder), "--skip-bad-rows", stdout=StringIO(), stderr=stderr
    )

    report = stderr.getvalue()
    assert "skipped: tracks.csv line 3, column explicit: not true/false: 'maybe'" in report
    # Rows that refer to the skipped track are reported too, not silently dropped.
    assert "skipped: track_artist.csv line 9, column track_uri: unknown track 'spotify:track:tPaperMoon'" in report
    assert "skipped: audio_features.csv line 6, column track_uri: unknown track" in report
    assert Track.objects.count() == 6
    assert not Track.objects.filter(spotify_id="tPaperMoon").exists()


def test_command_prints_the_library_counts_and_a_summary():
    stdout = StringIO()

    call_command("import_library", "--format", "spotify-stats", str(FIXTURE), stdout=stdout, stderr=StringIO())

    lines = stdout.getvalue().splitlines()
    assert lines[0] == (
        "Library: 7 tracks, 4 albums, 4 artists, 3 labels (0 with pages), 3 liked, 6 with audio features"
    )
    assert lines[1].startswith(f"Imported {FIXTURE}: 7 tracks read; ")


def test_command_rejects_an_unknown_format():
    with pytest.raises(CommandError, match="unknown --format 'itunes': use one of spotify-stats, exportify"):
        call_command("import_library", "--format", "itunes", str(FIXTURE), stdout=StringIO(), stderr=StringIO())


@pytest.mark.slow
@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference library not present at {REFERENCE}")
def test_reference_library_import_matches_an_independent_count_of_its_csv_files():
    def rows(name: str) -> list[dict]:
        with open(REFERENCE / name, encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    tracks, albums = rows("tracks.csv"), rows("albums.csv")
    label_of = {a["uri"]: a["label"] for a in albums}
    tracks_per_key: Counter = Counter()
    for track in tracks:
        for piece in label_rules.split_label_string(label_of[track["album_uri"]]):
            tracks_per_key[piece.key] += 1

    call_command("import_library", "--format", "spotify-stats", str(REFERENCE), stdout=StringIO(), stderr=StringIO())

    counts = library_counts()
    assert counts["tracks"] == len(tracks)
    assert counts["albums"] == len({t["album_uri"] for t in tracks})
    assert counts["artists"] == len(rows("artists.csv"))
    assert counts["liked"] == len(rows("liked_tracks.csv"))
    assert counts["with_features"] == len({r["track_uri"] for r in rows("audio_features.csv")})
    assert counts["labels"] == len(tracks_per_key)
    assert counts["labels_with_pages"] == sum(1 for n in tracks_per_key.values() if n >= 10)
