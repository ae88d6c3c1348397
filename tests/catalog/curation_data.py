"""Shared by the curation and admin tests: a small library with co-labels, and a real HTTP server
standing in for Spotify's library endpoints (``PUT``/``DELETE /v1/me/library?uris=…``), which
tests/fake_spotify.py does not serve."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import spotipy

from catalog.services import LibraryData
from tests.factories import album_obj, saved, track_obj

ACCESS_TOKEN = "test-token"


def library(*, unsaved: tuple[str, ...] = ()) -> LibraryData:
    """Two albums on Darkroom (one co-released with Interscope), one on Ninja Tune; all tracks liked
    on Spotify except those named in ``unsaved``."""
    darkroom = album_obj("Ocean Eyes", artists=["Billie Eilish"], label="Darkroom/Interscope Records")
    lovely = album_obj("lovely", artists=["Billie Eilish", "Khalid"], label="Darkroom")
    ninja = album_obj("Migration", artists=["Bonobo"], label="Ninja Tune")
    tracks = [
        track_obj("ocean eyes", album=darkroom, artists=["Billie Eilish"], track_number=1),
        track_obj("bellyache", album=darkroom, artists=["Billie Eilish"], track_number=2),
        track_obj("lovely", album=lovely, artists=["Billie Eilish", "Khalid"]),
        track_obj("Kerala", album=ninja, artists=["Bonobo"]),
    ]
    return LibraryData(
        saved_tracks=[saved(t) for t in tracks if t["name"] not in unsaved],
        tracks=[t for t in tracks if t["name"] in unsaved],
        albums=[darkroom, lovely, ninja],
        liked_complete=True,
    )


class FakeSpotifyLibrary(BaseHTTPRequestHandler):
    """PUT/DELETE /v1/me/library?uris=…: records the calls; URIs listed in ``refuse`` get a 403."""

    calls: list[tuple[str, list[str]]]
    refuse: set[str]

    def _library(self) -> None:
        url = urlsplit(self.path)
        uris = parse_qs(url.query).get("uris", [""])[0].split(",")
        if url.path != "/v1/me/library" or self.headers.get("Authorization") != f"Bearer {ACCESS_TOKEN}":
            self._reply(404, {"error": {"status": 404, "message": "Not found"}})
            return
        self.server.calls.append((self.command, uris))
        if set(uris) & self.server.refuse:
            self._reply(403, {"error": {"status": 403, "message": "Insufficient client scope"}})
            return
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_DELETE = _library

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


@contextmanager
def spotify_library_server() -> Iterator[ThreadingHTTPServer]:
    """A running FakeSpotifyLibrary; ``server.calls`` lists (method, uris); ``server.refuse`` URIs get 403."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeSpotifyLibrary)
    server.calls, server.refuse = [], set()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def api_url(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_port}/v1"


def spotify_client_for(server: ThreadingHTTPServer) -> spotipy.Spotify:
    client = spotipy.Spotify(auth=ACCESS_TOKEN, retries=0, status_retries=0)
    client.prefix = api_url(server) + "/"
    return client
