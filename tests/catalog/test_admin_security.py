"""Admin and Spotify pages are for staff only, with CSRF; the production settings pass Django's deploy check."""

from __future__ import annotations

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
STAFF_ONLY = ["/admin/", "/admin/catalog/track/", "/spotify/", "/spotify/connect/"]


def test_the_documented_production_settings_pass_the_deploy_check(tmp_path):
    secret = "".join(secrets.choice(string.ascii_letters + string.digits + "!@#%^&*(-_=+)") for _ in range(50))
    # Only the production variables (plus PATH/HOME): nothing of the test process leaks in, e.g. the
    # DJANGO_ALLOW_ASYNC_UNSAFE the browser tests set.
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "DEBUG": "false",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "example.org",
        "LABELSITE_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output and "security.W" not in output


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_ONLY)
def test_anonymous_visitors_are_sent_to_the_login_page(url):
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("url", STAFF_ONLY)
def test_logged_in_users_who_are_not_staff_are_kept_out(url):
    user = get_user_model().objects.create_user("listener", password="x")
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_refreshing_from_spotify_needs_a_staff_post_with_a_csrf_token(admin_user):
    assert Client().post("/spotify/refresh/").status_code == 302  # to the login page
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(admin_user)
    assert staff.post("/spotify/refresh/").status_code == 403
    assert staff.get("/spotify/refresh/").status_code == 405
