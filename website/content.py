"""Page content shared by the HTML views and the Markdown export (design §5).

Each ``*_content`` builder returns a ``PageContent``: plain data (text, ``catalog.tables.Table``s,
``catalog.charts.Chart`` refs, ``catalog.tables.Page`` links). No HTML and no Markdown is made
here, so the site and the export show the same sections, in the same order, with the same
tables. Renderers must treat every string as literal text, except ``PageContent.description``,
which is the admin's Markdown source: the site renders it with
``catalog.markdown.render_description``; the export writes it as it is.

Links only point at pages that exist: label pages (``selectors.label_page_ids()``), artist pages
(``selectors.artist_page_ids()``), and clusters pages of a label or artist with a current cluster
run. Each builder costs a fixed number of SQL queries whatever the page's size.

Contract with ``website.export``:
- which pages exist: ``selectors.labels_with_pages()``, ``selectors.artists_with_pages()``;
  ``label_clusters_content(label)`` / ``artist_clusters_content(artist)`` return None when the
  page does not exist (no current cluster run).
- a section is rendered in this order: heading, ``text`` lines, ``items`` (a bullet list),
  ``table``, ``chart``. A page: title, ``image``, ``counts``, ``description``, ``links``,
  ``aliases`` ("Appears as:"), ``chart`` (the clusters scatter plot), ``intro``, ``sections``,
  ``clusters``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q

from catalog import selectors
from catalog.cache import catalog_version
from catalog.charts import Bar, Chart, bar_chart, short_album_name
from catalog.models import Artist, Genre, Label
from catalog.tables import (
    Cell,
    Page,
    Part,
    Table,
    Tally,
    TrackRow,
    albums_table,
    artists_table,
    genres_table,
    labels_table,
    tally_albums,
    tally_artists,
    tally_genres,
    tally_labels,
    top_rows_text,
    track_sort_key,
    track_table,
)
from clusters import selectors as cluster_selectors
from clusters.models import SCATTER_FILENAME, ClusterRun

TOP_ROWS = 100  # count tables are cut to the top 100 rows, as the original did
SHOW_ALL = 10**9  # an ``initial`` that never folds rows behind <details>


@dataclass(frozen=True)
class Link:
    """A link to another page of the site, e.g. "See Clusters" → Page("label_clusters", slug)."""

    text: str
    page: Page


@dataclass(frozen=True)
class Alias:
    """One raw label spelling of a label page's tracks: "Darkroom/Interscope Records (12 tracks)"."""

    text: str
    tracks: int


@dataclass
class Section:
    """One ``##`` section: a heading, then optional text lines, bullets, a table and a chart.

    ``items`` are bullet-list entries (each a ``Cell``: text parts, linked where a page exists).
    ``empty_text`` is what to say when a section has nothing else (so the heading never dangles).
    """

    heading: str
    text: tuple[str, ...] = ()
    items: tuple[Cell, ...] = ()
    table: Table | None = None
    chart: Chart | None = None
    anchor: str = ""  # an HTML id for in-page links (the export may ignore it)


@dataclass
class ClusterSection:
    """One cluster of a clusters page: ``## Cluster #<number>``, its description, its size.

    ``table`` is the track table of its most representative tracks, nearest the centre first.
    """

    number: int
    description: str  # plain text written by the clustering (e.g. "Energetic, Danceable"), may be ""
    size: int
    table: Table

    @property
    def heading(self) -> str:
        return f"Cluster #{self.number}"

    @property
    def size_text(self) -> str:
        return f"{self.size} track" if self.size == 1 else f"{self.size} tracks"


@dataclass
class PageContent:
    """Everything one page shows, in order. Strings are literal text unless said otherwise.

    - ``page``: this page (``Page("label", "darkroom")``), for relative links in the export.
    - ``title``: the ``#`` heading and the HTML ``<title>``.
    - ``meta_description``: one sentence for ``<meta name="description">``.
    - ``counts``: the line under the title (``15 songs``), may be "".
    - ``image``/``image_alt``: the artist's picture (100 px wide), may be "".
    - ``description``: the admin's Markdown source (render sanitized; export as is), may be "".
    - ``links``: "See Clusters", "Back to Darkroom", … (only to pages that exist).
    - ``aliases``: "Appears as:" entries; empty unless the label has more than one spelling.
    - ``chart``: the clusters scatter plot (clusters pages only).
    - ``intro``: text lines after the chart (clusters pages: what the clusters are, the axes).
    - ``sections``: the ``##`` sections in order.
    - ``clusters``: the cluster sections of a clusters page.
    - ``searchable``: the page's table is an index the site lets visitors filter.
    """

    page: Page
    title: str
    meta_description: str
    counts: str = ""
    image: str = ""
    image_alt: str = ""
    description: str = ""
    links: tuple[Link, ...] = ()
    aliases: tuple[Alias, ...] = ()
    chart: Chart | None = None
    intro: tuple[str, ...] = ()
    sections: list[Section] = field(default_factory=list)
    clusters: list[ClusterSection] = field(default_factory=list)
    searchable: bool = False


# --- helpers ---------------------------------------------------------------------------------


PAGE_IDS_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class PageIds:
    """Which labels and artists have pages. Each builder looks them up itself by default; the
    export, which builds hundreds of pages, looks them up once and passes them in (``page_ids=``)."""

    labels: set[int]
    artists: set[int]

    @classmethod
    def load(cls) -> PageIds:
        """Counted over the whole library, so kept per catalog version: every page needs them and
        they change only with a write (which bumps the version)."""
        key = f"website:page-ids:{catalog_version()}"
        ids = cache.get(key)
        if ids is None:
            ids = cls(labels=selectors.label_page_ids(), artists=selectors.artist_page_ids())
            cache.set(key, ids, PAGE_IDS_CACHE_SECONDS)
        return ids


def songs_text(n: int) -> str:
    return f"{n} song" if n == 1 else f"{n} songs"


def page_tracks(tracks) -> list[TrackRow]:
    """The tracks of a page as ``TrackRow``s with their artists' genres, in the original's default order.

    Four queries whatever the number of tracks (``selectors.track_rows``).
    """
    return sorted(selectors.track_rows(tracks, genres=True), key=track_sort_key)


def _bars(rows: Iterable[Tally], name_of) -> list[Bar]:
    return [Bar(name=name_of(r.item), total=r.tracks, liked=r.liked) for r in rows]


def _count_section(
    heading: str,
    rows: Sequence[Tally],
    *,
    noun: str,
    build,
    chart_args: dict[str, Any] | None,
) -> Section:
    """A count table cut to the top 100 (10 shown, the rest behind <details>) and its bar chart."""
    top, more_text = top_rows_text(rows, noun, TOP_ROWS)
    chart = bar_chart(**chart_args) if chart_args else None
    return Section(heading=heading, table=build(top, more_text), chart=chart)


def clusters_run_for(kind: str, obj: Label | Artist) -> ClusterRun | None:
    """The current cluster run of a label or artist with its clusters and nearest tracks, or None."""
    finder = {"label": cluster_selectors.current_run_for_label, "artist": cluster_selectors.current_run_for_artist}
    return finder[kind](obj)


def has_clusters_page(kind: str, obj: Label | Artist) -> bool:
    """Whether the clusters page of a label or artist exists (a current run): one cheap query."""
    return ClusterRun.objects.filter(scope=kind, is_current=True, **{kind: obj}).exists()


# --- home and indexes -------------------------------------------------------------------------


def home_content() -> PageContent:
    """``/`` and README.md: library counts, top labels, top artists, genres, links to the indexes."""
    counts = selectors.library_counts()
    label_ids, artist_ids = selectors.label_page_ids(), selectors.artist_page_ids()
    label_rows = sorted(
        (Tally(lb, lb.track_count, lb.liked_count) for lb in Label.objects.with_counts().filter(track_count__gt=0)),
        key=lambda r: (r.liked, r.tracks, r.item.name),
        reverse=True,
    )
    artist_rows = sorted(
        (Tally(a, a.track_count, a.liked_count) for a in Artist.objects.with_counts().filter(track_count__gt=0)),
        key=lambda r: (r.liked, r.tracks, r.item.spotify_id),
        reverse=True,
    )
    genre_rows = sorted(
        (Tally(g.name, g.track_count, g.liked_count) for g in _genres_with_counts() if g.track_count),
        key=lambda r: (r.liked, r.tracks, r.item),
        reverse=True,
    )
    overview = {"kind": "overview", "slug": ""}
    sections = [
        _count_section(
            "Record Labels",
            label_rows,
            noun="labels",
            build=lambda rows, more: labels_table(rows, label_page_ids=label_ids, more_text=more),
            chart_args={
                **overview,
                "name": "labels",
                "category": "Label",
                "noun": "record labels",
                "bars": _bars(label_rows[:TOP_ROWS], lambda lb: lb.name),
            },
        ),  # fmt: skip
        _count_section(
            "Artists",
            artist_rows,
            noun="artists",
            build=lambda rows, more: artists_table(rows, artist_page_ids=artist_ids, more_text=more),
            chart_args={
                **overview,
                "name": "artists",
                "category": "Artist",
                "noun": "artists",
                "bars": _bars(artist_rows[:TOP_ROWS], lambda a: a.name),
            },
        ),  # fmt: skip
        _count_section(
            "Genres",
            genre_rows,
            noun="genres",
            build=lambda rows, more: genres_table(rows, more_text=more),
            chart_args={
                **overview,
                "name": "genres",
                "category": "Genre",
                "noun": "genres",
                "bars": _bars(genre_rows[:TOP_ROWS], str),
            },
        ),  # fmt: skip
    ]
    sections[0].text = (f"{counts['labels_with_pages']} of {counts['labels']} labels have a page.",)
    sections[1].text = (f"{counts['artists_with_pages']} of {counts['artists']} artists have a page.",)
    return PageContent(
        page=Page("home"),
        title=settings.SITE_TITLE,
        meta_description=(
            f"A Spotify library of {counts['tracks']} tracks by record label and artist: "
            f"{counts['labels_with_pages']} label pages, {counts['artists_with_pages']} artist pages."
        ),
        counts=(
            f"{songs_text(counts['tracks'])}, {counts['liked']} liked, on {counts['albums']} albums, "
            f"by {counts['artists']} artists, under {counts['labels']} record labels"
        ),
        links=(Link("All record labels", Page("labels")), Link("All artists", Page("artists"))),
        sections=sections,
    )


def _genres_with_counts():
    """Genres with the tracks (and liked tracks) whose primary artist has them: one query."""
    primary = Q(artists__track_credits__position=0)
    return Genre.objects.annotate(
        track_count=Count("artists__track_credits__track", filter=primary, distinct=True),
        liked_count=Count(
            "artists__track_credits__track",
            filter=primary & Q(artists__track_credits__track__is_liked=True),
            distinct=True,
        ),
    )


def _index_content(
    *, kind: str, items: Iterable, tiebreak, build_table, title: str, noun: str, heading: str
) -> PageContent:
    """An index page: every label or artist with a page, most liked first, all rows (searchable)."""
    rows = sorted(
        (Tally(item, item.track_count, item.liked_count) for item in items),
        key=lambda r: (r.liked, r.tracks, tiebreak(r.item)),
        reverse=True,
    )
    table = build_table(rows, {r.item.pk for r in rows})
    return PageContent(
        page=Page(kind),
        title=title,
        meta_description=f"All {len(rows)} {noun} with a page in this Spotify library.",
        counts=f"{len(rows)} {kind}",
        sections=[Section(heading=heading, table=table, anchor=kind)],
        searchable=True,
    )


def labels_index_content() -> PageContent:
    """``/labels/``: every label with a page, ``| Tracks | 💚 | Label |``."""
    return _index_content(
        kind="labels",
        items=selectors.labels_with_pages(),
        tiebreak=lambda label: label.name,
        build_table=lambda rows, ids: labels_table(rows, label_page_ids=ids, initial=SHOW_ALL),
        title="Record Labels",
        noun="record labels",
        heading="All record labels",
    )


def artists_index_content() -> PageContent:
    """``/artists/``: every artist with a page, ``| Art | Tracks | 💚 | Artist | 🔗 |``."""
    return _index_content(
        kind="artists",
        items=selectors.artists_with_pages(),
        tiebreak=lambda artist: artist.spotify_id,
        build_table=lambda rows, ids: artists_table(rows, artist_page_ids=ids, initial=SHOW_ALL),
        title="Artists",
        noun="artists",
        heading="All artists",
    )


# --- label and artist pages ----------------------------------------------------------------------


def label_aliases(label: Label, tracks: Iterable[TrackRow]) -> tuple[Alias, ...]:
    """The raw label strings of the label's tracks with track counts, most used first.

    Empty when there is only one spelling: "Appears as" is only worth showing for several.
    """
    counts: Counter[str] = Counter()
    for track in tracks:
        for link in track.album.label_links:
            if link.label.pk == label.pk:
                counts[link.raw_label] += 1
    if len(counts) < 2:
        return ()
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(Alias(text=text, tracks=n) for text, n in ordered)


def label_content(label: Label, *, page_ids: PageIds | None = None) -> PageContent:
    """``/labels/<slug>/``: the original's label page (seed-system §2.5), defects fixed."""
    tracks = page_tracks(selectors.label_tracks(label))
    ids = page_ids or PageIds.load()
    label_ids, artist_ids = ids.labels, ids.artists
    mine = {"kind": "labels", "slug": label.slug}
    artists, albums, genres = tally_artists(tracks), tally_albums(tracks), tally_genres(tracks)
    links = (Link("See Clusters", Page("label_clusters", label.slug)),) if has_clusters_page("label", label) else ()
    sections = [
        _count_section(
            "Top Artists",
            artists,
            noun="artists",
            build=lambda rows, more: artists_table(rows, artist_page_ids=artist_ids, more_text=more),
            chart_args={
                **mine,
                "name": "artists",
                "category": "Artist",
                "noun": "artists",
                "bars": _bars(artists, lambda a: a.name),
            },
        ),  # fmt: skip
        _count_section(
            "Top Albums",
            albums,
            noun="albums",
            build=lambda rows, more: albums_table(rows, more_text=more),
            chart_args={
                **mine,
                "name": "albums",
                "category": "Album",
                "noun": "albums",
                "bars": _bars(albums, lambda a: short_album_name(a.name)),
            },
        ),  # fmt: skip
        _count_section(
            "Genres",
            genres,
            noun="genres",
            build=lambda rows, more: genres_table(rows, more_text=more),
            chart_args={**mine, "name": "genres", "category": "Genre", "noun": "genres", "bars": _bars(genres, str)},
        ),  # fmt: skip
        Section(
            heading=f"Tracks released under {label.name}",
            table=track_table(tracks, artist_page_ids=artist_ids, label_page_ids=label_ids),
            anchor="tracks",
        ),
    ]
    if not genres:
        sections[2].text = ("No genres are known for these artists.",)
        sections[2].table = None
    return PageContent(
        page=Page("label", label.slug),
        title=label.name,
        meta_description=(
            f"{label.name}: {songs_text(len(tracks))} on {len(albums)} albums by {len(artists)} artists "
            f"in a Spotify library."
        ),
        counts=songs_text(len(tracks)),
        description=label.description,
        links=links,
        aliases=label_aliases(label, tracks),
        sections=sections,
    )


def artist_content(artist: Artist, *, page_ids: PageIds | None = None) -> PageContent:
    """``/artists/<slug>/``: the original's artist page (seed-system §2.4), defects fixed."""
    tracks = page_tracks(selectors.artist_tracks(artist))
    ids = page_ids or PageIds.load()
    label_ids, artist_ids = ids.labels, ids.artists
    albums, labels = tally_albums(tracks), tally_labels(tracks)
    genre_names = sorted(g.name for g in artist.genres.all())
    links = (Link("See Clusters", Page("artist_clusters", artist.slug)),) if has_clusters_page("artist", artist) else ()
    top_albums, albums_more = top_rows_text(albums, "albums", TOP_ROWS)
    genres = Section(heading="Genres", items=tuple(Cell.text(name) for name in genre_names))
    if not genre_names:
        genres.text = ("No genres are known for this artist.",)
    sections = [
        Section(heading="Top Albums", table=albums_table(top_albums, more_text=albums_more)),
        Section(
            heading="Top Record Labels",
            table=labels_table(labels, label_page_ids=label_ids, initial=SHOW_ALL),
        ),
        genres,
        Section(
            heading="Tracks",
            table=track_table(tracks, artist_page_ids=artist_ids, label_page_ids=label_ids),
            anchor="tracks",
        ),
    ]
    liked = sum(1 for t in tracks if t.is_liked)
    return PageContent(
        page=Page("artist", artist.slug),
        title=artist.name,
        meta_description=(
            f"{artist.name}: {songs_text(len(tracks))} ({liked} liked) on {len(albums)} albums in a Spotify library."
        ),
        counts=songs_text(len(tracks)),
        image=artist.image_url,
        image_alt=artist.name,
        description=artist.description,
        links=links,
        sections=sections,
    )


# --- clusters pages -------------------------------------------------------------------------------


def _scatter_chart(run, kind: str, slug: str) -> Chart | None:
    """The run's scatter plot as a Chart ref, when the clusters app drew it."""
    if not run.scatter_path.exists():
        return None
    return Chart(
        kind=kind,
        slug=slug,
        file=f"clusters/{SCATTER_FILENAME}",
        alt=f"Scatter plot of {run.n_tracks} tracks in {run.k or 0} clusters",
        media_path=run.scatter_relpath,
    )


def _clusters_content(
    kind: str, obj: Label | Artist, page: Page, owner_page: Page, page_ids: PageIds | None
) -> PageContent | None:
    run = clusters_run_for(kind, obj)
    if run is None:
        return None
    ids = page_ids or PageIds.load()
    label_ids, artist_ids = ids.labels, ids.artists
    sections = [
        ClusterSection(
            number=c.number,
            description=c.description or "",
            size=c.size,
            table=track_table(
                c.nearest_tracks,
                artist_page_ids=artist_ids,
                label_page_ids=label_ids,
                more_text="See more representative tracks",
            ),
        )
        for c in run.clusters.all()
    ]
    total = sum(c.size for c in sections)
    axes = tuple(
        f"{name}: {value}" for name, value in (("Horizontal axis", run.x_axis), ("Vertical axis", run.y_axis)) if value
    )
    intro = (
        f"{songs_text(total)} grouped into {len(sections)} clusters of similar tracks. Each cluster lists its "
        "most representative tracks, nearest its centre first.",
        *axes,
    )
    return PageContent(
        page=page,
        title=f"Clusters in {obj.name}",
        meta_description=(
            f"{obj.name}: {songs_text(total)} in {len(sections)} clusters of similar tracks, "
            f"with the most representative tracks of each."
        ),
        counts=f"{songs_text(total)} in {len(sections)} clusters",
        links=(Link(f"Back to {obj.name}", owner_page),),
        chart=_scatter_chart(run, f"{kind}s", obj.slug),
        intro=intro,
        clusters=sections,
    )


def label_clusters_content(label: Label, *, page_ids: PageIds | None = None) -> PageContent | None:
    """``/labels/<slug>/clusters/``: scatter plot, then each cluster; None without a current run."""
    return _clusters_content("label", label, Page("label_clusters", label.slug), Page("label", label.slug), page_ids)


def artist_clusters_content(artist: Artist, *, page_ids: PageIds | None = None) -> PageContent | None:
    """``/artists/<slug>/clusters/``: as for labels; None without a current run."""
    return _clusters_content(
        "artist", artist, Page("artist_clusters", artist.slug), Page("artist", artist.slug), page_ids
    )


__all__ = [
    "Alias",
    "ClusterSection",
    "Link",
    "PageContent",
    "PageIds",
    "Part",
    "Section",
    "artist_clusters_content",
    "artist_content",
    "artists_index_content",
    "home_content",
    "label_clusters_content",
    "label_content",
    "labels_index_content",
]
