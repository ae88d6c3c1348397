"""Admin curation: liked overrides with an audit trail, label rename/slug/merge, album labels by hand,
and the optional push of curated likes to the Spotify library.

Every service here writes in one transaction, records a ``CurationChange`` per changed thing, and,
once the transaction commits, bumps the catalog cache version (pages and the export show the
curation at once) and enqueues reclustering of the labels and artists it touched.
Curations survive refreshes and imports: ``library_upsert`` never touches ``liked_override``,
keeps albums that have ``admin`` label links, and follows ``LabelAlias`` keys to merged labels.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import spotipy
from celery import current_app
from django.conf import settings
from django.db import connections, transaction
from django.db.models import Case, CharField, DateTimeField, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from catalog import labels as label_rules
from catalog.cache import bump_catalog_version
from catalog.models import (
    Album,
    AlbumLabel,
    CurationChange,
    Label,
    LabelAlias,
    LabelSource,
    SlugRedirect,
    Track,
    TrackArtist,
)
from catalog.refresh import RECLUSTER_TASK as RECLUSTER_CHANGED_TASK
from catalog.refresh import recluster_changed_send
from catalog.services import label_display_names_refresh
from catalog.sources.spotify import SpotifyError
from catalog.spotify_auth import spotify_client

logger = logging.getLogger(__name__)

LIKED_OVERRIDE_FIELD = "liked_override"
# Spotify's PUT/DELETE /me/library take a comma-separated list of URIs; 40 per call stays within
# the documented limit of the old /me/tracks endpoints (50 ids) with room to spare.
SPOTIFY_LIBRARY_BATCH = 40


class CurationError(ValueError):
    """A curation that cannot be applied; the message says which field and why."""


def override_text(value: bool | None) -> str:
    """How a liked override reads in the audit trail."""
    if value is None:
        return "follow Spotify"
    return "liked" if value else "not liked"


# --- Enqueueing after commit --------------------------------------------------------------------


def enqueue_task(dotted_name: str, *args: Any) -> str:
    """Send a Celery task by its dotted name (``app.tasks.func``); catalog never imports clusters.

    With a broker the task is sent by name (the web process need not import the clusters app);
    without one (eager mode) the registered task runs inline, as ``.delay`` would. Returns ``sent``,
    ``ran`` or ``skipped`` (no such task registered: logged, not raised — a curation must not fail
    because clustering is missing).
    """
    app = current_app
    if not app.conf.task_always_eager:
        app.send_task(dotted_name, args=list(args))
        return "sent"
    app.loader.import_default_modules()  # autodiscovery of the apps' tasks modules is lazy
    task = app.tasks.get(dotted_name)
    if task is None:
        logger.warning("task %s is not registered; not run", dotted_name)
        return "skipped"
    task.apply_async(args=list(args))
    return "ran"


RECLUSTER_LABEL_TASK = "clusters.tasks.recluster_label"
RECLUSTER_ARTIST_TASK = "clusters.tasks.recluster_artist"
RECLUSTER_ALL_TASK = "clusters.tasks.recluster_all"


def recluster_enqueue(
    *, label_ids: Iterable[int] = (), artist_ids: Iterable[int] = (), everything: bool = False
) -> int:
    """Once the current transaction commits, enqueue reclustering of these labels and artists (one
    task each, recomputed even when their tracks did not change: an admin asked for it), or of
    every scope whose tracks changed. Returns the number of tasks that will be sent."""
    if everything:
        _on_commit_logged(RECLUSTER_ALL_TASK, lambda: enqueue_task(RECLUSTER_ALL_TASK))
        return 1
    jobs = [(RECLUSTER_LABEL_TASK, pk) for pk in sorted(set(label_ids))]
    jobs += [(RECLUSTER_ARTIST_TASK, pk) for pk in sorted(set(artist_ids))]
    for name, pk in jobs:
        _on_commit_logged(f"{name}({pk})", lambda name=name, pk=pk: enqueue_task(name, pk, True))
    return len(jobs)


def _on_commit_logged(what: str, send: Callable[[], object]) -> None:
    """Run ``send`` once the transaction commits; a failure (broker down) is logged, not raised:
    the curation is committed, and only its background follow-up is lost."""

    def send_logged() -> None:
        try:
            send()
        except Exception:
            logger.exception("could not enqueue %s after a curation", what)

    # Caught here rather than with on_commit(robust=True), whose Django 5.2 error log needs the
    # callback's __qualname__ (a functools.partial has none: the log call itself raises).
    transaction.on_commit(send_logged)


def catalog_changed() -> None:
    """Once the current transaction commits, pages and the export see the catalog as changed."""
    transaction.on_commit(bump_catalog_version)


def _after_commit(*, label_ids: Iterable[int] = (), artist_ids: Iterable[int] = ()) -> None:
    """On commit: new cache version, then recluster what depends on the change (in the background)."""
    transaction.on_commit(bump_catalog_version)
    label_ids, artist_ids = sorted(set(label_ids)), sorted(set(artist_ids))
    if label_ids or artist_ids:
        # The refresh's sender: the same task, sent the same way (by name).
        _on_commit_logged(f"{RECLUSTER_CHANGED_TASK}({label_ids}, {artist_ids})",
                          lambda: recluster_changed_send(label_ids, artist_ids))  # fmt: skip


def _user_id(user: Any) -> int | None:
    return getattr(user, "pk", None) if user is not None and getattr(user, "is_authenticated", False) else None


# --- Liked tracks -------------------------------------------------------------------------------


@dataclass
class LikesResult:
    """What a likes curation changed: how many tracks, and which labels/artists are affected."""

    changed: int = 0
    label_ids: set[int] = field(default_factory=set)
    artist_ids: set[int] = field(default_factory=set)


def track_likes_set(*, tracks: QuerySet[Track], liked: bool | None, user: Any = None) -> LikesResult:
    """Set the liked override of every track in ``tracks`` (None clears it: follow Spotify).

    A fixed number of queries whatever the selection's size: one INSERT … SELECT writes an audit row
    for each track whose override actually changes, then one UPDATE changes them; tracks already in
    that state are left alone, so it is safe to repeat. Returns the number of tracks changed and the
    labels/artists queued for reclustering.
    """
    if liked not in (True, False, None):
        raise CurationError(f"liked override must be True, False or None, not {liked!r}")
    with transaction.atomic():
        # A plain pk subquery: the selection may carry joins (admin search) that UPDATE can't take.
        selection = Track.objects.filter(pk__in=tracks.values("pk")).order_by()
        if liked is None:
            to_change = selection.filter(liked_override__isnull=False)
        else:
            to_change = selection.exclude(liked_override=liked)
        label_ids = set(
            AlbumLabel.objects.filter(album__tracks__in=to_change.values("pk")).values_list("label_id", flat=True)
        )
        artist_ids = set(
            TrackArtist.objects.filter(track__in=to_change.values("pk")).values_list("artist_id", flat=True)
        )
        changed = _record_override_changes(to_change, liked=liked, user_id=_user_id(user))
        if not changed:
            return LikesResult()
        to_change.update(liked_override=liked, updated_at=timezone.now())
        _after_commit(label_ids=label_ids, artist_ids=artist_ids)
    return LikesResult(changed=changed, label_ids=label_ids, artist_ids=artist_ids)


def _record_override_changes(to_change: QuerySet[Track], *, liked: bool | None, user_id: int | None) -> int:
    """INSERT INTO the audit trail one row per track of ``to_change`` (from its current override to
    ``liked``), in one statement; returns the number of rows written.

    The rows are selected FOR UPDATE (PostgreSQL): the UPDATE that follows changes exactly these.
    Django has no INSERT … SELECT, so the SELECT is built with the ORM and wrapped here.
    """
    rows = (
        to_change.select_for_update()
        .annotate(
            _created_at=Value(timezone.now(), output_field=DateTimeField()),
            _user_id=Value(user_id, output_field=IntegerField()),
            _track_id=F("pk"),
            _field=Value(LIKED_OVERRIDE_FIELD, output_field=CharField()),
            _old=Case(
                When(liked_override__isnull=True, then=Value(override_text(None))),
                When(liked_override=True, then=Value(override_text(True))),
                default=Value(override_text(False)),
                output_field=CharField(),
            ),
            _new=Value(override_text(liked), output_field=CharField()),
        )
        .values_list("_created_at", "_user_id", "_track_id", "_field", "_old", "_new")
    )
    db = rows.db
    select_sql, params = rows.query.get_compiler(using=db).as_sql()
    table = connections[db].ops.quote_name(CurationChange._meta.db_table)
    columns = ", ".join(
        connections[db].ops.quote_name(CurationChange._meta.get_field(name).column)
        for name in ("created_at", "user", "track", "field", "old_value", "new_value")
    )
    with connections[db].cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select_sql}", params)  # noqa: S608 - ORM-built SQL
        return cursor.rowcount


def track_like_toggle(*, track: Track, user: Any = None) -> bool:
    """Flip the track's effective 💚 with an override; returns the new effective state.

    When the flip lands back on Spotify's own state the override is cleared rather than kept, so
    the track follows Spotify again (and a later refresh can change it).
    """
    track.refresh_from_db(fields=["liked_on_spotify", "liked_override", "is_liked"])
    wanted = not track.is_liked
    override = None if wanted == track.liked_on_spotify else wanted
    track_likes_set(tracks=Track.objects.filter(pk=track.pk), liked=override, user=user)
    return wanted


# --- Labels -------------------------------------------------------------------------------------


def _label_artist_ids(label_ids: Iterable[int]) -> set[int]:
    return set(
        TrackArtist.objects.filter(track__album__label_links__label_id__in=list(label_ids)).values_list(
            "artist_id", flat=True
        )
    )


def label_key_for_new(name: str) -> str:
    """The grouping key a label created by hand gets, or CurationError when it has none or is taken."""
    key = label_rules.standardize_label(name or "")[: Label.KEY_MAX_LENGTH]
    if not key:
        raise CurationError(f"name {name!r}: not a label name (nothing is left once standardized)")
    existing = Label.objects.filter(key=key).first()
    alias = LabelAlias.objects.filter(key=key).select_related("label").first()
    if existing is not None or alias is not None:
        taken = existing or alias.label
        raise CurationError(f"name {name!r}: the label {taken.name!r} (/labels/{taken.slug}/) already stands for it")
    return key


def label_create(*, name: str, slug: str = "", description: str = "", user: Any = None) -> Label:
    """A label made by hand (to assign to albums): its key from the name, a free slug (from the name
    when ``slug`` is empty), and a locked name so imports keep it."""
    name = (name or "").strip()
    with transaction.atomic():
        key = label_key_for_new(name)
        if slug:
            slug = label_slug_check(label=Label(), slug=slug)
        else:
            slug = label_rules.unique_slug(
                label_rules.slugify_label(name),
                lambda s: (
                    Label.objects.filter(slug=s).exists()
                    or SlugRedirect.objects.filter(kind=SlugRedirect.Kind.LABEL, old_slug=s).exists()
                ),
            )
        label = Label.objects.create(key=key, name=name, slug=slug, name_locked=True, description=description)
        CurationChange.objects.create(
            user_id=_user_id(user), label=label, field="label_created", old_value="", new_value=name
        )
        catalog_changed()
    return label


def label_rename(*, label: Label, name: str, user: Any = None) -> Label:
    """Give the label a new display name; the slug stays (published URLs keep working).

    Sets ``name_locked`` so imports and refreshes keep the admin's name. Idempotent.
    """
    name = (name or "").strip()
    if not name:
        raise CurationError("name: a label needs a display name")
    with transaction.atomic():
        label = Label.objects.select_for_update().get(pk=label.pk)
        if label.name == name and label.name_locked:
            return label
        old = label.name
        label.name = name
        label.name_locked = True
        label.save(update_fields=["name", "name_locked", "updated_at"])
        if old != name:
            CurationChange.objects.create(
                user_id=_user_id(user), label=label, field="label_name", old_value=old, new_value=name
            )
        _after_commit(label_ids=[label.pk])
    return label


def label_slug_check(*, label: Label, slug: str) -> str:
    """The slug as ``label`` may take it, or CurationError saying why not.

    It must already be in slug form (``catalog.labels.slugify_label`` leaves it unchanged) and be
    free: no other label has it, and no redirect points it at another label.
    """
    slug = (slug or "").strip()
    if not slug or label_rules.slugify_label(slug) != slug:
        raise CurationError(
            f"slug {slug!r}: use lower-case letters, digits and - _ ( ) ! , only "
            f"(for example {label_rules.slugify_label(slug)!r})"
        )
    if Label.objects.filter(slug=slug).exclude(pk=label.pk).exists():
        raise CurationError(f"slug {slug!r}: another label has it")
    redirect = SlugRedirect.objects.filter(kind=SlugRedirect.Kind.LABEL, old_slug=slug).first()
    if redirect is not None and redirect.label_id != label.pk:
        raise CurationError(f"slug {slug!r}: it is an old slug of another label and redirects there")
    return slug


def label_slug_change(*, label: Label, slug: str, user: Any = None) -> Label:
    """Change the label's slug; the old slug becomes a ``SlugRedirect`` to the label (see label_slug_check)."""
    with transaction.atomic():
        label = Label.objects.select_for_update().get(pk=label.pk)
        slug = label_slug_check(label=label, slug=slug)
        if label.slug == slug:
            return label
        # Taking back one of this label's own old slugs: that redirect goes.
        SlugRedirect.objects.filter(kind=SlugRedirect.Kind.LABEL, old_slug=slug, label=label).delete()
        old = label.slug
        SlugRedirect.objects.create(kind=SlugRedirect.Kind.LABEL, old_slug=old, label=label)
        label.slug = slug
        label.save(update_fields=["slug", "updated_at"])
        CurationChange.objects.create(
            user_id=_user_id(user), label=label, field="label_slug", old_value=old, new_value=slug
        )
        _after_commit(label_ids=[label.pk])
    return label


def labels_merge(*, sources: Sequence[Label], target: Label, user: Any = None) -> Label:
    """Merge each source label into ``target`` and delete the sources.

    Album links move to the target (an album linked to both keeps one link); each source's key and
    aliases become aliases of the target, so later imports and refreshes file those albums under the
    target; the source's slug and its old slugs redirect to the target. The target's description is
    kept (a source's is used only when the target has none). Returns the target.
    """
    source_ids = sorted({s.pk for s in sources} - {target.pk})
    if not source_ids:
        raise CurationError("merge: choose at least one label other than the target")
    with transaction.atomic():
        target = Label.objects.select_for_update().get(pk=target.pk)
        merged = list(Label.objects.select_for_update().filter(pk__in=source_ids).order_by("pk"))
        if len(merged) != len(source_ids):
            raise CurationError("merge: a label to merge no longer exists")
        artist_ids = _label_artist_ids([target.pk, *source_ids])

        already = set(AlbumLabel.objects.filter(label=target).values_list("album_id", flat=True))
        moving = AlbumLabel.objects.filter(label_id__in=source_ids).order_by("album_id", "position", "pk")
        keep_pks, seen = [], set(already)
        for pk, album_id in moving.values_list("pk", "album_id"):
            if album_id not in seen:
                seen.add(album_id)
                keep_pks.append(pk)
        AlbumLabel.objects.filter(label_id__in=source_ids).exclude(pk__in=keep_pks).delete()
        AlbumLabel.objects.filter(pk__in=keep_pks).update(label=target)

        LabelAlias.objects.filter(label_id__in=source_ids).update(label=target)
        LabelAlias.objects.bulk_create([LabelAlias(key=lb.key, label=target) for lb in merged])
        SlugRedirect.objects.filter(kind=SlugRedirect.Kind.LABEL, label_id__in=source_ids).update(label=target)
        SlugRedirect.objects.bulk_create(
            [SlugRedirect(kind=SlugRedirect.Kind.LABEL, old_slug=lb.slug, label=target) for lb in merged]
        )
        if not target.description.strip():
            described = next((lb for lb in merged if lb.description.strip()), None)
            if described is not None:
                target.description = described.description
                target.save(update_fields=["description", "updated_at"])
        # The audit rows of a merged label would lose their label (SET_NULL): they follow the target.
        CurationChange.objects.filter(label_id__in=source_ids).update(label=target)
        CurationChange.objects.bulk_create(
            [
                CurationChange(
                    user_id=_user_id(user),
                    label=target,
                    field="label_merge",
                    old_value=f"{lb.name} ({lb.slug})",
                    new_value=f"{target.name} ({target.slug})",
                )
                for lb in merged
            ]
        )
        Label.objects.filter(pk__in=source_ids).delete()
        label_display_names_refresh(label_ids=[target.pk])
        _after_commit(label_ids=[target.pk], artist_ids=artist_ids)
    target.refresh_from_db()
    return target


def album_labels_set(*, album: Album, labels: Sequence[Label], user: Any = None) -> list[AlbumLabel]:
    """Set the album's labels by hand, in this order (links with source ``admin``).

    Refreshes and imports keep an album's admin links. An empty list removes all the album's labels
    (and keeps it that way). Returns the new links; nothing changes when they are already so.
    """
    wanted: list[Label] = list(dict.fromkeys(labels))
    with transaction.atomic():
        album = Album.objects.select_for_update().get(pk=album.pk)
        current = list(AlbumLabel.objects.filter(album=album).select_related("label").order_by("position", "pk"))
        if [(c.label_id, c.source) for c in current] == [(lb.pk, LabelSource.ADMIN) for lb in wanted] and current:
            return current
        old_names = ", ".join(c.label.name for c in current)
        AlbumLabel.objects.filter(album=album).delete()
        links = AlbumLabel.objects.bulk_create(
            [
                AlbumLabel(
                    album=album,
                    label=lb,
                    raw_label=album.raw_label,
                    raw_piece=lb.name,
                    source=LabelSource.ADMIN,
                    position=i,
                )
                for i, lb in enumerate(wanted)
            ]
        )
        CurationChange.objects.create(
            user_id=_user_id(user),
            album=album,
            field="album_labels",
            old_value=old_names,
            new_value=", ".join(lb.name for lb in wanted),
        )
        label_ids = {c.label_id for c in current} | {lb.pk for lb in wanted}
        artist_ids = set(TrackArtist.objects.filter(track__album=album).values_list("artist_id", flat=True))
        _after_commit(label_ids=label_ids, artist_ids=artist_ids)
    return links


# --- Pushing curated likes to Spotify -----------------------------------------------------------


class SpotifyPushDisabled(CurationError):
    """SPOTIFY_PUSH_CURATIONS is off."""


@dataclass
class PushReport:
    """Result of pushing overrides to Spotify: what was saved/removed, and what failed and why."""

    saved: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: int = 0
    failures: dict[str, str] = field(default_factory=dict)  # spotify_id → error

    def summary(self) -> str:
        parts = [f"{len(self.saved)} saved to Spotify", f"{len(self.removed)} removed from Spotify"]
        if self.skipped:
            parts.append(f"{self.skipped} without an override skipped")
        if self.failures:
            parts.append(f"{len(self.failures)} failed")
        return ", ".join(parts)


def spotify_library_push(
    *, tracks: QuerySet[Track], client: Any = None, client_factory: Callable[[], Any] | None = None
) -> PushReport:
    """Push the liked overrides of ``tracks`` to the connected Spotify library.

    Tracks overridden as liked are saved (``PUT /me/library``), tracks overridden as not liked are
    removed (``DELETE /me/library``), in batches; tracks without an override are skipped. A failed
    batch marks each of its tracks as failed with Spotify's error; other batches still go through.
    Off unless ``SPOTIFY_PUSH_CURATIONS`` is true. Safe to repeat (saving a saved track is a no-op).
    """
    if not settings.SPOTIFY_PUSH_CURATIONS:
        raise SpotifyPushDisabled("pushing curations to Spotify is off (set SPOTIFY_PUSH_CURATIONS=true)")
    rows = list(Track.objects.filter(pk__in=tracks.values("pk")).values_list("spotify_id", LIKED_OVERRIDE_FIELD))
    report = PushReport(skipped=sum(1 for _, o in rows if o is None))
    to_save = [sid for sid, o in rows if o is True]
    to_remove = [sid for sid, o in rows if o is False]
    if not (to_save or to_remove):
        return report
    if client is None:
        client = (client_factory or _default_spotify_client)()
    for ids, call, done in (
        (to_save, client.current_user_saved_tracks_add, report.saved),
        (to_remove, client.current_user_saved_tracks_delete, report.removed),
    ):
        for start in range(0, len(ids), SPOTIFY_LIBRARY_BATCH):
            batch = ids[start : start + SPOTIFY_LIBRARY_BATCH]
            try:
                call([f"spotify:track:{sid}" for sid in batch])
            except Exception as exc:  # spotipy raises SpotifyException, requests its own: report both
                reason = _spotify_error_text(exc)
                report.failures.update(dict.fromkeys(batch, reason))
            else:
                done.extend(batch)
    return report


def _spotify_error_text(exc: Exception) -> str:
    status = getattr(exc, "http_status", None)
    msg = getattr(exc, "msg", None) or str(exc)
    return f"HTTP {status}: {msg}" if status else msg


def _default_spotify_client() -> spotipy.Spotify:
    """The spotipy client of the connected account (its session, token and SPOTIFY_API_URL)."""
    try:
        return spotify_client().sp
    except SpotifyError as exc:
        raise CurationError(f"Spotify: {exc}") from exc
