"""Benchmark: API calls and wall time of the Spotify refresh against the fake Spotify.

Run: ``.venv/bin/python bench/refresh_bench.py [--tracks 5000]``

For a generated library of N saved tracks, in Development Mode shapes and in extended-quota
shapes, it runs: a first (full) refresh, a refresh with nothing changed, one after 10 new likes
(on 2 new albums by 2 new artists), one after 3 removed likes, and a ``--full`` refresh; and
prints the API calls the fake server counted against the minimum possible:

- Development Mode: ceil(N/50) pages + one lookup per unique album + one per unique artist;
- extended quota: ceil(N/50) + ceil(albums/20) + ceil(artists/50) + ceil(N/100) audio features.

Removed likes are found by reading the whole listing (Spotify has no "removed since"; a search by
position could use fewer calls but is unreliable when tracks saved together share one added_at),
so that row is compared with ceil(N/50).

The database is a throwaway SQLite file; the broker is an in-memory one, so the reclustering the
refresh asks for is queued and not run (it is not part of what is measured).
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(tmp: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["LABELSITE_DATA_DIR"] = tmp
    os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_RESULT_BACKEND"] = "cache+memory://"
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["DJANGO_SETTINGS_MODULE"] = "labelsite.settings"
    import django

    django.setup()
    import logging

    logging.disable(logging.ERROR)  # spotipy logs every expected 403 as an error


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="labelsite-refresh-bench-") as tmp:
        setup_django(tmp)
        print(f"load before: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        for mode in ("dev", "extended"):
            bench_mode(mode, args.tracks, tmp)
        print(f"load after:  {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


def bench_mode(mode: str, n_tracks: int, tmp: str) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from catalog.models import RefreshRun, SpotifyConnection
    from catalog.refresh import refresh_run, refresh_start
    from catalog.spotify_auth import SPOTIFY_SCOPE
    from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeLibrary, FakeSpotify

    connection.close()
    Path(f"{tmp}/bench.sqlite3").unlink(missing_ok=True)
    call_command("migrate", verbosity=0)
    library = FakeLibrary.generate(n_tracks)
    with FakeSpotify(library, mode=mode) as fake:
        settings.SPOTIFY_API_URL = fake.api_url
        settings.SPOTIFY_ACCOUNTS_URL = fake.accounts_url
        settings.SPOTIFY_CLIENT_ID, settings.SPOTIFY_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
        token = fake.issue_token()
        token.update(expires_at=int(time.time()) + 3600, scope=SPOTIFY_SCOPE)
        SpotifyConnection.objects.create(token_info=token)

        n = len(library.saved)
        albums, artists = len(library.album_ids()), len(library.artist_ids())
        pages = math.ceil(n / 50)
        if mode == "dev":
            full_min = pages + albums + artists
        else:
            full_min = pages + math.ceil(albums / 20) + math.ceil(artists / 50) + math.ceil(n / 100)
        print(f"\n== {mode} mode: {n} saved tracks, {albums} albums, {artists} artists ==")
        print(f"{'scenario':<28}{'calls':>7}{'minimum':>9}{'ratio':>7}{'wall s':>9}  run")

        def measure(label: str, minimum: int, *, full: bool = False) -> None:
            fake.reset_calls()
            started = time.perf_counter()
            run = refresh_run(refresh_start(full=full).pk)
            wall = time.perf_counter() - started
            assert run.status == RefreshRun.Status.SUCCEEDED, run.errors
            calls = fake.api_calls
            detail = ", ".join(f"{k} {v}" for k, v in sorted(fake.calls.items()))
            print(f"{label:<28}{calls:>7}{minimum:>9}{calls / minimum:>7.2f}{wall:>9.2f}  {run_line(run)} [{detail}]")

        measure("first refresh (all new)", full_min)
        measure("nothing changed", 1)
        library.like_new(10, new_albums=2)
        new_min = 1 + (2 + 2 if mode == "dev" else 1 + 1 + 1)
        measure("10 new likes", new_min)
        library.unlike([s["track_id"] for s in library.saved[100:103]])
        measure("3 removed (whole listing)", math.ceil(len(library.saved) / 50))
        measure("--full (nothing new)", math.ceil(len(library.saved) / 50), full=True)


def run_line(run) -> str:
    return f"+{run.tracks_added} ~{run.tracks_updated} -{run.tracks_removed}"


if __name__ == "__main__":
    main()
