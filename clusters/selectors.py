"""Reads of stored clustering runs, for the clusters pages, the export and the JSON twins.

Every selector returns the scope's *current* run (the last complete one, see clusters.services)
or None, with everything a clusters page shows fetched in a constant number of queries:

- ``run.clusters.all()``: the clusters, ordered by ``number`` (1, 2, …);
- ``cluster.nearest_members``: a list of the ``NEAREST`` (10) members nearest the centre,
  ordered by ``rank`` (nearest first);
- ``cluster.nearest_tracks``: their tracks in the same order, as ``catalog.tables.TrackRow``s
  (``catalog.selectors.track_rows``: album, artists in credit order, album labels), what the
  track table needs.

Six queries in all (run, clusters, members, tracks, artist credits, label links), whatever the
size of the scope.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from catalog.models import Artist, Label, Track
from catalog.selectors import track_rows
from clusters.constants import NEAREST
from clusters.models import Cluster, ClusterMember, ClusterRun


def _run_with_clusters(runs: QuerySet[ClusterRun], nearest: int = NEAREST) -> ClusterRun | None:
    """The first run of ``runs`` with its clusters, nearest members and their tracks (see the module docstring)."""
    members = ClusterMember.objects.filter(rank__lte=nearest).order_by("rank")
    clusters = Cluster.objects.order_by("number").prefetch_related(
        Prefetch("members", queryset=members, to_attr="nearest_members")
    )
    run = runs.select_related("label", "artist").prefetch_related(Prefetch("clusters", queryset=clusters)).first()
    if run is None:
        return None
    member_ids = [m.track_id for c in run.clusters.all() for m in c.nearest_members]
    rows = {row.pk: row for row in track_rows(Track.objects.filter(pk__in=member_ids))}
    for cluster in run.clusters.all():
        cluster.nearest_track_rows = [rows[m.track_id] for m in cluster.nearest_members if m.track_id in rows]
    return run


def current_run_for_label(label: Label) -> ClusterRun | None:
    """The label's current complete run with its clusters and nearest tracks (see the module docstring)."""
    return _run_with_clusters(ClusterRun.objects.filter(scope=ClusterRun.Scope.LABEL, label=label, is_current=True))


def current_run_for_artist(artist: Artist) -> ClusterRun | None:
    """The artist's current complete run with its clusters and nearest tracks (see the module docstring)."""
    return _run_with_clusters(ClusterRun.objects.filter(scope=ClusterRun.Scope.ARTIST, artist=artist, is_current=True))


def current_library_run() -> ClusterRun | None:
    """The whole library's current complete run with its clusters and nearest tracks."""
    return _run_with_clusters(ClusterRun.objects.filter(scope=ClusterRun.Scope.LIBRARY, is_current=True))


def label_ids_with_clusters() -> set[int]:
    """Labels whose clusters page exists (they have a current run): one query."""
    return set(
        ClusterRun.objects.filter(scope=ClusterRun.Scope.LABEL, is_current=True).values_list("label_id", flat=True)
    )


def artist_ids_with_clusters() -> set[int]:
    """Artists whose clusters page exists (they have a current run): one query."""
    return set(
        ClusterRun.objects.filter(scope=ClusterRun.Scope.ARTIST, is_current=True).values_list("artist_id", flat=True)
    )


def run_as_json(run: ClusterRun) -> dict:
    """The JSON twin of a clusters page: the run's figures and every cluster with all its members.

    Members are listed nearest first (``spotify_id``, ``distance``). Two queries (clusters, members).
    """
    members: dict[int, list[dict]] = {}
    for cluster_id, spotify_id, distance in (
        ClusterMember.objects.filter(cluster__run=run)
        .order_by("cluster_id", "rank")
        .values_list("cluster_id", "track__spotify_id", "distance")
    ):
        members.setdefault(cluster_id, []).append({"spotify_id": spotify_id, "distance": distance})
    clusters = Cluster.objects.filter(run=run).order_by("number")
    return {
        "run": {
            "id": run.pk,
            "scope": run.scope,
            "feature_set": run.feature_set,
            "k": run.k,
            "silhouette": run.silhouette,
            "quality": run.quality,
            "n_tracks": run.n_tracks,
            "x_axis": run.x_axis,
            "y_axis": run.y_axis,
            "timings": run.timings,
            "created_at": run.created_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "scatter_url": run.scatter_url,
        },
        "clusters": [
            {
                "number": cluster.number,
                "description": cluster.description,
                "size": cluster.size,
                "tracks": members.get(cluster.pk, []),
            }
            for cluster in clusters
        ],
    }
