"""Writes to the catalog. ``library_upsert`` is the single write path for library data.

Every source — the Spotify refresh, the CSV imports, the demo library — turns what it read into
spotipy-shaped dicts (saved-track items, track objects, full album objects, artist objects,
audio-feature objects) and hands them to ``library_upsert``, which writes them idempotently in
one transaction: the same data applied twice changes nothing.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog import labels as label_rules
from catalog.cache import bump_catalog_version
from catalog.models import (
    Album,
    AlbumArtist,
    AlbumLabel,
    Artist,
    AudioFeatures,
    Genre,
    Label,
    LabelAlias,
    LabelSource,
    SlugRedirect,
    Track,
    TrackArtist,
)

logger = logging.getLogger(__name__)

# Sources whose label links an import or refresh may replace (never ``admin``).
_AUTOMATIC_LABEL_SOURCES = {s.value for s in LabelSource if s != LabelSource.ADMIN}


class UpsertError(ValueError):
    """Library data that cannot be written; the message names the object and the field."""


@dataclass
class LibraryData:
    """A batch of library data in the shapes spotipy returns.

    - ``saved_tracks``: items of ``GET /me/tracks`` (``{"added_at": ..., "track": {...}}``): liked on Spotify.
    - ``tracks``: track objects that are in the library but not (known to be) saved.
    - ``albums``: full album objects (``GET /albums/{id}``), may carry ``label`` and ``copyrights``.
    - ``artists``: full artist objects (``GET /artists/{id}``), may carry ``genres``.
    - ``audio_features``: audio-feature objects (``{"id": <track id>, "danceability": ...}``).
    - ``unliked_track_ids``: tracks known to be no longer saved on Spotify.
    - ``liked_complete``: ``saved_tracks`` is the whole liked library: any other track is not liked on Spotify.
    """

    saved_tracks: Sequence[dict] = ()
    tracks: Sequence[dict] = ()
    albums: Sequence[dict] = ()
    artists: Sequence[dict] = ()
    audio_features: Sequence[dict] = ()
    unliked_track_ids: Sequence[str] = ()
    liked_complete: bool = False


@dataclass
class UpsertResult:
    """Counts of what changed, and the ids of tracks whose data or liked state changed."""

    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unliked: int = 0
    changed_track_ids: set[int] = field(default_factory=set)
    changed_artist_ids: set[int] = field(default_factory=set)
    changed_label_ids: set[int] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()) or self.unliked)

    def merge(self, other: UpsertResult) -> None:
        self.created.update(other.created)
        self.updated.update(other.updated)
        self.unliked += other.unliked
        self.changed_track_ids |= other.changed_track_ids
        self.changed_artist_ids |= other.changed_artist_ids
        self.changed_label_ids |= other.changed_label_ids

    def summary(self) -> str:
        parts = [f"{n} {kind} added" for kind, n in sorted(self.created.items()) if n]
        parts += [f"{n} {kind} updated" for kind, n in sorted(self.updated.items()) if n]
        if self.unliked:
            parts.append(f"{self.unliked} tracks no longer liked")
        return ", ".join(parts) or "nothing changed"


# --- Shape helpers ------------------------------------------------------------------------------


def bare_id(value: str | None, kind: str = "") -> str:
    """``spotify:track:abc`` or a URL → ``abc``; a bare id is returned unchanged."""
    value = (value or "").strip()
    if value.startswith("spotify:"):
        return value.rsplit(":", 1)[-1]
    if "open.spotify.com/" in value:
        return value.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    return value


def first_image_url(images: Iterable[dict] | None) -> str:
    """Spotify lists images largest first; pick the largest (the page scales it down)."""
    for image in images or ():
        if image and image.get("url"):
            return image["url"]
    return ""


def release_year(release_date: str | None) -> int | None:
    head = (release_date or "")[:4]
    return int(head) if head.isdigit() and int(head) > 0 else None


def _require(obj: dict, key: str, what: str) -> Any:
    value = obj.get(key)
    if value in (None, ""):
        raise UpsertError(f"{what} {obj.get('id') or obj.get('uri') or '?'!s}: missing field '{key}'")
    return value


def _parse_added_at(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise UpsertError(f"saved track: field 'added_at' is not a date-time: {value!r}")
    return parsed


# --- The upsert ---------------------------------------------------------------------------------


def library_upsert(*, data: LibraryData, label_source: str = LabelSource.SPOTIFY) -> UpsertResult:
    """Write a batch of library data; idempotent, in one transaction.

    ``label_source`` is recorded on album→label links that come from an album's ``label`` field
    (``spotify`` for the API, ``import`` for files); labels read from ``copyrights`` record
    ``copyright_p``/``copyright_c``. Albums with admin-set labels keep them. Admin liked overrides
    are never touched. Returns what changed.
    """
    result = UpsertResult()
    with transaction.atomic():
        _Upsert(data, label_source, result).run()
        if result.changed:
            transaction.on_commit(bump_catalog_version)
    return result


class _Upsert:
    """One library_upsert call: collects the wanted state, diffs it against the database, writes."""

    def __init__(self, data: LibraryData, label_source: str, result: UpsertResult) -> None:
        self.data = data
        self.label_source = label_source
        self.result = result
        self.artist_pk: dict[str, int] = {}
        self.album_pk: dict[str, int] = {}

    def run(self) -> None:
        track_objs = self._collect_tracks()
        self._upsert_artists(track_objs)
        self._upsert_albums(track_objs)
        self._upsert_tracks(track_objs)
        self._apply_likes()
        self._upsert_audio_features()

    # -- collection --------------------------------------------------------------------------

    def _collect_tracks(self) -> dict[str, dict]:
        """Track objects by id; a saved item's ``added_at`` is kept under ``_added_at``."""
        tracks: dict[str, dict] = {}
        for obj in self.data.tracks:
            tid = bare_id(_require(obj, "id", "track"))
            tracks[tid] = obj
        for item in self.data.saved_tracks:
            obj = item.get("track")
            if not obj:
                continue  # Spotify sends null for tracks that became unavailable
            tid = bare_id(_require(obj, "id", "track"))
            tracks[tid] = {**obj, "_added_at": _parse_added_at(item.get("added_at")), "_saved": True}
        return tracks

    # -- artists -----------------------------------------------------------------------------

    def _upsert_artists(self, tracks: dict[str, dict]) -> None:
        wanted: dict[str, dict] = {}

        def add_simple(obj: dict) -> None:
            aid = bare_id(_require(obj, "id", "artist"))
            wanted.setdefault(aid, {"name": _require(obj, "name", "artist"), "_full": False})

        for track in tracks.values():
            for artist in track.get("artists") or ():
                add_simple(artist)
            for artist in (track.get("album") or {}).get("artists") or ():
                add_simple(artist)
        for album in self.data.albums:
            for artist in album.get("artists") or ():
                add_simple(artist)
        for obj in self.data.artists:
            aid = bare_id(_require(obj, "id", "artist"))
            full = {"name": _require(obj, "name", "artist"), "_full": True}
            full["image_url"] = first_image_url(obj.get("images"))
            if "genres" in obj and obj["genres"] is not None:
                full["_genres"] = sorted(
                    {g.strip().lower()[: Genre.MAX_LENGTH] for g in obj["genres"] if g and g.strip()}
                )
            if isinstance(obj.get("popularity"), int):
                full["popularity"] = obj["popularity"]
            followers = (obj.get("followers") or {}).get("total")
            if isinstance(followers, int):
                full["followers"] = followers
            wanted[aid] = full
        if not wanted:
            return

        existing = Artist.objects.in_bulk(list(wanted), field_name="spotify_id")
        new_rows, changed_rows, update_fields = [], [], set()
        for aid, want in wanted.items():
            row = existing.get(aid)
            fields = {k: v for k, v in want.items() if not k.startswith("_")}
            if want["_full"]:
                fields["details_fetched"] = True
            if row is None:
                new_rows.append(Artist(spotify_id=aid, **fields))
                continue
            diff = {k: v for k, v in fields.items() if getattr(row, k) != v}
            if diff:
                for k, v in diff.items():
                    setattr(row, k, v)
                update_fields |= set(diff)
                changed_rows.append(row)
        if new_rows:
            _assign_unique_slugs(Artist, new_rows, SlugRedirect.Kind.ARTIST)
            _bulk_insert(Artist, new_rows)
            self.result.created["artists"] += len(new_rows)
        if changed_rows:
            Artist.objects.bulk_update(changed_rows, sorted(update_fields | {"updated_at"}), batch_size=1000)
            self.result.updated["artists"] += len(changed_rows)
        self.artist_pk = dict(Artist.objects.filter(spotify_id__in=list(wanted)).values_list("spotify_id", "pk"))
        self.result.changed_artist_ids |= {self.artist_pk[r.spotify_id] for r in new_rows + changed_rows}
        self._set_genres({aid: w["_genres"] for aid, w in wanted.items() if "_genres" in w})

    def _set_genres(self, genres_by_artist: dict[str, list[str]]) -> None:
        if not genres_by_artist:
            return
        names = {g for gs in genres_by_artist.values() for g in gs}
        known = dict(Genre.objects.filter(name__in=names).values_list("name", "pk"))
        missing = [Genre(name=n) for n in sorted(names - set(known))]
        if missing:
            Genre.objects.bulk_create(missing, ignore_conflicts=True, batch_size=1000)
            known = dict(Genre.objects.filter(name__in=names).values_list("name", "pk"))
        through = Artist.genres.through
        artist_pks = [self.artist_pk[a] for a in genres_by_artist]
        current: dict[int, set[int]] = defaultdict(set)
        for a_pk, g_pk in through.objects.filter(artist_id__in=artist_pks).values_list("artist_id", "genre_id"):
            current[a_pk].add(g_pk)
        to_delete, to_add = [], []
        for aid, gs in genres_by_artist.items():
            a_pk = self.artist_pk[aid]
            want = {known[g] for g in gs}
            if want != current[a_pk]:
                to_delete.append(a_pk)
                to_add += [through(artist_id=a_pk, genre_id=g) for g in want]
                self.result.changed_artist_ids.add(a_pk)
        if to_delete:
            through.objects.filter(artist_id__in=to_delete).delete()
            _bulk_insert(through, to_add)
            self.result.updated["artist genres"] += len(to_delete)

    # -- albums and labels -------------------------------------------------------------------

    def _upsert_albums(self, tracks: dict[str, dict]) -> None:
        wanted: dict[str, dict] = {}
        for track in tracks.values():
            album = track.get("album")
            if album:
                alid = bare_id(_require(album, "id", "album"))
                wanted.setdefault(alid, {**self._album_fields(album), "_full": False, "_obj": album})
        for album in self.data.albums:
            alid = bare_id(_require(album, "id", "album"))
            wanted[alid] = {**self._album_fields(album), "_full": True, "_obj": album}
        for track_id, track in tracks.items():
            if not track.get("album"):
                raise UpsertError(f"track {track_id}: missing field 'album'")
        if not wanted:
            return

        existing = Album.objects.in_bulk(list(wanted), field_name="spotify_id")
        new_rows, changed_rows, update_fields = [], [], set()
        label_wanted: dict[str, tuple[str, str]] = {}
        for alid, want in wanted.items():
            fields = {k: v for k, v in want.items() if not k.startswith("_")}
            if want["_full"]:
                raw, source = self._album_label(want["_obj"])
                fields["raw_label"] = raw
                fields["details_fetched"] = True
                label_wanted[alid] = (raw, source)
            else:
                # A simplified album (inside a track) must not erase what a full object told us.
                fields = {k: v for k, v in fields.items() if v not in ("", None)}
            row = existing.get(alid)
            if row is None:
                new_rows.append(Album(spotify_id=alid, **fields))
                continue
            diff = {k: v for k, v in fields.items() if getattr(row, k) != v}
            if diff:
                for k, v in diff.items():
                    setattr(row, k, v)
                update_fields |= set(diff)
                changed_rows.append(row)
        if new_rows:
            _bulk_insert(Album, new_rows)
            self.result.created["albums"] += len(new_rows)
        if changed_rows:
            Album.objects.bulk_update(changed_rows, sorted(update_fields | {"updated_at"}), batch_size=1000)
            self.result.updated["albums"] += len(changed_rows)
        self.album_pk = dict(Album.objects.filter(spotify_id__in=list(wanted)).values_list("spotify_id", "pk"))
        self._set_album_artists(wanted)
        self._set_album_labels(label_wanted)

    @staticmethod
    def _album_fields(album: dict) -> dict:
        release_date = (album.get("release_date") or "")[:10]
        fields = {
            "name": _require(album, "name", "album"),
            "album_type": album.get("album_type") or "",
            "release_date": release_date,
            "release_year": release_year(release_date),
            "total_tracks": album.get("total_tracks"),
            "image_url": first_image_url(album.get("images")),
        }
        upc = (album.get("external_ids") or {}).get("upc")
        if upc:
            fields["upc"] = upc
        if isinstance(album.get("popularity"), int):
            fields["popularity"] = album["popularity"]
        return fields

    def _album_label(self, album: dict) -> tuple[str, str]:
        """The raw label string and its source: ``label`` if present, else the copyrights."""
        raw = (album.get("label") or "").strip()
        if raw:
            return raw, self.label_source
        return label_rules.label_from_copyrights(album.get("copyrights"))

    def _set_album_artists(self, wanted: dict[str, dict]) -> None:
        full = {alid: w["_obj"] for alid, w in wanted.items() if w["_obj"].get("artists")}
        if not full:
            return
        album_pks = [self.album_pk[a] for a in full]
        current: dict[int, list[int]] = defaultdict(list)
        for al, ar in (
            AlbumArtist.objects.filter(album_id__in=album_pks)
            .order_by("album_id", "position")
            .values_list("album_id", "artist_id")
        ):
            current[al].append(ar)
        to_delete, to_add = [], []
        for alid, obj in full.items():
            al_pk = self.album_pk[alid]
            want = list(dict.fromkeys(self.artist_pk[bare_id(a["id"])] for a in obj["artists"]))
            if want != current[al_pk]:
                to_delete.append(al_pk)
                to_add += [AlbumArtist(album_id=al_pk, artist_id=ar, position=i) for i, ar in enumerate(want)]
        if to_delete:
            AlbumArtist.objects.filter(album_id__in=to_delete).delete()
            _bulk_insert(AlbumArtist, to_add)

    def _set_album_labels(self, label_wanted: dict[str, tuple[str, str]]) -> None:
        if not label_wanted:
            return
        album_pks = [self.album_pk[a] for a in label_wanted]
        current: dict[int, list[tuple]] = defaultdict(list)
        admin_albums: set[int] = set()
        for link in AlbumLabel.objects.filter(album_id__in=album_pks).order_by("album_id", "position"):
            if link.source == LabelSource.ADMIN:
                admin_albums.add(link.album_id)
            current[link.album_id].append((link.label_id, link.raw_label, link.raw_piece, link.source, link.label_id))

        # Resolve every standardized key to a Label (through aliases), creating missing ones.
        pieces_by_album: dict[int, tuple[str, str, list[label_rules.LabelPiece]]] = {}
        for alid, (raw, source) in label_wanted.items():
            al_pk = self.album_pk[alid]
            if al_pk in admin_albums:
                continue  # curated by an admin: refreshes and imports keep it
            pieces = label_rules.split_label_string(raw) if raw else []
            pieces = [label_rules.LabelPiece(p.raw, p.key[: Label.KEY_MAX_LENGTH]) for p in pieces]
            pieces_by_album[al_pk] = (raw, source, pieces)
        label_by_key = self._labels_for_keys(pieces_by_album.values())

        to_delete, to_add = [], []
        for al_pk, (raw, source, pieces) in pieces_by_album.items():
            want, seen = [], set()
            for piece in pieces:
                label_pk = label_by_key[piece.key]
                if label_pk not in seen:
                    seen.add(label_pk)
                    want.append((label_pk, raw, piece.raw, source, label_pk))
            if want != current[al_pk]:
                to_delete.append(al_pk)
                to_add += [
                    AlbumLabel(album_id=al_pk, label_id=lp, raw_label=r, raw_piece=p, source=s, position=i)
                    for i, (lp, r, p, s, _) in enumerate(want)
                ]
                self.result.changed_label_ids |= {w[0] for w in want} | {c[0] for c in current[al_pk]}
        if to_delete:
            AlbumLabel.objects.filter(album_id__in=to_delete).delete()
            _bulk_insert(AlbumLabel, to_add)
            self.result.updated["album labels"] += len(to_delete)
            label_display_names_refresh(label_ids=self.result.changed_label_ids)

    def _labels_for_keys(self, album_pieces: Iterable[tuple[str, str, list]]) -> dict[str, int]:
        spellings: dict[str, Counter] = defaultdict(Counter)
        for _raw, _source, pieces in album_pieces:
            for piece in pieces:
                spellings[piece.key][piece.raw] += 1
        if not spellings:
            return {}
        keys = list(spellings)
        by_key = dict(Label.objects.filter(key__in=keys).values_list("key", "pk"))
        by_key.update(LabelAlias.objects.filter(key__in=keys).values_list("key", "label_id"))
        new_labels = []
        for key in keys:
            if key not in by_key:
                name = label_rules.display_name_for(spellings[key])
                new_labels.append(Label(key=key, name=name))
        if new_labels:
            _assign_unique_slugs(Label, new_labels, SlugRedirect.Kind.LABEL)
            Label.objects.bulk_create(new_labels, batch_size=1000)
            self.result.created["labels"] += len(new_labels)
            by_key.update(Label.objects.filter(key__in=[lb.key for lb in new_labels]).values_list("key", "pk"))
        return by_key

    # -- tracks ------------------------------------------------------------------------------

    def _upsert_tracks(self, tracks: dict[str, dict]) -> None:
        if not tracks:
            return
        existing = Track.objects.in_bulk(list(tracks), field_name="spotify_id")
        new_rows, changed_rows, update_fields = [], [], set()
        for tid, obj in tracks.items():
            fields = {
                "name": _require(obj, "name", "track"),
                "album_id": self.album_pk[bare_id(obj["album"]["id"])],
                "duration_ms": obj.get("duration_ms"),
                "explicit": bool(obj.get("explicit")),
                "disc_number": obj.get("disc_number"),
                "track_number": obj.get("track_number"),
            }
            isrc = (obj.get("external_ids") or {}).get("isrc")
            if isrc:
                fields["isrc"] = isrc
            if isinstance(obj.get("popularity"), int):
                fields["popularity"] = obj["popularity"]
            if obj.get("_saved"):
                fields["liked_on_spotify"] = True
                if obj.get("_added_at"):
                    fields["liked_at"] = obj["_added_at"]
            row = existing.get(tid)
            if row is None:
                new_rows.append(Track(spotify_id=tid, **fields))
                continue
            diff = {k: v for k, v in fields.items() if getattr(row, k) != v}
            if diff:
                for k, v in diff.items():
                    setattr(row, k, v)
                update_fields |= set(diff)
                changed_rows.append(row)
        if new_rows:
            _bulk_insert(Track, new_rows)
            self.result.created["tracks"] += len(new_rows)
        if changed_rows:
            Track.objects.bulk_update(changed_rows, sorted(update_fields | {"updated_at"}), batch_size=1000)
            self.result.updated["tracks"] += len(changed_rows)
        track_pk = dict(Track.objects.filter(spotify_id__in=list(tracks)).values_list("spotify_id", "pk"))
        self.result.changed_track_ids |= {track_pk[r.spotify_id] for r in new_rows + changed_rows}
        self._set_track_artists(tracks, track_pk)

    def _set_track_artists(self, tracks: dict[str, dict], track_pk: dict[str, int]) -> None:
        current: dict[int, list[int]] = defaultdict(list)
        for t, a in (
            TrackArtist.objects.filter(track_id__in=list(track_pk.values()))
            .order_by("track_id", "position")
            .values_list("track_id", "artist_id")
        ):
            current[t].append(a)
        to_delete, to_add = [], []
        for tid, obj in tracks.items():
            t_pk = track_pk[tid]
            want = list(dict.fromkeys(self.artist_pk[bare_id(a["id"])] for a in obj.get("artists") or ()))
            if not want:
                raise UpsertError(f"track {tid}: missing field 'artists'")
            if want != current[t_pk]:
                to_delete.append(t_pk)
                to_add += [TrackArtist(track_id=t_pk, artist_id=a, position=i) for i, a in enumerate(want)]
                self.result.changed_track_ids.add(t_pk)
                self.result.changed_artist_ids |= set(want) | set(current[t_pk])
        if to_delete:
            TrackArtist.objects.filter(track_id__in=to_delete).delete()
            _bulk_insert(TrackArtist, to_add)

    # -- liked state and audio features ------------------------------------------------------

    def _apply_likes(self) -> None:
        """Mark tracks no longer saved on Spotify; admin overrides stay as they are."""
        if self.data.liked_complete:
            saved = {bare_id(i["track"]["id"]) for i in self.data.saved_tracks if i.get("track")}
            # Compared in Python: a liked library can exceed SQL's limit on query parameters.
            liked = Track.objects.filter(liked_on_spotify=True).values_list("pk", "spotify_id")
            pks = [pk for pk, sid in liked.iterator(chunk_size=5000) if sid not in saved]
        elif self.data.unliked_track_ids:
            ids = [bare_id(t) for t in self.data.unliked_track_ids]
            pks = list(Track.objects.filter(liked_on_spotify=True, spotify_id__in=ids).values_list("pk", flat=True))
        else:
            return
        if pks:
            Track.objects.filter(pk__in=pks).update(liked_on_spotify=False, liked_at=None)
            self.result.unliked += len(pks)
            self.result.changed_track_ids |= set(pks)

    def _upsert_audio_features(self) -> None:
        if not self.data.audio_features:
            return
        wanted: dict[str, dict] = {}
        for obj in self.data.audio_features:
            if not obj:
                continue  # spotipy returns None for tracks without features
            tid = bare_id(obj.get("id") or obj.get("uri") or obj.get("track_uri"))
            if not tid:
                raise UpsertError("audio features: missing field 'id'")
            source = obj.get("_source", "spotify")
            wanted[tid] = {f: obj.get(f) for f in AudioFeatures.FEATURE_FIELDS} | {"source": source}
        track_pk = dict(Track.objects.filter(spotify_id__in=list(wanted)).values_list("spotify_id", "pk"))
        unknown = sorted(set(wanted) - set(track_pk))
        if unknown:
            raise UpsertError(f"audio features for unknown track {unknown[0]} ({len(unknown)} in all)")
        existing = {af.track_id: af for af in AudioFeatures.objects.filter(track_id__in=track_pk.values())}
        new_rows, changed_rows = [], []
        for tid, fields in wanted.items():
            t_pk = track_pk[tid]
            row = existing.get(t_pk)
            if row is None:
                new_rows.append(AudioFeatures(track_id=t_pk, **fields))
            elif any(getattr(row, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(row, k, v)
                changed_rows.append(row)
            else:
                continue
            self.result.changed_track_ids.add(t_pk)
        if new_rows:
            _bulk_insert(AudioFeatures, new_rows)
            self.result.created["audio features"] += len(new_rows)
        if changed_rows:
            fields = [*AudioFeatures.FEATURE_FIELDS, "source", "updated_at"]
            AudioFeatures.objects.bulk_update(changed_rows, fields, batch_size=1000)
            self.result.updated["audio features"] += len(changed_rows)


# --- Labels -------------------------------------------------------------------------------------


def label_display_names_refresh(*, label_ids: Iterable[int]) -> None:
    """Give each label its most common raw spelling (by album count) as display name.

    Labels an admin renamed (``name_locked``) keep their name. Slugs never change here:
    a published URL stays valid.
    """
    label_ids = list(label_ids)
    if not label_ids:
        return
    counts: dict[int, Counter] = defaultdict(Counter)
    for label_id, piece, n in (
        AlbumLabel.objects.filter(label_id__in=label_ids).values_list("label_id", "raw_piece").annotate(n=Count("id"))
    ):
        counts[label_id][piece] = n
    changed = []
    for label in Label.objects.filter(pk__in=label_ids, name_locked=False):
        if counts[label.pk]:
            name = label_rules.display_name_for(counts[label.pk])
            if name != label.name:
                label.name = name
                changed.append(label)
    if changed:
        Label.objects.bulk_update(changed, ["name", "updated_at"])


# Field types whose Python values the database drivers cannot take as they are.
_PREPARED_TYPES = {"DateTimeField", "DateField", "TimeField", "DecimalField", "JSONField", "UUIDField", "DurationField"}


def _bulk_insert(model: type, rows: list) -> None:
    """Insert new rows like ``bulk_create`` but with one ``executemany`` of a plain INSERT.

    ``bulk_create`` compiles every value of every row into SQL in Python, which was most of
    the time of a 100,000-track import on SQLite (bench/import_bench.py). Values here are plain
    scalars the drivers adapt themselves; only date/time-like fields go through Django's
    preparation. auto_now fields are filled as ``bulk_create`` does (``pre_save``); the rows'
    primary keys are not set (callers read them back by natural key).
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)]
    prepared = [f.get_internal_type() in _PREPARED_TYPES for f in fields]
    now = timezone.now()
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            for row in rows:
                setattr(row, f.attname, now)  # what pre_save(add=True) does, with one clock reading
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    memo: dict[tuple[str, Any], Any] = {}

    def db_value(f: Any, value: Any) -> Any:
        # Most prepared values repeat (the auto_now time, None): prepare each distinct value once.
        key = (f.attname, value)
        try:
            return memo[key]
        except KeyError:
            memo[key] = f.get_db_prep_save(value, connection)
            return memo[key]
        except TypeError:  # an unhashable value (a JSON dict)
            return f.get_db_prep_save(value, connection)

    params = [
        tuple(
            db_value(f, getattr(row, f.attname)) if prep else getattr(row, f.attname)
            for f, prep in zip(fields, prepared, strict=True)
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start : start + 5000])


def _assign_unique_slugs(model: type[Artist] | type[Label], rows: list, kind: str) -> None:
    """Give new rows a unique slug from their name; existing slugs and old (redirecting) slugs are taken."""
    bases = [label_rules.slugify_name(row.name) for row in rows]
    candidates = set(bases)
    taken = set(model.objects.filter(slug__in=candidates).values_list("slug", flat=True))
    taken |= set(SlugRedirect.objects.filter(kind=kind, old_slug__in=candidates).values_list("old_slug", flat=True))
    assigned: set[str] = set()

    def is_taken(slug: str) -> bool:
        if slug in taken or slug in assigned:
            return True
        if slug in candidates:
            return False  # already checked in bulk above
        return (
            model.objects.filter(slug=slug).exists() or SlugRedirect.objects.filter(kind=kind, old_slug=slug).exists()
        )

    for row, base in zip(rows, bases, strict=True):
        row.slug = label_rules.unique_slug(base, is_taken)
        assigned.add(row.slug)
