"""A catalog-wide data version: every write bumps it, so caches keyed on it never go stale.

Page fragments and charts include ``catalog_version()`` in their cache keys; library_upsert and
the admin's curation services call ``bump_catalog_version()`` after their transaction commits.
"""

from __future__ import annotations

import time

from django.core.cache import cache

_KEY = "labelsite:catalog-version"


def catalog_version() -> int:
    version = cache.get(_KEY)
    if version is None:
        # A fresh cache (restart, eviction) starts a new version: old entries can't be reused.
        version = time.time_ns()
        cache.add(_KEY, version, timeout=None)
        version = cache.get(_KEY, version)
    return version


def bump_catalog_version() -> None:
    cache.set(_KEY, time.time_ns(), timeout=None)
