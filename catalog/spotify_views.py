"""Staff-only Spotify pages: connect (OAuth authorization code flow), callback, status, refresh now."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from spotipy.oauth2 import SpotifyOauthError

from catalog.models import RefreshRun
from catalog.refresh import RefreshAlreadyRunning, refresh_start
from catalog.sources.spotify import SpotifyError, translate_error
from catalog.spotify_auth import SPOTIFY_SCOPE, SpotifyNotConfigured, authorize_url, connect_finish, connection_get
from catalog.tasks import refresh_library

_STATE_KEY = "spotify_oauth_state"


@staff_member_required
@require_GET
def status(request: HttpRequest) -> HttpResponse:
    connection = connection_get()
    runs = RefreshRun.objects.filter(connection=connection)[:10] if connection else []
    return render(
        request,
        "spotify/status.html",
        {
            "connection": connection,
            "connected": bool(connection and connection.token_info),
            "runs": runs,
            "scope": SPOTIFY_SCOPE,
            "api_url": settings.SPOTIFY_API_URL,
            "configured": bool(settings.SPOTIFY_CLIENT_ID and settings.SPOTIFY_CLIENT_SECRET),
        },
    )


@staff_member_required
@require_GET
def connect(request: HttpRequest) -> HttpResponse:
    state = secrets.token_urlsafe(24)
    try:
        url = authorize_url(state)
    except SpotifyNotConfigured as exc:
        messages.error(request, str(exc))
        return redirect("spotify:status")
    request.session[_STATE_KEY] = state
    return HttpResponseRedirect(url)


@staff_member_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    expected = request.session.pop(_STATE_KEY, None)
    state = request.GET.get("state", "")
    if not expected or not secrets.compare_digest(expected, state):
        return HttpResponseBadRequest("The Spotify answer does not match a connect request (state). Try again.")
    if "error" in request.GET:
        messages.error(request, f"Spotify did not grant access: {request.GET['error']}")
        return redirect("spotify:status")
    code = request.GET.get("code", "")
    if not code:
        return HttpResponseBadRequest("The Spotify answer has no authorization code.")
    try:
        connection = connect_finish(code)
    except (SpotifyError, SpotifyOauthError) as exc:
        messages.error(request, f"Connecting Spotify failed: {translate_error(exc)}")
        return redirect("spotify:status")
    messages.success(request, f"Spotify connected as {connection}.")
    return redirect("spotify:status")


@staff_member_required
@require_POST
def refresh_now(request: HttpRequest) -> HttpResponse:
    try:
        run = refresh_start(full=request.POST.get("full") == "1")
    except RefreshAlreadyRunning as exc:
        messages.warning(request, str(exc))
        return redirect("spotify:status")
    except SpotifyError as exc:
        messages.error(request, str(exc))
        return redirect("spotify:status")
    transaction.on_commit(lambda: refresh_library.delay(run.pk))
    messages.success(request, f"Refresh #{run.pk} started.")
    return redirect("spotify:status")
