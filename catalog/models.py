"""Catalog: artists, albums, record labels, tracks, and the state of the Spotify connection.

Spotify ids (the bare 22-character id) are the natural keys of Artist, Album and Track: every
import and refresh goes through catalog.services.library_upsert, which upserts on them.
No HTTP and no Markdown rendering here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from markdownx.models import MarkdownxField


class Genre(models.Model):
    MAX_LENGTH = 200
    name = models.CharField(max_length=MAX_LENGTH, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArtistQuerySet(models.QuerySet):
    def with_counts(self) -> ArtistQuerySet:
        """Annotate track_count and liked_count (any credit position, distinct tracks)."""
        return self.annotate(
            track_count=models.Count("track_credits__track", distinct=True),
            liked_count=models.Count(
                "track_credits__track", filter=Q(track_credits__track__is_liked=True), distinct=True
            ),
        )


class Artist(models.Model):
    spotify_id = models.CharField(max_length=64, unique=True)
    name = models.TextField()
    slug = models.CharField(max_length=200, unique=True)
    image_url = models.URLField(max_length=2000, blank=True)
    genres = models.ManyToManyField(Genre, blank=True, related_name="artists")
    # Removed for new Spotify apps (Feb 2026): kept when an import or an old API provides them.
    popularity = models.PositiveSmallIntegerField(null=True, blank=True)
    followers = models.PositiveIntegerField(null=True, blank=True)
    # True once the full artist object (genres, image) has been fetched or imported.
    details_fetched = models.BooleanField(default=False)
    description = MarkdownxField(blank=True, help_text="Markdown, shown on the artist page.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArtistQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LabelQuerySet(models.QuerySet):
    def with_counts(self) -> LabelQuerySet:
        """Annotate track_count and liked_count over the label's albums."""
        return self.annotate(
            track_count=models.Count("album_links__album__tracks", distinct=True),
            liked_count=models.Count(
                "album_links__album__tracks",
                filter=Q(album_links__album__tracks__is_liked=True),
                distinct=True,
            ),
        )


class Label(models.Model):
    """One standardized record label (catalog.labels.standardize_label gives its key)."""

    KEY_MAX_LENGTH = 300  # keys are truncated to this: a 5,000-character label name still groups sanely
    key = models.CharField(max_length=KEY_MAX_LENGTH, unique=True, help_text="Standardized grouping key.")
    name = models.TextField(help_text="Display name.")
    # An admin rename keeps the slug (published URLs stay valid); see SlugRedirect for changes.
    name_locked = models.BooleanField(
        default=False, help_text="Set when an admin renamed the label: imports keep the name."
    )
    slug = models.CharField(max_length=200, unique=True)
    description = MarkdownxField(blank=True, help_text="Markdown, shown on the label page.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LabelQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LabelAlias(models.Model):
    """A standardized key that an admin merged into another label; future data follows it."""

    key = models.CharField(max_length=300, unique=True)
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="aliases")

    def __str__(self) -> str:
        return f"{self.key} → {self.label}"


class Album(models.Model):
    spotify_id = models.CharField(max_length=64, unique=True)
    name = models.TextField()
    album_type = models.CharField(max_length=32, blank=True)
    release_date = models.CharField(max_length=10, blank=True, help_text="YYYY, YYYY-MM or YYYY-MM-DD")
    release_year = models.PositiveSmallIntegerField(null=True, blank=True)
    total_tracks = models.PositiveIntegerField(null=True, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    upc = models.CharField(max_length=32, blank=True)
    popularity = models.PositiveSmallIntegerField(null=True, blank=True)
    # The label string exactly as the source gave it ('' when unknown) and where it came from.
    raw_label = models.TextField(blank=True)
    # True once the full album object (copyrights, label, artists) has been fetched or imported.
    details_fetched = models.BooleanField(default=False)
    artists = models.ManyToManyField(Artist, through="AlbumArtist", related_name="albums")
    labels = models.ManyToManyField(Label, through="AlbumLabel", related_name="albums")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["release_date"])]

    def __str__(self) -> str:
        return self.name


class AlbumArtist(models.Model):
    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="artist_credits")
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="album_credits")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["album", "position"]
        constraints = [models.UniqueConstraint(fields=["album", "artist"], name="uniq_album_artist")]

    def __str__(self) -> str:
        return f"{self.album_id} by {self.artist_id} (#{self.position})"


class LabelSource(models.TextChoices):
    SPOTIFY = "spotify", "Spotify album label"
    COPYRIGHT_P = "copyright_p", "℗ copyright line"
    COPYRIGHT_C = "copyright_c", "© copyright line"
    IMPORT = "import", "Imported file"
    ADMIN = "admin", "Set by an admin"


class AlbumLabel(models.Model):
    """An album → label link, keeping the raw string it came from and its source.

    Links with source ``admin`` are curated: refreshes and imports leave such albums' labels alone.
    """

    album = models.ForeignKey(Album, on_delete=models.CASCADE, related_name="label_links")
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="album_links")
    raw_label = models.TextField(help_text="The album's whole raw label string.")
    raw_piece = models.TextField(help_text="The co-label piece that maps to this label.")
    source = models.CharField(max_length=16, choices=LabelSource.choices)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["album", "position"]
        constraints = [models.UniqueConstraint(fields=["album", "label"], name="uniq_album_label")]
        indexes = [models.Index(fields=["label", "album"])]

    def __str__(self) -> str:
        return f"{self.album_id} → {self.raw_piece} ({self.source})"


class TrackQuerySet(models.QuerySet):
    def liked(self) -> TrackQuerySet:
        return self.filter(is_liked=True)

    def overridden(self) -> TrackQuerySet:
        return self.filter(liked_override__isnull=False)


class Track(models.Model):
    spotify_id = models.CharField(max_length=64, unique=True)
    name = models.TextField()
    album = models.ForeignKey(Album, on_delete=models.PROTECT, related_name="tracks")
    artists = models.ManyToManyField(Artist, through="TrackArtist", related_name="tracks")
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    explicit = models.BooleanField(default=False)
    disc_number = models.PositiveSmallIntegerField(null=True, blank=True)
    track_number = models.PositiveSmallIntegerField(null=True, blank=True)
    isrc = models.CharField(max_length=32, blank=True)
    popularity = models.PositiveSmallIntegerField(null=True, blank=True)

    # Liked state: Spotify's (from saved tracks) and an admin override; the effective flag 💚 is
    # the override when set, else Spotify's, computed by the database so lists filter/sort/count on it.
    liked_on_spotify = models.BooleanField(default=False)
    liked_at = models.DateTimeField(null=True, blank=True, help_text="added_at of the saved track.")
    liked_override = models.BooleanField(
        null=True, blank=True, help_text="Admin override: liked, not liked, or none (follow Spotify)."
    )
    is_liked = models.GeneratedField(
        expression=Coalesce("liked_override", "liked_on_spotify"),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["is_liked"]),
            models.Index(fields=["album", "disc_number", "track_number"]),
            models.Index(fields=["liked_on_spotify"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def spotify_url(self) -> str:
        return f"https://open.spotify.com/track/{self.spotify_id}"


class TrackArtist(models.Model):
    """An ordered artist credit on a track (position 0 = primary artist)."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="artist_credits")
    artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="track_credits")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["track", "position"]
        constraints = [models.UniqueConstraint(fields=["track", "artist"], name="uniq_track_artist")]
        indexes = [models.Index(fields=["artist", "track"])]

    def __str__(self) -> str:
        return f"{self.track_id} by {self.artist_id} (#{self.position})"


class FeatureSource(models.TextChoices):
    SPOTIFY = "spotify", "Spotify audio features"
    IMPORT = "import", "Imported file"
    DEMO = "demo", "Demo library"
    OTHER = "other", "Other enrichment source"


class AudioFeatures(models.Model):
    track = models.OneToOneField(Track, on_delete=models.CASCADE, related_name="audio_features")
    danceability = models.FloatField(null=True, blank=True)
    energy = models.FloatField(null=True, blank=True)
    key = models.SmallIntegerField(null=True, blank=True)
    loudness = models.FloatField(null=True, blank=True)
    mode = models.SmallIntegerField(null=True, blank=True)
    speechiness = models.FloatField(null=True, blank=True)
    acousticness = models.FloatField(null=True, blank=True)
    instrumentalness = models.FloatField(null=True, blank=True)
    liveness = models.FloatField(null=True, blank=True)
    valence = models.FloatField(null=True, blank=True)
    tempo = models.FloatField(null=True, blank=True)
    time_signature = models.SmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=16, choices=FeatureSource.choices)
    updated_at = models.DateTimeField(auto_now=True)

    FEATURE_FIELDS = (
        "danceability",
        "energy",
        "key",
        "loudness",
        "mode",
        "speechiness",
        "acousticness",
        "instrumentalness",
        "liveness",
        "valence",
        "tempo",
        "time_signature",
    )

    class Meta:
        verbose_name_plural = "audio features"

    def __str__(self) -> str:
        return f"Audio features of {self.track_id}"


class SlugRedirect(models.Model):
    """An old slug of a label or artist page; the page answers with a redirect to the current one."""

    class Kind(models.TextChoices):
        LABEL = "label", "Label"
        ARTIST = "artist", "Artist"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    old_slug = models.CharField(max_length=200)
    label = models.ForeignKey(Label, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    artist = models.ForeignKey(Artist, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "old_slug"], name="uniq_slug_redirect")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.old_slug}"


class CurationChange(models.Model):
    """Audit trail of an admin curation: who changed what, when, from what to what."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    label = models.ForeignKey(Label, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    album = models.ForeignKey(Album, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=64)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value!r} → {self.new_value!r}"


class SpotifyConnection(models.Model):
    """The connected Spotify account (one row): its OAuth token and what this app may call."""

    class Status(models.TextChoices):
        CONNECTED = "connected", "Connected"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CONNECTED)
    token_info = models.JSONField(default=dict, blank=True)
    spotify_user_id = models.CharField(max_length=200, blank=True)
    display_name = models.CharField(max_length=300, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Capabilities learned from the API: None = not probed yet.
    batch_endpoints_allowed = models.BooleanField(null=True, blank=True)
    batch_endpoints_checked_at = models.DateTimeField(null=True, blank=True)
    audio_features_available = models.BooleanField(null=True, blank=True)
    audio_features_checked_at = models.DateTimeField(null=True, blank=True)
    # Set when Spotify asked us to stop (long Retry-After or QUOTA_EXCEEDED).
    paused_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.display_name or self.spotify_user_id or "Spotify connection"


class RefreshRun(models.Model):
    """One refresh of the library from Spotify, with its figures and progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused (rate limited)"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"

    connection = models.ForeignKey(
        SpotifyConnection, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    full = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    resume_at = models.DateTimeField(null=True, blank=True)
    api_calls = models.PositiveIntegerField(default=0)
    tracks_added = models.PositiveIntegerField(default=0)
    tracks_updated = models.PositiveIntegerField(default=0)
    tracks_removed = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=100, blank=True)
    errors = models.JSONField(default=list, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)
    # Written as the run makes progress: a running run without a recent heartbeat was abandoned
    # (killed worker) and may be taken over.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Resumable state (e.g. the saved-tracks offset reached) so a retried task continues.
    state = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Refresh #{self.pk} ({self.status})"

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class CatalogState(models.Model):
    """One row (pk 1): the catalog's data version, shared by every process through the database.

    Every committed catalog or clusters write adds one (``catalog.cache.bump_catalog_version``),
    and page caches are keyed on it, so a write made by a Celery worker or another web worker is
    seen by the next request of every process, even with per-process memory caches.
    """

    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Catalog version {self.version}"
