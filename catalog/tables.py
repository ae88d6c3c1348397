"""Table builders shared by the HTML pages and the Markdown export.

A builder takes rows already fetched by a selector and returns a ``Table``: headers and rows of
cells made of plain-text parts, each with an optional internal page, external URL or image.
Track tables and tallies read ``TrackRow``s (``catalog.selectors.track_rows``): plain values, not
model instances, because building 10,000 model objects (tracks, credits, label links) for a
2,000-track page cost seconds; the count tables also accept model instances with the same
attribute names (``name``, ``slug``, ``pk``, ``spotify_id``, ``image_url``).
No HTML and no Markdown here; ``templates/catalog/_table.html`` and ``catalog.export`` render it,
so the two can never disagree. Internal links are ``Page`` references, resolved by each renderer
(a URL for the site, a relative path for the export), and only made for pages that exist.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

LIKED = "💚"
LINK = "🔗"
TRACK_TABLE_HEADERS = ("Art", "Track", "Album", "Artists", "Label", LIKED, LINK)


@dataclass(frozen=True)
class Page:
    """An internal page: ``kind`` is home, label, label_clusters, artist or artist_clusters."""

    kind: str
    slug: str = ""

    def url(self) -> str:
        """The site's URL for this page."""
        return {
            "home": "/",
            "labels": "/labels/",
            "artists": "/artists/",
            "label": f"/labels/{self.slug}/",
            "label_clusters": f"/labels/{self.slug}/clusters/",
            "artist": f"/artists/{self.slug}/",
            "artist_clusters": f"/artists/{self.slug}/clusters/",
        }[self.kind]

    def export_path(self) -> str:
        """The Markdown export's file for this page, relative to the export root."""
        return {
            "home": "README.md",
            "labels": "README.md",
            "artists": "README.md",
            "label": f"labels/{self.slug}/overview.md",
            "label_clusters": f"labels/{self.slug}/clusters/overview.md",
            "artist": f"artists/{self.slug}/overview.md",
            "artist_clusters": f"artists/{self.slug}/clusters/overview.md",
        }[self.kind]


# Part and Cell are NamedTuples rather than frozen dataclasses: just as immutable, and a
# 2,000-track table makes thousands of them (a frozen dataclass's __init__ costs twice as much).
class Part(NamedTuple):
    """A piece of a cell: text, optionally linked to a page or an external URL, or an image."""

    text: str = ""
    page: Page | None = None
    url: str = ""
    image: str = ""  # an image URL: rendered as <img src=... alt=text width=image_width>
    image_width: int = 50


class Cell(NamedTuple):
    parts: tuple[Part, ...] = ()
    separator: str = ", "

    @classmethod
    def text(cls, value: object) -> Cell:
        return cls((Part(text="" if value is None else str(value)),))

    @classmethod
    def image(cls, url: str, alt: str = "", width: int = 50) -> Cell:
        return cls((Part(text=alt, image=url, image_width=width),) if url else ())

    @classmethod
    def link(cls, text: str, *, page: Page | None = None, url: str = "") -> Cell:
        return cls((Part(text=text, page=page, url=url),))

    @property
    def plain(self) -> str:
        """The cell as plain text (for tests, sorting and search)."""
        return self.separator.join(p.text for p in self.parts if not p.image)


@dataclass
class Table:
    headers: Sequence[str]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    numeric: frozenset[int] = frozenset()  # column indexes aligned right
    initial: int = 10  # rows shown before the rest goes behind <details>
    more_text: str = "See all"  # the <details> summary

    @property
    def head_rows(self) -> list[tuple[Cell, ...]]:
        return self.rows[: self.initial]

    @property
    def rest_rows(self) -> list[tuple[Cell, ...]]:
        return self.rows[self.initial :]

    def __len__(self) -> int:
        return len(self.rows)


# --- Input rows (catalog.selectors.track_rows) -------------------------------------------------
# Plain immutable values (NamedTuples: cheap to make by the thousand), with the models' attribute
# names, so a count table takes either a row or a model instance.


class ArtistRow(NamedTuple):
    pk: int
    name: str
    slug: str
    spotify_id: str
    image_url: str
    genres: tuple[str, ...] = ()  # genre names, sorted


class LabelRow(NamedTuple):
    pk: int
    name: str
    slug: str


class LabelLinkRow(NamedTuple):
    """An album's link to a standardized label, with the raw label string it came from."""

    label: LabelRow
    raw_label: str


class AlbumRow(NamedTuple):
    pk: int
    spotify_id: str
    name: str
    image_url: str
    release_date: str
    label_links: tuple[LabelLinkRow, ...] = ()  # in position order


class TrackRow(NamedTuple):
    """A track with what its table row and the tallies show: ``artists`` in credit order (primary first)."""

    pk: int
    spotify_id: str
    name: str
    is_liked: bool
    album: AlbumRow
    artists: tuple[ArtistRow, ...] = ()


# --- Track table -----------------------------------------------------------------------------


def spotify_url(kind: str, spotify_id: str) -> str:
    return f"https://open.spotify.com/{kind}/{spotify_id}"


def spotify_link_cell(kind: str, spotify_id: str) -> Cell:
    return Cell.link(LINK, url=spotify_url(kind, spotify_id))


def artist_part(artist, artist_page_ids: set[int]) -> Part:
    page = Page("artist", artist.slug) if artist.pk in artist_page_ids else None
    return Part(text=artist.name, page=page)


def label_part(label, label_page_ids: set[int]) -> Part:
    page = Page("label", label.slug) if label.pk in label_page_ids else None
    return Part(text=label.name, page=page)


_NOT_LIKED_CELL = Cell.text("")
_LIKED_CELL = Cell.text(LIKED)


def track_row(
    track: TrackRow, *, artist_page_ids: set[int], label_page_ids: set[int], shared: dict | None = None
) -> tuple[Cell, ...]:
    """One row of the track table for a ``TrackRow`` (``selectors.track_rows``).

    ``shared`` (a dict kept across the rows of one table) reuses the album and artist cells of
    earlier rows: a 2,000-track table has far fewer albums and artist lists than rows, and the
    HTML renderer renders a reused cell once.
    """
    shared = {} if shared is None else shared
    album = track.album
    album_cells = shared.get(album.pk)  # keyed by the album's pk (an int) ...
    if album_cells is None:
        labels = Cell(tuple(label_part(link.label, label_page_ids) for link in album.label_links))
        album_cells = shared[album.pk] = (Cell.image(album.image_url), Cell.text(album.name), labels)
    artists = shared.get(track.artists)  # ... and by the tuple of ArtistRows: the keys never clash
    if artists is None:
        artists = shared[track.artists] = Cell(tuple(artist_part(a, artist_page_ids) for a in track.artists))
    return (
        album_cells[0],
        Cell((Part(track.name),)),
        album_cells[1],
        artists,
        album_cells[2],
        _LIKED_CELL if track.is_liked else _NOT_LIKED_CELL,
        Cell((Part(LINK, None, spotify_url("track", track.spotify_id)),)),
    )


def track_table(
    tracks: Iterable[TrackRow],
    *,
    artist_page_ids: set[int],
    label_page_ids: set[int],
    initial: int = 10,
    more_text: str = "See all tracks",
) -> Table:
    """The track table ``| Art | Track | Album | Artists | Label | 💚 | 🔗 |`` in the given order."""
    shared: dict = {}
    rows = [track_row(t, artist_page_ids=artist_page_ids, label_page_ids=label_page_ids, shared=shared) for t in tracks]
    return Table(headers=TRACK_TABLE_HEADERS, rows=rows, initial=initial, more_text=more_text)


# --- Count tables (seed-system §3.3-3.6) ---------------------------------------------------------
# Counts are tallied in Python over the TrackRows a selector fetched once (selectors.track_rows),
# so a page costs the same few queries whatever its size.


@dataclass(frozen=True)
class Tally:
    """An entity (artist, album, label or genre name) with its track and liked-track counts."""

    item: Any
    tracks: int
    liked: int


def _tally(pairs: Iterable[tuple[Hashable, Any, bool]]) -> list[Tally]:
    """(key, item, liked) per (track, entity) → one Tally per key, counting each pair once."""
    items: dict[Hashable, Any] = {}
    counts: dict[Hashable, list[int]] = {}  # key → [tracks, liked]
    for key, item, is_liked in pairs:
        count = counts.get(key)
        if count is None:
            items[key] = item
            counts[key] = [1, 1 if is_liked else 0]
        else:
            count[0] += 1
            if is_liked:
                count[1] += 1
    return [Tally(items[k], *counts[k]) for k in items]


def _distinct_artists(artists: tuple[ArtistRow, ...]) -> Iterable[ArtistRow]:
    """Each artist once (one credited twice on a track counts once); most tracks have one artist."""
    return artists if len(artists) < 2 else {a.pk: a for a in artists}.values()


def tally_artists(tracks: Iterable[TrackRow]) -> list[Tally]:
    """Artists of the tracks (any credit position), sorted as the original: liked, tracks, id desc."""
    pairs = ((artist.pk, artist, t.is_liked) for t in tracks for artist in _distinct_artists(t.artists))
    return sorted(_tally(pairs), key=lambda r: (r.liked, r.tracks, r.item.spotify_id), reverse=True)


def tally_albums(tracks: Iterable[TrackRow]) -> list[Tally]:
    """Albums of the tracks, sorted as the original: tracks, liked, name, all descending."""
    pairs = ((t.album.pk, t.album, t.is_liked) for t in tracks)
    return sorted(_tally(pairs), key=lambda r: (r.tracks, r.liked, r.item.name), reverse=True)


def tally_labels(tracks: Iterable[TrackRow]) -> list[Tally]:
    """Standardized labels of the tracks' albums (each co-label counts): liked, tracks, name desc."""
    pairs = (
        (label.pk, label, t.is_liked)
        for t in tracks
        for label in {link.label.pk: link.label for link in t.album.label_links}.values()
    )
    return sorted(_tally(pairs), key=lambda r: (r.liked, r.tracks, r.item.name), reverse=True)


def primary_artist(track: TrackRow) -> ArtistRow | None:
    return track.artists[0] if track.artists else None


def tally_genres(tracks: Iterable[TrackRow]) -> list[Tally]:
    """Genres of each track's primary artist (``track_rows(..., genres=True)``): liked, tracks, name desc.

    The item of each row is the genre name (there are no genre pages).
    """
    pairs = (
        (genre, genre, t.is_liked)
        for t in tracks
        if t.artists
        for genre in t.artists[0].genres
    )  # fmt: skip
    return sorted(_tally(pairs), key=lambda r: (r.liked, r.tracks, r.item), reverse=True)


def top_rows_text(rows: Sequence, noun: str, top: int = 100) -> tuple[list, str]:
    """The first ``top`` rows and the <details> summary the original used for them."""
    if len(rows) > top:
        return list(rows[:top]), f"See top {top} {noun}"
    return list(rows), f"See all {len(rows)} {noun}"


def artists_table(
    rows: Sequence[Tally], *, artist_page_ids: set[int], initial: int = 10, more_text: str = "See all artists"
) -> Table:
    """``| Art | Tracks | 💚 | Artist | 🔗 |``: rows of Tally(artist, tracks, liked) in the given order."""
    return Table(
        headers=("Art", "Tracks", LIKED, "Artist", LINK),
        rows=[
            (
                Cell.image(r.item.image_url),
                Cell.text(r.tracks),
                Cell.text(r.liked),
                Cell((artist_part(r.item, artist_page_ids),)),
                spotify_link_cell("artist", r.item.spotify_id),
            )
            for r in rows
        ],
        numeric=frozenset({1, 2}),
        initial=initial,
        more_text=more_text,
    )


def albums_table(rows: Sequence[Tally], *, initial: int = 10, more_text: str = "See all albums") -> Table:
    """``| Art | Tracks | 💚 | Album | Release Date | 🔗 |``: the album name is plain text (no album pages)."""
    return Table(
        headers=("Art", "Tracks", LIKED, "Album", "Release Date", LINK),
        rows=[
            (
                Cell.image(r.item.image_url),
                Cell.text(r.tracks),
                Cell.text(r.liked),
                Cell.text(r.item.name),
                Cell.text(r.item.release_date),
                spotify_link_cell("album", r.item.spotify_id),
            )
            for r in rows
        ],
        numeric=frozenset({1, 2}),
        initial=initial,
        more_text=more_text,
    )


def labels_table(
    rows: Sequence[Tally], *, label_page_ids: set[int], initial: int = 10, more_text: str = "See all labels"
) -> Table:
    """``| Tracks | 💚 | Label |``: the label linked when it has a page."""
    return Table(
        headers=("Tracks", LIKED, "Label"),
        rows=[(Cell.text(r.tracks), Cell.text(r.liked), Cell((label_part(r.item, label_page_ids),))) for r in rows],
        numeric=frozenset({0, 1}),
        initial=initial,
        more_text=more_text,
    )


def genres_table(rows: Sequence[Tally], *, initial: int = 10, more_text: str = "See all genres") -> Table:
    """``| Tracks | 💚 | Genre |``: genre names as plain text (labelsite has no genre pages)."""
    return Table(
        headers=("Tracks", LIKED, "Genre"),
        rows=[(Cell.text(r.tracks), Cell.text(r.liked), Cell.text(r.item)) for r in rows],
        numeric=frozenset({0, 1}),
        initial=initial,
        more_text=more_text,
    )


def track_sort_key(track: TrackRow) -> tuple:
    """The original's default track order: primary artist, release date, album, track name."""
    artist = primary_artist(track)
    return (artist.name if artist else "", track.album.release_date, track.album.name, track.name)
