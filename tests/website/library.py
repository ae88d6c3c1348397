"""A generated library for page tests, written through the real upsert service.

``page_library(n_albums)`` makes labels and artists with pages (≥10 tracks), a co-label album
with a second raw spelling, hostile names (``|``, ``<script>``, Markdown) and non-Latin names.
"""

from __future__ import annotations

from catalog.services import LibraryData, library_upsert
from tests.factories import album_obj, artist_obj, features_obj, saved, track_obj

HOSTILE_TRACK = "Pipe | <script>alert(1)</script> *x* [x](y)"
HOSTILE_ARTIST = "<b>Bold</b> | *Star* [link](http://evil.example)"
HOSTILE_LABEL = "Evil <img src=x onerror=alert(2)> | *Records*"
CJK_ARTISTS = ["악동뮤지션", "ヨルシカ", "周杰伦", "עומר אדם"]


def page_library(n_albums: int = 4, tracks_per_album: int = 5) -> None:
    """Write a library of ``n_albums`` Darkroom albums plus fixed extras (about 40 + n*5 tracks)."""
    albums, tracks, saved_tracks, features = [], [], [], []
    artists = [
        artist_obj("Billie Eilish", genres=["pop", "art pop"]),
        artist_obj("Khalid", genres=["r&b"]),
        artist_obj(HOSTILE_ARTIST, genres=["hyper|pop"]),
        *[artist_obj(name, genres=["k-pop"]) for name in CJK_ARTISTS],
    ]

    def add_album(name, artist_names, n, *, label=None, copyrights=None, liked_every=2, date="2020-01-01"):
        album = album_obj(name, artists=artist_names[:1], label=label, copyrights=copyrights, release_date=date)
        albums.append(album)
        for i in range(n):
            track = track_obj(f"{name} song {i + 1}", album=album, artists=artist_names, track_number=i + 1)
            (saved_tracks.append(saved(track)) if i % liked_every == 0 else tracks.append(track))
            features.append(features_obj(track, energy=(i % 7) / 7, danceability=(i % 3) / 3))

    for k in range(n_albums):
        add_album(f"Darkroom album {k + 1}", ["Billie Eilish"], tracks_per_album, label="Darkroom",
                  date=f"20{10 + k % 10}-01-01")  # fmt: skip
    add_album(
        "Split single",
        ["Billie Eilish", "Khalid"],
        3,
        copyrights=[{"text": "℗ 2019 Darkroom/Interscope Records", "type": "P"}],
    )
    add_album("Interscope extra", ["Khalid"], 9, label="Interscope Records")
    add_album("Hostile album | <i>x</i>", [HOSTILE_ARTIST], 10, label=HOSTILE_LABEL, liked_every=1)
    for j, name in enumerate(CJK_ARTISTS):
        add_album(f"{name} 앨범 {j}", [name], 3, label="K-Label 한국")
    add_album("Tiny label album", ["Khalid"], 2, label="Tiny Label")

    library_upsert(
        data=LibraryData(
            saved_tracks=saved_tracks, tracks=tracks, albums=albums, artists=artists, audio_features=features
        )
    )
