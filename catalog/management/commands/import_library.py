"""Import a library from files: ``import_library --format {spotify-stats,exportify} PATH...``."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from catalog.models import LabelSource
from catalog.selectors import library_counts
from catalog.services import UpsertError
from catalog.sources.batches import source_library_write
from catalog.sources.csvutil import BadRows, ImportFileError
from catalog.sources.exportify import exportify_read
from catalog.sources.spotify_stats import spotify_stats_read

FORMATS = ("spotify-stats", "exportify")


class Command(BaseCommand):
    help = "Import a spotify-stats data folder or Exportify CSV files into the library (all-or-nothing, idempotent)."
    # The system checks import every URLconf and view (matplotlib, scikit-learn): seconds a data command
    # does not need; `manage.py check` and runserver still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, help=f"one of: {', '.join(FORMATS)}")
        parser.add_argument("paths", nargs="+", type=Path, help="spotify-stats: the data folder; exportify: CSV files")
        parser.add_argument("--skip-bad-rows", action="store_true", help="report bad rows and import the rest")
        parser.add_argument("--liked", action="store_true", help="exportify: mark every file's tracks liked")

    def handle(self, *args, format: str, paths: list[Path], skip_bad_rows: bool, liked: bool, **options) -> None:
        if format not in FORMATS:
            raise CommandError(f"unknown --format {format!r}: use one of {', '.join(FORMATS)}")
        bad_rows = BadRows(skip=skip_bad_rows, report=lambda msg: self.stderr.write(msg))
        try:
            if format == "spotify-stats":
                if len(paths) != 1:
                    raise CommandError("--format spotify-stats takes one data folder")
                library = spotify_stats_read(paths[0], bad_rows=bad_rows)
            else:
                library = exportify_read(paths, bad_rows=bad_rows, liked=True if liked else None)
            quiet = options["verbosity"] == 0
            with tqdm(total=len(library.bundles), unit="track", file=sys.stderr, disable=quiet) as bar:
                outcome = source_library_write(library, label_source=LabelSource.IMPORT, progress=bar.update)
        except (ImportFileError, UpsertError) as exc:
            raise CommandError(f"{exc} (nothing was imported)") from exc
        counts = library_counts()
        self.stdout.write(
            "Library: {tracks:,} tracks, {albums:,} albums, {artists:,} artists, {labels:,} labels "
            "({labels_with_pages:,} with pages), {liked:,} liked, {with_features:,} with audio features".format(
                **counts
            )
        )
        self.stdout.write(f"Imported {', '.join(map(str, paths))}: {outcome.summary()}")
