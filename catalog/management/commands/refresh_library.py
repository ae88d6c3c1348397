"""manage.py refresh_library [--full]: refresh the library from Spotify in the foreground."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.models import RefreshRun
from catalog.refresh import RefreshAlreadyRunning, refresh_retry_countdown, refresh_run, refresh_start, run_summary
from catalog.sources.spotify import SpotifyError


class Command(BaseCommand):
    help = "Refresh the library from Spotify now (saved tracks, new albums and artists), with a progress bar."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--full", action="store_true", help="Read every saved track, not just the new ones.")

    def handle(self, *args, full: bool = False, **options) -> None:
        try:
            run = refresh_start(full=full)
        except (SpotifyError, RefreshAlreadyRunning) as exc:
            raise CommandError(str(exc)) from exc
        with tqdm(unit="item", file=self.stderr._out, disable=options["verbosity"] == 0) as bar:

            def progress(phase: str, done: int, total: int) -> None:
                bar.set_description(phase)
                bar.total = total
                bar.n = done
                bar.refresh()

            run = refresh_run(run.pk, progress=progress)
            # In the foreground a short Retry-After is waited out here (this is not a worker).
            while (countdown := refresh_retry_countdown(run)) is not None:
                bar.set_description(f"rate limited: waiting {countdown} s")
                time.sleep(countdown)
                run = refresh_run(run.pk, progress=progress)
        if run.status in (RefreshRun.Status.FAILED, RefreshRun.Status.NEEDS_RECONNECT):
            raise CommandError(run_summary(run))
        self.stdout.write(run_summary(run))
