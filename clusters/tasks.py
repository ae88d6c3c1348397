"""Celery doorways to clusters.services. ``recluster_changed`` is enqueued by name by the refresh."""

from __future__ import annotations

from celery import group, shared_task

from clusters import services


@shared_task
def recluster_label(label_id: int, force: bool = False) -> dict[str, int]:
    return services.recluster_label(label_id, force=force).as_dict()


@shared_task
def recluster_artist(artist_id: int, force: bool = False) -> dict[str, int]:
    return services.recluster_artist(artist_id, force=force).as_dict()


@shared_task
def recluster_library(force: bool = False) -> dict[str, int]:
    return services.recluster_library(force=force).as_dict()


@shared_task
def recluster_changed(label_ids: list[int], artist_ids: list[int]) -> dict[str, int]:
    return services.recluster_changed(label_ids, artist_ids).as_dict()


_SCOPE_TASKS = {"label": recluster_label, "artist": recluster_artist}


@shared_task
def recluster_all(force: bool = False) -> dict[str, int]:
    """Fan every scope out as its own task (a group), so that all workers share the work."""
    retired = services.retire_stale_runs()
    scopes = services.scopes_to_cluster()
    signatures = [
        _SCOPE_TASKS[scope].si(target, force) if target is not None else recluster_library.si(force)
        for scope, target in scopes
    ]
    group(signatures).apply_async()
    return {"scopes": len(scopes), "removed": retired}
