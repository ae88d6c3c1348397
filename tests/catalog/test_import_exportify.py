"""Importing Exportify CSV files in both header sets (invented data in tests/data/import/exportify)."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Album, AlbumLabel, Artist, AudioFeatures, LabelSource, Track
from catalog.sources.batches import source_library_write
from catalog.sources.csvutil import ImportFileError
from catalog.sources.exportify import exportify_read, is_liked_songs_file

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "import" / "exportify"
LIKED_NET = FIXTURES / "liked_songs.csv"  # exportify.net headers, with a byte-order mark
ROAD_TRIP_APP = FIXTURES / "road_trip.csv"  # exportify.app headers with every optional column
MINIMAL_APP = FIXTURES / "minimal_app.csv"  # exportify.app base columns only


def import_files(*paths: Path, liked: bool | None = None):
    return source_library_write(exportify_read(list(paths), liked=liked), label_source=LabelSource.IMPORT)


def test_liked_songs_export_marks_its_tracks_liked_with_their_dates():
    import_files(LIKED_NET)

    liked = Track.objects.filter(is_liked=True).order_by("liked_at")
    assert [t.name for t in liked] == ["Glass House", "Silver Line", "Neon Sign | Remix"]
    assert liked[0].liked_at.isoformat() == "2023-04-01T10:00:00+00:00"


def test_local_files_are_skipped_and_counted():
    outcome = import_files(LIKED_NET)

    assert outcome.local_files == 1
    assert not Track.objects.filter(name="Basement Demo").exists()
    assert "1 local files skipped" in outcome.summary()


def test_exportify_net_artists_are_split_on_semicolons_and_get_made_up_ids():
    import_files(LIKED_NET)

    silver = Track.objects.get(spotify_id="eSilverLine")
    names = [c.artist.name for c in silver.artist_credits.select_related("artist").order_by("position")]
    assert names == ["Tova Brandt, the Younger", "Kai Novak"]
    assert all(a.spotify_id.startswith("exportify-") for a in Artist.objects.all())
    # One album per (name, release date, record label): both Quiet Rooms tracks share it.
    assert Track.objects.get(spotify_id="eGlassHouse").album_id == silver.album_id


def test_exportify_net_record_label_genres_and_features_are_read():
    import_files(LIKED_NET)

    neon_album = Track.objects.get(spotify_id="eNeonSign").album
    labels = [link.label.name for link in neon_album.label_links.order_by("position")]
    assert labels == ["Static Orchard", "Cinder Coast"]
    assert {link.source for link in AlbumLabel.objects.all()} == {LabelSource.IMPORT}
    # Genres of a track belong to all its artists together: only single-artist tracks assign them.
    tova = Artist.objects.get(name="Tova Brandt, the Younger")
    assert sorted(g.name for g in tova.genres.all()) == ["chamber folk", "indie folk"]
    assert [g.name for g in Artist.objects.get(name="Kai Novak").genres.all()] == ["jazz piano"]
    # Neon Sign's feature cells are empty: no features rather than zeros.
    assert set(AudioFeatures.objects.values_list("track__spotify_id", flat=True)) == {"eGlassHouse", "eSilverLine"}
    assert AudioFeatures.objects.get(track__spotify_id="eSilverLine").tempo == 104.0


def test_exportify_app_reads_artist_ids_escaped_commas_labels_and_copyrights():
    import_files(ROAD_TRIP_APP)

    open_road = Track.objects.get(spotify_id="rOpenRoad")
    credits = [(c.artist.spotify_id, c.artist.name) for c in open_road.artist_credits.order_by("position")]
    assert credits == [("rAshby", "Ines Ashby"), ("rCommas", "Dara, Emil & Fenn")]
    assert (open_road.disc_number, open_road.track_number, open_road.isrc) == (1, 1, "QZRRR1600001")
    highway = Album.objects.get(spotify_id="rHighway")
    assert highway.image_url == "https://img.example/highway.jpg"
    assert [a.spotify_id for a in highway.artists.all()] == ["rAshby"]
    assert [(link.label.name, link.source) for link in highway.label_links.all()] == [
        ("Marigold Tapes", LabelSource.IMPORT)
    ]
    # No Label, but a ℗ line in Copyrights: the label comes from the ℗ line.
    shore = Album.objects.get(spotify_id="rShore")
    assert [(link.label.name, link.source) for link in shore.label_links.all()] == [
        ("Saltmarsh Sound", LabelSource.COPYRIGHT_P)
    ]
    assert sorted(g.name for g in Artist.objects.get(spotify_id="rSol").genres.all()) == ["bossa nova"]
    assert AudioFeatures.objects.count() == 3
    assert not Track.objects.filter(is_liked=True).exists()  # not a Liked Songs export


def test_missing_optional_columns_are_absent_data_and_erase_nothing():
    import_files(ROAD_TRIP_APP)

    import_files(MINIMAL_APP)

    assert Track.objects.get(spotify_id="rTideLine").explicit is True
    shore = Album.objects.get(spotify_id="rShore")
    assert [link.label.name for link in shore.label_links.all()] == ["Saltmarsh Sound"]
    assert AudioFeatures.objects.filter(track__spotify_id="rSaltAir").exists()
    assert Artist.objects.get(spotify_id="rSol").genres.exists()


def test_a_minimal_export_alone_imports_tracks_without_labels_or_features():
    import_files(MINIMAL_APP)

    assert Track.objects.count() == 2
    assert not AlbumLabel.objects.exists()
    assert not AudioFeatures.objects.exists()


def test_a_track_in_a_playlist_and_in_liked_songs_is_liked(tmp_path):
    liked = tmp_path / "Liked Songs.csv"
    shutil.copy(MINIMAL_APP, liked)

    import_files(ROAD_TRIP_APP, liked)

    assert set(Track.objects.filter(is_liked=True).values_list("spotify_id", flat=True)) == {"rSaltAir", "rTideLine"}


def test_the_liked_flag_marks_every_file_liked():
    import_files(MINIMAL_APP, liked=True)

    assert Track.objects.filter(is_liked=True).count() == 2


@pytest.mark.parametrize(
    ("name", "expected"),
    [("liked_songs.csv", True), ("Liked Songs (1).csv", True), ("liked_songs_2.csv", True), ("road_trip.csv", False)],
)
def test_liked_songs_files_are_recognised_by_name(name, expected):
    assert is_liked_songs_file(Path(name)) is expected


def test_importing_the_same_files_again_changes_nothing():
    import_files(LIKED_NET, ROAD_TRIP_APP)
    tracks = Track.objects.order_by("spotify_id").values_list("spotify_id", "name", "album_id", "is_liked")
    before = list(tracks)

    outcome = import_files(LIKED_NET, ROAD_TRIP_APP)

    assert outcome.result.summary() == "nothing changed"
    assert list(tracks.all()) == before


def rewrite_line(path: Path, line: int, new: str) -> None:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[line - 1] = new
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("source", "line", "content", "message"),
    [
        pytest.param(
            MINIMAL_APP,
            1,
            "Track URI,Track,Artist URI(s),Artist Name(s),Album URI,Album Name",
            "line 1: missing required column 'Track Name' "
            "(found: Track URI, Track, Artist URI(s), Artist Name(s), Album URI, Album Name)",
            id="missing-column",
        ),
        pytest.param(
            MINIMAL_APP,
            3,
            "spotify:track:rTideLine,Tide Line,spotify:artist:rSol,Rafa Sol,spotify:album:rShore,Shoreline,"
            "spotify:artist:rSol,Rafa Sol,21/09/2021,,1,2,192000,,true,10,,,",
            "line 3, column Album Release Date: not a date (YYYY, YYYY-MM or YYYY-MM-DD): '21/09/2021'",
            id="bad-date",
        ),
        pytest.param(
            MINIMAL_APP,
            2,
            'spotify:track:rSaltAir,Salt Air,"spotify:artist:rSol, spotify:artist:rOther",Rafa Sol,'
            "spotify:album:rShore,Shoreline,spotify:artist:rSol,Rafa Sol,2021-09-17,,1,1,187000,,false,12,,,",
            "line 2, column Artist Name(s): 1 names for 2 artist URIs in 'Artist URI(s)'",
            id="artist-count-mismatch",
        ),
        pytest.param(
            LIKED_NET,
            2,
            "spotify:track:eGlassHouse,Glass House,Quiet Rooms,Tova Brandt,2018-03-09,214000,33,false,,"
            "yesterday,,,,,,,,,,,,,,",
            "line 2, column Added At: not a date-time: 'yesterday'",
            id="bad-added-at",
        ),
        pytest.param(
            LIKED_NET,
            3,
            "spotify:track:eSilverLine,Silver Line,Quiet Rooms",
            "line 3: expected 24 fields, found 3",
            id="malformed-row",
        ),
    ],
)
def test_bad_input_names_file_line_and_column_and_writes_nothing(tmp_path, source, line, content, message):
    path = tmp_path / source.name
    shutil.copy(source, path)
    rewrite_line(path, line, content)

    with pytest.raises(CommandError) as excinfo:
        call_command("import_library", "--format", "exportify", str(path), stdout=StringIO(), stderr=StringIO())

    assert str(excinfo.value) == f"{source.name} {message} (nothing was imported)"
    assert not Track.objects.exists()


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path):
    path = tmp_path / "road_trip.csv"
    path.write_bytes(ROAD_TRIP_APP.read_bytes().replace(b"Salt Air", "Salt \xc4ir".encode("latin-1")))

    with pytest.raises(ImportFileError) as excinfo:
        exportify_read([path])

    assert str(excinfo.value) == (
        "road_trip.csv line 4, column Track Name: not UTF-8 text (byte 0xc4); save the file as UTF-8"
    )


def test_command_imports_several_files_and_prints_a_summary():
    stdout = StringIO()

    call_command(
        "import_library", "--format", "exportify", str(LIKED_NET), str(ROAD_TRIP_APP), stdout=stdout, stderr=StringIO()
    )

    assert Track.objects.count() == 6
    assert "6 tracks read" in stdout.getvalue()
    assert "1 local files skipped" in stdout.getvalue()
