"""The refresh through a real Redis broker and a real ``celery worker`` process."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from catalog.models import RefreshRun, SpotifyConnection, Track
from catalog.refresh import refresh_start
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeLibrary, FakeSpotify

pytestmark = [pytest.mark.celery_worker, pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def worker_fake(settings):
    """A fake Spotify started before the worker, so the worker's environment can point at it."""
    with FakeSpotify(FakeLibrary.generate(120)) as fake:
        settings.SPOTIFY_API_URL = fake.api_url
        settings.SPOTIFY_ACCOUNTS_URL = fake.accounts_url
        settings.SPOTIFY_CLIENT_ID = CLIENT_ID
        settings.SPOTIFY_CLIENT_SECRET = CLIENT_SECRET
        yield fake


@pytest.fixture
def celery_worker_env(worker_fake) -> dict[str, str]:
    return {
        "SPOTIFY_API_URL": worker_fake.api_url,
        "SPOTIFY_ACCOUNTS_URL": worker_fake.accounts_url,
        "SPOTIFY_CLIENT_ID": CLIENT_ID,
        "SPOTIFY_CLIENT_SECRET": CLIENT_SECRET,
    }


def wait_for_run(run_id: int, statuses: set[str], timeout: float = 90) -> RefreshRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = RefreshRun.objects.get(pk=run_id)
        if run.status in statuses:
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} is still {run.status} ({run.phase}) after {timeout}s")


def test_a_worker_refreshes_and_retries_a_short_429_after_its_countdown(worker_fake, celery_worker):
    from catalog.tasks import refresh_library

    token = worker_fake.issue_token()
    token.update(expires_at=int(time.time()) + 3600, scope="user-library-modify user-library-read")
    SpotifyConnection.objects.create(token_info=token)
    worker_fake.add_fault("me/tracks", 429, retry_after=2, skip=1)  # the second page: come back in 2 s
    run = refresh_start()
    started = time.monotonic()

    refresh_library.delay(run.pk)
    run = wait_for_run(run.pk, {RefreshRun.Status.SUCCEEDED, RefreshRun.Status.FAILED})

    assert run.status == RefreshRun.Status.SUCCEEDED, run.errors
    assert time.monotonic() - started >= 2  # the retry waited for the Retry-After
    assert set(Track.objects.filter(liked_on_spotify=True).values_list("spotify_id", flat=True)) == set(
        worker_fake.library.saved_ids()
    )
    # Page 2 asked twice (the 429, then the retry), no page asked again after it.
    assert worker_fake.calls["me/tracks"] == 3 + 1
    log = Path(celery_worker.log_path).read_text()
    assert "Retry in" in log
