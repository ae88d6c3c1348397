from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Artist, Label, SlugRedirect
from clusters import services
from clusters.models import ClusterMember, ClusterRun
from clusters.selectors import current_library_run, current_run_for_artist, current_run_for_label, run_as_json
from tests.clusters.library import build_library

pytestmark = pytest.mark.django_db


@pytest.fixture
def clustered():
    build_library(label="Mixed <script>alert(1) | *Records* [x](y)")
    services.recluster_all()


def test_current_run_for_label_brings_clusters_in_order_and_their_nearest_tracks_in_six_queries(clustered):
    label = Label.objects.get()
    with CaptureQueriesContext(connection) as queries:
        run = current_run_for_label(label)
        shown = {c.number: [t.spotify_id for t in c.nearest_tracks] for c in run.clusters.all()}
    assert len(queries.captured_queries) == 6
    numbers = [c.number for c in run.clusters.all()]
    assert numbers == sorted(numbers) == list(range(1, run.k + 1))
    for cluster in run.clusters.all():
        nearest = list(
            ClusterMember.objects.filter(cluster=cluster)
            .order_by("distance")[:10]
            .values_list("track__spotify_id", "rank")
        )
        assert shown[cluster.number] == [sid for sid, _ in nearest]
        assert [rank for _, rank in nearest] == list(range(1, len(nearest) + 1))
        assert len(nearest) == min(10, cluster.size)


def test_selectors_return_none_without_a_current_run():
    build_library()
    assert current_run_for_label(Label.objects.get()) is None
    assert current_run_for_artist(Artist.objects.first()) is None
    assert current_library_run() is None


def test_the_json_twin_matches_the_stored_run(client, clustered):
    label = Label.objects.get()
    response = client.get(f"/labels/{label.slug}/clusters.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    run = ClusterRun.objects.get(label=label, is_current=True)
    assert body["run"]["k"] == run.k == len(body["clusters"])
    assert body["run"]["silhouette"] == run.silhouette
    assert body["run"]["feature_set"] == run.feature_set
    assert body["run"]["finished_at"]
    for cluster in body["clusters"]:
        stored = list(
            ClusterMember.objects.filter(cluster__run=run, cluster__number=cluster["number"])
            .order_by("rank")
            .values_list("track__spotify_id", "distance")
        )
        assert [(t["spotify_id"], t["distance"]) for t in cluster["tracks"]] == stored
        assert cluster["size"] == len(stored)
        assert cluster["description"] == run.clusters.get(number=cluster["number"]).description
    assert body == run_as_json(run)


def test_the_artist_json_twin_and_an_old_slug_redirect(client, clustered):
    artist = Artist.objects.get(name="kpop artist")
    assert client.get(f"/artists/{artist.slug}/clusters.json").json()["run"]["scope"] == "artist"
    SlugRedirect.objects.create(kind="artist", old_slug="old_kpop", artist=artist)
    response = client.get("/artists/old_kpop/clusters.json")
    assert response.status_code == 301
    assert response["Location"] == f"/artists/{artist.slug}/clusters.json"


def test_the_json_twin_is_404_for_an_unknown_slug_or_a_page_without_clusters(client):
    build_library()
    label = Label.objects.get()
    assert client.get("/labels/no_such_label/clusters.json").status_code == 404
    assert client.get(f"/labels/{label.slug}/clusters.json").status_code == 404
