from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import curation
from catalog.cache import catalog_version
from catalog.models import (
    Album,
    AlbumLabel,
    CurationChange,
    Label,
    LabelAlias,
    LabelSource,
    SlugRedirect,
    Track,
)
from catalog.services import LibraryData, library_upsert
from tests.catalog.curation_data import library, spotify_client_for, spotify_library_server
from tests.factories import album_obj, saved, track_obj

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    return get_user_model().objects.create_user("curator", password="x", is_staff=True)


def effective_likes() -> dict[str, bool]:
    return dict(Track.objects.values_list("name", "is_liked"))


# --- Liked overrides ----------------------------------------------------------------------------


def many_tracks(n: int) -> None:
    album = Album.objects.create(spotify_id="album-bulk", name="Bulk")
    Track.objects.bulk_create(
        Track(spotify_id=f"t{i:05d}", name=f"Track {i}", album=album, liked_on_spotify=i % 2 == 0) for i in range(n)
    )


def test_marking_2000_tracks_not_liked_is_one_update_and_one_audit_row_each(curator, django_assert_max_num_queries):
    many_tracks(2000)

    with django_assert_max_num_queries(8), CaptureQueriesContext(connection) as ctx:
        result = curation.track_likes_set(tracks=Track.objects.all(), liked=False, user=curator)

    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1
    assert result.changed == 2000
    assert not Track.objects.filter(is_liked=True).exists()
    assert CurationChange.objects.filter(user=curator, field="liked_override", new_value="not liked").count() == 2000
    assert CurationChange.objects.filter(track__spotify_id="t00000").get().old_value == "follow Spotify"


def test_curating_tracks_already_in_that_state_changes_and_records_nothing(curator):
    library_upsert(data=library())
    curation.track_likes_set(tracks=Track.objects.filter(name="Kerala"), liked=False, user=curator)

    again = curation.track_likes_set(tracks=Track.objects.all(), liked=False, user=curator)

    assert again.changed == 3
    assert CurationChange.objects.filter(track__name="Kerala").count() == 1


def test_clearing_the_override_makes_the_track_follow_spotify_again(curator):
    library_upsert(data=library(unsaved=("Kerala",)))
    curation.track_likes_set(tracks=Track.objects.filter(name="Kerala"), liked=True, user=curator)
    assert effective_likes()["Kerala"] is True

    curation.track_likes_set(tracks=Track.objects.filter(name="Kerala"), liked=None, user=curator)

    assert effective_likes()["Kerala"] is False
    last = CurationChange.objects.filter(track__name="Kerala").first()
    assert (last.old_value, last.new_value) == ("liked", "follow Spotify")


def test_overrides_survive_a_reimport_and_an_unlike_on_spotify(curator):
    library_upsert(data=library())
    curation.track_likes_set(tracks=Track.objects.filter(name="lovely"), liked=True, user=curator)
    curation.track_likes_set(tracks=Track.objects.filter(name="Kerala"), liked=False, user=curator)

    library_upsert(data=library())  # the same data again
    library_upsert(data=library(unsaved=("lovely",)))  # and lovely unliked on Spotify

    lovely = Track.objects.get(name="lovely")
    assert (lovely.liked_on_spotify, lovely.liked_override, lovely.is_liked) == (False, True, True)
    assert effective_likes()["Kerala"] is False


def test_a_curation_bumps_the_catalog_version_once_committed(curator, django_capture_on_commit_callbacks):
    library_upsert(data=library())
    before = catalog_version()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        curation.track_likes_set(tracks=Track.objects.filter(name="Kerala"), liked=False, user=curator)
        assert catalog_version() == before  # nothing visible before the commit
    for callback in callbacks:
        callback()

    assert catalog_version() != before


def test_toggle_flips_the_heart_and_returns_to_following_spotify(curator):
    library_upsert(data=library())
    kerala = Track.objects.get(name="Kerala")

    assert curation.track_like_toggle(track=kerala, user=curator) is False
    kerala.refresh_from_db()
    assert (kerala.is_liked, kerala.liked_override) == (False, False)

    assert curation.track_like_toggle(track=kerala, user=curator) is True
    kerala.refresh_from_db()
    assert (kerala.is_liked, kerala.liked_override) == (True, None)
    assert list(CurationChange.objects.filter(track=kerala).values_list("new_value", flat=True)) == [
        "follow Spotify",
        "not liked",
    ]


# --- Labels -------------------------------------------------------------------------------------


def test_renaming_a_label_keeps_its_slug_and_survives_imports(curator):
    library_upsert(data=library())
    darkroom = Label.objects.get(slug="darkroom")

    curation.label_rename(label=darkroom, name="Darkroom | <b>Records</b> *✓*", user=curator)
    library_upsert(data=library())

    darkroom.refresh_from_db()
    assert (darkroom.name, darkroom.slug, darkroom.name_locked) == ("Darkroom | <b>Records</b> *✓*", "darkroom", True)
    change = CurationChange.objects.get(field="label_name")
    assert (change.old_value, change.user) == ("Darkroom", curator)


def test_a_renamed_label_needs_a_name(curator):
    library_upsert(data=library())
    with pytest.raises(curation.CurationError, match="name"):
        curation.label_rename(label=Label.objects.get(slug="darkroom"), name="  ", user=curator)


def test_changing_a_slug_leaves_a_redirect_and_can_take_the_old_slug_back(curator):
    library_upsert(data=library())
    darkroom = Label.objects.get(slug="darkroom")

    curation.label_slug_change(label=darkroom, slug="darkroom_records", user=curator)
    assert SlugRedirect.objects.get(old_slug="darkroom").label == darkroom

    curation.label_slug_change(label=darkroom, slug="darkroom", user=curator)
    assert list(SlugRedirect.objects.values_list("old_slug", "label__slug")) == [("darkroom_records", "darkroom")]


@pytest.mark.parametrize(
    ("slug", "problem"),
    [("Darkroom Records", "lower-case"), ("ninja_tune", "another label"), ("../x", "lower-case"), ("", "lower-case")],
)
def test_a_slug_that_is_unsafe_or_taken_is_refused_with_the_reason(curator, slug, problem):
    library_upsert(data=library())
    with pytest.raises(curation.CurationError, match=problem):
        curation.label_slug_change(label=Label.objects.get(slug="darkroom"), slug=slug, user=curator)
    assert Label.objects.get(name="Darkroom").slug == "darkroom"


def test_a_slug_that_redirects_to_another_label_is_refused(curator):
    library_upsert(data=library())
    curation.label_slug_change(label=Label.objects.get(slug="ninja_tune"), slug="ninja", user=curator)
    with pytest.raises(curation.CurationError, match="another label"):
        curation.label_slug_change(label=Label.objects.get(slug="darkroom"), slug="ninja_tune", user=curator)


def test_merging_moves_albums_once_and_future_imports_follow_the_target(curator):
    library_upsert(data=library())
    darkroom = Label.objects.get(slug="darkroom")
    interscope = Label.objects.get(slug="interscope_records")
    curation.label_slug_change(label=interscope, slug="interscope", user=curator)
    Label.objects.filter(pk=interscope.pk).update(description="Interscope's *story*")
    interscope.refresh_from_db()

    curation.labels_merge(sources=[interscope], target=darkroom, user=curator)

    assert not Label.objects.filter(pk=interscope.pk).exists()
    # Ocean Eyes was on both labels: it keeps one link; the others are untouched.
    links = sorted(AlbumLabel.objects.values_list("album__name", "label__slug"))
    assert links == [("Migration", "ninja_tune"), ("Ocean Eyes", "darkroom"), ("lovely", "darkroom")]
    assert LabelAlias.objects.get(key=interscope.key).label == darkroom
    redirects = dict(SlugRedirect.objects.values_list("old_slug", "label__slug"))
    assert redirects == {"interscope_records": "darkroom", "interscope": "darkroom"}
    darkroom.refresh_from_db()
    assert darkroom.description == "Interscope's *story*"
    assert CurationChange.objects.filter(field="label_merge", label=darkroom, user=curator).exists()

    # A new album on Interscope arrives: it is filed under Darkroom, no label comes back.
    album = album_obj("Happier Than Ever", artists=["Billie Eilish"], label="Interscope Records")
    library_upsert(data=LibraryData(saved_tracks=[saved(track_obj("NDA", album=album, artists=["Billie Eilish"]))],
                                    albums=[album]))  # fmt: skip
    assert list(Album.objects.get(name="Happier Than Ever").labels.values_list("slug", flat=True)) == ["darkroom"]
    assert not Label.objects.filter(key=interscope.key).exists()


def test_merging_a_label_into_itself_is_refused(curator):
    library_upsert(data=library())
    darkroom = Label.objects.get(slug="darkroom")
    with pytest.raises(curation.CurationError, match="other than the target"):
        curation.labels_merge(sources=[darkroom], target=darkroom, user=curator)


def test_album_labels_set_by_hand_are_kept_by_later_refreshes(curator):
    library_upsert(data=library())
    ocean_eyes = Album.objects.get(name="Ocean Eyes")
    ninja = Label.objects.get(slug="ninja_tune")

    curation.album_labels_set(album=ocean_eyes, labels=[ninja], user=curator)
    library_upsert(data=library())

    assert list(ocean_eyes.label_links.values_list("label__slug", "source")) == [("ninja_tune", LabelSource.ADMIN)]
    change = CurationChange.objects.get(field="album_labels")
    assert (change.old_value, change.new_value) == ("Darkroom, Interscope Records", "Ninja Tune")


def test_setting_the_same_album_labels_again_records_nothing_new(curator):
    library_upsert(data=library())
    ocean_eyes = Album.objects.get(name="Ocean Eyes")
    ninja = Label.objects.get(slug="ninja_tune")
    curation.album_labels_set(album=ocean_eyes, labels=[ninja], user=curator)
    curation.album_labels_set(album=ocean_eyes, labels=[ninja], user=curator)
    assert CurationChange.objects.filter(field="album_labels").count() == 1


# --- Pushing to Spotify ---------------------------------------------------------------------------


@pytest.fixture
def spotify_library():
    with spotify_library_server() as server:
        yield server


def test_pushing_is_off_unless_enabled(settings):
    settings.SPOTIFY_PUSH_CURATIONS = False
    with pytest.raises(curation.SpotifyPushDisabled, match="SPOTIFY_PUSH_CURATIONS"):
        curation.spotify_library_push(tracks=Track.objects.all())


def test_pushing_saves_liked_overrides_removes_unliked_ones_and_reports_refusals(curator, settings, spotify_library):
    settings.SPOTIFY_PUSH_CURATIONS = True
    library_upsert(data=library(unsaved=("Kerala", "lovely")))
    curation.track_likes_set(tracks=Track.objects.filter(name__in=["Kerala", "lovely"]), liked=True, user=curator)
    curation.track_likes_set(tracks=Track.objects.filter(name="bellyache"), liked=False, user=curator)
    kerala, lovely, bellyache = (Track.objects.get(name=n).spotify_id for n in ("Kerala", "lovely", "bellyache"))
    spotify_library.refuse = {f"spotify:track:{bellyache}"}

    report = curation.spotify_library_push(tracks=Track.objects.all(), client=spotify_client_for(spotify_library))

    assert len(spotify_library.calls) == 2
    assert {method: sorted(uris) for method, uris in spotify_library.calls} == {
        "PUT": sorted([f"spotify:track:{kerala}", f"spotify:track:{lovely}"]),
        "DELETE": [f"spotify:track:{bellyache}"],
    }
    assert sorted(report.saved) == sorted([kerala, lovely])
    assert report.removed == []
    assert report.skipped == 1  # ocean eyes has no override
    assert list(report.failures) == [bellyache]
    assert "403" in report.failures[bellyache]


def test_pushing_many_tracks_goes_in_batches(curator, settings, spotify_library):
    settings.SPOTIFY_PUSH_CURATIONS = True
    many_tracks(95)
    curation.track_likes_set(tracks=Track.objects.all(), liked=True, user=curator)

    report = curation.spotify_library_push(tracks=Track.objects.all(), client=spotify_client_for(spotify_library))

    assert [len(uris) for _, uris in spotify_library.calls] == [40, 40, 15]
    assert len(report.saved) == 95 and not report.failures


# --- Reclustering after commit ------------------------------------------------------------------


@pytest.fixture
def tasks_run():
    """(task name, args, kwargs) of every Celery task that runs, as Celery itself reports it."""
    from celery.signals import task_prerun

    seen: list[tuple[str, tuple, dict]] = []

    def record(sender=None, args=None, kwargs=None, **_):
        seen.append((sender.name, tuple(args or ()), dict(kwargs or {})))

    task_prerun.connect(record, weak=False)
    yield seen
    task_prerun.disconnect(record)


def test_a_curation_reclusters_the_labels_and_artists_of_its_tracks_once_committed(
    curator, tasks_run, django_capture_on_commit_callbacks
):
    library_upsert(data=library())
    kerala = Track.objects.get(name="Kerala")

    with django_capture_on_commit_callbacks(execute=True):
        curation.track_likes_set(tracks=Track.objects.filter(pk=kerala.pk), liked=False, user=curator)
        assert tasks_run == []  # nothing before the commit

    ninja = Label.objects.get(slug="ninja_tune")
    bonobo = kerala.artists.get()
    assert tasks_run == [("clusters.tasks.recluster_changed", (), {"label_ids": [ninja.pk], "artist_ids": [bonobo.pk]})]


def test_asking_to_recluster_labels_enqueues_one_task_each_after_commit(tasks_run, django_capture_on_commit_callbacks):
    library_upsert(data=library())
    labels = list(Label.objects.order_by("pk"))

    with django_capture_on_commit_callbacks(execute=True):
        assert curation.recluster_enqueue(label_ids=[lb.pk for lb in labels]) == len(labels)
        assert tasks_run == []

    assert tasks_run == [("clusters.tasks.recluster_label", (lb.pk, True), {}) for lb in labels]
