"""The generated demo library behind `make demo` (load_demo) and the admin account (ensure_admin)."""

from __future__ import annotations

import base64
import os
import stat
from io import StringIO
from statistics import mean

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from catalog.models import Album, AlbumLabel, Artist, AudioFeatures, Label, LabelSource, Track
from catalog.selectors import labels_with_pages
from catalog.sources.demo import COPYRIGHT_ONLY, SPECIAL_TRACKS, demo_bundles, demo_load

pytestmark = pytest.mark.django_db


def bundle_values(tracks: int, seed: int) -> list[tuple]:
    bundles = demo_bundles(tracks=tracks, seed=seed)
    return [(b.track, b.album, list(b.artists), b.features, b.liked, b.added_at) for b in bundles]


def test_the_same_seed_gives_the_same_library_and_another_seed_another():
    first = bundle_values(400, seed=7)

    assert bundle_values(400, seed=7) == first
    assert bundle_values(400, seed=8) != first
    assert len(first) == 400


@pytest.mark.slow
def test_default_demo_library_has_the_promised_shape():
    demo_load()

    assert Track.objects.count() == 1500
    assert Artist.objects.count() == 150
    assert Label.objects.count() == 25
    assert labels_with_pages().count() == 25
    liked_share = Track.objects.filter(is_liked=True).count() / 1500
    assert 0.3 <= liked_share <= 0.5
    assert not Artist.objects.filter(genres__isnull=True).exists()
    assert AudioFeatures.objects.filter(source="demo").count() == 1500


@pytest.mark.slow
def test_demo_has_co_labels_and_labels_known_only_from_a_copyright_line():
    demo_load()

    co_labelled = [a for a in Album.objects.prefetch_related("label_links") if len(a.label_links.all()) > 1]
    assert co_labelled
    assert all("/" in a.raw_label for a in co_labelled)
    for name in COPYRIGHT_ONLY:
        label = Label.objects.get(name=name)
        sources = set(AlbumLabel.objects.filter(label=label).values_list("source", flat=True))
        assert sources == {LabelSource.COPYRIGHT_P}
        assert labels_with_pages().filter(pk=label.pk).exists()


@pytest.mark.slow
def test_demo_audio_features_follow_the_artists_genres():
    demo_load()

    def mean_of(feature: str, genres: set[str]) -> float:
        tracks = Track.objects.filter(artist_credits__position=0, artist_credits__artist__genres__name__in=genres)
        return mean(AudioFeatures.objects.filter(track__in=tracks).values_list(feature, flat=True))

    metal, ambient = {"metal", "doom metal", "power metal"}, {"ambient", "drone"}
    assert mean_of("energy", metal) > mean_of("energy", ambient) + 0.5
    assert mean_of("acousticness", ambient) > mean_of("acousticness", metal) + 0.5
    assert mean_of("speechiness", {"hip hop", "boom bap", "trap"}) > mean_of("speechiness", ambient) + 0.15


def test_demo_art_is_svg_in_data_uris_and_names_include_other_scripts_and_hostile_text():
    demo_load(tracks=600, seed=3)

    for url in list(Album.objects.values_list("image_url", flat=True)[:20]) + [Artist.objects.first().image_url]:
        head, _, payload = url.partition(",")
        assert head == "data:image/svg+xml;base64"
        assert base64.b64decode(payload).decode().startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    artist_names = set(Artist.objects.values_list("name", flat=True))
    assert {
        "달빛 소년단",
        "夜明けのベル",
        "הגל הכחול",
        "Pipe | Dream",
        "<script>alert('demo')</script>",
    } <= artist_names
    assert Track.objects.filter(name__in=SPECIAL_TRACKS).exists()


def test_loading_the_demo_again_changes_nothing():
    demo_load(tracks=300)
    before = list(Track.objects.order_by("spotify_id").values_list("spotify_id", "name", "album_id", "is_liked"))

    result = demo_load(tracks=300)

    assert result.summary() == "nothing changed"
    assert (
        list(Track.objects.order_by("spotify_id").values_list("spotify_id", "name", "album_id", "is_liked")) == before
    )


def test_load_demo_if_empty_leaves_an_existing_library_alone():
    call_command("load_demo", "--tracks", "200", stdout=StringIO(), stderr=StringIO())
    stdout = StringIO()

    call_command("load_demo", "--if-empty", "--tracks", "500", stdout=stdout, stderr=StringIO())

    assert Track.objects.count() == 200
    assert "already has tracks" in stdout.getvalue()


def test_load_demo_prints_a_summary_with_the_library_counts():
    stdout = StringIO()

    call_command("load_demo", "--tracks", "250", "--seed", "5", stdout=stdout, stderr=StringIO())

    assert Track.objects.count() == 250
    assert "Demo library (seed 5) loaded" in stdout.getvalue()
    assert "Library: 250 tracks" in stdout.getvalue()


def test_ensure_admin_creates_admin_once_and_shows_the_kept_password_again(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    first, second = StringIO(), StringIO()

    call_command("ensure_admin", "--url", "http://127.0.0.1:8123/admin/", stdout=first)
    call_command("ensure_admin", "--url", "http://127.0.0.1:8123/admin/", stdout=second)

    password = (tmp_path / "admin-password.txt").read_text().strip()
    assert stat.S_IMODE(os.stat(tmp_path / "admin-password.txt").st_mode) == 0o600
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    assert get_user_model().objects.count() == 1
    assert f"Log in at http://127.0.0.1:8123/admin/  user: admin  password: {password}" in first.getvalue()
    assert "A superuser exists ('admin')" in second.getvalue()
    assert f"password: {password}" in second.getvalue()


def test_ensure_admin_leaves_an_existing_superuser_alone(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    get_user_model().objects.create_superuser("curator", email="", password="their own")
    stdout = StringIO()

    call_command("ensure_admin", stdout=stdout)

    assert list(get_user_model().objects.values_list("username", flat=True)) == ["curator"]
    assert "A superuser exists ('curator')" in stdout.getvalue()
    assert not (tmp_path / "admin-password.txt").exists()
