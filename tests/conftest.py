"""Shared fixtures: test-only settings, real Redis, a real Celery worker, headless Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache

from tests import servers

CHROMIUM = "/usr/bin/chromium"

# The fake Spotify's fixtures (fake_library, fake_spotify, spotify_connected) for every test module.
pytest_plugins = ["tests.fake_spotify"]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Fast hashing, files in a temporary folder, an empty cache, tasks inline."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server for the session (skipped locally when not installed; fails under CI=true)."""
    try:
        server = servers.redis_server()
        url = server.__enter__()
    except FileNotFoundError as exc:
        servers.missing_service(str(exc))
    yield url
    server.__exit__(None, None, None)


def database_url_for_worker() -> str:
    """The URL of the test database this pytest process uses, for a worker process to share."""
    from django.db import connection

    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Extra environment for the worker process (override in a test module, e.g. a fake Spotify's URLs)."""
    return {}


@pytest.fixture
def celery_worker(redis_url, transactional_db, settings, celery_worker_env):
    """A real Celery worker process on Redis sharing the test database; tasks are sent, not run inline.

    Uses ``transactional_db``: the worker can only see committed rows.
    """
    from labelsite.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = redis_url
    old = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=redis_url, result_backend=redis_url, task_always_eager=False)
    _forget_celery_connections(app)
    with servers.celery_worker(
        broker_url=redis_url,
        database_url=database_url_for_worker(),
        extra_env={"MEDIA_ROOT": str(settings.MEDIA_ROOT), **celery_worker_env},
    ) as proc:
        yield proc
    app.conf.update(old)
    _forget_celery_connections(app)


def _forget_celery_connections(app) -> None:
    """Drop pooled broker connections and the cached result backend so the new URLs take effect.

    (``app.pool.force_close_all()`` alone leaves a closed pool behind: "Acquire on closed pool".)
    """
    from kombu import pools

    pools.reset()
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


@pytest.fixture(scope="session")
def chromium_browser():
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        servers.missing_service("chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        servers.missing_service("playwright is not installed (pip install playwright)")
    # Playwright's sync API refuses to run inside an asyncio loop; Django's async-unsafe check
    # must be relaxed for the live server test that shares this thread.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
