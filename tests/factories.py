"""Builders of spotipy-shaped objects (as Spotify's Web API returns them to a Development Mode
app in 2026: no album label, no popularity or followers), and a helper that writes them through
the real upsert service."""

from __future__ import annotations

import hashlib
import string

_ALPHABET = string.ascii_letters + string.digits


def sid(seed: str) -> str:
    """A deterministic 22-character base62 Spotify id for a readable seed."""
    digest = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    out = []
    for _ in range(22):
        digest, rem = divmod(digest, 62)
        out.append(_ALPHABET[rem])
    return "".join(out)


def artist_obj(name: str, *, genres: list[str] | None = None, image: str | None = None, **extra) -> dict:
    obj = {
        "id": sid("artist:" + name),
        "name": name,
        "type": "artist",
        "uri": "spotify:artist:" + sid("artist:" + name),
        "images": [{"url": image or f"https://i.scdn.co/image/{sid('img:' + name)}", "height": 640, "width": 640}],
    }
    if genres is not None:
        obj["genres"] = genres
    obj.update(extra)
    return obj


def simple_artist(name: str) -> dict:
    return {
        "id": sid("artist:" + name),
        "name": name,
        "type": "artist",
        "uri": "spotify:artist:" + sid("artist:" + name),
    }


def album_obj(
    name: str,
    *,
    artists: list[str],
    label: str | None = None,
    copyrights: list[dict] | None = None,
    release_date: str = "2020-01-01",
    album_type: str = "album",
    **extra,
) -> dict:
    """A full album object; ``label`` only when given (Development Mode apps don't get it)."""
    album_id = sid("album:" + name)
    obj = {
        "id": album_id,
        "name": name,
        "type": "album",
        "uri": "spotify:album:" + album_id,
        "album_type": album_type,
        "release_date": release_date,
        "release_date_precision": "day" if len(release_date) == 10 else "year",
        "total_tracks": 10,
        "images": [{"url": f"https://i.scdn.co/image/{sid('cover:' + name)}", "height": 640, "width": 640}],
        "artists": [simple_artist(a) for a in artists],
        "copyrights": copyrights if copyrights is not None else [],
        "external_ids": {"upc": "00602" + str(abs(hash(name)) % 10**7).zfill(7)},
    }
    if label is not None:
        obj["label"] = label
    obj.update(extra)
    return obj


def simple_album(album: dict) -> dict:
    """The simplified album embedded in a track object (no label, no copyrights)."""
    keep = ("id", "name", "type", "uri", "album_type", "release_date", "release_date_precision", "total_tracks",
            "images", "artists")  # fmt: skip
    return {k: album[k] for k in keep if k in album}


def track_obj(name: str, *, album: dict, artists: list[str], track_number: int = 1, **extra) -> dict:
    track_id = sid(f"track:{album['id']}:{name}")
    obj = {
        "id": track_id,
        "name": name,
        "type": "track",
        "uri": "spotify:track:" + track_id,
        "album": simple_album(album),
        "artists": [simple_artist(a) for a in artists],
        "duration_ms": 180000 + track_number * 1000,
        "explicit": False,
        "disc_number": 1,
        "track_number": track_number,
        "external_ids": {"isrc": "USAB1" + str(abs(hash(name)) % 10**7).zfill(7)},
    }
    obj.update(extra)
    return obj


def saved(track: dict, added_at: str = "2024-05-01T12:00:00Z") -> dict:
    return {"added_at": added_at, "track": track}


def features_obj(track: dict, **values) -> dict:
    base = {
        "id": track["id"],
        "danceability": 0.5,
        "energy": 0.5,
        "key": 5,
        "loudness": -8.0,
        "mode": 1,
        "speechiness": 0.05,
        "acousticness": 0.3,
        "instrumentalness": 0.0,
        "liveness": 0.1,
        "valence": 0.5,
        "tempo": 120.0,
        "time_signature": 4,
    }
    base.update(values)
    return base
