"""A small synthetic library written through the real upsert service, for the clusters tests.

Three kinds of music that differ in audio features, genre, era and length, so a clustering has
something real to find: quiet classical pieces, loud k-pop songs, and spoken-word hip hop.
"""

from __future__ import annotations

import random

from catalog.services import LibraryData, library_upsert
from tests.factories import album_obj, artist_obj, features_obj, saved, track_obj

STYLES = {
    "classical": dict(
        genres=["classical", "orchestra"], year=1975, minutes=7.0, explicit=False,
        audio=dict(danceability=0.2, energy=0.1, acousticness=0.95, instrumentalness=0.9, valence=0.2, tempo=80.0,
                   speechiness=0.04, liveness=0.1),
    ),
    "kpop": dict(
        genres=["k-pop"], year=2019, minutes=3.2, explicit=False,
        audio=dict(danceability=0.8, energy=0.9, acousticness=0.05, instrumentalness=0.0, valence=0.8, tempo=128.0,
                   speechiness=0.08, liveness=0.15),
    ),
    "hiphop": dict(
        genres=["hip hop", "rap"], year=2005, minutes=4.0, explicit=True,
        audio=dict(danceability=0.7, energy=0.6, acousticness=0.1, instrumentalness=0.0, valence=0.5, tempo=95.0,
                   speechiness=0.4, liveness=0.2),
    ),
}  # fmt: skip


def build_library(
    *,
    per_style: int = 12,
    label: str = "Mixed Records",
    with_audio: bool = True,
    seed: int = 1,
    jitter: float = 0.05,
    extra_artist_tracks: dict[str, int] | None = None,
) -> LibraryData:
    """Write ``per_style`` tracks of each style, all on ``label``, and return the data written.

    Each style has one artist ("<style> artist"), whose tracks are all liked so the artist gets a page.
    """
    rng = random.Random(seed)
    saved_tracks, albums, artists, features = [], [], [], []
    for style, spec in STYLES.items():
        artist_name = f"{style} artist"
        artists.append(artist_obj(artist_name, genres=spec["genres"]))
        album = album_obj(f"{style} album", artists=[artist_name], label=label, release_date=f"{spec['year']}-05-01")
        albums.append(album)
        for i in range(per_style):
            values = {
                k: max(0.0, v + rng.gauss(0, jitter * (100 if k == "tempo" else 1))) for k, v in spec["audio"].items()
            }
            track = track_obj(
                f"{style} track {i}",
                album=album,
                artists=[artist_name],
                track_number=i + 1,
                duration_ms=int(spec["minutes"] * 60000 * (1 + rng.gauss(0, jitter))),
                explicit=spec["explicit"],
            )
            saved_tracks.append(saved(track))
            if with_audio:
                features.append(features_obj(track, **values))
    data = LibraryData(saved_tracks=saved_tracks, albums=albums, artists=artists, audio_features=features)
    library_upsert(data=data, label_source="import")
    return data
