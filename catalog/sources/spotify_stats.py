"""Reading the original spotify-stats generator's CSV data folder (seed-system.md §6.1).

The folder holds tracks.csv, albums.csv, artists.csv and track_artist.csv (required), and
album_artist.csv, artist_genre.csv, liked_tracks.csv, audio_features.csv (optional; playlists
are not part of a label site and are ignored). Ids are URIs (``spotify:track:…``).
liked_tracks.csv is the complete liked set: tracks not in it are not liked on Spotify.
Rows become spotipy-shaped objects (``catalog.sources.batches.TrackBundle``).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from catalog.models import AudioFeatures
from catalog.sources.batches import SourceLibrary, TrackBundle
from catalog.sources.csvutil import BadRows, CsvRow, ImportFileError, csv_open

_INT_FEATURES = {"key", "mode", "time_signature"}


def spotify_stats_read(folder: Path, *, bad_rows: BadRows | None = None) -> SourceLibrary:
    """Read a spotify-stats data folder; raises ``ImportFileError`` naming file, line and column.

    With ``bad_rows.skip``, a bad row (and rows referring to it) is reported and left out.
    """
    bad_rows = bad_rows or BadRows()
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportFileError("not a folder (expected a spotify-stats data folder with tracks.csv …)", file=str(folder))
    reader = _Reader(folder, bad_rows)
    return reader.read()


class _Reader:
    def __init__(self, folder: Path, bad_rows: BadRows) -> None:
        self.folder = folder
        self.bad_rows = bad_rows
        self.artists: dict[str, dict] = {}
        self.albums: dict[str, dict] = {}
        self.tracks: dict[str, dict] = {}
        self.track_album: dict[str, str] = {}

    def rows(self, name: str, required: tuple[str, ...], *, optional_file: bool = False):
        """Rows of one file; bad rows are raised or skipped by ``self.bad_rows`` (the caller's try block)."""
        path = self.folder / name
        if optional_file and not path.exists():
            return None
        return csv_open(path, required=required).rows(self.bad_rows)

    def each(self, rows, handle) -> None:
        for row in rows or ():
            try:
                handle(row)
            except ImportFileError as error:
                self.bad_rows.handle(error)

    def read(self) -> SourceLibrary:
        # Open the required files first: a missing file or column fails before any row is read.
        artists = self.rows("artists.csv", ("name", "uri"))
        albums = self.rows("albums.csv", ("name", "uri"))
        tracks = self.rows("tracks.csv", ("name", "uri", "album_uri"))
        track_artists = self.rows("track_artist.csv", ("track_uri", "artist_uri"))
        album_artists = self.rows("album_artist.csv", ("album_uri", "artist_uri"), optional_file=True)
        genres = self.rows("artist_genre.csv", ("artist_uri", "genre"), optional_file=True)
        liked = self.rows("liked_tracks.csv", ("track_uri",), optional_file=True)
        features = self.rows("audio_features.csv", ("track_uri",), optional_file=True)

        self.each(artists, self.add_artist)
        if genres is not None:
            for artist in self.artists.values():
                artist["genres"] = []  # the file lists every genre: an artist without rows has none
        self.each(genres, self.add_genre)
        self.each(albums, self.add_album)
        self.album_credits: dict[str, list[str]] = defaultdict(list)
        self.each(album_artists, self.add_album_artist)
        self.each(tracks, self.add_track)
        self.credits: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        self.each(track_artists, self.add_track_artist)
        self.attach_credits()
        self.liked: set[str] = set()
        self.each(liked, self.add_liked)
        self.features: dict[str, dict] = {}
        self.each(features, self.add_features)
        return self.library(liked_complete=liked is not None)

    # -- one handler per file ------------------------------------------------------------------

    def add_artist(self, row: CsvRow) -> None:
        aid = row.spotify_id("uri", "artist")
        self._unique(row, "uri", aid, self.artists)
        artist = {"id": aid, "name": row.text("name", required=True), "images": _images(row.text("image_url"))}
        popularity, followers = row.integer("popularity"), row.integer("followers")
        if popularity is not None:
            artist["popularity"] = popularity
        if followers is not None:
            artist["followers"] = {"total": followers}
        artist["_line"] = row.line
        self.artists[aid] = artist

    def add_genre(self, row: CsvRow) -> None:
        artist = self._known(row, "artist_uri", "artist", self.artists, "artists.csv")
        genre = row.text("genre", required=True)
        if genre not in artist["genres"]:
            artist["genres"].append(genre)

    def add_album(self, row: CsvRow) -> None:
        alid = row.spotify_id("uri", "album")
        self._unique(row, "uri", alid, self.albums)
        album = {
            "id": alid,
            "name": row.text("name", required=True),
            "album_type": row.text("album_type"),
            "label": row.text("label"),
            "release_date": row.release_date("release_date"),
            "total_tracks": row.integer("total_tracks"),
            "images": _images(row.text("image_url")),
        }
        popularity = row.integer("popularity")
        if popularity is not None:
            album["popularity"] = popularity
        self.albums[alid] = album

    def add_album_artist(self, row: CsvRow) -> None:
        album = self._known(row, "album_uri", "album", self.albums, "albums.csv")
        artist = self._known(row, "artist_uri", "artist", self.artists, "artists.csv")
        if artist["id"] not in self.album_credits[album["id"]]:
            self.album_credits[album["id"]].append(artist["id"])

    def add_track(self, row: CsvRow) -> None:
        tid = row.spotify_id("uri", "track")
        self._unique(row, "uri", tid, self.tracks)
        album = self._known(row, "album_uri", "album", self.albums, "albums.csv")
        track = {
            "id": tid,
            "name": row.text("name", required=True),
            "duration_ms": row.integer("duration_ms"),
            "explicit": row.boolean("explicit"),
            "_line": row.line,
        }
        popularity = row.integer("popularity")
        if popularity is not None:
            track["popularity"] = popularity
        isrc = row.text("isrc")
        if isrc:
            track["external_ids"] = {"isrc": isrc}
        self.tracks[tid] = track
        self.track_album[tid] = album["id"]

    def add_track_artist(self, row: CsvRow) -> None:
        track = self._known(row, "track_uri", "track", self.tracks, "tracks.csv")
        artist = self._known(row, "artist_uri", "artist", self.artists, "artists.csv")
        index = row.integer("artist_index") if row.has("artist_index") else None
        # Credits sort by artist_index, then by file order when the index is missing or equal.
        self.credits[track["id"]].append((index if index is not None else 1 << 30, row.line, artist["id"]))

    def attach_credits(self) -> None:
        for tid in list(self.tracks):
            credits = sorted(self.credits.get(tid, ()))
            if not credits:
                line = self.tracks[tid]["_line"]
                del self.tracks[tid]
                error = ImportFileError("no artist in track_artist.csv", file="tracks.csv", line=line, column="uri")
                self.bad_rows.handle(error)
                continue
            self.tracks[tid]["_artists"] = list(dict.fromkeys(aid for _, _, aid in credits))

    def add_liked(self, row: CsvRow) -> None:
        track = self._known(row, "track_uri", "track", self.tracks, "tracks.csv")
        self.liked.add(track["id"])

    def add_features(self, row: CsvRow) -> None:
        track = self._known(row, "track_uri", "track", self.tracks, "tracks.csv")
        values = {
            f: (row.integer(f) if f in _INT_FEATURES else row.number(f))
            for f in AudioFeatures.FEATURE_FIELDS
            if row.has(f)
        }
        if any(v is not None for v in values.values()):
            self.features[track["id"]] = {"id": track["id"], **values, "_source": "import"}

    # -- checks --------------------------------------------------------------------------------

    @staticmethod
    def _unique(row: CsvRow, column: str, key: str, seen: dict[str, dict]) -> None:
        if key in seen:
            raise row.error(column, f"duplicate {row.text(column)!r}")

    @staticmethod
    def _known(row: CsvRow, column: str, kind: str, known: dict[str, dict], where: str) -> dict:
        key = row.spotify_id(column, kind)
        if key not in known:
            raise row.error(column, f"unknown {kind} {row.text(column)!r} (not in {where})")
        return known[key]

    # -- spotipy shapes ------------------------------------------------------------------------

    def library(self, *, liked_complete: bool) -> SourceLibrary:
        artist_objs = {aid: _public(a) for aid, a in self.artists.items()}
        album_objs: dict[str, dict] = {}
        for alid, album in self.albums.items():
            full = dict(album)
            if alid in self.album_credits:
                full["artists"] = [_simple(artist_objs[a]) for a in self.album_credits[alid]]
            album_objs[alid] = full
        library = SourceLibrary(skipped_rows=list(self.bad_rows.skipped))
        for tid, track in self.tracks.items():
            album = album_objs[self.track_album[tid]]
            artist_ids = track["_artists"] + [a["id"] for a in album.get("artists", ())]
            obj = {k: v for k, v in track.items() if not k.startswith("_")}
            obj["album"] = {k: album[k] for k in ("id", "name", "album_type", "release_date", "total_tracks", "images")}
            obj["artists"] = [_simple(artist_objs[a]) for a in track["_artists"]]
            library.bundles.append(
                TrackBundle(
                    track=obj,
                    album=album,
                    artists=[artist_objs[a] for a in dict.fromkeys(artist_ids)],
                    features=self.features.get(tid),
                    liked=tid in self.liked,
                )
            )
        library.extra_albums = list(album_objs.values())
        library.extra_artists = list(artist_objs.values())
        library.liked_complete_ids = set(self.liked) if liked_complete else None
        return library


def _images(url: str) -> list[dict]:
    return [{"url": url}] if url else []


def _public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _simple(artist: dict) -> dict:
    return {"id": artist["id"], "name": artist["name"]}
