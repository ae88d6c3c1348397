"""Recluster scopes (a label, an artist, the whole library) and store the runs.

Each scope: read its tracks' data in a fixed number of queries, skip it when the data (and the
algorithm) are unchanged since the current run, else build features, cluster, write a new run
completely (clusters, members, scatter plot) and swap it in by flipping ``is_current`` in one
transaction. A failure leaves the previous run current and records the error on the failed run.
Safe to repeat: the same data gives the same clusters and numbers.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import numpy as np
from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from catalog.cache import bump_catalog_version
from catalog.models import AlbumLabel, Artist, AudioFeatures, Label, Track, TrackArtist
from catalog.selectors import artist_tracks, artists_with_pages, label_tracks, labels_with_pages
from clusters import clustering, plots
from clusters.features import AUDIO_FEATURES, TrackData, build_features
from clusters.models import Cluster, ClusterMember, ClusterRun

logger = logging.getLogger(__name__)

Scope = ClusterRun.Scope


@dataclass
class ReclusterResult:
    """How many scopes were clustered, found unchanged, too small (or without a page), retired, failed."""

    clustered: int = 0
    unchanged: int = 0
    too_small: int = 0
    removed: int = 0
    failed: int = 0

    def add(self, outcome: str) -> ReclusterResult:
        setattr(self, outcome, getattr(self, outcome) + 1)
        return self

    def merge(self, other: ReclusterResult) -> ReclusterResult:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def summary(self) -> str:
        return ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in asdict(self).items())


# -- reading a scope's data ----------------------------------------------------------------------


# Below SQLite's and PostgreSQL's limits on query parameters.
_MAX_LISTED_IDS = 20_000


def scope_track_data(tracks: QuerySet[Track] | None, *, with_labels: bool = False) -> TrackData:
    """The data features are built from, for ``tracks`` (None = the whole library), ordered by Spotify id.

    Four queries at most, whatever the number of tracks.
    """
    base = Track.objects.all() if tracks is None else Track.objects.filter(pk__in=tracks.values("pk"))
    rows = list(
        base.order_by("spotify_id").values_list(
            "pk", "spotify_id", "duration_ms", "explicit", "album__release_year", "album_id"
        )
    )
    position = {row[0]: i for i, row in enumerate(rows)}
    n = len(rows)
    if tracks is None:
        in_scope = Q()
    elif n <= _MAX_LISTED_IDS:
        # The ids just read, rather than the nested subquery again: PostgreSQL planned the
        # subquery joined with genres as a nested loop on fresh tables (20 s for one label).
        in_scope = Q(track_id__in=[row[0] for row in rows])
    else:
        in_scope = Q(track__in=base.values("pk"))

    audio = np.full((n, len(AUDIO_FEATURES)), np.nan)
    for values in AudioFeatures.objects.filter(in_scope).values_list("track_id", *AUDIO_FEATURES):
        audio[position[values[0]]] = [np.nan if v is None else v for v in values[1:]]

    genres: list[set[str]] = [set() for _ in range(n)]
    primary = TrackArtist.objects.filter(in_scope, position=0, artist__genres__isnull=False)
    for track_id, genre in primary.values_list("track_id", "artist__genres__name"):
        genres[position[track_id]].add(genre)

    labels: list[tuple[str, ...]] = []
    if with_labels:
        by_album: dict[int, list[str]] = defaultdict(list)
        for album_id, name in AlbumLabel.objects.order_by("album_id", "position").values_list(
            "album_id", "label__name"
        ):
            by_album[album_id].append(name)
        labels = [tuple(by_album.get(row[5], ())) for row in rows]

    return TrackData(
        spotify_ids=[row[1] for row in rows],
        track_ids=[row[0] for row in rows],
        audio=audio,
        genres=[tuple(sorted(g)) for g in genres],
        year=np.array([np.nan if row[4] is None else row[4] for row in rows], dtype=np.float64),
        duration_ms=np.array([np.nan if row[2] is None else row[2] for row in rows], dtype=np.float64),
        explicit=np.array([bool(row[3]) for row in rows], dtype=np.float64),
        labels=labels,
    )


def _fingerprint(data: TrackData, *, with_labels: bool) -> str:
    key = f"{clustering.ALGORITHM_VERSION}|labels={with_labels}|{data.fingerprint()}"
    return hashlib.sha256(key.encode()).hexdigest()


def _scope_filter(scope: str, target_id: int | None) -> Q:
    if scope == Scope.LABEL:
        return Q(scope=scope, label_id=target_id)
    if scope == Scope.ARTIST:
        return Q(scope=scope, artist_id=target_id)
    return Q(scope=Scope.LIBRARY)


# -- one scope -----------------------------------------------------------------------------------


def recluster_label(label_id: int, *, force: bool = False) -> ReclusterResult:
    """Recluster one label (or retire its clusters when it no longer gets a clusters page)."""
    label = Label.objects.filter(pk=label_id).first()
    has_page = label is not None and labels_with_pages().filter(pk=label_id).exists()
    tracks = label_tracks(label) if has_page else None
    return ReclusterResult().add(_recluster_scope(Scope.LABEL, label_id, tracks, has_page=has_page, force=force))


def recluster_artist(artist_id: int, *, force: bool = False) -> ReclusterResult:
    """Recluster one artist (or retire its clusters when it no longer gets a clusters page)."""
    artist = Artist.objects.filter(pk=artist_id).first()
    has_page = artist is not None and artists_with_pages().filter(pk=artist_id).exists()
    tracks = artist_tracks(artist) if has_page else None
    return ReclusterResult().add(_recluster_scope(Scope.ARTIST, artist_id, tracks, has_page=has_page, force=force))


def recluster_library(*, force: bool = False) -> ReclusterResult:
    """Recluster the whole library (genres, years, labels and audio features of every track)."""
    return ReclusterResult().add(_recluster_scope(Scope.LIBRARY, None, None, has_page=True, force=force))


def _recluster_scope(scope: str, target_id: int | None, tracks: QuerySet[Track] | None, *, has_page: bool,
                     force: bool) -> str:  # fmt: skip
    """Cluster one scope; returns the outcome: clustered | unchanged | too_small | removed | failed."""
    started = time.perf_counter()
    current = ClusterRun.objects.filter(_scope_filter(scope, target_id), is_current=True).first()
    if not has_page:
        return "removed" if retire_runs(scope, target_id) else "too_small"
    with_labels = scope == Scope.LIBRARY
    data = scope_track_data(tracks, with_labels=with_labels)
    if len(data) <= settings.CLUSTERS_PAGE_MIN_TRACKS:
        return "removed" if retire_runs(scope, target_id) else "too_small"
    fingerprint = _fingerprint(data, with_labels=with_labels)
    if current and current.fingerprint == fingerprint and current.status == ClusterRun.Status.COMPLETE and not force:
        return "unchanged"
    read_seconds = time.perf_counter() - started

    run = ClusterRun.objects.create(
        scope=scope,
        label_id=target_id if scope == Scope.LABEL else None,
        artist_id=target_id if scope == Scope.ARTIST else None,
        n_tracks=len(data),
        fingerprint=fingerprint,
    )
    try:
        previous = _previous_numbers(current)
        t0 = time.perf_counter()
        features = build_features(data, include_labels=with_labels)
        t1 = time.perf_counter()
        result = clustering.cluster_tracks(features, data.spotify_ids, previous=previous)
        t2 = time.perf_counter()
        _write_run(run, data, features.feature_set, result)
        t3 = time.perf_counter()
        run.timings = {
            "read": round(read_seconds, 4),
            "features": round(t1 - t0, 4),
            "clustering": round(t2 - t1, 4),
            "write": round(t3 - t2, 4),
            "total": round(t3 - started, 4),
        }
        _swap_in(run)
    except clustering.NotClusterable as exc:
        # Nothing tells these tracks apart (e.g. one album, no features): no clusters page.
        logger.info("no clusters for %s: %s", run.scope_name, exc)
        _delete_runs(ClusterRun.objects.filter(pk=run.pk))
        retire_runs(scope, target_id)
        return "too_small"
    except Exception as exc:
        logger.exception("reclustering %s failed", run.scope_name)
        if ClusterRun.objects.filter(pk=run.pk, is_current=True).exists():
            return "clustered"  # the failure came after the swap committed: the new run stands
        Cluster.objects.filter(run=run).delete()
        ClusterRun.objects.filter(pk=run.pk).update(
            status=ClusterRun.Status.FAILED, is_current=False, error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )  # fmt: skip
        return "failed"
    _delete_superseded(run)
    return "clustered"


def _previous_numbers(current: ClusterRun | None) -> dict[str, int]:
    if current is None:
        return {}
    return dict(ClusterMember.objects.filter(cluster__run=current).values_list("track__spotify_id", "cluster__number"))


def _write_run(run: ClusterRun, data: TrackData, feature_set: dict, result: clustering.Clustering) -> None:
    """Clusters, members (nearest first) and the scatter plot of a run that is not current yet."""
    sizes = result.sizes()
    clusters = Cluster.objects.bulk_create(
        Cluster(
            run=run,
            number=result.numbers[i],
            description=result.descriptions[i][:300],
            size=sizes[i],
            centre=[round(float(v), 6) for v in result.centres[i]],
        )
        for i in range(result.k)
    )
    members = []
    for i, cluster in enumerate(clusters):
        for rank, row in enumerate(result.members(i, data.spotify_ids), start=1):
            members.append(
                ClusterMember(
                    cluster=cluster,
                    track_id=data.track_ids[row],
                    distance=float(result.distances[row]),
                    rank=rank,
                    x=float(result.xy[row, 0]),
                    y=float(result.xy[row, 1]),
                )
            )
    ClusterMember.objects.bulk_create(members, batch_size=2000)
    numbers = np.array(result.numbers)[result.assignment]
    plots.write_scatter(run.scatter_path, xy=result.xy, numbers=numbers, x_axis=result.x_axis, y_axis=result.y_axis)
    run.feature_set = feature_set
    run.k = result.k
    run.silhouette = None if np.isnan(result.silhouette) else round(result.silhouette, 6)
    run.quality = result.quality
    run.x_axis = result.x_axis[:300]
    run.y_axis = result.y_axis[:300]


def _swap_in(run: ClusterRun, attempts: int = 3) -> None:
    """Make ``run`` its scope's current run, in one transaction."""
    target = run.label_id or run.artist_id
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                ClusterRun.objects.filter(_scope_filter(run.scope, target), is_current=True).exclude(pk=run.pk).update(
                    is_current=False
                )
                run.status = ClusterRun.Status.COMPLETE
                run.is_current = True
                run.finished_at = timezone.now()
                run.save()
                transaction.on_commit(bump_catalog_version, robust=True)
            return
        except IntegrityError:
            # Another worker swapped in a run of the same scope between our two statements.
            if attempt == attempts - 1:
                raise


def _delete_runs(runs: QuerySet[ClusterRun]) -> int:
    ids = list(runs.values_list("pk", flat=True))
    if not ids:
        return 0
    ClusterRun.objects.filter(pk__in=ids).delete()
    media = settings.MEDIA_ROOT
    for pk in ids:
        shutil.rmtree(f"{media}/clusters/{pk}", ignore_errors=True)
    return len(ids)


def _delete_superseded(run: ClusterRun) -> None:
    """Older runs of the run's scope (runs still being written by another worker stay)."""
    target = run.label_id or run.artist_id
    older = ClusterRun.objects.filter(_scope_filter(run.scope, target), is_current=False, pk__lt=run.pk)
    _delete_runs(older.exclude(status=ClusterRun.Status.RUNNING))


def retire_runs(scope: str, target_id: int | None) -> int:
    """Delete a scope's runs (it no longer gets a clusters page); returns how many there were."""
    runs = ClusterRun.objects.filter(_scope_filter(scope, target_id)).exclude(status=ClusterRun.Status.RUNNING)
    deleted = _delete_runs(runs)
    if deleted:
        transaction.on_commit(bump_catalog_version, robust=True)
    return deleted


# -- many scopes ---------------------------------------------------------------------------------


def scopes_to_cluster() -> list[tuple[str, int | None]]:
    """Every scope that may get a clusters page: labels and artists with pages, then the library."""
    label_ids = sorted(labels_with_pages().values_list("pk", flat=True))
    artist_ids = sorted(artists_with_pages().values_list("pk", flat=True))
    return (
        [(Scope.LABEL.value, pk) for pk in label_ids]
        + [(Scope.ARTIST.value, pk) for pk in artist_ids]
        + [(Scope.LIBRARY.value, None)]
    )


def recluster_scope(scope: str, target_id: int | None, *, force: bool = False) -> ReclusterResult:
    if scope == Scope.LABEL:
        return recluster_label(target_id, force=force)
    if scope == Scope.ARTIST:
        return recluster_artist(target_id, force=force)
    return recluster_library(force=force)


def retire_stale_runs() -> int:
    """Delete the runs of labels and artists that no longer have a page."""
    stale = ClusterRun.objects.filter(
        (Q(scope=Scope.LABEL) & ~Q(label__in=labels_with_pages().values("pk")))
        | (Q(scope=Scope.ARTIST) & ~Q(artist__in=artists_with_pages().values("pk")))
    ).exclude(status=ClusterRun.Status.RUNNING)
    return _delete_runs(stale)


def recluster_all(
    *, force: bool = False, workers: int = 1, progress: Callable[[str], None] | None = None
) -> ReclusterResult:
    """Recluster every scope (skipping unchanged ones unless ``force``).

    ``workers`` > 1 shares the scopes among that many forked processes (each with its own
    database connection), so a command run uses every core as Celery workers would. The
    processes only see committed data.
    """
    total = ReclusterResult(removed=retire_stale_runs())
    scopes = scopes_to_cluster()
    if workers <= 1:
        for scope, target_id in scopes:
            total.merge(recluster_scope(scope, target_id, force=force))
            if progress:
                progress(scope)
        return total
    # Forked children must not share the parent's open database connections.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=workers, initializer=connections.close_all) as pool:
        jobs = [(scope, target_id, force) for scope, target_id in scopes]
        for scope, outcome in pool.imap_unordered(_recluster_in_child, jobs):
            total.merge(ReclusterResult(**outcome))
            if progress:
                progress(scope)
    return total


def _recluster_in_child(job: tuple[str, int | None, bool]) -> tuple[str, dict[str, int]]:
    scope, target_id, force = job
    return scope, recluster_scope(scope, target_id, force=force).as_dict()


def recluster_changed(label_ids: Iterable[int], artist_ids: Iterable[int], *, force: bool = False) -> ReclusterResult:
    """Recluster the given labels and artists, then the whole library (what a refresh changed)."""
    total = ReclusterResult()
    for label_id in sorted(set(label_ids)):
        total.merge(recluster_label(label_id, force=force))
    for artist_id in sorted(set(artist_ids)):
        total.merge(recluster_artist(artist_id, force=force))
    return total.merge(recluster_library(force=force))
