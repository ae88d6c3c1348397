"""Spotify OAuth (authorization code flow) with the token kept in the database.

spotipy's ``DjangoSessionCacheHandler`` needs a live request, so a Celery worker could not use
it; ``ConnectionCacheHandler`` keeps the token on the one ``SpotifyConnection`` row instead,
shared by the web process (connect views), the workers and the management command.

A worker must never reach spotipy's interactive prompt (``input()``, or a local HTTP server
waiting for a browser): ``connected_auth_manager`` refuses to build a manager without a stored,
usable token, and ``ServerSpotifyOAuth.get_auth_response`` raises instead of prompting.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from spotipy.cache_handler import CacheHandler
from spotipy.oauth2 import SpotifyOAuth

from catalog.models import SpotifyConnection
from catalog.sources.spotify import NeedsReconnect, NotConnected, SpotifyClient, SpotifyError, http_session

logger = logging.getLogger(__name__)

# One canonical scope for every manager: spotipy's validate_token discards a cached token whose
# scope is not a superset of the manager's, so connect, refresh and curation push must agree.
# user-library-modify is for the optional push of admin curations (SPOTIFY_PUSH_CURATIONS).
SPOTIFY_SCOPE = "user-library-modify user-library-read"

CONNECT_PATH = "/spotify/connect/"


class SpotifyNotConfigured(SpotifyError):
    """SPOTIFY_CLIENT_ID / SPOTIFY_CLIENT_SECRET are not set."""


def connection_get() -> SpotifyConnection | None:
    """The Spotify connection (there is at most one), or None before the first connect."""
    return SpotifyConnection.objects.order_by("pk").first()


class ConnectionCacheHandler(CacheHandler):
    """A spotipy cache handler backed by ``SpotifyConnection.token_info``."""

    def get_cached_token(self) -> dict | None:
        connection = connection_get()
        if connection is None or not connection.token_info:
            return None
        return dict(connection.token_info)

    def save_token_to_cache(self, token_info: dict) -> None:
        # Only the token column: a refresh in a worker must not overwrite a status or capability
        # written meanwhile by another process.
        with transaction.atomic():
            connection = connection_get()
            if connection is None:
                SpotifyConnection.objects.create(token_info=token_info)
            else:
                SpotifyConnection.objects.filter(pk=connection.pk).update(
                    token_info=token_info, updated_at=timezone.now()
                )


class ServerSpotifyOAuth(SpotifyOAuth):
    """SpotifyOAuth for servers: where spotipy would prompt a user, this raises NotConnected."""

    def get_auth_response(self, open_browser: bool | None = None):  # noqa: ARG002 - spotipy's signature
        raise NotConnected()


def oauth_manager(*, state: str | None = None) -> ServerSpotifyOAuth:
    """An OAuth manager on our settings, our HTTP session and the database cache handler."""
    if not settings.SPOTIFY_CLIENT_ID or not settings.SPOTIFY_CLIENT_SECRET:
        raise SpotifyNotConfigured(
            "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not set: register an app at "
            "https://developer.spotify.com/dashboard and set them (see .env.example)"
        )
    manager = ServerSpotifyOAuth(
        client_id=settings.SPOTIFY_CLIENT_ID,
        client_secret=settings.SPOTIFY_CLIENT_SECRET,
        redirect_uri=settings.SPOTIFY_REDIRECT_URI,
        state=state,
        scope=SPOTIFY_SCOPE,
        cache_handler=ConnectionCacheHandler(),
        requests_session=http_session(),
        requests_timeout=settings.SPOTIFY_REQUESTS_TIMEOUT,
        open_browser=False,
    )
    # Instance attributes shadow spotipy's class constants: SPOTIFY_ACCOUNTS_URL may point elsewhere.
    accounts = settings.SPOTIFY_ACCOUNTS_URL.rstrip("/")
    manager.OAUTH_AUTHORIZE_URL = f"{accounts}/authorize"
    manager.OAUTH_TOKEN_URL = f"{accounts}/api/token"
    return manager


def connected_auth_manager() -> ServerSpotifyOAuth:
    """A manager with a usable stored token; raises NotConnected or NeedsReconnect otherwise.

    Checked before any API call so that spotipy never falls through to its interactive flow.
    """
    connection = connection_get()
    token = connection.token_info if connection is not None else None
    if not token or not token.get("refresh_token"):
        raise NotConnected()
    if connection.status == SpotifyConnection.Status.NEEDS_RECONNECT:
        raise NeedsReconnect(f"Spotify needs to be reconnected: connect it again at {CONNECT_PATH}")
    manager = oauth_manager()
    if not manager._is_scope_subset(SPOTIFY_SCOPE, token.get("scope")):
        raise NotConnected(f"Spotify was connected with other permissions: connect it again at {CONNECT_PATH}")
    return manager


def spotify_client() -> SpotifyClient:
    """A client for the connected account (raises NotConnected / NeedsReconnect / SpotifyNotConfigured)."""
    return SpotifyClient(connected_auth_manager())


def authorize_url(state: str) -> str:
    """Where to send the admin's browser to grant this app access to the library."""
    return oauth_manager(state=state).get_authorize_url(state=state)


def connect_finish(code: str) -> SpotifyConnection:
    """Exchange the authorization code for a token, store it, mark the connection connected.

    Keeps the library and the learned capabilities; clears a needs-reconnect status and pauses
    belong to Spotify's rate limiting, so they stay.
    """
    manager = oauth_manager()
    manager.get_access_token(code, as_dict=False, check_cache=False)  # saves through the cache handler
    connection = connection_get()
    assert connection is not None  # the cache handler just wrote it
    connection.status = SpotifyConnection.Status.CONNECTED
    connection.connected_at = timezone.now()
    connection.last_error = ""
    try:
        me = SpotifyClient(manager).current_user()
    except SpotifyError as exc:  # the name is cosmetic: the connection works without it
        logger.warning("Connected to Spotify but could not read the profile: %s", exc)
    else:
        connection.spotify_user_id = str(me.get("id") or "")[:200]
        connection.display_name = str(me.get("display_name") or "")[:300]
    connection.save(
        update_fields=["status", "connected_at", "last_error", "spotify_user_id", "display_name", "updated_at"]
    )
    return connection
