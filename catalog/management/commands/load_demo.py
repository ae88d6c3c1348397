"""Load the generated demo library: ``load_demo [--tracks N] [--seed S] [--if-empty]``."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.selectors import library_counts
from catalog.sources.demo import DEFAULT_SEED, DEFAULT_TRACKS, demo_load, library_is_empty


class Command(BaseCommand):
    help = "Load a generated, fictional demo library (deterministic from --seed) through the upsert service."
    # The system checks import every URLconf and view (matplotlib, scikit-learn): seconds a data command
    # does not need; `manage.py check` and runserver still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tracks", type=int, default=DEFAULT_TRACKS, help=f"default {DEFAULT_TRACKS}")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the library has tracks")

    def handle(self, *args, tracks: int, seed: int, if_empty: bool, **options) -> None:
        if tracks < 1:
            raise CommandError("--tracks must be at least 1")
        if if_empty and not library_is_empty():
            self.stdout.write("The library already has tracks: demo library not loaded.")
            return
        started = time.monotonic()
        with tqdm(total=tracks, unit="track", file=sys.stderr, disable=options["verbosity"] == 0) as bar:
            result = demo_load(tracks=tracks, seed=seed, progress=bar.update)
        counts = library_counts()
        self.stdout.write(
            f"Demo library (seed {seed}) loaded in {time.monotonic() - started:.1f}s: {result.summary()}. "
            "Library: {tracks:,} tracks, {albums:,} albums, {artists:,} artists, {labels:,} labels "
            "({labels_with_pages:,} with pages), {liked:,} liked, {with_features:,} with audio features.".format(
                **counts
            )
        )
