"""Reading Exportify CSV files, in both live header sets (spotify-api.md §4).

- exportify.net (pavelkomarov/exportify): ``Track URI, Track Name, Album Name, Artist Name(s),
  Release Date, …, Genres, Record Label, Danceability … Time Signature``. Artists are
  ``;``-separated names without ids, so artists and albums get stable made-up ids
  (``exportify-<hash>``, never a valid Spotify id): an artist by name, an album by
  (name, release date, record label).
- exportify.app (watsonbox/exportify): ``Track URI, Track Name, Artist URI(s), Artist Name(s),
  Album URI, Album Name, Album Artist URI(s), …``, with optional ``Artist Genres``, audio
  features, ``Album Genres, Label, Copyrights``. Lists are joined with ", "; a comma inside a
  name is written ``\\,``.

A file named like Exportify's "Liked Songs" export (``liked_songs.csv``), or any file with
``liked=True``, marks its tracks liked (``Added At`` becomes the liked date). Local files (no
track URI, or ``spotify:local:…``) are skipped and counted. Missing optional columns (genres,
label, audio features) are simply absent data: nothing already known is erased.
Genres belong to the track's artists together; they are given to an artist only from tracks
where it is the only artist.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from catalog.models import AudioFeatures
from catalog.sources.batches import SourceLibrary, TrackBundle
from catalog.sources.csvutil import BadRows, CsvFile, CsvRow, ImportFileError, csv_open, parse_spotify_id

NET_REQUIRED = ("Track URI", "Track Name", "Album Name", "Artist Name(s)")
APP_REQUIRED = ("Track URI", "Track Name", "Artist URI(s)", "Artist Name(s)", "Album URI", "Album Name")
_APP_MARKERS = ("Artist URI(s)", "Album URI", "Album Artist URI(s)")
_FEATURE_COLUMNS = {
    "danceability": "Danceability",
    "energy": "Energy",
    "key": "Key",
    "loudness": "Loudness",
    "mode": "Mode",
    "speechiness": "Speechiness",
    "acousticness": "Acousticness",
    "instrumentalness": "Instrumentalness",
    "liveness": "Liveness",
    "valence": "Valence",
    "tempo": "Tempo",
    "time_signature": "Time Signature",
}
_INT_FEATURES = {"key", "mode", "time_signature"}
_APP_LIST_SPLIT = re.compile(r"(?<!\\),\s*")
_COPYRIGHT_SPLIT = re.compile(r",\s*(?=[CP] )")


def is_liked_songs_file(path: Path) -> bool:
    """Exportify names the Liked Songs export ``liked_songs.csv`` (browsers may add `` (1)``)."""
    stem = re.sub(r"[^a-z0-9]+", "_", path.stem.lower()).strip("_")
    return stem == "liked_songs" or re.fullmatch(r"liked_songs_\d+", stem) is not None


def exportify_read(
    paths: Sequence[Path], *, bad_rows: BadRows | None = None, liked: bool | None = None
) -> SourceLibrary:
    """Read Exportify CSV files into one library; raises ``ImportFileError`` naming file, line, column.

    ``liked``: None = decide per file by its name (Liked Songs export); True/False = all files.
    A track in several files is read once (first occurrence); it is liked if any liked file has it.
    """
    bad_rows = bad_rows or BadRows()
    files = [(path, _open(Path(path))) for path in paths]  # check every header before reading rows
    state = _State()
    for path, csv_file in files:
        file_liked = is_liked_songs_file(Path(path)) if liked is None else liked
        app = any(c in csv_file.header for c in _APP_MARKERS)
        for row in csv_file.rows(bad_rows):
            try:
                bundle = _app_bundle(row, state) if app else _net_bundle(row, state)
                added_at = row.date_time("Added At") if file_liked else None
            except ImportFileError as error:
                bad_rows.handle(error)
                continue
            if bundle is not None:
                state.add(bundle, liked=file_liked, added_at=added_at)
    return state.library(bad_rows)


def _open(path: Path) -> CsvFile:
    probe = csv_open(path)
    app = any(c in probe.header for c in _APP_MARKERS)
    return csv_open(path, required=APP_REQUIRED if app else NET_REQUIRED)


@dataclass
class _State:
    bundles: dict[str, TrackBundle] = field(default_factory=dict)
    artists: dict[str, dict] = field(default_factory=dict)
    albums: dict[str, dict] = field(default_factory=dict)
    solo_genres: dict[str, list[str]] = field(default_factory=dict)
    local_files: int = 0

    def artist(self, aid: str, name: str) -> dict:
        return self.artists.setdefault(aid, {"id": aid, "name": name})

    def add(self, bundle: TrackBundle, *, liked: bool, added_at: str | None) -> None:
        tid = bundle.track["id"]
        known = self.bundles.get(tid)
        if known is None:
            self.bundles[tid] = known = bundle
        if liked and not known.liked:
            known.liked, known.added_at = True, added_at

    def library(self, bad_rows: BadRows) -> SourceLibrary:
        for aid, genres in self.solo_genres.items():
            self.artists[aid]["genres"] = genres
        library = SourceLibrary(skipped_rows=list(bad_rows.skipped), local_files=self.local_files)
        for bundle in self.bundles.values():
            artist_ids = [a["id"] for a in bundle.track["artists"]]
            if bundle.album is not None:
                artist_ids += [a["id"] for a in bundle.album.get("artists", ())]
            # Only artists with genres go as full objects: a full object without images would erase
            # an image a Spotify refresh had stored.
            bundle.artists = [self.artists[a] for a in dict.fromkeys(artist_ids) if "genres" in self.artists[a]]
            library.bundles.append(bundle)
        return library


def _track_id(row: CsvRow, state: _State) -> str | None:
    uri = row.text("Track URI")
    if not uri or uri.startswith("spotify:local:"):
        state.local_files += 1
        return None
    return row.spotify_id("Track URI", "track")


def _made_up_id(*parts: str) -> str:
    digest = hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:20]
    return f"exportify-{digest}"


def _net_bundle(row: CsvRow, state: _State) -> TrackBundle | None:
    tid = _track_id(row, state)
    if tid is None:
        return None
    names = [n.strip() for n in row.text("Artist Name(s)", required=True).split(";") if n.strip()]
    artists = [state.artist(_made_up_id("artist", n), n) for n in names]
    album_name = row.text("Album Name", required=True)
    release_date = row.release_date("Release Date")
    label = row.text("Record Label")
    album_id = _made_up_id("album", album_name, release_date, label)
    track = _track_fields(row, tid, duration="Duration (ms)")
    track["album"] = {"id": album_id, "name": album_name, "release_date": release_date}
    track["artists"] = [{"id": a["id"], "name": a["name"]} for a in artists]
    album = None
    if row.has("Record Label"):
        album = {**track["album"], "label": label}
    _note_genres(row, "Genres", artists, state)
    return TrackBundle(track=track, album=album, features=_features(row, tid))


def _app_bundle(row: CsvRow, state: _State) -> TrackBundle | None:
    tid = _track_id(row, state)
    if tid is None:
        return None
    artists = _app_artists(row, "Artist URI(s)", "Artist Name(s)", state, required=True)
    album_id = row.spotify_id("Album URI", "album")
    album_artists = _app_artists(row, "Album Artist URI(s)", "Album Artist Name(s)", state, required=False)
    track = _track_fields(row, tid, duration="Track Duration (ms)")
    track["disc_number"] = row.integer("Disc Number")
    track["track_number"] = row.integer("Track Number")
    image = row.text("Album Image URL")
    track["album"] = {
        "id": album_id,
        "name": row.text("Album Name", required=True),
        "release_date": row.release_date("Album Release Date"),
        "images": [{"url": image}] if image else [],
    }
    if album_artists:
        track["album"]["artists"] = [{"id": a["id"], "name": a["name"]} for a in album_artists]
    track["artists"] = [{"id": a["id"], "name": a["name"]} for a in artists]
    album = None
    if row.has("Label") or row.has("Copyrights"):
        album = {**track["album"], "label": row.text("Label"), "copyrights": _copyrights(row.text("Copyrights"))}
    _note_genres(row, "Artist Genres", artists, state)
    return TrackBundle(track=track, album=album, features=_features(row, tid))


def _app_artists(row: CsvRow, uri_col: str, name_col: str, state: _State, *, required: bool) -> list[dict]:
    uris = [u for u in _APP_LIST_SPLIT.split(row.text(uri_col, required=required)) if u]
    names = [n.replace("\\,", ",").strip() for n in _APP_LIST_SPLIT.split(row.text(name_col)) if n.strip()]
    if len(uris) != len(names):
        raise row.error(name_col, f"{len(names)} names for {len(uris)} artist URIs in {uri_col!r}")
    artists = []
    for uri, name in zip(uris, names, strict=True):
        aid = _parse_id(row, uri_col, uri, "artist")
        artists.append(state.artist(aid, name))
    return artists


def _parse_id(row: CsvRow, column: str, value: str, kind: str) -> str:
    return parse_spotify_id(value.strip(), kind, error=lambda msg: row.error(column, msg))


def _track_fields(row: CsvRow, tid: str, *, duration: str) -> dict:
    track = {
        "id": tid,
        "name": row.text("Track Name", required=True),
        "duration_ms": row.integer(duration),
        "explicit": row.boolean("Explicit"),
    }
    popularity = row.integer("Popularity")
    if popularity is not None:
        track["popularity"] = popularity
    isrc = row.text("ISRC")
    if isrc:
        track["external_ids"] = {"isrc": isrc}
    return track


def _note_genres(row: CsvRow, column: str, artists: list[dict], state: _State) -> None:
    if not row.has(column) or len(artists) != 1:
        return
    genres = [g.strip() for g in row.text(column).split(",") if g.strip()]
    known = state.solo_genres.setdefault(artists[0]["id"], [])
    known += [g for g in genres if g not in known]


def _features(row: CsvRow, tid: str) -> dict | None:
    values = {
        field_name: row.integer(col) if field_name in _INT_FEATURES else row.number(col)
        for field_name, col in _FEATURE_COLUMNS.items()
        if row.has(col)
    }
    if not any(v is not None for v in values.values()):
        return None
    return {"id": tid, **{f: values.get(f) for f in AudioFeatures.FEATURE_FIELDS}, "_source": "import"}


def _copyrights(text: str) -> list[dict]:
    """exportify.app writes ``C 2020 Owner, P 2020 Label``: type letter, space, text; ", " between."""
    out = []
    for part in _COPYRIGHT_SPLIT.split(text.strip()) if text.strip() else ():
        part = part.strip()
        if len(part) > 2 and part[0] in "CP" and part[1] == " ":
            out.append({"type": part[0], "text": part[2:].strip()})
        elif part:
            out.append({"type": "", "text": part})
    return out
