"""Export the site as static Markdown: ``export_markdown OUTDIR [--force]``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from website.export import ExportError, site_export


class Command(BaseCommand):
    # The system checks import every view (scikit-learn, matplotlib): seconds a re-export can't spare.
    requires_system_checks: list[str] = []
    help = "Write the whole site as Markdown (README.md, labels/, artists/, images/) into OUTDIR, incrementally."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out_dir", type=Path, metavar="OUTDIR", help="the export folder (created if missing)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="export into a folder that is not empty and not a previous export (other files are left alone)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="processes rendering pages (default: 2, or 1 on a single core)",
        )

    def handle(self, *args, out_dir: Path, force: bool, workers: int, **options) -> None:
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        quiet = options["verbosity"] == 0
        with tqdm(unit="page", file=sys.stderr, disable=quiet, desc="Export") as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                summary = site_export(out_dir, force=force, progress=progress, workers=workers)
            except ExportError as exc:
                raise CommandError(f"{exc} (nothing was changed)") from exc
        self.stdout.write(f"Exported to {out_dir}: {summary}")
