from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Artist, Label
from catalog.selectors import label_tracks
from clusters import services
from clusters.models import ClusterMember, ClusterRun
from tests.clusters.library import build_library

pytestmark = pytest.mark.django_db


def current_numbers(run: ClusterRun) -> dict[str, int]:
    return dict(ClusterMember.objects.filter(cluster__run=run).values_list("track__spotify_id", "cluster__number"))


def test_recluster_all_clusters_every_label_and_artist_with_a_page_and_the_library():
    build_library()
    result = services.recluster_all()
    assert result.clustered == 5  # one label, three artists, the library
    assert result.failed == 0
    current = ClusterRun.objects.filter(is_current=True)
    assert sorted(current.values_list("scope", flat=True)) == ["artist", "artist", "artist", "label", "library"]
    label_run = current.get(scope="label")
    assert label_run.status == ClusterRun.Status.COMPLETE
    assert label_run.n_tracks == 36
    assert sum(c.size for c in label_run.clusters.all()) == 36
    assert ClusterMember.objects.filter(cluster__run=label_run).count() == 36
    assert label_run.silhouette is not None and label_run.k >= 2
    assert set(label_run.timings) >= {"features", "clustering", "write", "total"}


def test_the_library_run_separates_the_three_kinds_of_music_and_says_what_they_are():
    build_library()
    services.recluster_library()
    run = ClusterRun.objects.get(scope="library", is_current=True)
    descriptions = sorted(run.clusters.values_list("description", flat=True))
    assert run.k == 3
    assert any("classical" in d and "1970s" in d for d in descriptions)
    assert any("k-pop" in d and "2010s" in d for d in descriptions)
    assert any("hip hop" in d or "rap" in d for d in descriptions)


def test_a_library_without_audio_features_is_clustered_on_what_it_has():
    build_library(with_audio=False)
    services.recluster_library()
    run = ClusterRun.objects.get(scope="library", is_current=True)
    assert run.feature_set["audio"] == []
    assert run.feature_set["tracks_with_audio"] == 0
    assert "classical" in run.feature_set["genres"]
    assert run.k >= 2


def test_unchanged_data_is_not_reclustered_unless_forced():
    build_library()
    services.recluster_all()
    first = set(ClusterRun.objects.values_list("pk", flat=True))
    assert services.recluster_all().unchanged == 5
    assert set(ClusterRun.objects.values_list("pk", flat=True)) == first
    assert services.recluster_all(force=True).clustered == 5
    assert not first & set(ClusterRun.objects.values_list("pk", flat=True)), "superseded runs are deleted"


def test_a_forced_rerun_gives_the_same_clusters_with_the_same_numbers():
    build_library()
    services.recluster_library()
    before = ClusterRun.objects.get(scope="library", is_current=True)
    before_numbers, before_descriptions = (
        current_numbers(before),
        dict(before.clusters.values_list("number", "description")),
    )
    services.recluster_library(force=True)
    after = ClusterRun.objects.get(scope="library", is_current=True)
    assert after.pk != before.pk
    assert current_numbers(after) == before_numbers
    assert dict(after.clusters.values_list("number", "description")) == before_descriptions


def test_numbers_stay_with_their_clusters_when_a_few_tracks_are_added():
    build_library(per_style=12)
    services.recluster_library()
    before = current_numbers(ClusterRun.objects.get(scope="library", is_current=True))
    build_library(per_style=14)  # two more tracks of each kind
    assert services.recluster_library().clustered == 1
    after = current_numbers(ClusterRun.objects.get(scope="library", is_current=True))
    assert {sid: after[sid] for sid in before} == before


def test_a_failing_run_leaves_the_previous_run_current(settings, tmp_path):
    build_library()
    services.recluster_library()
    good = ClusterRun.objects.get(scope="library", is_current=True)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("the scatter plot cannot be written below a file")
    settings.MEDIA_ROOT = blocker
    assert services.recluster_library(force=True).failed == 1
    assert ClusterRun.objects.get(scope="library", is_current=True) == good
    failed = ClusterRun.objects.get(status=ClusterRun.Status.FAILED)
    assert not failed.is_current
    assert failed.error
    assert not failed.clusters.exists()


def test_a_label_that_loses_its_page_loses_its_clusters(settings):
    build_library()
    services.recluster_all()
    label = Label.objects.get()
    settings.LABEL_PAGE_MIN_TRACKS = 1000
    assert services.recluster_label(label.pk).removed == 1
    assert not ClusterRun.objects.filter(label=label).exists()


def test_scopes_with_too_few_tracks_get_no_clusters(settings):
    build_library()
    settings.CLUSTERS_PAGE_MIN_TRACKS = 36  # "more than" 36: the label has exactly 36
    label = Label.objects.get()
    assert services.recluster_label(label.pk).too_small == 1
    assert not ClusterRun.objects.filter(label=label).exists()


def test_recluster_changed_reclusters_the_given_scopes_and_the_library():
    build_library()
    label = Label.objects.get()
    artist = Artist.objects.get(name="kpop artist")
    result = services.recluster_changed([label.pk], [artist.pk])
    assert result.clustered == 3
    assert set(ClusterRun.objects.values_list("scope", "label_id", "artist_id")) == {
        ("label", label.pk, None),
        ("artist", None, artist.pk),
        ("library", None, None),
    }


def test_the_scatter_plot_is_written_once_per_run():
    build_library()
    services.recluster_library()
    run = ClusterRun.objects.get(scope="library", is_current=True)
    assert run.scatter_path.read_bytes().startswith(b"\x89PNG")
    assert run.scatter_url == f"/media/clusters/{run.pk}/clusters_scatter.png"
    written = run.scatter_path.stat().st_mtime_ns
    services.recluster_library()
    assert run.scatter_path.stat().st_mtime_ns == written
    services.recluster_library(force=True)
    assert not run.scatter_path.exists(), "the superseded run's plot is removed with it"
    assert ClusterRun.objects.get(scope="library", is_current=True).scatter_path.exists()


def test_reading_a_scope_takes_the_same_number_of_queries_whatever_its_size():
    build_library(per_style=5)
    label = Label.objects.get()
    with CaptureQueriesContext(connection) as small:
        services.scope_track_data(label_tracks(label))
    build_library(per_style=20)
    with CaptureQueriesContext(connection) as large:
        data = services.scope_track_data(label_tracks(label))
    assert len(data) == 60
    assert len(large.captured_queries) == len(small.captured_queries) <= 4


def test_tracks_that_nothing_tells_apart_get_no_clusters_page():
    from catalog.services import LibraryData, library_upsert
    from tests.factories import album_obj, artist_obj, saved, track_obj

    album = album_obj("Same", artists=["Same artist"], label="Same Label", release_date="2001-01-01")
    tracks = [track_obj(f"Same {i}", album=album, artists=["Same artist"], duration_ms=200_000) for i in range(12)]
    library_upsert(data=LibraryData(saved_tracks=[saved(t) for t in tracks], albums=[album],
                                    artists=[artist_obj("Same artist", genres=["drone"])]))  # fmt: skip
    assert services.recluster_label(Label.objects.get().pk).too_small == 1
    assert not ClusterRun.objects.exists()
