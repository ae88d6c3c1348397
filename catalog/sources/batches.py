"""Writing a whole library through ``library_upsert``: batches of at most 5,000 tracks, all in one
transaction, so an import is all-or-nothing and an import of the same data again changes nothing.

Every source (spotify-stats folder, Exportify files, demo generator) yields ``TrackBundle``s:
a spotipy-shaped track plus the full album and artist objects it refers to. ``library_batches``
groups them into ``LibraryData`` batches, sending each full album and artist once, with the first
track that refers to it; ``library_import`` writes the batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.db import transaction

from catalog.models import Track
from catalog.services import LibraryData, UpsertResult, library_upsert

BATCH_TRACKS = 5000


@dataclass
class TrackBundle:
    """One track and what it needs: the full album and artist objects (sent once each) and its features."""

    track: dict
    album: dict | None = None
    artists: Sequence[dict] = ()
    features: dict | None = None
    liked: bool = False
    added_at: str | None = None


@dataclass
class ImportOutcome:
    """What an import wrote, and what it left out (skipped rows, local files)."""

    result: UpsertResult = field(default_factory=UpsertResult)
    tracks_read: int = 0
    skipped_rows: list[str] = field(default_factory=list)
    local_files: int = 0

    def summary(self) -> str:
        parts = [f"{self.tracks_read:,} tracks read", self.result.summary()]
        if self.local_files:
            parts.append(f"{self.local_files:,} local files skipped")
        if self.skipped_rows:
            parts.append(f"{len(self.skipped_rows):,} bad rows skipped")
        return "; ".join(parts)


@dataclass
class SourceLibrary:
    """A library read from files: its track bundles, what no track refers to, and what was left out."""

    bundles: list[TrackBundle] = field(default_factory=list)
    extra_albums: list[dict] = field(default_factory=list)
    extra_artists: list[dict] = field(default_factory=list)
    # The complete liked set when the source has one (spotify-stats liked_tracks.csv), else None.
    liked_complete_ids: set[str] | None = None
    skipped_rows: list[str] = field(default_factory=list)
    local_files: int = 0


def source_library_write(
    library: SourceLibrary, *, label_source: str, progress: Callable[[int], object] | None = None
) -> ImportOutcome:
    """Write a library read from files, all-or-nothing; idempotent."""
    batches = library_batches(library.bundles, extra_albums=library.extra_albums, extra_artists=library.extra_artists)
    result = library_import(
        batches, label_source=label_source, liked_complete_ids=library.liked_complete_ids, progress=progress
    )
    return ImportOutcome(
        result=result,
        tracks_read=len(library.bundles),
        skipped_rows=library.skipped_rows,
        local_files=library.local_files,
    )


def library_batches(
    bundles: Iterable[TrackBundle],
    *,
    extra_albums: Iterable[dict] = (),
    extra_artists: Iterable[dict] = (),
    batch_size: int = BATCH_TRACKS,
) -> Iterator[LibraryData]:
    """Group bundles into batches of at most ``batch_size`` tracks.

    Albums and artists that no track refers to (``extra_*``) go in a last batch.
    """
    seen_albums: set[str] = set()
    seen_artists: set[str] = set()
    batch = _Batch()
    for bundle in bundles:
        batch.add(bundle, seen_albums, seen_artists)
        if batch.size >= batch_size:
            yield batch.data()
            batch = _Batch()
    for album in extra_albums:
        if album["id"] not in seen_albums:
            seen_albums.add(album["id"])
            batch.albums.append(album)
    for artist in extra_artists:
        if artist["id"] not in seen_artists:
            seen_artists.add(artist["id"])
            batch.artists.append(artist)
    if batch.size or batch.albums or batch.artists:
        yield batch.data()


@dataclass
class _Batch:
    saved: list[dict] = field(default_factory=list)
    tracks: list[dict] = field(default_factory=list)
    albums: list[dict] = field(default_factory=list)
    artists: list[dict] = field(default_factory=list)
    features: list[dict] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.saved) + len(self.tracks)

    def add(self, bundle: TrackBundle, seen_albums: set[str], seen_artists: set[str]) -> None:
        if bundle.liked:
            self.saved.append({"added_at": bundle.added_at, "track": bundle.track})
        else:
            self.tracks.append(bundle.track)
        if bundle.album is not None and bundle.album["id"] not in seen_albums:
            seen_albums.add(bundle.album["id"])
            self.albums.append(bundle.album)
        for artist in bundle.artists:
            if artist["id"] not in seen_artists:
                seen_artists.add(artist["id"])
                self.artists.append(artist)
        if bundle.features is not None:
            self.features.append(bundle.features)

    def data(self) -> LibraryData:
        return LibraryData(
            saved_tracks=self.saved,
            tracks=self.tracks,
            albums=self.albums,
            artists=self.artists,
            audio_features=self.features,
        )


def library_import(
    batches: Iterable[LibraryData],
    *,
    label_source: str,
    liked_complete_ids: set[str] | None = None,
    progress: Callable[[int], object] | None = None,
) -> UpsertResult:
    """Write all batches in ONE transaction (all-or-nothing); returns what changed.

    ``liked_complete_ids``: the source's liked set is the whole liked library, so any other track
    liked on Spotify is marked not liked (admin overrides stay). This is done once at the end:
    ``LibraryData.liked_complete`` applies to one batch only. ``progress`` gets each batch's track count.
    """
    result = UpsertResult()
    with transaction.atomic():
        for data in batches:
            result.merge(library_upsert(data=data, label_source=label_source))
            if progress:
                progress(len(data.saved_tracks) + len(data.tracks))
        if liked_complete_ids is not None:
            liked = Track.objects.filter(liked_on_spotify=True).values_list("spotify_id", flat=True)
            unliked = [sid for sid in liked.iterator(chunk_size=BATCH_TRACKS) if sid not in liked_complete_ids]
            for start in range(0, len(unliked), BATCH_TRACKS):
                chunk = LibraryData(unliked_track_ids=unliked[start : start + BATCH_TRACKS])
                result.merge(library_upsert(data=chunk, label_source=label_source))
    return result
