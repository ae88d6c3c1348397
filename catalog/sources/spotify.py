"""A thin Spotify Web API client on spotipy: our own HTTP session, plain dicts, our own errors.

Why our own ``requests.Session`` (see ../shared/spotify-api.md §3, §6): spotipy's default retry
policy sleeps on ``Retry-After`` (hours, for a quota 429) inside the calling process, and an
exhausted retry hides the status and the Retry-After header. Here urllib3 retries only 5xx and
timeouts, with backoff, never honours Retry-After, and lets the last response through with its
real status; every failure is then translated into one of the exceptions below, which the
refresh service turns into a retry, a pause, a reconnect request or a failed run.

No ORM here: the caller passes an auth manager (``catalog.spotify_auth`` builds one).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import requests
import spotipy
from django.conf import settings
from requests.adapters import HTTPAdapter
from spotipy.oauth2 import SpotifyOauthError
from urllib3.util.retry import Retry

logger = logging.getLogger(__name__)

SAVED_TRACKS_PAGE_SIZE = 50  # the API's maximum for GET /me/tracks
ALBUMS_BATCH_SIZE = 20
ARTISTS_BATCH_SIZE = 50
AUDIO_FEATURES_BATCH_SIZE = 100
DEFAULT_RETRY_AFTER = 30  # seconds, when a 429 comes without a usable Retry-After header

T = TypeVar("T")


class SpotifyError(Exception):
    """Base of the errors this client raises."""


class NotConnected(SpotifyError):
    """No Spotify token is stored: an admin must connect Spotify first."""

    def __init__(self, message: str = "Spotify is not connected: connect it at /spotify/connect/") -> None:
        super().__init__(message)


class NeedsReconnect(SpotifyError):
    """The refresh token is dead (``invalid_grant``: revoked, or older than six months)."""


class RateLimited(SpotifyError):
    """A 429: wait ``retry_after`` seconds; ``quota_exceeded`` when it is the app's quota, not a burst."""

    def __init__(self, retry_after: int, quota_exceeded: bool, message: str = "") -> None:
        self.retry_after = retry_after
        self.quota_exceeded = quota_exceeded
        kind = "quota exceeded" if quota_exceeded else "rate limited"
        super().__init__(message or f"Spotify: {kind}, retry after {retry_after} s")


class Forbidden(SpotifyError):
    """A 403: the endpoint is not available to this app (Development Mode), or the user is not allowed."""


class NotFound(SpotifyError):
    """A 404: the album, artist or track no longer exists on Spotify."""


class SpotifyUnavailable(SpotifyError):
    """Spotify did not answer usefully after our retries (5xx, timeouts, connection errors)."""


def http_session(*, retries: int | None = None, backoff_factor: float | None = None) -> requests.Session:
    """A requests session that retries 5xx and timeouts with backoff and never sleeps on Retry-After."""
    retries = settings.SPOTIFY_RETRIES if retries is None else retries
    retry = Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=settings.SPOTIFY_BACKOFF_FACTOR if backoff_factor is None else backoff_factor,
        status_forcelist=(500, 502, 503, 504),
        allowed_methods=frozenset({"GET", "POST", "PUT", "DELETE"}),
        # A 429 (and its Retry-After) reaches the caller at once, who decides: retry the task later or pause.
        respect_retry_after_header=False,
        # An exhausted 5xx retry surfaces with its real status instead of a fake "429 Max Retries".
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def translate_error(exc: Exception) -> SpotifyError:
    """One of our errors for whatever spotipy or requests raised."""
    if isinstance(exc, SpotifyError):
        return exc
    if isinstance(exc, SpotifyOauthError):
        if getattr(exc, "error", None) == "invalid_grant":
            return NeedsReconnect(f"Spotify refused the refresh token ({exc.error_description or 'invalid_grant'})")
        # Anything else from the token endpoint (a 5xx page, a timeout) is an outage, not a dead token:
        # a connection is never marked dead on a single ambiguous failure.
        return SpotifyUnavailable(f"Spotify accounts service: {exc}")
    if isinstance(exc, spotipy.SpotifyException):
        status = exc.http_status
        if status == 429:
            headers = exc.headers or {}
            try:
                retry_after = max(0, int(float(headers.get("Retry-After", ""))))
            except ValueError:
                retry_after = DEFAULT_RETRY_AFTER
            return RateLimited(retry_after, exc.reason == "QUOTA_EXCEEDED")
        if status == 403:
            return Forbidden(_message(exc))
        if status == 404:
            return NotFound(_message(exc))
        if status == 401:
            return NeedsReconnect(f"Spotify rejected the access token: {_message(exc)}")
        return SpotifyUnavailable(f"Spotify answered {status}: {_message(exc)}")
    if isinstance(exc, requests.RequestException):
        return SpotifyUnavailable(f"Spotify did not answer: {exc.__class__.__name__}: {exc}")
    raise TypeError(f"not a Spotify error: {exc!r}") from exc


def _message(exc: spotipy.SpotifyException) -> str:
    return (exc.msg or "").strip().splitlines()[-1].strip() if exc.msg else str(exc.http_status)


class SpotifyClient:
    """The calls the refresh needs, each one counted; returns spotipy's plain dicts.

    ``calls`` counts requests per endpoint name (one per call, whatever urllib3 retried below).
    """

    def __init__(self, auth_manager: Any, *, session: requests.Session | None = None) -> None:
        self.auth_manager = auth_manager
        self.sp = spotipy.Spotify(
            auth_manager=auth_manager,
            requests_session=session or http_session(),
            requests_timeout=settings.SPOTIFY_REQUESTS_TIMEOUT,
        )
        # Per instance, so tests and proxies can point it elsewhere (SPOTIFY_API_URL).
        self.sp.prefix = settings.SPOTIFY_API_URL.rstrip("/") + "/"
        self.calls: Counter[str] = Counter()
        self.on_call: Callable[[str], None] | None = None

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def _call(self, endpoint: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        self.calls[endpoint] += 1
        if self.on_call is not None:
            self.on_call(endpoint)
        try:
            try:
                return fn(*args, **kwargs)
            except spotipy.SpotifyException as exc:
                if exc.http_status != 401 or not self._force_token_refresh():
                    raise
            # The access token was refused before its announced expiry (revoked, clock skew): one
            # refresh, one more try.
            return fn(*args, **kwargs)
        except (spotipy.SpotifyException, SpotifyOauthError, requests.RequestException) as exc:
            raise translate_error(exc) from exc

    def _force_token_refresh(self) -> bool:
        handler = getattr(self.auth_manager, "cache_handler", None)
        token = handler.get_cached_token() if handler is not None else None
        if not token or not token.get("refresh_token"):
            return False
        logger.info("Spotify refused the access token: refreshing it once")
        self.auth_manager.refresh_access_token(token["refresh_token"])
        return True

    # -- the endpoints ---------------------------------------------------------------------------

    def current_user(self) -> dict:
        return self._call("me", self.sp.current_user)

    def saved_tracks_page(self, offset: int, limit: int = SAVED_TRACKS_PAGE_SIZE) -> dict:
        """One page of ``GET /me/tracks`` (newest first): ``items``, ``total``, ``next``."""
        return self._call("me/tracks", self.sp.current_user_saved_tracks, limit=limit, offset=offset)

    def album(self, album_id: str) -> dict:
        return self._call("albums/{id}", self.sp.album, album_id)

    def albums(self, album_ids: Sequence[str]) -> list[dict]:
        """Batch lookup (≤ 20); 403 (Forbidden) for Development Mode apps. Missing albums are left out."""
        result = self._call("albums?ids", self.sp.albums, list(album_ids))
        return [a for a in (result or {}).get("albums") or () if a]

    def artist(self, artist_id: str) -> dict:
        return self._call("artists/{id}", self.sp.artist, artist_id)

    def artists(self, artist_ids: Sequence[str]) -> list[dict]:
        """Batch lookup (≤ 50); 403 (Forbidden) for Development Mode apps."""
        result = self._call("artists?ids", self.sp.artists, list(artist_ids))
        return [a for a in (result or {}).get("artists") or () if a]

    def audio_features(self, track_ids: Sequence[str]) -> list[dict]:
        """Audio features (≤ 100 ids); 403 (Forbidden) for apps created since late 2024.

        Tracks without features come back as ``None`` and are left out.
        """
        result = self._call("audio-features", self.sp.audio_features, list(track_ids))
        if isinstance(result, dict):  # spotipy returns the list, or the whole body for odd shapes
            result = result.get("audio_features")
        return [f for f in result or () if f]
