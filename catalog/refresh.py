"""The Spotify refresh: saved tracks, then the albums and artists not yet known, then audio features.

One code path, three doorways: the Celery task ``catalog.tasks.refresh_library``, the beat
schedule (``refresh_library_scheduled``) and ``manage.py refresh_library`` all call
``refresh_start`` then ``refresh_run``.

- **Incremental.** Saved tracks come newest first. Page 1 (50 items) gives ``total`` and the
  newest ``added_at``s: when its tracks are known with the same ``added_at`` and ``total`` equals
  the liked count we started from plus the new likes seen, nothing below changed and the listing
  stops (a refresh with no change costs one call). When the counts don't add up, likes were
  removed: the whole listing is read and what is missing is marked not liked (overrides untouched).
  Albums and artists are fetched only while ``details_fetched`` is false, with the batch endpoints
  when this app may use them (probed, remembered ``SPOTIFY_CAPABILITY_RECHECK_DAYS``).
- **Resumable.** Each page or batch is written with the run's progress (``RefreshRun.state``) in
  one transaction; a retried task continues where it stopped, a killed worker leaves a
  consistent database, and the next run finishes the work (a run whose listing was interrupted
  makes the next one read the whole listing).
- **Never sleeps on a 429.** A short Retry-After leaves the run queued with ``resume_at`` (the
  task retries itself with that countdown); a long one or ``QUOTA_EXCEEDED`` pauses it
  (``paused``, ``resume_at``, ``SpotifyConnection.paused_until``).
- **One at a time.** ``refresh_start`` locks the connection row; a run is claimed with a
  conditional UPDATE; a running run without a heartbeat for ``REFRESH_STALE_AFTER_SECONDS`` was
  abandoned and may be taken over.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from catalog.models import Album, Artist, RefreshRun, SpotifyConnection, Track
from catalog.services import LibraryData, UpsertResult, library_upsert
from catalog.sources.spotify import (
    ALBUMS_BATCH_SIZE,
    ARTISTS_BATCH_SIZE,
    AUDIO_FEATURES_BATCH_SIZE,
    Forbidden,
    NeedsReconnect,
    NotConnected,
    NotFound,
    RateLimited,
    SpotifyClient,
    SpotifyError,
)
from catalog.spotify_auth import CONNECT_PATH, connected_auth_manager, connection_get

logger = logging.getLogger(__name__)

RECLUSTER_TASK = "clusters.tasks.recluster_changed"
ACTIVE_STATUSES = (RefreshRun.Status.QUEUED, RefreshRun.Status.RUNNING, RefreshRun.Status.PAUSED)
SINGLE_LOOKUPS_PER_WRITE = 20  # single album/artist lookups written together (one transaction)
MAX_SHORT_RETRIES = 10  # consecutive short 429s without progress before the run pauses instead
CLAIM_SLACK = timedelta(seconds=5)  # a retry may arrive a little before resume_at

Progress = Callable[[str, int, int], None]  # (phase, done, total)


class RefreshAlreadyRunning(Exception):
    """A refresh is already queued, running or paused for this connection; ``run`` is that one."""

    def __init__(self, run: RefreshRun) -> None:
        self.run = run
        if run.status == RefreshRun.Status.PAUSED and run.resume_at:
            detail = f"paused by Spotify until {run.resume_at:%Y-%m-%d %H:%M} UTC"
        elif run.status == RefreshRun.Status.QUEUED and run.resume_at:
            detail = f"waiting for Spotify until {run.resume_at:%H:%M:%S} UTC"
        else:
            detail = run.get_status_display().lower()
        super().__init__(f"Refresh #{run.pk} is already {detail}.")


# --- Starting, claiming, finishing ---------------------------------------------------------------


def refresh_start(*, full: bool = False) -> RefreshRun:
    """A queued run to execute with ``refresh_run``, or an interrupted one whose time to continue came.

    Raises NotConnected / NeedsReconnect (nothing to refresh with) or RefreshAlreadyRunning.
    ``full`` reads the whole saved-tracks listing instead of stopping at known tracks.
    """
    connected_auth_manager()  # fails before any run exists when there is no usable token
    connection = connection_get()
    assert connection is not None
    with transaction.atomic():
        # The lock: one refresh start at a time per connection (SQLite serializes write transactions).
        SpotifyConnection.objects.select_for_update().filter(pk=connection.pk).first()
        active = RefreshRun.objects.filter(connection=connection, status__in=ACTIVE_STATUSES).order_by("-pk").first()
        if active is not None:
            if not run_may_continue_now(active):
                raise RefreshAlreadyRunning(active)
            logger.info("Refresh #%s was interrupted: continuing it", active.pk)
            return active
        return RefreshRun.objects.create(
            connection=connection,
            full=full,
            status=RefreshRun.Status.QUEUED,
            phase="queued",
            state=_initial_state(connection),
        )


def refresh_scheduled() -> RefreshRun | None:
    """The beat schedule's start: a run to execute, or None (not connected, or one is active)."""
    try:
        return refresh_start()
    except (NotConnected, NeedsReconnect, RefreshAlreadyRunning) as exc:
        logger.info("Scheduled Spotify refresh skipped: %s", exc)
        return None


def run_may_continue_now(run: RefreshRun) -> bool:
    """An active run that nobody is executing and that may be continued now."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.REFRESH_STALE_AFTER_SECONDS)
    if run.status == RefreshRun.Status.RUNNING:
        return (run.heartbeat_at or run.started_at) < stale_before
    if run.resume_at is not None:
        return run.resume_at <= now + CLAIM_SLACK
    # Queued and never started: a worker will take it, unless the message was lost long ago.
    return (run.heartbeat_at or run.started_at) < stale_before


def _initial_state(connection: SpotifyConnection) -> dict:
    previous = RefreshRun.objects.filter(connection=connection).exclude(status__in=ACTIVE_STATUSES).first()
    state: dict[str, Any] = {}
    if previous is not None and not previous.state.get("listing_done", True):
        # The last run stopped inside the listing: known tracks may hide a gap below them.
        state["read_whole_listing"] = True
    last_ok = RefreshRun.objects.filter(connection=connection, status=RefreshRun.Status.SUCCEEDED).first()
    if last_ok is not None:
        state["no_features"] = last_ok.state.get("no_features", [])
    return state


def _claim(run_id: int) -> RefreshRun | None:
    """Take the run for this process with a conditional UPDATE; None when someone else has it."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.REFRESH_STALE_AFTER_SECONDS)
    waiting = Q(status__in=[RefreshRun.Status.QUEUED, RefreshRun.Status.PAUSED]) & (
        Q(resume_at__isnull=True) | Q(resume_at__lte=now + CLAIM_SLACK)
    )
    abandoned = Q(status=RefreshRun.Status.RUNNING) & (
        Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True, started_at__lt=stale_before)
    )
    claimed = RefreshRun.objects.filter(Q(pk=run_id) & (waiting | abandoned)).update(
        status=RefreshRun.Status.RUNNING, heartbeat_at=now, resume_at=None
    )
    return RefreshRun.objects.select_related("connection").get(pk=run_id) if claimed else None


def refresh_run(run_id: int, *, progress: Progress | None = None) -> RefreshRun:
    """Execute (or continue) a run; returns it with its final or waiting status.

    Statuses on return: ``succeeded``; ``queued`` with ``resume_at`` (a short 429: retry then);
    ``paused`` with ``resume_at`` (long 429 / quota); ``needs_reconnect``; ``failed``. A run that
    another process holds is returned unchanged. Unexpected errors are recorded and re-raised.
    """
    run = _claim(run_id)
    if run is None:
        run = RefreshRun.objects.get(pk=run_id)
        logger.info("Refresh #%s not claimed: it is %s", run.pk, run.status)
        return run
    connection = run.connection
    try:
        if connection is None:
            raise NotConnected()
        paused_until = connection.paused_until
        if paused_until and paused_until > timezone.now():
            raise RateLimited(math.ceil((paused_until - timezone.now()).total_seconds()), quota_exceeded=True)
        client = SpotifyClient(connected_auth_manager())
        _Refresh(run, client, progress).execute()
    except RateLimited as exc:
        _rate_limited(run, exc)
    except NeedsReconnect as exc:
        _needs_reconnect(run, exc)
    except SpotifyError as exc:
        _fail(run, str(exc))
    except Exception as exc:
        _fail(run, f"{exc.__class__.__name__}: {exc}")
        raise
    return run


def refresh_retry_countdown(run: RefreshRun) -> int | None:
    """Seconds until a queued (short-429) run should be retried; None when it is not waiting."""
    if run.status != RefreshRun.Status.QUEUED or run.resume_at is None:
        return None
    return max(1, math.ceil((run.resume_at - timezone.now()).total_seconds()))


def run_summary(run: RefreshRun) -> str:
    """One line for logs and the command: status, tracks added/updated/removed, API calls."""
    line = (
        f"Refresh #{run.pk} {run.status}: {run.tracks_added} tracks added, {run.tracks_updated} updated, "
        f"{run.tracks_removed} no longer liked, {run.api_calls} API calls"
    )
    if run.resume_at and run.status in (RefreshRun.Status.PAUSED, RefreshRun.Status.QUEUED):
        line += f"; continues at {run.resume_at:%Y-%m-%d %H:%M:%S} UTC"
    if run.status in (RefreshRun.Status.FAILED, RefreshRun.Status.NEEDS_RECONNECT) and run.errors:
        line += f"; {run.errors[-1]['message']}"
    return line


def _note_error(run: RefreshRun, message: str) -> None:
    run.errors = [*run.errors, {"at": timezone.now().isoformat(), "message": message}][-50:]


def _rate_limited(run: RefreshRun, exc: RateLimited) -> None:
    now = timezone.now()
    run.state["short_retries"] = run.state.get("short_retries", 0) + 1
    long_wait = exc.quota_exceeded or exc.retry_after > settings.SPOTIFY_MAX_RETRY_AFTER
    if long_wait or run.state["short_retries"] > MAX_SHORT_RETRIES:
        run.status = RefreshRun.Status.PAUSED
        run.resume_at = now + timedelta(seconds=max(exc.retry_after, settings.SPOTIFY_MAX_RETRY_AFTER, 1))
        why = "quota exceeded" if exc.quota_exceeded else "rate limited"
        run.phase = f"paused until {run.resume_at:%Y-%m-%d %H:%M} UTC ({why})"
        _note_error(run, str(exc))
        SpotifyConnection.objects.filter(pk=run.connection_id).update(
            paused_until=run.resume_at, last_error=str(exc), updated_at=now
        )
    else:
        run.status = RefreshRun.Status.QUEUED
        run.resume_at = now + timedelta(seconds=exc.retry_after + 1)
        run.phase = f"rate limited: retrying in {exc.retry_after + 1} s"
    run.save()
    logger.warning("Refresh #%s: %s → %s until %s", run.pk, exc, run.status, run.resume_at)


def _needs_reconnect(run: RefreshRun, exc: Exception) -> None:
    message = f"{exc} — connect Spotify again at {CONNECT_PATH}"
    if run.connection_id:
        SpotifyConnection.objects.filter(pk=run.connection_id).update(
            status=SpotifyConnection.Status.NEEDS_RECONNECT, last_error=message, updated_at=timezone.now()
        )
    run.status = RefreshRun.Status.NEEDS_RECONNECT
    run.finished_at = timezone.now()
    run.phase = "needs reconnect"
    _note_error(run, message)
    run.save(update_fields=["status", "finished_at", "phase", "errors", "api_calls"])
    logger.warning("Refresh #%s stopped: %s", run.pk, message)


def _fail(run: RefreshRun, message: str) -> None:
    run.status = RefreshRun.Status.FAILED
    run.finished_at = timezone.now()
    run.phase = f"failed in {run.state.get('phase', 'start')}"
    _note_error(run, message)
    # Not the state: it may be ahead of a rolled-back write; the saved one matches the data.
    run.save(update_fields=["status", "finished_at", "phase", "errors", "api_calls"])
    if run.connection_id:
        SpotifyConnection.objects.filter(pk=run.connection_id).update(last_error=message, updated_at=timezone.now())
    logger.error("Refresh #%s failed: %s", run.pk, message)


# --- Reclustering what changed --------------------------------------------------------------------


def recluster_changed_enqueue(*, label_ids: Iterable[int], artist_ids: Iterable[int]) -> None:
    """After commit, ask the clusters app to recluster these labels and artists (by task name:
    catalog never imports clusters)."""
    label_ids, artist_ids = sorted(set(label_ids)), sorted(set(artist_ids))
    if label_ids or artist_ids:
        # A named function, not functools.partial: Django logs a failing robust callback by its
        # __qualname__, which a partial lacks (the log call would raise after the commit).
        def send_after_commit() -> None:
            recluster_changed_send(label_ids, artist_ids)

        send_after_commit.recluster_ids = (label_ids, artist_ids)  # type: ignore[attr-defined]
        transaction.on_commit(send_after_commit, robust=True)


def recluster_changed_send(label_ids: list[int], artist_ids: list[int], *, task_name: str = RECLUSTER_TASK) -> str:
    """Send the task; returns ``sent``, ``ran`` (inline, no broker) or ``skipped`` (not registered)."""
    app = current_app
    kwargs = {"label_ids": label_ids, "artist_ids": artist_ids}
    if not app.conf.task_always_eager:
        app.send_task(task_name, kwargs=kwargs)
        return "sent"
    # Without a broker send_task would not run anything: call the registered task inline.
    app.autodiscover_tasks(force=True)  # autodiscovery of the apps' tasks modules is lazy
    task = app.tasks.get(task_name)
    if task is None:
        logger.info("%s is not registered: reclustering skipped", task_name)
        return "skipped"
    task.apply_async(kwargs=kwargs)
    return "ran"


# --- The run itself -------------------------------------------------------------------------------


class _Refresh:
    """One execution of a run: phases in order, each resuming from ``run.state``."""

    PHASES = ("listing", "albums", "artists", "audio features", "finish")

    def __init__(self, run: RefreshRun, client: SpotifyClient, progress: Progress | None) -> None:
        self.run = run
        self.state = run.state
        self.client = client
        self.progress = progress
        client.on_call = self._count_call
        self.connection = run.connection

    def _count_call(self, endpoint: str) -> None:
        self.run.api_calls += 1

    def execute(self) -> None:
        steps = {
            "listing": self._listing,
            "albums": self._albums,
            "artists": self._artists,
            "audio features": self._audio_features,
            "finish": self._finish,
        }
        start = self.PHASES.index(self.state.get("phase", "listing"))
        for phase in self.PHASES[start:]:
            self.state["phase"] = phase
            self.run.phase = phase
            steps[phase]()

    # -- bookkeeping -----------------------------------------------------------------------------

    def _save(self, done: int, total: int, result: UpsertResult | None = None) -> None:
        """Record progress (call inside the transaction that wrote the data it describes)."""
        if result is not None:
            self.run.tracks_added += result.created["tracks"]
            self.run.tracks_updated += result.updated["tracks"]
            self.run.tracks_removed += result.unliked
            for key, ids in (
                ("changed_tracks", result.changed_track_ids),
                ("changed_artists", result.changed_artist_ids),
                ("changed_labels", result.changed_label_ids),
            ):
                if ids:
                    self.state[key] = sorted(set(self.state.get(key, [])) | ids)
        self.state["short_retries"] = 0
        self.run.progress_done, self.run.progress_total = done, total
        self.run.heartbeat_at = timezone.now()
        self.run.state = self.state
        self.run.save(
            update_fields=[
                "api_calls",
                "tracks_added",
                "tracks_updated",
                "tracks_removed",
                "progress_done",
                "progress_total",
                "phase",
                "heartbeat_at",
                "state",
            ]
        )
        if self.progress is not None:
            self.progress(self.run.phase, done, total)

    def _capability_fresh(self, checked_at: datetime | None) -> bool:
        recheck = timedelta(days=settings.SPOTIFY_CAPABILITY_RECHECK_DAYS)
        return checked_at is not None and checked_at > timezone.now() - recheck

    def _record_capability(self, **fields: Any) -> None:
        for name, value in fields.items():
            setattr(self.connection, name, value)
        SpotifyConnection.objects.filter(pk=self.connection.pk).update(**fields)

    # -- saved tracks ----------------------------------------------------------------------------

    def _listing(self) -> None:
        st = self.state
        st.setdefault("liked_at_start", Track.objects.filter(liked_on_spotify=True).count())
        st.setdefault("offset", 0)
        st.setdefault("new_likes", 0)
        st.setdefault("seen", [])
        read_all = self.run.full or st.get("read_whole_listing", False)
        while True:
            page = self.client.saved_tracks_page(st["offset"])
            items = page.get("items") or []
            tracks = [i["track"] for i in items if i.get("track") and i["track"].get("id")]
            known = dict(
                Track.objects.filter(spotify_id__in=[t["id"] for t in tracks], liked_on_spotify=True).values_list(
                    "spotify_id", "liked_at"
                )
            )
            unchanged = sum(
                1
                for i in items
                if i.get("track") and known.get(i["track"].get("id"), 0) == parse_datetime(i.get("added_at") or "")
            )
            new_likes = len({t["id"] for t in tracks} - set(known))
            total = page.get("total") or 0
            end = not items or not page.get("next")
            with transaction.atomic():
                result = library_upsert(data=LibraryData(saved_tracks=items))
                st["offset"] += len(items)
                st["new_likes"] += new_likes
                st["seen"] = st["seen"] + [t["id"] for t in tracks]
                counts_add_up = st["liked_at_start"] + st["new_likes"] == total
                stop_early = not read_all and unchanged > 0 and counts_add_up
                # False from the first written page until the end: a run that dies in between makes
                # the next one read the whole listing (known tracks may hide a gap below them).
                st["listing_done"] = end or stop_early
                if end:
                    result.merge(self._unlike_missing(set(st["seen"])))
                if st["listing_done"]:
                    st["seen"] = []  # not needed any more: keep the run row small
                self._save(min(st["offset"], total), total, result)
            if st["listing_done"]:
                return

    def _unlike_missing(self, seen: set[str]) -> UpsertResult:
        """The whole listing was read: liked tracks not in it were removed on Spotify."""
        liked = Track.objects.filter(liked_on_spotify=True).values_list("spotify_id", flat=True)
        gone = [sid for sid in liked.iterator(chunk_size=5000) if sid not in seen]
        result = UpsertResult()
        for chunk in _chunks(gone, 2000):
            result.merge(library_upsert(data=LibraryData(unliked_track_ids=chunk)))
        return result

    # -- albums and artists ----------------------------------------------------------------------

    def _batch_allowed(self) -> bool | None:
        """True/False when known and fresh; None: probe with the next batch call."""
        c = self.connection
        if c.batch_endpoints_allowed is None or not self._capability_fresh(c.batch_endpoints_checked_at):
            return None
        return c.batch_endpoints_allowed

    def _albums(self) -> None:
        pending = list(
            Album.objects.filter(details_fetched=False, tracks__isnull=False)
            .distinct()
            .order_by("pk")
            .values_list("spotify_id", flat=True)
        )
        self._fetch_details(pending, "albums", self.client.album, self.client.albums, ALBUMS_BATCH_SIZE)

    def _artists(self) -> None:
        pending = list(Artist.objects.filter(details_fetched=False).order_by("pk").values_list("spotify_id", flat=True))
        self._fetch_details(pending, "artists", self.client.artist, self.client.artists, ARTISTS_BATCH_SIZE)

    def _fetch_details(
        self,
        pending: list[str],
        kind: str,
        single: Callable[[str], dict],
        batch: Callable[[Sequence[str]], list[dict]],
        batch_size: int,
    ) -> None:
        total, done = len(pending), 0
        if not pending:
            return
        # Batches while this app may use them (probed by the first batch call when unknown).
        while pending and self._batch_allowed() is not False:
            chunk = pending[:batch_size]
            try:
                objs = batch(chunk)
            except Forbidden:
                logger.info("Batch lookups are not available to this app (403): single lookups from now on")
                self._record_capability(batch_endpoints_allowed=False, batch_endpoints_checked_at=timezone.now())
                break
            if self._batch_allowed() is None:
                self._record_capability(batch_endpoints_allowed=True, batch_endpoints_checked_at=timezone.now())
            done += len(chunk)
            self._write_details(kind, chunk, objs, done, total)
            pending = pending[batch_size:]
        for chunk in _chunks(pending, SINGLE_LOOKUPS_PER_WRITE):
            objs: list[dict] = []
            asked: list[str] = []
            try:
                for spotify_id in chunk:
                    try:
                        objs.append(single(spotify_id))
                    except NotFound:
                        logger.warning("Spotify has no %s %s any more", kind[:-1], spotify_id)
                    asked.append(spotify_id)
            except SpotifyError:
                # Keep what was fetched before the interruption: a resumed run never asks twice.
                if asked:
                    self._write_details(kind, asked, objs, done + len(asked), total)
                raise
            done += len(chunk)
            self._write_details(kind, chunk, objs, done, total)

    def _write_details(self, kind: str, wanted: list[str], objs: list[dict], done: int, total: int) -> None:
        missing = set(wanted) - {o.get("id") for o in objs}
        # What Spotify cannot give is recorded as fetched with what we know, so it isn't asked again.
        objs = objs + [_known_details(kind, spotify_id) for spotify_id in sorted(missing)]
        data = LibraryData(albums=objs) if kind == "albums" else LibraryData(artists=objs)
        with transaction.atomic():
            result = library_upsert(data=data)
            self._save(done, total, result)

    # -- audio features --------------------------------------------------------------------------

    def _audio_features(self) -> None:
        c = self.connection
        if c.audio_features_available is False and self._capability_fresh(c.audio_features_checked_at):
            return  # a 403 was recorded recently: not available to this app
        if c.batch_endpoints_allowed is False and self._capability_fresh(c.batch_endpoints_checked_at):
            # Batch lookups refused means Development Mode, which lost audio features in 2024
            # (../shared/spotify-api.md §0): no call spent to learn it again.
            self._record_capability(audio_features_available=False, audio_features_checked_at=timezone.now())
            return
        no_features = set(self.state.get("no_features", []))
        pending = [
            sid
            for sid in Track.objects.filter(audio_features__isnull=True)
            .order_by("pk")
            .values_list("spotify_id", flat=True)
            if sid not in no_features
        ]
        total = len(pending)
        for start in range(0, total, AUDIO_FEATURES_BATCH_SIZE):
            chunk = pending[start : start + AUDIO_FEATURES_BATCH_SIZE]
            try:
                features = self.client.audio_features(chunk)
            except Forbidden:
                logger.info("Audio features are not available to this app (403)")
                self._record_capability(audio_features_available=False, audio_features_checked_at=timezone.now())
                return
            if c.audio_features_available is not True:
                self._record_capability(audio_features_available=True, audio_features_checked_at=timezone.now())
            returned = {f.get("id") for f in features}
            self.state["no_features"] = sorted(no_features | (set(chunk) - returned))
            with transaction.atomic():
                result = library_upsert(
                    data=LibraryData(audio_features=[{**f, "_source": "spotify"} for f in features])
                )
                self._save(start + len(chunk), total, result)

    # -- the end ---------------------------------------------------------------------------------

    def _finish(self) -> None:
        track_ids = self.state.get("changed_tracks", [])
        label_ids = set(self.state.get("changed_labels", []))
        artist_ids = set(self.state.get("changed_artists", []))
        for chunk in _chunks(track_ids, 2000):
            tracks = Track.objects.filter(pk__in=chunk)
            label_ids |= set(
                tracks.filter(album__label_links__isnull=False).values_list("album__label_links__label_id", flat=True)
            )
            artist_ids |= set(tracks.values_list("artist_credits__artist_id", flat=True))
        artist_ids.discard(None)
        with transaction.atomic():
            self.run.status = RefreshRun.Status.SUCCEEDED
            self.run.finished_at = timezone.now()
            self.run.phase = "done"
            self.run.resume_at = None
            for key in ("changed_tracks", "changed_labels", "changed_artists", "seen"):
                self.state.pop(key, None)
            self._save(self.run.progress_total, self.run.progress_total)
            self.run.save(update_fields=["status", "finished_at", "resume_at"])
            SpotifyConnection.objects.filter(pk=self.connection.pk).update(
                paused_until=None, last_error="", updated_at=timezone.now()
            )
            recluster_changed_enqueue(label_ids=label_ids, artist_ids=artist_ids)


def _known_details(kind: str, spotify_id: str) -> dict:
    """A minimal 'full' object from what the database knows (for ids Spotify answers 404 to)."""
    if kind == "albums":
        album = Album.objects.get(spotify_id=spotify_id)
        images = [{"url": album.image_url}] if album.image_url else []
        return {"id": spotify_id, "name": album.name, "album_type": album.album_type,
                "release_date": album.release_date, "total_tracks": album.total_tracks, "images": images}  # fmt: skip
    artist = Artist.objects.get(spotify_id=spotify_id)
    return {"id": spotify_id, "name": artist.name, "images": [{"url": artist.image_url}] if artist.image_url else []}


def _chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


__all__ = [
    "RefreshAlreadyRunning",
    "recluster_changed_enqueue",
    "recluster_changed_send",
    "refresh_retry_countdown",
    "refresh_run",
    "refresh_scheduled",
    "refresh_start",
    "run_summary",
]
