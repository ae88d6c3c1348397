from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from catalog.cache import bump_catalog_version, catalog_version
from catalog.models import CatalogState
from tests.conftest import database_url_for_worker
from tests.website.library import page_library

ROOT = Path(__file__).resolve().parent.parent.parent


def run_in_another_process(code: str, settings) -> None:
    """``manage.py shell -c code`` in a separate process on this test's database (its own memory cache)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "labelsite.settings",
        "DATABASE_URL": database_url_for_worker(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "REDIS_CACHE_URL": "",
        "CELERY_BROKER_URL": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.django_db(transaction=True)
def test_a_write_in_another_process_shows_on_the_next_page_request(client, settings):
    page_library()
    assert "23 songs" in client.get("/labels/darkroom/").content.decode()  # now in this process's page cache

    run_in_another_process(
        "from catalog.services import LibraryData, library_upsert\n"
        "from tests.factories import album_obj, saved, track_obj\n"
        "album = album_obj('Darkroom late album', artists=['Billie Eilish'], label='Darkroom')\n"
        "track = track_obj('late song', album=album, artists=['Billie Eilish'])\n"
        "library_upsert(data=LibraryData(saved_tracks=[saved(track)], albums=[album]))\n",
        settings,
    )

    assert "24 songs" in client.get("/labels/darkroom/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_bump_in_another_process_changes_the_version_seen_here(settings):
    before = catalog_version()
    run_in_another_process("from catalog.cache import bump_catalog_version; bump_catalog_version()", settings)
    assert catalog_version() == before + 1


@pytest.mark.django_db
def test_the_version_survives_a_lost_state_row_without_reusing_an_old_number():
    bump_catalog_version()
    old = catalog_version()
    CatalogState.objects.all().delete()  # a flushed or recreated database

    assert catalog_version() > old
    bumped = catalog_version() + 1
    bump_catalog_version()
    assert catalog_version() == bumped
