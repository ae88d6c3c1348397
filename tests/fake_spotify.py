"""A fake Spotify: Web API + accounts service on a real HTTP server, serving a generated library.

Used by the refresh tests and the benchmark: the code under test talks to it through spotipy and
real HTTP (``SPOTIFY_API_URL`` = ``fake.api_url``, ``SPOTIFY_ACCOUNTS_URL`` = ``fake.accounts_url``).

- Shapes: ``mode="dev"`` answers as Spotify answers a Development Mode app in 2026 (album without
  ``label``/``popularity``, artist without ``followers``/``popularity``, 403 on ``/albums?ids=``,
  ``/artists?ids=`` and ``/audio-features``); ``mode="extended"`` as an extended-quota app
  (``label``, popularity, the batch endpoints and audio features).
- Faults (``add_fault``): any status on any endpoint, a number of times, after some calls
  (429 with ``Retry-After`` and ``QUOTA_EXCEEDED``, bursts of 500/503, a hard failure), slow
  answers (``delay``); ``expire_access_tokens()``; ``revoke_refresh_tokens()`` (→ ``invalid_grant``);
  ``token_lifetime`` (seconds a new access token lives).
- ``calls`` counts requests per endpoint (``me/tracks``, ``albums/{id}``, ``albums?ids``, …).
- ``/authorize`` redirects back with ``code`` and ``state``; ``/api/token`` handles the
  ``authorization_code`` and ``refresh_token`` grants.

Run ``python -m tests.fake_spotify --tracks 500`` to serve one by hand.
"""

from __future__ import annotations

import json
import random
import secrets
import threading
import time
from base64 import b64decode
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.factories import sid

CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"

_GENRES = ["indie pop", "art pop", "techno", "k-pop", "jazz", "ambient", "hip hop", "bossa nova", "drill"]
_NAME_WORDS = ["Night", "Blue", "Echo", "Paper", "Glass", "River", "Neon", "Velvet", "Static", "Orbit"]
# Hostile and non-Latin names: they must travel through the refresh untouched.
_ODD_NAMES = ["A | B", "<script>alert(1)</script>", "*x* [y](z)", "back\\slash", "악동뮤지션", "悪ノ娘"]
_LABELS = ["Darkroom", "Interscope Records", "XL Recordings", "Warp Records", "Ninja Tune", "Blue Note"]
_SIMPLE_ALBUM_KEYS = ("id", "name", "type", "uri", "album_type", "release_date", "release_date_precision",
                      "total_tracks", "images", "artists")  # fmt: skip
_FEATURES = ("danceability", "energy", "speechiness", "acousticness", "instrumentalness", "liveness", "valence")


@dataclass
class Fault:
    """Answer ``status`` (or stall ``delay`` seconds) on ``endpoint``, ``times`` times (None: forever),
    after letting ``skip`` matching calls through."""

    endpoint: str
    status: int | None = None
    times: int | None = 1
    skip: int = 0
    retry_after: int | None = None
    reason: str | None = None
    delay: float = 0.0
    hits: int = 0


@dataclass
class FakeLibrary:
    """A generated library: full albums and artists, tracks, saved items (newest first), features."""

    albums: dict[str, dict] = field(default_factory=dict)
    artists: dict[str, dict] = field(default_factory=dict)
    tracks: dict[str, dict] = field(default_factory=dict)
    features: dict[str, dict] = field(default_factory=dict)
    saved: list[dict] = field(default_factory=list)  # {"added_at", "track_id"}, newest first
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    clock: datetime = field(default_factory=lambda: datetime(2024, 1, 1, tzinfo=UTC))
    serial: int = 0

    @classmethod
    def generate(
        cls, n_tracks: int, *, seed: int = 7, tracks_per_album: int = 3, artists: int | None = None
    ) -> FakeLibrary:
        lib = cls(rng=random.Random(seed))
        n_artists = artists or max(2, n_tracks // 6)
        pool = [lib._new_artist() for _ in range(n_artists)]
        albums: list[dict] = []
        for _ in range(n_tracks):
            if not albums or len(albums[-1]["_track_ids"]) >= tracks_per_album:
                albums.append(lib._new_album(lib.rng.choice(pool)))
            lib._new_track(albums[-1], feature=lib.rng.choice(pool) if lib.rng.random() < 0.2 else None)
        order = list(lib.tracks)
        lib.rng.shuffle(order)
        for track_id in order:  # liked in random order; newest first
            lib.saved.insert(0, {"added_at": lib._tick(), "track_id": track_id})
        return lib

    # -- building ------------------------------------------------------------------------------

    def _name(self, kind: str) -> str:
        self.serial += 1
        if self.serial % 17 == 0:
            return f"{self.rng.choice(_ODD_NAMES)} {self.serial}"
        return f"{self.rng.choice(_NAME_WORDS)} {kind} {self.serial}"

    def _tick(self) -> str:
        self.clock += timedelta(minutes=1)
        return self.clock.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _new_artist(self) -> dict:
        name = self._name("Artist")
        artist_id = sid(f"fake-artist:{self.serial}:{name}")
        genres = self.rng.sample(_GENRES, self.rng.randint(0, 2))
        self.artists[artist_id] = {
            "id": artist_id,
            "name": name,
            "type": "artist",
            "uri": f"spotify:artist:{artist_id}",
            "images": [{"url": f"https://i.scdn.co/image/{sid('ai' + artist_id)}", "height": 640, "width": 640}],
            "genres": genres,
            "popularity": self.rng.randint(0, 100),
            "followers": {"href": None, "total": self.rng.randint(0, 10**6)},
        }
        return self.artists[artist_id]

    def _new_album(self, artist: dict) -> dict:
        name = self._name("Album")
        album_id = sid(f"fake-album:{self.serial}:{name}")
        year = self.rng.randint(1965, 2025)
        label = self.rng.choice(_LABELS)
        if self.rng.random() < 0.15:
            label = f"{label}/{self.rng.choice(_LABELS)}"
        self.albums[album_id] = {
            "id": album_id,
            "name": name,
            "type": "album",
            "uri": f"spotify:album:{album_id}",
            "album_type": self.rng.choice(["album", "single", "compilation"]),
            "release_date": f"{year}-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)}",
            "release_date_precision": "day",
            "total_tracks": 10,
            "images": [{"url": f"https://i.scdn.co/image/{sid('cv' + album_id)}", "height": 640, "width": 640}],
            "artists": [_simple_artist(artist)],
            "copyrights": [{"text": f"© {year} {label}", "type": "C"}, {"text": f"℗ {year} {label}", "type": "P"}],
            "external_ids": {"upc": f"00{self.rng.randint(10**9, 10**10 - 1)}"},
            "label": label,
            "popularity": self.rng.randint(0, 100),
            "genres": [],
            "_track_ids": [],
        }
        return self.albums[album_id]

    def _new_track(self, album: dict, feature: dict | None = None) -> dict:
        name = self._name("Track")
        track_id = sid(f"fake-track:{self.serial}:{name}")
        credits = [album["artists"][0]]
        if feature and feature["id"] != credits[0]["id"]:
            credits.append(_simple_artist(feature))
        album["_track_ids"].append(track_id)
        self.tracks[track_id] = {
            "id": track_id,
            "name": name,
            "type": "track",
            "uri": f"spotify:track:{track_id}",
            "album_id": album["id"],
            "artists": credits,
            "duration_ms": self.rng.randint(90_000, 420_000),
            "explicit": self.rng.random() < 0.1,
            "disc_number": 1,
            "track_number": len(album["_track_ids"]),
            "external_ids": {"isrc": f"QZ{self.rng.randint(10**9, 10**10 - 1)}"},
            "popularity": self.rng.randint(0, 100),
        }
        self.features[track_id] = {"id": track_id, "type": "audio_features", "key": self.rng.randint(0, 11),
                                   "mode": self.rng.randint(0, 1), "loudness": round(self.rng.uniform(-30, 0), 2),
                                   "tempo": round(self.rng.uniform(60, 190), 2), "time_signature": 4,
                                   **{f: round(self.rng.random(), 3) for f in _FEATURES}}  # fmt: skip
        return self.tracks[track_id]

    # -- changing the library -------------------------------------------------------------------

    def like_new(self, count: int, *, new_albums: int = 0) -> list[str]:
        """Like ``count`` tracks never seen before (on ``new_albums`` new albums by new artists, the
        rest on existing albums); they go on top of the saved list. Returns their ids."""
        ids = []
        fresh = [self._new_album(self._new_artist()) for _ in range(new_albums)]
        existing = list(self.albums.values())
        for i in range(count):
            album = fresh[i % len(fresh)] if fresh else self.rng.choice(existing)
            ids.append(self._new_track(album)["id"])
        for track_id in ids:
            self.saved.insert(0, {"added_at": self._tick(), "track_id": track_id})
        return ids

    def unlike(self, track_ids: list[str]) -> None:
        gone = set(track_ids)
        self.saved = [s for s in self.saved if s["track_id"] not in gone]

    # -- shapes --------------------------------------------------------------------------------

    def saved_ids(self) -> list[str]:
        return [s["track_id"] for s in self.saved]

    def album_ids(self, track_ids: list[str] | None = None) -> set[str]:
        return {self.tracks[t]["album_id"] for t in (track_ids if track_ids is not None else self.saved_ids())}

    def artist_ids(self, track_ids: list[str] | None = None) -> set[str]:
        out: set[str] = set()
        for t in track_ids if track_ids is not None else self.saved_ids():
            out |= {a["id"] for a in self.tracks[t]["artists"]}
            out |= {a["id"] for a in self.albums[self.tracks[t]["album_id"]]["artists"]}
        return out

    def track_json(self, track_id: str, mode: str) -> dict:
        track = {k: v for k, v in self.tracks[track_id].items() if k != "album_id"}
        album = self.albums[self.tracks[track_id]["album_id"]]
        track["album"] = {k: album[k] for k in _SIMPLE_ALBUM_KEYS}
        if mode == "dev":
            track.pop("popularity")
        return track

    def album_json(self, album_id: str, mode: str) -> dict:
        album = {k: v for k, v in self.albums[album_id].items() if not k.startswith("_")}
        album["tracks"] = {"items": [], "total": len(self.albums[album_id]["_track_ids"])}
        if mode == "dev":
            album.pop("label")
            album.pop("popularity")
        return album

    def artist_json(self, artist_id: str, mode: str) -> dict:
        artist = dict(self.artists[artist_id])
        if mode == "dev":
            artist.pop("popularity")
            artist.pop("followers")
        return artist


def _simple_artist(artist: dict) -> dict:
    return {k: artist[k] for k in ("id", "name", "type", "uri")}


class FakeSpotify:
    """The fake Web API + accounts service on ``127.0.0.1:<free port>``; use as a context manager."""

    def __init__(self, library: FakeLibrary | None = None, *, mode: str = "dev") -> None:
        self.library = library or FakeLibrary.generate(30)
        self.mode = mode
        self.faults: list[Fault] = []
        self.calls: Counter[str] = Counter()
        self.token_lifetime = 3600
        self.access_tokens: dict[str, float] = {}  # token -> expiry (epoch seconds)
        self.refresh_tokens: set[str] = set()
        self.codes: dict[str, str] = {}  # authorization code -> redirect_uri
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeSpotify:
        fake = self

        class Handler(_Handler):
            spotify = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-spotify", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeSpotify:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/v1"

    @property
    def accounts_url(self) -> str:
        return self.base_url

    # -- test controls -------------------------------------------------------------------------

    def add_fault(self, endpoint: str, status: int | None = None, *, times: int | None = 1, skip: int = 0,
                  retry_after: int | None = None, reason: str | None = None, delay: float = 0.0) -> Fault:  # fmt: skip
        fault = Fault(endpoint, status, times, skip, retry_after, reason, delay)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()

    @property
    def api_calls(self) -> int:
        """Requests to the Web API (not the accounts service)."""
        return sum(n for k, n in self.calls.items() if k not in {"token", "authorize"})

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens = dict.fromkeys(self.access_tokens, 0.0)

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            self.refresh_tokens.clear()

    def issue_token(self) -> dict:
        """A token as the authorization code grant returns it (also handy to seed a connection)."""
        access, refresh = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        with self.lock:
            self.access_tokens[access] = time.time() + self.token_lifetime
            self.refresh_tokens.add(refresh)
        return {"access_token": access, "token_type": "Bearer", "expires_in": self.token_lifetime,
                "refresh_token": refresh, "scope": "user-library-read user-library-modify"}  # fmt: skip

    def fault_for(self, endpoint: str) -> Fault | None:
        with self.lock:
            self.calls[endpoint] += 1
            for fault in self.faults:
                if fault.endpoint != endpoint or (fault.times is not None and fault.hits >= fault.times):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.hits += 1
                return fault
        return None


class _Handler(BaseHTTPRequestHandler):
    spotify: FakeSpotify
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet test output
        pass

    # -- plumbing ------------------------------------------------------------------------------

    def _send(self, status: int, body: dict | None = None, headers: dict | None = None) -> None:
        data = json.dumps(body if body is not None else {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, reason: str | None = None, headers: dict | None = None) -> None:
        error = {"status": status, "message": message}
        if reason:
            error["reason"] = reason
        self._send(status, {"error": error}, headers)

    def _apply_fault(self, endpoint: str) -> bool:
        """Count the call; answer with a fault if one is due. True when the request was answered."""
        fault = self.spotify.fault_for(endpoint)
        if fault is None:
            return False
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status is None:
            return False
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        if fault.status == 429:
            message = "Too many requests"
        elif fault.status >= 500:
            message = "Service unavailable"
        else:
            message = "Fault"
        if endpoint == "token":
            self._send(fault.status, {"error": fault.reason or "server_error", "error_description": message})
        else:
            self._error(fault.status, message, fault.reason, headers)
        return True

    # -- accounts ------------------------------------------------------------------------------

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if path != "/api/token":
            return self._error(404, "Not found")
        if self._apply_fault("token"):
            return None
        if not self._client_ok():
            return self._send(400, {"error": "invalid_client", "error_description": "Invalid client"})
        fake = self.spotify
        if form.get("grant_type") == "authorization_code":
            with fake.lock:
                redirect = fake.codes.pop(form.get("code", ""), None)
            if redirect is None or redirect != form.get("redirect_uri"):
                return self._send(400, {"error": "invalid_grant", "error_description": "Invalid authorization code"})
            return self._send(200, fake.issue_token())
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in fake.refresh_tokens:
                return self._send(400, {"error": "invalid_grant", "error_description": "Refresh token revoked"})
            token = fake.issue_token()
            with fake.lock:  # Spotify usually keeps the refresh token: send none back
                fake.refresh_tokens.discard(token.pop("refresh_token"))
            return self._send(200, token)
        return self._send(400, {"error": "unsupported_grant_type"})

    def _client_ok(self) -> bool:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return False
        return b64decode(auth[6:]).decode() == f"{CLIENT_ID}:{CLIENT_SECRET}"

    # -- web api -------------------------------------------------------------------------------

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = parts.path.rstrip("/")
        if path == "/authorize":
            return self._authorize(query)
        if not path.startswith("/v1/"):
            return self._error(404, "Not found")
        path = path[len("/v1/") :]
        ids = [i for i in query.get("ids", "").split(",") if i]
        if path == "me/tracks":
            endpoint = "me/tracks"
        elif path in {"albums", "artists"}:
            endpoint = f"{path}?ids"
        elif path == "audio-features":
            endpoint = "audio-features"
        elif path.startswith(("albums/", "artists/")) and path.count("/") == 1:
            endpoint = path.split("/")[0] + "/{id}"
        elif path == "me":
            endpoint = "me"
        else:
            return self._error(404, "Service not found")
        if self._apply_fault(endpoint) or not self._token_ok():
            return None
        lib, mode = self.spotify.library, self.spotify.mode
        if endpoint == "me":
            return self._send(200, {"id": "fake-user", "display_name": "Fake Listener", "type": "user"})
        if endpoint == "me/tracks":
            return self._saved_tracks(query)
        if endpoint in {"albums?ids", "artists?ids", "audio-features"}:
            if mode == "dev":
                return self._error(403, "Forbidden")
            limit = {"albums?ids": 20, "artists?ids": 50, "audio-features": 100}[endpoint]
            if not ids or len(ids) > limit:
                return self._error(400, "Invalid ids")
            if endpoint == "albums?ids":
                albums = [lib.album_json(i, mode) if i in lib.albums else None for i in ids]
                return self._send(200, {"albums": albums})
            if endpoint == "artists?ids":
                artists = [lib.artist_json(i, mode) if i in lib.artists else None for i in ids]
                return self._send(200, {"artists": artists})
            return self._send(200, {"audio_features": [lib.features.get(i) for i in ids]})
        kind, item_id = path.split("/")
        if kind == "albums":
            if item_id not in lib.albums:
                return self._error(404, "Resource not found")
            return self._send(200, lib.album_json(item_id, mode))
        if item_id not in lib.artists:
            return self._error(404, "Resource not found")
        return self._send(200, lib.artist_json(item_id, mode))

    def _token_ok(self) -> bool:
        auth = self.headers.get("Authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self.spotify.lock:
            expiry = self.spotify.access_tokens.get(token)
        if expiry is None:
            self._error(401, "Invalid access token")
            return False
        if expiry < time.time():
            self._error(401, "The access token expired")
            return False
        return True

    def _saved_tracks(self, query: dict) -> None:
        limit, offset = int(query.get("limit", 20)), int(query.get("offset", 0))
        if not 1 <= limit <= 50 or offset < 0:
            return self._error(400, "Invalid limit")
        lib, mode = self.spotify.library, self.spotify.mode
        window = lib.saved[offset : offset + limit]
        total = len(lib.saved)
        base = f"{self.spotify.api_url}/me/tracks"
        more = offset + limit < total
        return self._send(200, {
            "href": f"{base}?{urlencode({'offset': offset, 'limit': limit})}",
            "items": [{"added_at": s["added_at"], "track": lib.track_json(s["track_id"], mode)} for s in window],
            "limit": limit,
            "offset": offset,
            "total": total,
            "next": f"{base}?{urlencode({'offset': offset + limit, 'limit': limit})}" if more else None,
            "previous": f"{base}?{urlencode({'offset': max(0, offset - limit), 'limit': limit})}" if offset else None,
        })  # fmt: skip

    def _authorize(self, query: dict) -> None:
        self.spotify.calls["authorize"] += 1
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return self._error(400, "INVALID_CLIENT: Invalid client")
        redirect = query.get("redirect_uri", "")
        code = secrets.token_urlsafe(12)
        with self.spotify.lock:
            self.spotify.codes[code] = redirect
        params = {"code": code}
        if "state" in query:
            params["state"] = query["state"]
        self.send_response(302)
        self.send_header("Location", f"{redirect}?{urlencode(params)}")
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Serve a fake Spotify with a generated library.")
    parser.add_argument("--tracks", type=int, default=200)
    parser.add_argument("--mode", choices=["dev", "extended"], default="dev")
    args = parser.parse_args()
    with FakeSpotify(FakeLibrary.generate(args.tracks), mode=args.mode) as fake:
        print(f"SPOTIFY_API_URL={fake.api_url}\nSPOTIFY_ACCOUNTS_URL={fake.accounts_url}", flush=True)
        print(f"SPOTIFY_CLIENT_ID={CLIENT_ID}\nSPOTIFY_CLIENT_SECRET={CLIENT_SECRET}", flush=True)
        threading.Event().wait()


# --- pytest fixtures (import them into a test module to use them) -------------------------------

try:
    import pytest
except ImportError:  # the module also runs as a script
    pytest = None

if pytest is not None:

    @pytest.fixture
    def fake_library() -> FakeLibrary:
        """The library the fake serves; override in a test module for another size."""
        return FakeLibrary.generate(120)

    @pytest.fixture
    def fake_spotify(settings, fake_library):
        """A running fake Spotify (Development Mode shapes) that the settings point at."""
        with FakeSpotify(fake_library) as fake:
            settings.SPOTIFY_API_URL = fake.api_url
            settings.SPOTIFY_ACCOUNTS_URL = fake.accounts_url
            settings.SPOTIFY_CLIENT_ID = CLIENT_ID
            settings.SPOTIFY_CLIENT_SECRET = CLIENT_SECRET
            settings.SPOTIFY_REDIRECT_URI = "http://testserver/spotify/callback/"
            settings.SPOTIFY_BACKOFF_FACTOR = 0.01
            settings.SPOTIFY_REQUESTS_TIMEOUT = 2
            yield fake

    @pytest.fixture
    def spotify_connected(fake_spotify):
        """A SpotifyConnection holding a valid token of the fake (as the connect flow leaves it)."""
        from catalog.models import SpotifyConnection
        from catalog.spotify_auth import SPOTIFY_SCOPE

        token = fake_spotify.issue_token()
        token.update(expires_at=int(time.time()) + token["expires_in"], scope=SPOTIFY_SCOPE)
        return SpotifyConnection.objects.create(token_info=token, spotify_user_id="fake-user")
