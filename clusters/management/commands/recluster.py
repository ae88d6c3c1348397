from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from catalog.models import Artist, Label
from clusters import services


class Command(BaseCommand):
    help = "Recluster a label, an artist, or every scope (labels, artists, the whole library)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--label", metavar="SLUG", help="Recluster this label.")
        parser.add_argument("--artist", metavar="SLUG", help="Recluster this artist.")
        parser.add_argument("--all", action="store_true", help="Recluster every scope (the default).")
        parser.add_argument("--force", action="store_true", help="Recompute scopes whose data is unchanged too.")
        parser.add_argument(
            "--workers", type=int, default=min(2, os.cpu_count() or 1), help="Processes for --all (default: 2 at most)."
        )

    def handle(
        self, *args, label: str | None, artist: str | None, all: bool, force: bool, workers: int, **options
    ) -> None:
        result = services.ReclusterResult()
        if label:
            result.merge(services.recluster_label(self._pk(Label, label), force=force))
        if artist:
            result.merge(services.recluster_artist(self._pk(Artist, artist), force=force))
        if all or not (label or artist):
            total = len(services.scopes_to_cluster())
            with tqdm(total=total, desc="Reclustering", unit="scope", file=self.stderr._out) as bar:
                result.merge(services.recluster_all(force=force, workers=workers, progress=lambda _scope: bar.update()))
        self.stdout.write(f"Reclustered: {result.summary()}.")

    @staticmethod
    def _pk(model: type[Label] | type[Artist], slug: str) -> int:
        pk = model.objects.filter(slug=slug).values_list("pk", flat=True).first()
        if pk is None:
            raise CommandError(f"No {model._meta.verbose_name} with slug {slug!r}.")
        return pk
