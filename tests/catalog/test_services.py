from __future__ import annotations

import pytest

from catalog.models import Album, AlbumLabel, Artist, AudioFeatures, Label, LabelSource, Track
from catalog.services import LibraryData, UpsertError, library_upsert
from tests.factories import album_obj, artist_obj, features_obj, saved, track_obj

pytestmark = pytest.mark.django_db


def small_library() -> LibraryData:
    album = album_obj(
        "WHEN WE ALL FALL ASLEEP",
        artists=["Billie Eilish"],
        copyrights=[
            {"text": "© 2019 Darkroom/Interscope Records", "type": "C"},
            {"text": "℗ 2019 Darkroom/Interscope Records", "type": "P"},
        ],
    )
    single = album_obj("lovely", artists=["Billie Eilish", "Khalid"], label="Darkroom")
    t1 = track_obj("bad guy", album=album, artists=["Billie Eilish"], track_number=2)
    t2 = track_obj("xanny", album=album, artists=["Billie Eilish"], track_number=3)
    t3 = track_obj("lovely (with Khalid)", album=single, artists=["Billie Eilish", "Khalid"])
    return LibraryData(
        saved_tracks=[saved(t1, "2024-01-02T00:00:00Z"), saved(t3)],
        tracks=[t2],
        albums=[album, single],
        artists=[artist_obj("Billie Eilish", genres=["pop", "art pop"]), artist_obj("Khalid", genres=[])],
        audio_features=[features_obj(t1, energy=0.43), features_obj(t3)],
    )


def snapshot() -> dict:
    """Everything a user can see of the catalog, to compare before and after."""
    return {
        "tracks": sorted(
            Track.objects.values_list("spotify_id", "name", "album__spotify_id", "liked_on_spotify", "is_liked")
        ),
        "credits": sorted(
            Track.objects.values_list("spotify_id", "artist_credits__artist__name", "artist_credits__position")
        ),
        "albums": sorted(Album.objects.values_list("spotify_id", "name", "raw_label", "release_year")),
        "labels": sorted(Label.objects.values_list("key", "name", "slug")),
        "links": sorted(AlbumLabel.objects.values_list("album__name", "label__slug", "raw_label", "source")),
        "artists": sorted(Artist.objects.values_list("spotify_id", "name", "slug")),
        "genres": sorted(Artist.objects.values_list("name", "genres__name")),
        "features": sorted(AudioFeatures.objects.values_list("track__spotify_id", "energy", "source")),
    }


def test_upsert_writes_tracks_albums_artists_labels_and_features():
    result = library_upsert(data=small_library())

    assert result.created["tracks"] == 3
    assert Track.objects.get(name="bad guy").is_liked
    assert not Track.objects.get(name="xanny").is_liked
    lovely = Track.objects.get(name="lovely (with Khalid)")
    assert [c.artist.name for c in lovely.artist_credits.order_by("position")] == ["Billie Eilish", "Khalid"]
    assert sorted(Artist.objects.get(name="Billie Eilish").genres.values_list("name", flat=True)) == [
        "art pop",
        "pop",
    ]
    assert Artist.objects.get(name="Billie Eilish").slug == "billie_eilish"
    assert AudioFeatures.objects.get(track__name="bad guy").energy == 0.43


def test_label_comes_from_the_p_line_when_the_album_has_no_label_field():
    library_upsert(data=small_library())

    album = Album.objects.get(name="WHEN WE ALL FALL ASLEEP")
    links = list(album.label_links.order_by("position").values_list("label__name", "source", "raw_label"))
    assert links == [
        ("Darkroom", LabelSource.COPYRIGHT_P, "Darkroom/Interscope Records"),
        ("Interscope Records", LabelSource.COPYRIGHT_P, "Darkroom/Interscope Records"),
    ]
    single_links = Album.objects.get(name="lovely").label_links.values_list("label__slug", "source")
    assert list(single_links) == [("darkroom", LabelSource.SPOTIFY)]
    # The co-labels are separate labels, each with one row.
    assert sorted(Label.objects.values_list("slug", flat=True)) == ["darkroom", "interscope_records"]


def test_applying_the_same_data_twice_changes_nothing():
    library_upsert(data=small_library())
    before = snapshot()

    result = library_upsert(data=small_library())

    assert not result.changed, result.summary()
    assert snapshot() == before


def test_renamed_artist_moved_track_and_changed_label_are_updated_in_place():
    library_upsert(data=small_library())
    artist_pk = Artist.objects.get(name="Khalid").pk
    label_slugs = set(Label.objects.values_list("slug", flat=True))

    data = small_library()
    other = album_obj("Guitar Songs", artists=["Billie Eilish"], label="Darkroom")
    moved = dict(data.tracks[0], album=track_obj("x", album=other, artists=["Billie Eilish"])["album"])
    single = dict(data.albums[1], label="Interscope")
    renamed = [
        artist_obj("Billie Eilish", genres=["pop"]),
        dict(artist_obj("Khalid", genres=[]), name="KHALID"),
    ]
    library_upsert(data=LibraryData(tracks=[moved], albums=[data.albums[0], single, other], artists=renamed))

    assert Artist.objects.get(pk=artist_pk).name == "KHALID"
    assert Artist.objects.get(pk=artist_pk).slug == "khalid"  # published slugs never change
    assert Track.objects.get(name="xanny").album.name == "Guitar Songs"
    assert list(Album.objects.get(name="lovely").labels.values_list("slug", flat=True)) == ["interscope_records"]
    assert set(Label.objects.values_list("slug", flat=True)) == label_slugs
    assert Track.objects.count() == 3


def test_a_track_no_longer_saved_is_unliked_but_the_admin_override_stays():
    library_upsert(data=small_library())
    Track.objects.filter(name="bad guy").update(liked_override=True)
    data = small_library()

    result = library_upsert(data=LibraryData(saved_tracks=data.saved_tracks[1:], liked_complete=True))

    bad_guy = Track.objects.get(name="bad guy")
    assert result.unliked == 1
    assert bad_guy.liked_on_spotify is False
    assert bad_guy.liked_override is True
    assert bad_guy.is_liked  # the override wins
    assert Track.objects.get(name="lovely (with Khalid)").is_liked


def test_admin_set_labels_survive_a_refresh():
    library_upsert(data=small_library())
    album = Album.objects.get(name="lovely")
    curated = Label.objects.create(key="CURATED", name="Curated", slug="curated")
    album.label_links.all().delete()
    AlbumLabel.objects.create(
        album=album, label=curated, raw_label="Curated", raw_piece="Curated", source=LabelSource.ADMIN
    )

    library_upsert(data=small_library())

    assert list(album.label_links.values_list("label__slug", "source")) == [("curated", "admin")]


def test_a_simplified_album_in_a_track_does_not_erase_the_full_albums_label():
    library_upsert(data=small_library())
    data = small_library()

    library_upsert(data=LibraryData(saved_tracks=data.saved_tracks))

    assert Album.objects.get(name="lovely").raw_label == "Darkroom"
    assert Album.objects.get(name="lovely").label_links.count() == 1


def test_names_that_slugify_alike_get_distinct_slugs():
    a = album_obj("A", artists=["AC/DC"], label="X")
    b = album_obj("B", artists=["AC DC"], label="X")
    library_upsert(
        data=LibraryData(
            tracks=[track_obj("t1", album=a, artists=["AC/DC"]), track_obj("t2", album=b, artists=["AC DC"])],
            albums=[a, b],
        )
    )

    slugs = sorted(Artist.objects.values_list("slug", flat=True))
    assert len(set(slugs)) == 2
    assert slugs[0] == "ac_dc"


def test_bad_data_names_the_object_and_field_and_writes_nothing():
    data = small_library()
    broken = dict(data.tracks[0])
    del broken["name"]

    with pytest.raises(UpsertError, match=r"track .*: missing field 'name'"):
        library_upsert(data=LibraryData(saved_tracks=data.saved_tracks, tracks=[broken], albums=data.albums))

    assert Track.objects.count() == 0
    assert Album.objects.count() == 0


def test_hostile_names_are_stored_as_given():
    album = album_obj("<script>alert(1)</script>", artists=["A | B *x*"], label="[x](y) Records")
    track = track_obj("pipe | name _u_", album=album, artists=["A | B *x*"])
    library_upsert(data=LibraryData(tracks=[track], albums=[album]))

    assert Track.objects.get().name == "pipe | name _u_"
    assert Album.objects.get().name == "<script>alert(1)</script>"
    slug = Artist.objects.get().slug
    assert "|" not in slug and "*" not in slug and slug
