"""The Spotify refresh against the fake Spotify: real HTTP, spotipy, the real upsert."""

from __future__ import annotations

import logging
import math
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog import labels as label_rules
from catalog.models import Album, AlbumLabel, Artist, AudioFeatures, LabelSource, RefreshRun, SpotifyConnection, Track
from catalog.refresh import (
    RECLUSTER_TASK,
    RefreshAlreadyRunning,
    recluster_changed_send,
    refresh_run,
    refresh_start,
)
from catalog.sources.spotify import NeedsReconnect, NotConnected

pytestmark = pytest.mark.django_db


def refresh(*, full: bool = False) -> RefreshRun:
    run = refresh_start(full=full)
    return refresh_run(run.pk)


def liked_ids() -> set[str]:
    return set(Track.objects.filter(liked_on_spotify=True).values_list("spotify_id", flat=True))


def assert_library_matches(fake) -> None:
    """The database holds what the fake serves: liked tracks, names, credits, albums, artists, genres."""
    lib = fake.library
    assert liked_ids() == set(lib.saved_ids())
    for track in Track.objects.prefetch_related("artist_credits__artist").select_related("album"):
        served = lib.tracks[track.spotify_id]
        assert track.name == served["name"]
        assert track.album.spotify_id == served["album_id"]
        assert [c.artist.spotify_id for c in track.artist_credits.all()] == [a["id"] for a in served["artists"]]
    for added_at_item in lib.saved[:5]:
        track = Track.objects.get(spotify_id=added_at_item["track_id"])
        assert track.liked_at.strftime("%Y-%m-%dT%H:%M:%SZ") == added_at_item["added_at"]
    assert set(Album.objects.values_list("spotify_id", flat=True)) == lib.album_ids()
    assert not Album.objects.filter(details_fetched=False).exists()
    assert set(Artist.objects.values_list("spotify_id", flat=True)) == lib.artist_ids()
    assert not Artist.objects.filter(details_fetched=False).exists()
    for artist in Artist.objects.prefetch_related("genres"):
        assert sorted(g.name for g in artist.genres.all()) == sorted(lib.artists[artist.spotify_id]["genres"])


def test_development_mode_refresh_lands_the_library_with_labels_from_copyrights(fake_spotify, spotify_connected):
    run = refresh()

    assert run.status == RefreshRun.Status.SUCCEEDED, run.errors
    assert_library_matches(fake_spotify)
    lib = fake_spotify.library
    for album in Album.objects.prefetch_related("label_links__label"):
        served_label = lib.albums[album.spotify_id]["label"]
        links = list(album.label_links.order_by("position"))
        assert {link.source for link in links} == {LabelSource.COPYRIGHT_P}
        assert [link.raw_piece for link in links] == [p.raw for p in label_rules.split_label_string(served_label)]
    assert not AudioFeatures.objects.exists()
    connection = SpotifyConnection.objects.get()
    assert connection.batch_endpoints_allowed is False
    assert connection.audio_features_available is False
    assert connection.audio_features_checked_at is not None
    # Pages of 50, one lookup per album and artist, one probe of the batch endpoints; audio features
    # are known to be gone with them (Development Mode).
    assert fake_spotify.calls["me/tracks"] == math.ceil(len(lib.saved) / 50)
    assert fake_spotify.calls["albums/{id}"] == len(lib.album_ids())
    assert fake_spotify.calls["artists/{id}"] == len(lib.artist_ids())
    assert fake_spotify.calls["albums?ids"] == 1
    assert fake_spotify.calls["artists?ids"] == 0
    assert fake_spotify.calls["audio-features"] == 0
    assert run.api_calls == fake_spotify.api_calls
    assert run.tracks_added == len(lib.saved)


def test_extended_quota_refresh_uses_label_field_batches_and_audio_features(fake_spotify, spotify_connected):
    fake_spotify.mode = "extended"

    run = refresh()

    assert run.status == RefreshRun.Status.SUCCEEDED, run.errors
    assert_library_matches(fake_spotify)
    lib = fake_spotify.library
    assert set(AlbumLabel.objects.values_list("source", flat=True)) == {LabelSource.SPOTIFY}
    assert sorted(Album.objects.values_list("raw_label", flat=True)) == sorted(a["label"] for a in lib.albums.values())
    assert AudioFeatures.objects.count() == len(lib.saved)
    some = lib.saved[0]["track_id"]
    assert AudioFeatures.objects.get(track__spotify_id=some).energy == lib.features[some]["energy"]
    assert fake_spotify.calls["albums?ids"] == math.ceil(len(lib.album_ids()) / 20)
    assert fake_spotify.calls["artists?ids"] == math.ceil(len(lib.artist_ids()) / 50)
    assert fake_spotify.calls["audio-features"] == math.ceil(len(lib.saved) / 100)
    assert fake_spotify.calls["albums/{id}"] == fake_spotify.calls["artists/{id}"] == 0
    connection = SpotifyConnection.objects.get()
    assert connection.batch_endpoints_allowed is True
    assert connection.audio_features_available is True


@pytest.mark.parametrize("mode", ["dev", "extended"])
def test_a_refresh_with_nothing_changed_costs_at_most_two_calls(fake_spotify, spotify_connected, mode):
    fake_spotify.mode = mode
    refresh()
    fake_spotify.reset_calls()

    run = refresh()

    assert run.status == RefreshRun.Status.SUCCEEDED
    assert fake_spotify.api_calls <= 2
    assert run.api_calls == fake_spotify.api_calls
    assert (run.tracks_added, run.tracks_updated, run.tracks_removed) == (0, 0, 0)


def test_ten_new_likes_cost_one_page_and_their_new_albums_and_artists(fake_spotify, spotify_connected):
    refresh()
    fake_spotify.reset_calls()
    new_ids = fake_spotify.library.like_new(10, new_albums=2)

    run = refresh()

    assert run.tracks_added == 10
    assert liked_ids() == set(fake_spotify.library.saved_ids())
    assert fake_spotify.calls["me/tracks"] == 1
    assert fake_spotify.calls["albums/{id}"] == 2
    assert fake_spotify.calls["artists/{id}"] == 2
    assert fake_spotify.api_calls == 5  # the 403s were recorded on the first run and not asked again
    assert all(Track.objects.get(spotify_id=t).album.details_fetched for t in new_ids)


def test_removed_likes_are_unliked_and_admin_overrides_stay(fake_spotify, spotify_connected):
    refresh()
    lib = fake_spotify.library
    removed = [lib.saved[3]["track_id"], lib.saved[70]["track_id"], lib.saved[-1]["track_id"]]
    hidden = lib.saved[5]["track_id"]
    Track.objects.filter(spotify_id=removed[0]).update(liked_override=True)
    Track.objects.filter(spotify_id=hidden).update(liked_override=False)
    lib.unlike(removed)

    run = refresh()

    assert run.tracks_removed == 3
    assert liked_ids() == set(lib.saved_ids())
    kept = Track.objects.get(spotify_id=removed[0])
    assert (kept.liked_on_spotify, kept.liked_override, kept.is_liked) == (False, True, True)
    still_liked_but_hidden = Track.objects.get(spotify_id=hidden)
    assert (still_liked_but_hidden.liked_on_spotify, still_liked_but_hidden.is_liked) == (True, False)
    assert Track.objects.filter(spotify_id__in=removed).count() == 3  # data kept, only the like is gone


def test_hostile_names_are_stored_literally(fake_spotify, spotify_connected):
    refresh()

    odd = [t["name"] for t in fake_spotify.library.tracks.values() if "<script>" in t["name"] or "|" in t["name"]]
    assert odd, "the generated library has hostile names"
    for name in odd:
        assert Track.objects.filter(name=name).exists()


def test_a_short_retry_after_leaves_the_run_waiting_and_it_resumes_where_it_stopped(fake_spotify, spotify_connected):
    fake_spotify.add_fault("me/tracks", 429, retry_after=5, skip=1)

    run = refresh()

    assert run.status == RefreshRun.Status.QUEUED
    assert timedelta(seconds=4) < run.resume_at - timezone.now() <= timedelta(seconds=7)
    assert run.state["offset"] == 50
    assert Track.objects.count() == 50  # the first page is written
    with pytest.raises(RefreshAlreadyRunning, match="waiting for Spotify"):
        refresh_start()

    RefreshRun.objects.filter(pk=run.pk).update(resume_at=timezone.now())  # the countdown has passed
    fake_spotify.reset_calls()
    run = refresh_run(run.pk)

    assert run.status == RefreshRun.Status.SUCCEEDED
    assert fake_spotify.calls["me/tracks"] == math.ceil(len(fake_spotify.library.saved) / 50) - 1
    assert_library_matches(fake_spotify)


@pytest.mark.parametrize(("retry_after", "reason"), [(7200, None), (5, "QUOTA_EXCEEDED")])
def test_a_long_retry_after_or_exceeded_quota_pauses_the_refresh(
    fake_spotify, spotify_connected, client, admin_user, retry_after, reason
):
    fake_spotify.add_fault("albums/{id}", 429, retry_after=retry_after, reason=reason, skip=3)

    run = refresh()

    assert run.status == RefreshRun.Status.PAUSED
    assert run.resume_at > timezone.now() + timedelta(seconds=min(retry_after, 60) - 5)
    connection = SpotifyConnection.objects.get()
    assert connection.paused_until == run.resume_at
    with pytest.raises(RefreshAlreadyRunning, match="paused by Spotify until"):
        refresh_start()
    client.force_login(admin_user)
    page = client.get("/spotify/").content.decode()
    assert "Paused by Spotify until" in page and "Paused (rate limited)" in page

    # At the resume time the same run continues: no album is fetched twice.
    past = timezone.now() - timedelta(seconds=1)
    RefreshRun.objects.filter(pk=run.pk).update(resume_at=past)
    SpotifyConnection.objects.update(paused_until=past)
    assert refresh_start().pk == run.pk
    run = refresh_run(run.pk)
    assert run.status == RefreshRun.Status.SUCCEEDED
    assert fake_spotify.calls["albums/{id}"] == len(fake_spotify.library.album_ids()) + 1  # + the 429
    assert SpotifyConnection.objects.get().paused_until is None


def test_a_paused_connection_makes_no_calls_until_its_resume_time(fake_spotify, spotify_connected):
    until = timezone.now() + timedelta(hours=2)
    SpotifyConnection.objects.update(paused_until=until)

    run = refresh()

    assert run.status == RefreshRun.Status.PAUSED
    assert fake_spotify.api_calls == 0
    assert abs(run.resume_at - until) < timedelta(seconds=2)


def test_bursts_of_server_errors_and_slow_answers_are_retried(fake_spotify, spotify_connected, settings):
    settings.SPOTIFY_REQUESTS_TIMEOUT = 1
    fake_spotify.add_fault("me/tracks", 503, times=2)
    fake_spotify.add_fault("albums/{id}", 500, times=3, skip=4)
    fake_spotify.add_fault("artists/{id}", None, delay=1.5, skip=2)

    run = refresh()

    assert run.status == RefreshRun.Status.SUCCEEDED, run.errors
    assert_library_matches(fake_spotify)
    assert fake_spotify.calls["me/tracks"] == math.ceil(len(fake_spotify.library.saved) / 50) + 2


def test_an_expired_access_token_is_refreshed_and_stored(fake_spotify, spotify_connected):
    old = spotify_connected.token_info["access_token"]
    fake_spotify.add_fault("albums/{id}", None, skip=5)  # mark a point mid-run
    SpotifyConnection.objects.update(token_info={**spotify_connected.token_info, "expires_at": 0})

    run = refresh()

    assert run.status == RefreshRun.Status.SUCCEEDED
    token = SpotifyConnection.objects.get().token_info
    assert token["access_token"] != old
    assert token["refresh_token"] == spotify_connected.token_info["refresh_token"]
    assert fake_spotify.calls["token"] == 1


def test_an_access_token_refused_mid_run_is_refreshed_once(fake_spotify, spotify_connected):
    refresh()
    fake_spotify.expire_access_tokens()
    fake_spotify.library.like_new(3)

    run = refresh()

    assert run.status == RefreshRun.Status.SUCCEEDED
    assert run.tracks_added == 3
    assert fake_spotify.calls["token"] == 1


def test_a_dead_refresh_token_asks_for_a_reconnect_and_keeps_the_data(fake_spotify, spotify_connected):
    refresh()
    before = Track.objects.count()
    fake_spotify.revoke_refresh_tokens()
    SpotifyConnection.objects.update(token_info={**spotify_connected.token_info, "expires_at": 0})

    run = refresh()

    assert run.status == RefreshRun.Status.NEEDS_RECONNECT
    assert "connect Spotify again at /spotify/connect/" in run.errors[-1]["message"]
    assert SpotifyConnection.objects.get().status == SpotifyConnection.Status.NEEDS_RECONNECT
    assert Track.objects.count() == before
    assert liked_ids() == set(fake_spotify.library.saved_ids())
    with pytest.raises(NeedsReconnect):
        refresh_start()


def test_a_second_refresh_reports_the_running_one_and_an_abandoned_one_is_taken_over(fake_spotify, spotify_connected):
    first = refresh_start()
    with pytest.raises(RefreshAlreadyRunning, match=f"Refresh #{first.pk} is already queued"):
        refresh_start()
    RefreshRun.objects.filter(pk=first.pk).update(status=RefreshRun.Status.RUNNING, heartbeat_at=timezone.now())
    with pytest.raises(RefreshAlreadyRunning, match="running"):
        refresh_start()
    assert refresh_run(first.pk).status == RefreshRun.Status.RUNNING  # someone else holds it: untouched
    assert fake_spotify.api_calls == 0

    # The worker died: no heartbeat for longer than REFRESH_STALE_AFTER_SECONDS.
    RefreshRun.objects.filter(pk=first.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert refresh_start().pk == first.pk
    assert refresh_run(first.pk).status == RefreshRun.Status.SUCCEEDED
    assert RefreshRun.objects.count() == 1


def test_a_run_that_died_in_the_listing_is_finished_by_the_next_run(fake_spotify, spotify_connected):
    fake_spotify.add_fault("me/tracks", 500, times=None, skip=1)  # page 2 never answers

    failed = refresh()

    assert failed.status == RefreshRun.Status.FAILED
    assert "500" in failed.errors[-1]["message"]
    assert Track.objects.count() == 50
    # Consistent: every written track has its album and artists.
    assert not Track.objects.filter(artist_credits__isnull=True).exists()

    fake_spotify.clear_faults()
    run = refresh()

    assert run.status == RefreshRun.Status.SUCCEEDED
    assert_library_matches(fake_spotify)


def test_a_run_that_died_fetching_albums_is_finished_without_fetching_them_again(fake_spotify, spotify_connected):
    fake_spotify.add_fault("albums/{id}", 500, times=None, skip=25)

    assert refresh().status == RefreshRun.Status.FAILED
    fetched = Album.objects.filter(details_fetched=True).count()
    assert fetched == 25  # what was fetched before the failure is kept
    fake_spotify.clear_faults()
    fake_spotify.reset_calls()

    run = refresh()

    assert run.status == RefreshRun.Status.SUCCEEDED
    assert fake_spotify.calls["albums/{id}"] == len(fake_spotify.library.album_ids()) - fetched
    assert_library_matches(fake_spotify)


def test_a_full_refresh_reads_every_page(fake_spotify, spotify_connected):
    refresh()
    fake_spotify.reset_calls()

    run = refresh(full=True)

    assert run.full and run.status == RefreshRun.Status.SUCCEEDED
    assert fake_spotify.calls["me/tracks"] == math.ceil(len(fake_spotify.library.saved) / 50)


def test_without_a_connection_the_refresh_says_how_to_connect(settings):
    with pytest.raises(NotConnected, match="Spotify is not connected: connect it at /spotify/connect/"):
        refresh_start()
    with pytest.raises(CommandError, match="Spotify is not connected: connect it at /spotify/connect/"):
        call_command("refresh_library")
    assert not RefreshRun.objects.exists()


def test_the_command_refreshes_with_a_progress_bar_and_a_summary(fake_spotify, spotify_connected, capsys):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("refresh_library", stdout=out, stderr=err)

    assert "succeeded: 120 tracks added" in out.getvalue()
    assert "albums" in err.getvalue()  # tqdm's bar, on stderr
    call_command("refresh_library", "--full", stdout=out, stderr=err)
    assert RefreshRun.objects.filter(full=True, status=RefreshRun.Status.SUCCEEDED).count() == 1


def test_the_refresh_asks_to_recluster_the_labels_and_artists_whose_tracks_changed(
    fake_spotify, spotify_connected, django_capture_on_commit_callbacks, caplog
):
    refresh()
    new_ids = fake_spotify.library.like_new(2)
    with django_capture_on_commit_callbacks() as callbacks:
        refresh()

    (send,) = [cb for cb in callbacks if hasattr(cb, "recluster_ids")]
    label_ids, artist_ids = send.recluster_ids
    tracks = Track.objects.filter(spotify_id__in=new_ids)
    assert set(artist_ids) == set(tracks.values_list("artist_credits__artist_id", flat=True))
    assert set(label_ids) == set(tracks.values_list("album__label_links__label_id", flat=True))


def test_recluster_request_runs_the_registered_task_inline_or_is_skipped_with_a_log(caplog):
    from celery import current_app

    with caplog.at_level(logging.INFO, logger="catalog.refresh"):
        assert recluster_changed_send([1], [2], task_name="clusters.tasks.not_written_yet") == "skipped"
    assert "clusters.tasks.not_written_yet is not registered: reclustering skipped" in caplog.text

    received = []

    @current_app.task(name="tests.catalog.recluster_changed_stand_in")
    def stand_in(label_ids: list[int], artist_ids: list[int]) -> None:
        received.append((label_ids, artist_ids))

    try:
        assert recluster_changed_send([1, 3], [2], task_name=stand_in.name) == "ran"
    finally:
        current_app.tasks.pop(stand_in.name, None)
    assert received == [([1, 3], [2])]


def test_the_recluster_task_name_is_registered_by_the_clusters_app():
    from celery import current_app

    current_app.autodiscover_tasks(force=True)
    assert RECLUSTER_TASK in current_app.tasks


def test_audio_features_are_probed_again_after_the_recheck_period(fake_spotify, spotify_connected, settings):
    fake_spotify.mode = "extended"
    long_ago = timezone.now() - timedelta(days=settings.SPOTIFY_CAPABILITY_RECHECK_DAYS + 1)
    SpotifyConnection.objects.update(
        audio_features_available=False,
        audio_features_checked_at=long_ago,
        batch_endpoints_allowed=False,
        batch_endpoints_checked_at=long_ago,
    )

    refresh()

    connection = SpotifyConnection.objects.get()
    assert connection.audio_features_available is True and connection.batch_endpoints_allowed is True
    assert AudioFeatures.objects.count() == len(fake_spotify.library.saved)
    fake_spotify.reset_calls()
    SpotifyConnection.objects.update(audio_features_available=False, audio_features_checked_at=timezone.now())
    fake_spotify.library.like_new(1)
    refresh()
    assert fake_spotify.calls["audio-features"] == 0  # a recent 403 is not asked again


def test_a_run_that_failed_before_writing_any_page_leaves_the_next_one_incremental(fake_spotify, spotify_connected):
    refresh()
    fake_spotify.add_fault("me/tracks", 503, times=None)
    assert refresh().status == RefreshRun.Status.FAILED
    fake_spotify.clear_faults()
    fake_spotify.reset_calls()

    run = refresh()

    assert run.status == RefreshRun.Status.SUCCEEDED
    assert fake_spotify.calls["me/tracks"] == 1
