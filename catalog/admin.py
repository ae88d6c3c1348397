"""Admin registrations. Spotify-owned fields are read-only: curators edit only curated fields
(liked override, label names and album labels, descriptions)."""

from __future__ import annotations

from django.contrib import admin
from markdownx.admin import MarkdownxModelAdmin

from catalog.models import (
    Album,
    AlbumArtist,
    AlbumLabel,
    Artist,
    AudioFeatures,
    CurationChange,
    Genre,
    Label,
    LabelAlias,
    RefreshRun,
    SlugRedirect,
    SpotifyConnection,
    Track,
    TrackArtist,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records the system writes (runs, audit trail): viewable, never edited by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    list_display = ["name"]


class TrackArtistInline(admin.TabularInline):
    model = TrackArtist
    extra = 0
    fields = ["position", "artist"]
    readonly_fields = fields
    can_delete = False


@admin.register(Artist)
class ArtistAdmin(MarkdownxModelAdmin):
    list_display = ["name", "slug", "spotify_id", "details_fetched"]
    search_fields = ["name", "slug", "spotify_id"]
    list_filter = ["details_fetched", "genres"]
    readonly_fields = [
        "spotify_id",
        "name",
        "slug",
        "image_url",
        "genres",
        "popularity",
        "followers",
        "details_fetched",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields[:5] + ["description"] + readonly_fields[5:]


class AlbumLabelInline(admin.TabularInline):
    model = AlbumLabel
    extra = 0
    fields = ["position", "label", "raw_label", "raw_piece", "source"]
    readonly_fields = ["raw_label", "raw_piece", "source"]
    autocomplete_fields = ["label"]


class AlbumArtistInline(admin.TabularInline):
    model = AlbumArtist
    extra = 0
    fields = ["position", "artist"]
    readonly_fields = fields
    can_delete = False


@admin.register(Album)
class AlbumAdmin(admin.ModelAdmin):
    list_display = ["name", "release_date", "album_type", "raw_label", "spotify_id"]
    search_fields = ["name", "spotify_id", "raw_label", "upc"]
    list_filter = ["album_type", "label_links__source"]
    inlines = [AlbumArtistInline, AlbumLabelInline]
    readonly_fields = [
        "spotify_id",
        "name",
        "album_type",
        "release_date",
        "release_year",
        "total_tracks",
        "image_url",
        "upc",
        "popularity",
        "raw_label",
        "details_fetched",
        "created_at",
        "updated_at",
    ]


class LabelAliasInline(admin.TabularInline):
    model = LabelAlias
    extra = 0


@admin.register(Label)
class LabelAdmin(MarkdownxModelAdmin):
    list_display = ["name", "slug", "key"]
    search_fields = ["name", "slug", "key", "album_links__raw_label"]
    readonly_fields = ["key", "slug", "created_at", "updated_at"]
    inlines = [LabelAliasInline]


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ["name", "album", "is_liked", "liked_on_spotify", "liked_override"]
    list_select_related = ["album"]
    search_fields = ["name", "spotify_id", "album__name", "artists__name", "album__label_links__label__name"]
    list_filter = ["is_liked", "liked_on_spotify", "liked_override", "explicit"]
    inlines = [TrackArtistInline]
    readonly_fields = [
        "spotify_id",
        "name",
        "album",
        "duration_ms",
        "explicit",
        "disc_number",
        "track_number",
        "isrc",
        "popularity",
        "liked_on_spotify",
        "liked_at",
        "is_liked",
        "created_at",
        "updated_at",
    ]


@admin.register(AudioFeatures)
class AudioFeaturesAdmin(ReadOnlyAdmin):
    list_display = ["track", "source", "danceability", "energy", "valence", "tempo"]
    list_filter = ["source"]
    search_fields = ["track__name", "track__spotify_id"]
    list_select_related = ["track"]


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["kind", "old_slug", "label", "artist", "created_at"]
    list_filter = ["kind"]
    search_fields = ["old_slug"]


@admin.register(CurationChange)
class CurationChangeAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "user", "field", "track", "label", "album", "old_value", "new_value"]
    list_filter = ["field"]
    search_fields = ["track__name", "label__name", "album__name"]


@admin.register(SpotifyConnection)
class SpotifyConnectionAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "status",
        "connected_at",
        "batch_endpoints_allowed",
        "audio_features_available",
    ]
    exclude = ["token_info"]  # secrets stay out of the admin


@admin.register(RefreshRun)
class RefreshRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "status",
        "phase",
        "progress_percent",
        "started_at",
        "finished_at",
        "api_calls",
        "tracks_added",
        "tracks_updated",
        "tracks_removed",
    ]
    list_filter = ["status", "full"]
