"""Spotify connect flow, status page and the HTTP client's fault handling, against the fake Spotify."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from spotipy.cache_handler import MemoryCacheHandler

from catalog.models import RefreshRun, SpotifyConnection, Track
from catalog.sources.spotify import (
    Forbidden,
    NotConnected,
    RateLimited,
    SpotifyClient,
    SpotifyUnavailable,
)
from catalog.spotify_auth import SPOTIFY_SCOPE, connected_auth_manager, oauth_manager

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    return client


def follow_to_spotify_and_back(staff_client, connect_response) -> str:
    """The browser's part: visit Spotify's authorize URL (the fake, over HTTP) and come back."""
    authorize = requests.get(connect_response["Location"], allow_redirects=False, timeout=5)
    assert authorize.status_code == 302
    back = urlsplit(authorize.headers["Location"])
    assert back.path == "/spotify/callback/"
    return f"{back.path}?{back.query}"


def test_connecting_spotify_stores_the_token_in_the_database(fake_spotify, staff_client):
    response = staff_client.get("/spotify/connect/")

    assert response.status_code == 302
    authorize = urlsplit(response["Location"])
    assert f"{authorize.scheme}://{authorize.netloc}" == fake_spotify.accounts_url
    assert parse_qs(authorize.query)["scope"] == [SPOTIFY_SCOPE]
    callback = staff_client.get(follow_to_spotify_and_back(staff_client, response))

    assert callback.status_code == 302 and callback["Location"] == "/spotify/"
    connection = SpotifyConnection.objects.get()
    assert connection.status == SpotifyConnection.Status.CONNECTED
    assert connection.display_name == "Fake Listener"
    assert connection.token_info["refresh_token"] in fake_spotify.refresh_tokens
    assert connection.token_info["scope"] == SPOTIFY_SCOPE
    page = staff_client.get("/spotify/").content.decode()
    assert "Connected" in page and "Fake Listener" in page and "Refresh now" in page


def test_reconnecting_after_invalid_grant_clears_the_needs_reconnect_state(fake_spotify, staff_client):
    SpotifyConnection.objects.create(
        status=SpotifyConnection.Status.NEEDS_RECONNECT, token_info={"refresh_token": "dead", "scope": SPOTIFY_SCOPE}
    )
    assert "connect again" in staff_client.get("/spotify/").content.decode()

    staff_client.get(follow_to_spotify_and_back(staff_client, staff_client.get("/spotify/connect/")))

    assert SpotifyConnection.objects.get().status == SpotifyConnection.Status.CONNECTED
    assert SpotifyConnection.objects.count() == 1


def test_a_callback_with_a_foreign_state_is_refused(fake_spotify, staff_client):
    back = follow_to_spotify_and_back(staff_client, staff_client.get("/spotify/connect/"))
    forged = back.replace("state=", "state=x")

    response = staff_client.get(forged)

    assert response.status_code == 400
    assert not SpotifyConnection.objects.exists()
    # The real state was used up too: replaying the original answer fails as well.
    assert staff_client.get(back).status_code == 400


def test_spotify_pages_are_for_staff_only(fake_spotify, client, django_user_model):
    for url in ("/spotify/", "/spotify/connect/", "/spotify/callback/?code=x&state=y"):
        assert client.get(url)["Location"].startswith("/admin/login/")
    user = django_user_model.objects.create_user("visitor", password="pw12345678!")
    client.force_login(user)
    assert client.get("/spotify/")["Location"].startswith("/admin/login/")
    assert client.post("/spotify/refresh/")["Location"].startswith("/admin/login/")


def test_refresh_now_needs_a_post_with_csrf_and_runs_the_refresh(
    fake_spotify, spotify_connected, admin_user, django_capture_on_commit_callbacks
):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.get("/spotify/refresh/").status_code == 405
    assert csrf_client.post("/spotify/refresh/").status_code == 403
    assert not RefreshRun.objects.exists()

    page = csrf_client.get("/spotify/")
    token = page.cookies["csrftoken"].value
    with django_capture_on_commit_callbacks() as after_commit:
        response = csrf_client.post("/spotify/refresh/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    # No broker: the task runs inline once the view's transaction commits. (Run by hand, so the
    # reclustering it asks for in turn stays in the test transaction: not what is tested here.)
    for callback in after_commit:
        callback()

    run = RefreshRun.objects.get()
    assert run.status == RefreshRun.Status.SUCCEEDED
    assert Track.objects.count() == len(fake_spotify.library.saved)
    page = csrf_client.get("/spotify/").content.decode()
    assert f"<td>{run.pk}</td>" in page and "Succeeded" in page
    assert "not available to this app" in page  # capabilities learned from the 403s


def test_refresh_now_while_one_runs_says_so(fake_spotify, spotify_connected, staff_client):
    first = RefreshRun.objects.create(connection=spotify_connected, status=RefreshRun.Status.QUEUED)

    response = staff_client.post("/spotify/refresh/", follow=True)

    assert f"Refresh #{first.pk} is already queued" in response.content.decode()
    assert RefreshRun.objects.count() == 1


def test_status_page_without_a_connection_offers_to_connect(staff_client):
    page = staff_client.get("/spotify/").content.decode()
    assert "Not connected" in page and 'href="/spotify/connect/"' in page


def test_status_page_shows_errors_literally(fake_spotify, spotify_connected, staff_client):
    SpotifyConnection.objects.update(last_error="<script>alert(1)</script>")
    page = staff_client.get("/spotify/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


# --- The client and the auth manager ------------------------------------------------------------


def client_for(fake) -> SpotifyClient:
    token = fake.issue_token()
    token.update(expires_at=int(time.time()) + 3600, scope=SPOTIFY_SCOPE)
    manager = oauth_manager()
    manager.cache_handler = MemoryCacheHandler(token)
    return SpotifyClient(manager)


def test_a_429_is_raised_at_once_whatever_its_retry_after(fake_spotify):
    client = client_for(fake_spotify)
    fake_spotify.add_fault("me/tracks", 429, retry_after=86400)
    started = time.monotonic()

    with pytest.raises(RateLimited) as caught:
        client.saved_tracks_page(0)

    assert time.monotonic() - started < 2
    assert (caught.value.retry_after, caught.value.quota_exceeded) == (86400, False)
    assert fake_spotify.calls["me/tracks"] == 1
    fake_spotify.add_fault("me/tracks", 429, retry_after=30, reason="QUOTA_EXCEEDED")
    with pytest.raises(RateLimited) as caught:
        client.saved_tracks_page(0)
    assert caught.value.quota_exceeded


def test_server_errors_are_retried_then_reported_with_their_real_status(fake_spotify, settings):
    client = client_for(fake_spotify)
    fake_spotify.add_fault("me/tracks", 503, times=3)
    assert client.saved_tracks_page(0)["total"] == len(fake_spotify.library.saved)
    assert fake_spotify.calls["me/tracks"] == 4

    fake_spotify.add_fault("me/tracks", 502, times=None)
    with pytest.raises(SpotifyUnavailable, match="502"):
        client.saved_tracks_page(0)


def test_forbidden_batch_endpoints_raise_forbidden(fake_spotify):
    client = client_for(fake_spotify)
    album_id = next(iter(fake_spotify.library.albums))
    with pytest.raises(Forbidden):
        client.albums([album_id])
    assert client.album(album_id)["id"] == album_id
    assert "label" not in client.album(album_id)  # Development Mode shape


def test_without_a_usable_token_no_manager_is_built_and_spotipy_never_prompts(fake_spotify, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt="": pytest.fail(f"spotipy prompted: {prompt}"))
    with pytest.raises(NotConnected, match="connect it at /spotify/connect/"):
        connected_auth_manager()
    SpotifyConnection.objects.create(token_info={"access_token": "a", "refresh_token": "r", "scope": "other-scope"})
    with pytest.raises(NotConnected, match="other permissions"):
        connected_auth_manager()
    # Even a manager whose cache went empty raises instead of falling through to the prompt.
    manager = oauth_manager()
    manager.cache_handler = MemoryCacheHandler()
    with pytest.raises(NotConnected):
        SpotifyClient(manager).saved_tracks_page(0)


def test_the_admin_lists_runs_with_their_progress_resume_time_and_last_error(staff_client):
    from datetime import timedelta

    from django.utils import timezone

    connection = SpotifyConnection.objects.create(token_info={})
    RefreshRun.objects.create(
        connection=connection, status=RefreshRun.Status.RUNNING, phase="albums", progress_done=50, progress_total=120
    )
    resume = timezone.now() + timedelta(hours=3)
    RefreshRun.objects.create(
        connection=connection,
        status=RefreshRun.Status.PAUSED,
        resume_at=resume,
        errors=[{"at": "", "message": "Spotify: quota exceeded, retry after 10800 s"}],
    )

    page = staff_client.get("/admin/catalog/refreshrun/").content.decode()

    assert "50/120 (42%)" in page
    assert "quota exceeded, retry after 10800 s" in page
    assert str(resume.year) in page and "Paused (rate limited)" in page
    assert staff_client.get("/admin/catalog/spotifyconnection/").status_code == 200
