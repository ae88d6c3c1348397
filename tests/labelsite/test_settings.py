"""Settings come from the environment; a malformed value stops Django with a message naming it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with the given environment."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "DEBUG"}}
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER, settings.DEBUG)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "labelsite.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults_are_sqlite_inline_tasks_and_debug(tmp_path):
    result = load_settings(LABELSITE_DATA_DIR=str(tmp_path))

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True", "True"]


def test_database_url_selects_postgresql_and_a_broker_turns_off_inline_tasks(tmp_path):
    result = load_settings(
        LABELSITE_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/labels",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False", "True"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        ({"LABEL_PAGE_MIN_TRACKS": "ten"}, "LABEL_PAGE_MIN_TRACKS='ten' is not an integer"),
        ({"LABEL_PAGE_MIN_TRACKS": "0"}, "LABEL_PAGE_MIN_TRACKS='0' must be at least 1"),
        ({"SPOTIFY_API_URL": "api.spotify.com"}, "SPOTIFY_API_URL='api.spotify.com' must be an http"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL is malformed"),
        ({"DEBUG": "false"}, "SECRET_KEY must be set when DEBUG is false"),
    ],
)
def test_a_malformed_value_fails_loudly_naming_the_variable(tmp_path, env, message):
    result = load_settings(LABELSITE_DATA_DIR=str(tmp_path), **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
