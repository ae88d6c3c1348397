"""Table builders shared by the HTML pages and the Markdown export.

A builder takes rows already fetched by a selector and returns a ``Table``: headers and rows of
cells made of plain-text parts, each with an optional internal page, external URL or image.
No HTML and no Markdown here; ``templates/catalog/_table.html`` and ``catalog.export`` render it,
so the two can never disagree. Internal links are ``Page`` references, resolved by each renderer
(a URL for the site, a relative path for the export), and only made for pages that exist.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

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


@dataclass(frozen=True)
class Part:
    """A piece of a cell: text, optionally linked to a page or an external URL, or an image."""

    text: str = ""
    page: Page | None = None
    url: str = ""
    image: str = ""  # an image URL: rendered as <img src=... alt=text width=image_width>
    image_width: int = 50


@dataclass(frozen=True)
class Cell:
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


def track_row(track, *, artist_page_ids: set[int], label_page_ids: set[int]) -> tuple[Cell, ...]:
    """One row of the track table. ``track`` comes from selectors.tracks_for_table (prefetched)."""
    album = track.album
    artists = [credit.artist for credit in track.artist_credits.all()]
    labels = [link.label for link in album.label_links.all()]
    return (
        Cell.image(album.image_url),
        Cell.text(track.name),
        Cell.text(album.name),
        Cell(tuple(artist_part(a, artist_page_ids) for a in artists)),
        Cell(tuple(label_part(lb, label_page_ids) for lb in labels)),
        Cell.text(LIKED if track.is_liked else ""),
        spotify_link_cell("track", track.spotify_id),
    )


def track_table(
    tracks: Iterable,
    *,
    artist_page_ids: set[int],
    label_page_ids: set[int],
    initial: int = 10,
    more_text: str = "See all tracks",
) -> Table:
    """The track table ``| Art | Track | Album | Artists | Label | 💚 | 🔗 |`` in the given order."""
    rows = [track_row(t, artist_page_ids=artist_page_ids, label_page_ids=label_page_ids) for t in tracks]
    return Table(headers=TRACK_TABLE_HEADERS, rows=rows, initial=initial, more_text=more_text)


# --- Count tables (seed-system §3.3-3.6) ---------------------------------------------------------
# Counts are tallied in Python over tracks a selector fetched once (tracks_for_table plus artist
# genres), so a page costs the same few queries whatever its size.


@dataclass(frozen=True)
class Tally:
    """An entity (artist, album, label or genre name) with its track and liked-track counts."""

    item: Any
    tracks: int
    liked: int


def _tally(pairs: Iterable[tuple[Hashable, Any, bool]]) -> list[Tally]:
    """(key, item, liked) per (track, entity) → one Tally per key, counting each pair once."""
    items: dict[Hashable, Any] = {}
    tracks: dict[Hashable, int] = {}
    liked: dict[Hashable, int] = {}
    for key, item, is_liked in pairs:
        items.setdefault(key, item)
        tracks[key] = tracks.get(key, 0) + 1
        liked[key] = liked.get(key, 0) + (1 if is_liked else 0)
    return [Tally(items[k], tracks[k], liked[k]) for k in items]


def tally_artists(tracks: Iterable) -> list[Tally]:
    """Artists of the tracks (any credit position), sorted as the original: liked, tracks, id desc."""
    pairs = (
        (credit.artist_id, credit.artist, t.is_liked)
        for t in tracks
        for credit in {c.artist_id: c for c in t.artist_credits.all()}.values()
    )
    return sorted(_tally(pairs), key=lambda r: (r.liked, r.tracks, r.item.spotify_id), reverse=True)


def tally_albums(tracks: Iterable) -> list[Tally]:
    """Albums of the tracks, sorted as the original: tracks, liked, name, all descending."""
    pairs = ((t.album_id, t.album, t.is_liked) for t in tracks)
    return sorted(_tally(pairs), key=lambda r: (r.tracks, r.liked, r.item.name), reverse=True)


def tally_labels(tracks: Iterable) -> list[Tally]:
    """Standardized labels of the tracks' albums (each co-label counts): liked, tracks, name desc."""
    pairs = (
        (link.label_id, link.label, t.is_liked)
        for t in tracks
        for link in {lk.label_id: lk for lk in t.album.label_links.all()}.values()
    )
    return sorted(_tally(pairs), key=lambda r: (r.liked, r.tracks, r.item.name), reverse=True)


def primary_artist(track) -> Any | None:
    credits = list(track.artist_credits.all())
    return min(credits, key=lambda c: c.position).artist if credits else None


def tally_genres(tracks: Iterable) -> list[Tally]:
    """Genres of each track's primary artist (needs ``artist__genres`` prefetched): liked, tracks, name desc.

    The item of each row is the genre name (there are no genre pages).
    """

    def pairs():
        for t in tracks:
            artist = primary_artist(t)
            if artist is None:
                continue
            for genre in artist.genres.all():
                yield genre.name, genre.name, t.is_liked

    return sorted(_tally(pairs()), key=lambda r: (r.liked, r.tracks, r.item), reverse=True)


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


def track_sort_key(track) -> tuple:
    """The original's default track order: primary artist, release date, album, track name."""
    artist = primary_artist(track)
    return (artist.name if artist else "", track.album.release_date, track.album.name, track.name)
