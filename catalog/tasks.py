"""Celery doorways of the catalog: each one calls a service in catalog.refresh."""

from __future__ import annotations

from celery import shared_task

from catalog.models import RefreshRun
from catalog.refresh import refresh_retry_countdown, refresh_run, refresh_scheduled, run_summary


@shared_task(bind=True, max_retries=None, acks_late=True)
def refresh_library(self, run_id: int) -> str:
    """Execute (or continue) refresh run ``run_id``; never sleeps on Spotify's Retry-After.

    A short Retry-After retries this task after it; a pause schedules it for the resume time. Inline
    (no broker) neither is possible: the run waits, and the next refresh request continues it.
    """
    run = refresh_run(run_id)
    countdown = refresh_retry_countdown(run)
    if countdown is not None and not self.request.is_eager:
        raise self.retry(countdown=countdown)
    if run.status == RefreshRun.Status.PAUSED and run.resume_at and not self.request.is_eager:
        refresh_library.apply_async((run_id,), eta=run.resume_at)
    return run_summary(run)


@shared_task
def refresh_library_scheduled() -> str:
    """The beat schedule's daily refresh (or the continuation of an interrupted one)."""
    run = refresh_scheduled()
    if run is None:
        return "skipped"
    refresh_library.delay(run.pk)
    return f"refresh #{run.pk} started"
