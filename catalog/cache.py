"""A catalog-wide data version: every write bumps it, so caches keyed on it never go stale.

Page caches include ``catalog_version()`` in their keys; library_upsert, the admin's curation
services and the clusters services call ``bump_catalog_version()`` once their transaction commits.

The version lives in the database (``catalog.models.CatalogState``, one row), not in Django's
cache: with the default per-process memory cache a version kept in the cache was only seen by
the process that bumped it, so a Celery worker's refresh or an edit made through another web
worker left the other workers serving stale pages. Reading it costs one primary-key query per
request; bumping is one ``UPDATE ... SET version = version + 1``, atomic under concurrent writers.
"""

from __future__ import annotations

import time

from django.db.models import F

from catalog.models import CatalogState

_STATE_PK = 1


def catalog_version() -> int:
    """The current version, as committed by any process (one query)."""
    version = CatalogState.objects.filter(pk=_STATE_PK).values_list("version", flat=True).first()
    return _create_state() if version is None else version


def bump_catalog_version() -> None:
    """Add one to the version (call it on commit, after the data it stands for is visible)."""
    if not CatalogState.objects.filter(pk=_STATE_PK).update(version=F("version") + 1):
        _create_state()


def _create_state() -> int:
    """The row, created if missing (a flushed database). It starts from the clock, so a version
    handed out before the row was lost is never handed out again (a Redis cache may remember it)."""
    state, _ = CatalogState.objects.get_or_create(pk=_STATE_PK, defaults={"version": time.time_ns()})
    return state.version
