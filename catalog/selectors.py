"""Reads from the catalog: querysets with the joins and prefetches pages and the export need.

Each selector issues a fixed number of queries whatever the library size, so page cost does
not grow with the number of rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet

from catalog.models import AlbumLabel, Artist, Label, Track, TrackArtist
from catalog.tables import AlbumRow, ArtistRow, LabelLinkRow, LabelRow, TrackRow


def tracks_for_table(tracks: QuerySet[Track]) -> QuerySet[Track]:
    """Tracks with what a track-table row shows: album, ordered artist credits, album labels."""
    return tracks.select_related("album").prefetch_related(
        Prefetch("artist_credits", queryset=TrackArtist.objects.select_related("artist").order_by("position")),
        Prefetch("album__label_links", queryset=AlbumLabel.objects.select_related("label").order_by("position")),
    )


def track_rows(tracks: QuerySet[Track], *, genres: bool = False) -> list[TrackRow]:
    """The tracks as ``TrackRow``s for the track tables and tallies, in the queryset's order.

    Three queries (four with ``genres``: each artist's genre names) whatever the number of tracks,
    each a ``values_list`` over a subquery of ``tracks``: plain tuples, no model instances (for a
    2,000-track label, instantiating tracks, credits and label links took seconds).
    """
    scope = tracks.values("pk")
    albums_of_scope = tracks.values("album_id")
    artist_genres: dict[int, list[str]] = {}
    if genres:
        genre_links = Artist.genres.through.objects.filter(
            artist_id__in=TrackArtist.objects.filter(track_id__in=scope).values("artist_id")
        ).order_by("genre__name")
        for artist_id, name in genre_links.values_list("artist_id", "genre__name"):
            artist_genres.setdefault(artist_id, []).append(name)

    labels: dict[int, LabelRow] = {}
    album_links: dict[int, list[LabelLinkRow]] = {}
    for album_id, label_id, name, slug, raw_label in (
        AlbumLabel.objects.filter(album_id__in=albums_of_scope)
        .order_by("position")  # grouped by album below, in position order
        .values_list("album_id", "label_id", "label__name", "label__slug", "raw_label")
    ):
        label = labels.get(label_id) or labels.setdefault(label_id, LabelRow(label_id, name, slug))
        album_links.setdefault(album_id, []).append(LabelLinkRow(label, raw_label))

    artists: dict[int, ArtistRow] = {}
    track_artists: dict[int, tuple[ArtistRow, ...]] = {}
    for track_id, artist_id, name, slug, spotify_id, image_url in (
        TrackArtist.objects.filter(track_id__in=scope)
        .order_by("position")  # grouped by track below, each track's credits stay in position order
        .values_list("track_id", "artist_id", "artist__name", "artist__slug", "artist__spotify_id", "artist__image_url")
    ):
        artist = artists.get(artist_id)
        if artist is None:
            genre_names = tuple(artist_genres.get(artist_id, ()))
            artist = artists[artist_id] = ArtistRow(artist_id, name, slug, spotify_id, image_url, genre_names)
        track_artists[track_id] = track_artists.get(track_id, ()) + (artist,)  # mostly one or two

    albums: dict[int, AlbumRow] = {}
    rows = []
    # No ORDER BY: pages sort the rows themselves (track_sort_key), and clusters by rank.
    for pk, spotify_id, name, is_liked, album_id, *album_fields in tracks.order_by().values_list(
        "pk", "spotify_id", "name", "is_liked", "album_id",
        "album__spotify_id", "album__name", "album__image_url", "album__release_date",
    ):  # fmt: skip
        album = albums.get(album_id)
        if album is None:
            album = albums[album_id] = AlbumRow(album_id, *album_fields, tuple(album_links.get(album_id, ())))
        rows.append(TrackRow(pk, spotify_id, name, is_liked, album, track_artists.get(pk, ())))
    return rows


def labels_with_pages() -> QuerySet[Label]:
    """Labels that get a page: at least LABEL_PAGE_MIN_TRACKS tracks on their albums."""
    return Label.objects.with_counts().filter(track_count__gte=settings.LABEL_PAGE_MIN_TRACKS)


def artists_with_pages() -> QuerySet[Artist]:
    """Artists that get a page (the original's rule): ≥50 tracks, or ≥10 with one liked, or ≥5 liked."""
    return Artist.objects.with_counts().filter(
        Q(track_count__gte=settings.ARTIST_PAGE_MIN_TRACKS)
        | Q(track_count__gte=settings.ARTIST_PAGE_MIN_TRACKS_WITH_LIKE, liked_count__gte=1)
        | Q(liked_count__gte=settings.ARTIST_PAGE_MIN_LIKED)
    )


def label_page_ids() -> set[int]:
    return set(labels_with_pages().values_list("pk", flat=True))


def artist_page_ids() -> set[int]:
    return set(artists_with_pages().values_list("pk", flat=True))


def label_tracks(label: Label) -> QuerySet[Track]:
    """The tracks on the label's albums, each once (a subquery, not a join and DISTINCT: cheaper)."""
    return Track.objects.filter(album_id__in=AlbumLabel.objects.filter(label=label).values("album_id"))


def artist_tracks(artist: Artist) -> QuerySet[Track]:
    """The tracks crediting the artist (any position), each once."""
    return Track.objects.filter(pk__in=TrackArtist.objects.filter(artist=artist).values("track_id"))


def library_counts() -> dict[str, int]:
    """Counts for the home page and the import summary."""
    track_counts = Track.objects.aggregate(
        tracks=Count("pk"),
        liked=Count("pk", filter=Q(is_liked=True)),
        with_features=Count("pk", filter=Q(audio_features__isnull=False)),
    )
    return {
        **track_counts,
        "albums": Track.objects.values("album").distinct().count(),
        "artists": Artist.objects.count(),
        "labels": Label.objects.count(),
        "labels_with_pages": labels_with_pages().count(),
        "artists_with_pages": artists_with_pages().count(),
    }
