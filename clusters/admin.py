from __future__ import annotations

from django.contrib import admin

from clusters.models import Cluster, ClusterRun


class ClusterInline(admin.TabularInline):
    model = Cluster
    fields = ("number", "description", "size")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ClusterRun)
class ClusterRunAdmin(admin.ModelAdmin):
    """Runs are written by the recluster service only: the admin shows their figures."""

    list_display = ("id", "scope", "label", "artist", "status", "is_current", "k", "silhouette", "n_tracks",
                    "finished_at")  # fmt: skip
    list_filter = ("scope", "status", "is_current")
    search_fields = ("label__name", "artist__name")
    list_select_related = ("label", "artist")
    inlines = [ClusterInline]

    def get_readonly_fields(self, request, obj=None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
