"""Benchmark: admin curation of likes on a large library (one request, a fixed number of queries).

Run: ``.venv/bin/python bench/curation_bench.py [--tracks 20000]``

A throwaway SQLite database gets ``--tracks`` tracks on 500 albums (each with a label and an artist),
then, timed:
- the admin action "Mark selected tracks not liked" on *all* tracks (select across), through the
  admin's own changelist POST, as a curator does it: one request;
- the same action again (nothing changes);
- "Clear the override" on all tracks through the service;
- the one-click toggle of one track.
Each figure comes with its number of SQL queries. Reclustering is enqueued to Celery's in-memory
broker (``memory://``) and not run: the web request's own cost is measured. The machine has 2
cores shared with other work: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=20000)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="curation-bench-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        LABELSITE_DATA_DIR=str(tmp),
        MEDIA_ROOT=str(tmp / "media"),
        CELERY_BROKER_URL="memory://",
        CELERY_RESULT_BACKEND="cache+memory://",
        DJANGO_SETTINGS_MODULE="labelsite.settings",
        ALLOWED_HOSTS="testserver",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from catalog import curation
    from catalog.models import Album, AlbumLabel, Artist, Label, LabelSource, Track, TrackArtist

    call_command("migrate", verbosity=0)
    n = args.tracks
    labels = Label.objects.bulk_create(Label(key=f"L{i}", name=f"Label {i}", slug=f"label_{i}") for i in range(50))
    artists = Artist.objects.bulk_create(
        Artist(spotify_id=f"ar{i}", name=f"Artist {i}", slug=f"a{i}") for i in range(200)
    )
    albums = Album.objects.bulk_create(Album(spotify_id=f"al{i}", name=f"Album {i}") for i in range(500))
    AlbumLabel.objects.bulk_create(
        AlbumLabel(album=al, label=labels[i % 50], raw_label="x", raw_piece="x", source=LabelSource.SPOTIFY)
        for i, al in enumerate(albums)
    )
    tracks = Track.objects.bulk_create(
        (Track(spotify_id=f"t{i}", name=f"Track {i}", album=albums[i % 500], liked_on_spotify=i % 3 == 0)
         for i in range(n)),
        batch_size=2000,
    )  # fmt: skip
    TrackArtist.objects.bulk_create((TrackArtist(track=t, artist=artists[i % 200]) for i, t in enumerate(tracks)),
                                    batch_size=2000)  # fmt: skip
    admin = get_user_model().objects.create_superuser("bench", password="x")
    client = Client()
    client.force_login(admin)
    changelist = reverse("admin:catalog_track_changelist")

    def measured(what: str, fn) -> None:
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            outcome = fn()
            seconds = time.perf_counter() - started
        print(f"{what:<58} {seconds * 1000:8.0f} ms {len(ctx.captured_queries):5d} queries   {outcome}")

    def action_on_all(action: str):
        response = client.post(
            changelist, {"action": action, "select_across": "1", ACTION_CHECKBOX_NAME: [str(tracks[0].pk)]}
        )
        return f"HTTP {response.status_code}, {Track.objects.filter(liked_override=False).count()} overridden"

    print(f"{n} tracks, load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    measured("admin action 'mark not liked' on all (one request)", lambda: action_on_all("mark_not_liked"))
    measured("the same action again (nothing to change)", lambda: action_on_all("mark_not_liked"))
    measured(
        "service: clear the override on all",
        lambda: f"{curation.track_likes_set(tracks=Track.objects.all(), liked=None, user=admin).changed} changed",
    )
    toggle = reverse("admin:catalog_track_toggle_like", args=[tracks[1].pk])
    measured("admin one-click toggle of one track (one request)", lambda: f"HTTP {client.post(toggle).status_code}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
