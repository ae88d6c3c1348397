"""Admin registrations. Spotify-owned fields are read-only: curators edit only curated fields
(liked override, label names and album labels, descriptions)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from markdownx.admin import MarkdownxModelAdmin

from catalog import curation
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


def album_art(image_url: str, size: int = 40) -> str:
    """A small cover image (http(s) URLs only; anything else shows nothing)."""
    if not image_url.startswith(("https://", "http://")):
        return ""
    return format_html('<img src="{}" alt="" width="{}" height="{}" loading="lazy">', image_url, size, size)


def curation_history(changes: QuerySet[CurationChange]) -> str:
    """The audit trail as a small read-only table (who, when, what, from, to)."""
    rows = list(changes.select_related("user")[:50])
    if not rows:
        return "No curation yet."
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        ((c.created_at.strftime("%Y-%m-%d %H:%M"), c.user or "—", c.field, c.old_value, c.new_value) for c in rows),
    )
    return format_html(
        "<table><thead><tr><th>When</th><th>Who</th><th>What</th><th>From</th><th>To</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        body,
    )


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Back to the page the admin came from (keeping its filters), if it is on this site."""
    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(referer)
    return HttpResponseRedirect(fallback)


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
    actions = ["recluster_selected"]

    @admin.action(description="Recluster the selected artists (in the background)", permissions=["change"])
    def recluster_selected(self, request: HttpRequest, queryset: QuerySet[Artist]) -> None:
        n = curation.recluster_enqueue(artist_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"Reclustering of {n} artists queued.", messages.SUCCESS)


class AlbumLabelInline(admin.TabularInline):
    """Set an album's labels by hand: saving a changed inline makes every link of the album an
    ``admin`` link (catalog.curation.album_labels_set), which refreshes and imports keep."""

    model = AlbumLabel
    extra = 0
    fields = ["position", "label", "raw_piece", "source"]
    readonly_fields = ["raw_piece", "source"]
    autocomplete_fields = ["label"]
    verbose_name = "record label"
    verbose_name_plural = "record labels (changing them here makes them admin-set: refreshes keep them)"


class AlbumArtistInline(admin.TabularInline):
    model = AlbumArtist
    extra = 0
    fields = ["position", "artist"]
    readonly_fields = fields
    can_delete = False


@admin.register(Album)
class AlbumAdmin(admin.ModelAdmin):
    list_display = ["art", "name", "release_date", "album_type", "label_names", "raw_label", "spotify_id"]
    search_fields = ["name", "spotify_id", "raw_label", "upc", "label_links__label__name"]
    list_filter = ["album_type", "label_links__source"]
    inlines = [AlbumArtistInline, AlbumLabelInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Album]:
        links = AlbumLabel.objects.select_related("label").order_by("position")
        return super().get_queryset(request).prefetch_related(Prefetch("label_links", queryset=links))

    @admin.display(description="Art")
    def art(self, album: Album) -> str:
        return album_art(album.image_url)

    @admin.display(description="Labels")
    def label_names(self, album: Album) -> str:
        return ", ".join(link.label.name for link in album.label_links.all())

    @admin.display(description="Curation history")
    def curation_history(self, album: Album) -> str:
        return curation_history(CurationChange.objects.filter(album=album))

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not AlbumLabel or not formset.has_changed():
            return super().save_formset(request, form, formset, change)
        # The admin's change message reads these; the curation trail records the change itself.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        kept = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and f.cleaned_data.get("label") and not f.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda data: data.get("position") or 0)
        curation.album_labels_set(album=formset.instance, labels=[d["label"] for d in kept], user=request.user)
        return None

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
        "curation_history",
    ]


class LabelAliasInline(admin.TabularInline):
    model = LabelAlias
    extra = 0


class LabelForm(forms.ModelForm):
    """Name and slug are curated through catalog.curation (audit, slug redirects); checked here first."""

    class Meta:
        model = Label
        fields = ["name", "slug", "name_locked", "description"]
        help_texts = {
            "name": "Display name. Renaming keeps the slug (the page URL) and locks the name against imports.",
            "slug": "Page URL: /labels/<slug>/. If you change it, the old URL redirects to the new one.",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Page URL: /labels/<slug>/. Leave empty to make it from the name."

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if self.instance.pk is None:
            try:
                curation.label_key_for_new(name)
            except curation.CurationError as exc:
                raise ValidationError(str(exc)) from exc
        return name

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if self.instance.pk is None and not slug:
            return ""
        try:
            return curation.label_slug_check(label=self.instance, slug=slug)
        except curation.CurationError as exc:
            raise ValidationError(str(exc)) from exc

    def validate_unique(self) -> None:
        pass  # the slug is checked above (with redirects); an empty slug on add is made from the name


class LabelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Label) -> str:
        counts = f", {obj.track_count} tracks" if hasattr(obj, "track_count") else ""
        return f"{obj.name} (/labels/{obj.slug}/{counts})"


class LabelMergeForm(forms.Form):
    target = LabelChoiceField(
        queryset=Label.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="The label that stays; the others are merged into it and their pages redirect to it.",
    )


@admin.register(Label)
class LabelAdmin(MarkdownxModelAdmin):
    form = LabelForm
    list_display = ["name", "slug", "track_count", "liked_count", "name_locked", "key"]
    list_filter = ["name_locked"]
    search_fields = ["name", "slug", "key", "album_links__raw_label"]
    readonly_fields = ["key", "created_at", "updated_at", "curation_history"]
    inlines = [LabelAliasInline]
    actions = ["merge_labels", "recluster_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Label]:
        return super().get_queryset(request).with_counts()

    @admin.display(description="Tracks", ordering="track_count")
    def track_count(self, label: Label) -> int:
        return label.track_count

    @admin.display(description="💚", ordering="liked_count")
    def liked_count(self, label: Label) -> int:
        return label.liked_count

    @admin.display(description="Curation history")
    def curation_history(self, label: Label) -> str:
        return curation_history(CurationChange.objects.filter(label=label))

    def save_model(self, request: HttpRequest, obj: Label, form, change: bool) -> None:
        if not change:
            data = form.cleaned_data
            created = curation.label_create(
                name=data["name"], slug=data["slug"], description=data.get("description", ""), user=request.user
            )
            obj.pk, obj.key, obj.slug, obj.name_locked = created.pk, created.key, created.slug, True
            obj._state.adding = False
            return None
        plain = [f for f in form.changed_data if f in ("description", "name_locked")]
        if plain:
            obj.save(update_fields=[*plain, "updated_at"])
        if "name" in form.changed_data:
            curation.label_rename(label=obj, name=form.cleaned_data["name"], user=request.user)
        if "slug" in form.changed_data:
            curation.label_slug_change(label=obj, slug=form.cleaned_data["slug"], user=request.user)
        if plain and not {"name", "slug"} & set(form.changed_data):
            curation.catalog_changed()
        obj.refresh_from_db()
        return None

    @admin.action(description="Merge the selected labels into one…", permissions=["change"])
    def merge_labels(self, request: HttpRequest, queryset: QuerySet[Label]) -> HttpResponse | None:
        chosen = queryset.order_by("-track_count", "name")
        if chosen.count() < 2:
            self.message_user(request, "Select at least two labels to merge.", messages.WARNING)
            return None
        form = LabelMergeForm(request.POST if "apply" in request.POST else None)
        form.fields["target"].queryset = chosen
        if form.is_valid():
            target = form.cleaned_data["target"]
            sources = [label for label in chosen if label.pk != target.pk]
            curation.labels_merge(sources=sources, target=target, user=request.user)
            names = ", ".join(label.name for label in sources)
            self.message_user(request, f"Merged {names} into {target.name}.", messages.SUCCESS)
            return None
        if not form.is_bound:
            form.initial["target"] = chosen.first().pk
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge labels",
            "opts": self.model._meta,
            "labels": chosen,
            "form": form,
            "action_name": "merge_labels",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/catalog/label/merge_labels.html", context)

    @admin.action(description="Recluster the selected labels (in the background)", permissions=["change"])
    def recluster_selected(self, request: HttpRequest, queryset: QuerySet[Label]) -> None:
        n = curation.recluster_enqueue(label_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"Reclustering of {n} labels queued.", messages.SUCCESS)


class OverrideSelect(forms.NullBooleanSelect):
    """The override in curators' words rather than Unknown/Yes/No."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", "Follow Spotify"), ("true", "Liked 💚"), ("false", "Not liked")]


class OverrideFilter(admin.SimpleListFilter):
    title = "override"
    parameter_name = "override"

    def lookups(self, request, model_admin):
        return [
            ("any", "Overridden"),
            ("liked", "Overridden: liked"),
            ("not_liked", "Overridden: not liked"),
            ("none", "Not overridden (follows Spotify)"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "any":
                return queryset.filter(liked_override__isnull=False)
            case "liked":
                return queryset.filter(liked_override=True)
            case "not_liked":
                return queryset.filter(liked_override=False)
            case "none":
                return queryset.filter(liked_override__isnull=True)
        return queryset


class TrackLabelFilter(admin.SimpleListFilter):
    """The labels with the most tracks (and the one chosen): a library has too many to list them all;
    search finds the others by name."""

    title = "label"
    parameter_name = "label"
    SHOWN = 30

    def lookups(self, request, model_admin):
        top = list(
            Label.objects.annotate(n=Count("album_links__album__tracks"))
            .order_by("-n", "name")
            .values_list("slug", "name")[: self.SHOWN]
        )
        chosen = self.value()
        if chosen and chosen not in {slug for slug, _ in top}:
            top += list(Label.objects.filter(slug=chosen).values_list("slug", "name"))
        return top

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(album__label_links__label__slug=self.value())
        return queryset


class AudioFeaturesFilter(admin.SimpleListFilter):
    title = "audio features"
    parameter_name = "features"

    def lookups(self, request, model_admin):
        return [("yes", "Has audio features"), ("no", "No audio features")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(audio_features__isnull=self.value() == "no")
        return queryset


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    """Curating likes: the effective 💚, where it comes from, bulk actions and a one-click toggle.

    Every change goes through catalog.curation.track_likes_set (one UPDATE, an audit row per track).
    """

    list_display = ["art", "name", "album", "artist_names", "label_names", "liked", "liked_source", "toggle"]
    list_display_links = ["name"]
    list_select_related = ["album"]
    list_per_page = 100
    search_fields = [
        "name",
        "spotify_id",
        "album__name",
        "artists__name",
        "album__label_links__label__name",
    ]
    list_filter = [("is_liked", admin.BooleanFieldListFilter), OverrideFilter, TrackLabelFilter, AudioFeaturesFilter]
    actions = ["mark_liked", "mark_not_liked", "clear_override", "push_to_spotify"]
    inlines = [TrackArtistInline]
    fields = [
        "spotify_id",
        "name",
        "album",
        "liked_override",
        "is_liked",
        "liked_on_spotify",
        "liked_at",
        "curation_history",
        "duration_ms",
        "explicit",
        "disc_number",
        "track_number",
        "isrc",
        "popularity",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [f for f in fields if f != "liked_override"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Track]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("artist_credits", queryset=TrackArtist.objects.select_related("artist").order_by("position")),
                Prefetch(
                    "album__label_links", queryset=AlbumLabel.objects.select_related("label").order_by("position")
                ),
            )
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tracks come from Spotify and imports

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "liked_override":
            kwargs["widget"] = OverrideSelect()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_urls(self):
        urls = [
            path(
                "<int:object_id>/toggle-like/",
                self.admin_site.admin_view(self.toggle_like_view),
                name="catalog_track_toggle_like",
            ),
            path(
                "recluster-all/",
                self.admin_site.admin_view(self.recluster_all_view),
                name="catalog_track_recluster_all",
            ),
        ]
        return urls + super().get_urls()

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if not settings.SPOTIFY_PUSH_CURATIONS:
            actions.pop("push_to_spotify", None)
        return actions

    # -- columns -----------------------------------------------------------------------------

    @admin.display(description="Art")
    def art(self, track: Track) -> str:
        return album_art(track.album.image_url)

    @admin.display(description="Artists")
    def artist_names(self, track: Track) -> str:
        return ", ".join(credit.artist.name for credit in track.artist_credits.all())

    @admin.display(description="Labels")
    def label_names(self, track: Track) -> str:
        return ", ".join(link.label.name for link in track.album.label_links.all())

    @admin.display(description="💚", ordering="is_liked")
    def liked(self, track: Track) -> str:
        return "💚" if track.is_liked else ""

    @admin.display(description="From", ordering="liked_override")
    def liked_source(self, track: Track) -> str:
        if track.liked_override is None:
            return "Spotify"
        spotify = "liked" if track.liked_on_spotify else "not liked"
        return f"override (Spotify: {spotify})"

    @admin.display(description="Toggle")
    def toggle(self, track: Track) -> str:
        # A submit button of the changelist form (which carries the CSRF token) posting elsewhere:
        # no nested form, no JavaScript.
        url = reverse("admin:catalog_track_toggle_like", args=[track.pk])
        return format_html(
            '<button type="submit" class="button toggle-like" formaction="{}" formmethod="post" '
            'formnovalidate title="{}">{}</button>',
            url,
            "Mark not liked" if track.is_liked else "Mark liked",
            "Unlike" if track.is_liked else "Like",
        )

    @admin.display(description="Curation history")
    def curation_history(self, track: Track) -> str:
        return curation_history(CurationChange.objects.filter(track=track))

    # -- curating ----------------------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Track, form, change: bool) -> None:
        if change and "liked_override" in form.changed_data:
            curation.track_likes_set(
                tracks=Track.objects.filter(pk=obj.pk), liked=form.cleaned_data["liked_override"], user=request.user
            )
            obj.refresh_from_db()

    def _set_likes(self, request: HttpRequest, queryset: QuerySet[Track], liked: bool | None) -> None:
        result = curation.track_likes_set(tracks=queryset, liked=liked, user=request.user)
        what = curation.override_text(liked)
        tracks = "track" if result.changed == 1 else "tracks"
        self.message_user(request, f"{result.changed} {tracks} set to “{what}”.", messages.SUCCESS)

    @admin.action(description="Mark selected tracks liked 💚", permissions=["change"])
    def mark_liked(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        self._set_likes(request, queryset, True)

    @admin.action(description="Mark selected tracks not liked", permissions=["change"])
    def mark_not_liked(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        self._set_likes(request, queryset, False)

    @admin.action(description="Clear the override (follow Spotify)", permissions=["change"])
    def clear_override(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        self._set_likes(request, queryset, None)

    @admin.action(description="Push the overrides of selected tracks to the Spotify library", permissions=["change"])
    def push_to_spotify(self, request: HttpRequest, queryset: QuerySet[Track]) -> None:
        try:
            report = curation.spotify_library_push(tracks=queryset)
        except curation.CurationError as exc:
            self.message_user(request, f"Nothing pushed: {exc}", messages.ERROR)
            return
        level = messages.WARNING if report.failures else messages.SUCCESS
        self.message_user(request, f"Spotify: {report.summary()}.", level)
        names = dict(Track.objects.filter(spotify_id__in=list(report.failures)).values_list("spotify_id", "name"))
        for spotify_id, error in sorted(report.failures.items()):
            self.message_user(request, f"Not pushed: {names.get(spotify_id, spotify_id)} ({error})", messages.ERROR)

    @method_decorator(require_POST)
    def toggle_like_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        track = get_object_or_404(Track, pk=object_id)
        if not self.has_change_permission(request, track):
            raise PermissionDenied
        liked = curation.track_like_toggle(track=track, user=request.user)
        self.message_user(request, f"{track.name}: {'liked 💚' if liked else 'not liked'}.", messages.SUCCESS)
        return redirect_back(request, reverse("admin:catalog_track_changelist"))

    @method_decorator(require_POST)
    def recluster_all_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        curation.recluster_enqueue(everything=True)
        self.message_user(request, "Reclustering of every label and artist whose tracks changed is queued.")
        return redirect_back(request, reverse("admin:catalog_track_changelist"))


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
    list_filter = ["field", "user"]
    list_select_related = ["user", "track", "label", "album"]
    search_fields = ["track__name", "label__name", "album__name", "old_value", "new_value"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an audit trail is not edited by hand


@admin.register(SpotifyConnection)
class SpotifyConnectionAdmin(ReadOnlyAdmin):
    """Connect, reconnect and "refresh now" live on /spotify/ (OAuth needs a browser round trip)."""

    list_display = [
        "__str__",
        "status",
        "connected_at",
        "batch_endpoints_allowed",
        "audio_features_available",
        "paused_until",
        "last_error",
        "manage",
    ]
    exclude = ["token_info"]  # secrets stay out of the admin

    @admin.display(description="connect / refresh")
    def manage(self, connection: SpotifyConnection) -> str:
        from django.utils.html import format_html

        return format_html('<a href="{}">Spotify status page</a>', "/spotify/")


@admin.register(RefreshRun)
class RefreshRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "status",
        "phase",
        "progress",
        "resume_at",
        "started_at",
        "finished_at",
        "api_calls",
        "tracks_added",
        "tracks_updated",
        "tracks_removed",
        "last_error",
    ]
    list_filter = ["status", "full"]
    exclude = ["state"]  # resumable internals (offsets, id lists): large and not for reading

    @admin.display(description="progress")
    def progress(self, run: RefreshRun) -> str:
        if not run.progress_total:
            return ""
        return f"{run.progress_done}/{run.progress_total} ({run.progress_percent}%)"

    @admin.display(description="last error")
    def last_error(self, run: RefreshRun) -> str:
        return run.errors[-1]["message"] if run.errors else ""
