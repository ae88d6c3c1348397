"""Reads from the catalog: querysets with the joins and prefetches pages and the export need.

Each selector issues a fixed number of queries whatever the library size, so page cost does
not grow with the number of rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet

from catalog.models import AlbumLabel, Artist, Label, Track, TrackArtist


def tracks_for_table(tracks: QuerySet[Track]) -> QuerySet[Track]:
    """Tracks with what a track-table row shows: album, ordered artist credits, album labels."""
    return tracks.select_related("album").prefetch_related(
        Prefetch("artist_credits", queryset=TrackArtist.objects.select_related("artist").order_by("position")),
        Prefetch("album__label_links", queryset=AlbumLabel.objects.select_related("label").order_by("position")),
    )


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
    return Track.objects.filter(album__label_links__label=label).distinct()


def artist_tracks(artist: Artist) -> QuerySet[Track]:
    return Track.objects.filter(artist_credits__artist=artist).distinct()


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
