"""Stored clustering runs: one run per scope (a label, an artist, or the whole library).

A run is written completely (clusters, members, scatter plot) while it is not current, then
swapped in by flipping ``is_current`` in one transaction (``clusters.services``): pages read the
current run, which is always a complete one.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q

from catalog.models import Artist, Label, Track
from catalog.tables import TrackRow

SCATTER_FILENAME = "clusters_scatter.png"


class ClusterRun(models.Model):
    class Scope(models.TextChoices):
        LABEL = "label", "Label"
        ARTIST = "artist", "Artist"
        LIBRARY = "library", "Whole library"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETE = "complete", "Complete"
        FAILED = "failed", "Failed"

    scope = models.CharField(max_length=8, choices=Scope.choices)
    label = models.ForeignKey(Label, null=True, blank=True, on_delete=models.CASCADE, related_name="cluster_runs")
    artist = models.ForeignKey(Artist, null=True, blank=True, on_delete=models.CASCADE, related_name="cluster_runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    is_current = models.BooleanField(default=False)
    feature_set = models.JSONField(default=dict, help_text="The features used (see clusters.features).")
    k = models.PositiveSmallIntegerField(null=True, blank=True)
    silhouette = models.FloatField(null=True, blank=True, help_text="In the standardized feature space.")
    quality = models.JSONField(default=dict, blank=True, help_text="Other figures: the k tried, inertia, PCA.")
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds per phase.")
    n_tracks = models.PositiveIntegerField(default=0)
    x_axis = models.CharField(max_length=300, blank=True)
    y_axis = models.CharField(max_length=300, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, help_text="Digest of the input data and algorithm.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["label"], condition=Q(is_current=True, scope="label"), name="uniq_current_label_run"
            ),
            models.UniqueConstraint(
                fields=["artist"], condition=Q(is_current=True, scope="artist"), name="uniq_current_artist_run"
            ),
            models.UniqueConstraint(
                fields=["scope"], condition=Q(is_current=True, scope="library"), name="uniq_current_library_run"
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="label", label__isnull=False, artist__isnull=True)
                    | Q(scope="artist", artist__isnull=False, label__isnull=True)
                    | Q(scope="library", label__isnull=True, artist__isnull=True)
                ),
                name="cluster_run_scope_matches_target",
            ),
        ]
        indexes = [models.Index(fields=["scope", "is_current"])]

    def __str__(self) -> str:
        return f"Clusters of {self.scope_name} (run {self.pk}, {self.status})"

    @property
    def scope_name(self) -> str:
        if self.scope == self.Scope.LABEL:
            return f"label {self.label}"
        if self.scope == self.Scope.ARTIST:
            return f"artist {self.artist}"
        return "the whole library"

    @property
    def scatter_relpath(self) -> str:
        """The scatter plot's path under MEDIA_ROOT (forward slashes)."""
        return f"clusters/{self.pk}/{SCATTER_FILENAME}"

    @property
    def scatter_path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.scatter_relpath

    @property
    def scatter_url(self) -> str:
        return "/" + settings.MEDIA_URL.strip("/") + "/" + self.scatter_relpath


class Cluster(models.Model):
    run = models.ForeignKey(ClusterRun, on_delete=models.CASCADE, related_name="clusters")
    number = models.PositiveSmallIntegerField(help_text="1-based; kept across reruns for matching clusters.")
    description = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField()
    centre = models.JSONField(default=list, help_text="The centre in the run's clustering space.")

    class Meta:
        ordering = ["run", "number"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="uniq_cluster_number")]

    def __str__(self) -> str:
        return f"Cluster #{self.number}"

    @property
    def nearest_tracks(self) -> list[TrackRow]:
        """The most representative tracks, nearest the centre first, as ``catalog.tables.TrackRow``s.

        Set by ``clusters.selectors`` (``nearest_track_rows``), which fetches them as plain rows.
        """
        return self.nearest_track_rows  # type: ignore[attr-defined]


class ClusterMember(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="members")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="cluster_memberships")
    distance = models.FloatField(help_text="Distance to the cluster centre.")
    rank = models.PositiveIntegerField(help_text="1 = nearest the centre.")
    x = models.FloatField()
    y = models.FloatField()

    class Meta:
        ordering = ["cluster", "rank"]
        constraints = [models.UniqueConstraint(fields=["cluster", "rank"], name="uniq_cluster_member_rank")]
        indexes = [models.Index(fields=["track"])]

    def __str__(self) -> str:
        return f"{self.track_id} in {self.cluster_id} (#{self.rank})"
