"""Table builders shared by the HTML pages and the Markdown export.

A builder takes rows already fetched by a selector and returns a ``Table``: headers and rows of
cells made of plain-text parts, each with an optional internal page, external URL or image.
No HTML and no Markdown here; ``templates/catalog/_table.html`` and ``catalog.export`` render it,
so the two can never disagree. Internal links are ``Page`` references, resolved by each renderer
(a URL for the site, a relative path for the export), and only made for pages that exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
