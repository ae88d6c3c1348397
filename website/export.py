"""The whole site as static Markdown, in the original generator's layout (design §5).

``site_export(out_dir)`` renders every page from the same content builders as the HTML pages
(``website.content``) and writes ``README.md``, ``labels/<slug>/overview.md``,
``labels/<slug>/clusters/overview.md``, ``artists/<slug>/overview.md``,
``artists/<slug>/clusters/overview.md`` and the charts under ``images/<kind>/<slug>/…``.

Safe and incremental, because the output is meant to be a git repository that people publish:

- **Owned files.** ``.labelsite-export.json`` (the manifest) lists every file the export wrote.
  Only those are ever replaced or removed; anything else in OUTDIR (``.git/``, a LICENSE, notes)
  is never touched. An OUTDIR that is neither empty nor a previous export is refused unless
  ``force``; a foreign file standing where a page must go is refused too (unless ``force``).
- **Unchanged files are not rewritten**: each rendered file is compared byte for byte with the
  one in place, so their mtimes stay and a ``git diff`` shows only real changes.
- **Failure leaves the previous export intact.** Everything that can fail (queries, rendering,
  drawing charts) happens first, writing new and changed files into a staging folder next to
  OUTDIR (same file system). Only then are they moved into place, one atomic ``os.replace``
  per file, pages that no longer exist are removed, and the manifest is replaced. A whole-folder
  swap (rename OUTDIR away, rename staging in) would be one step, but it would take the foreign
  files (``.git/``) with it, so "swap" here means: the moves happen only after a complete,
  successful render. Before moving, the manifest is rewritten to list old and new files
  together, so even a crash in the middle of the moves (power loss) leaves every file accounted
  for; the next export re-renders and repairs it.
- **Nothing changed, nothing rendered.** The manifest records a fingerprint of everything the
  pages are made from (the catalog version that every write service bumps, the labels' and
  artists' last edits and counts, the page settings, the renderer's own source) and a digest
  of every file written. When both still match, the export ends without rendering a page.
- **Deterministic**: no timestamps; labels and artists in slug order; rows in the builders'
  stable orders; the manifest sorted.

Two exports into the same OUTDIR at the same time are not supported (each file move is atomic,
but the manifests could race).
"""

from __future__ import annotations

import dataclasses
import filecmp
import functools
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, connections
from django.db.models import Count, Max

from catalog import selectors
from catalog.cache import catalog_version
from catalog.charts import Chart
from catalog.models import Album, AlbumLabel, Artist, Label, Track
from catalog.tables import Page, Table
from website import content as contents
from website.content import PageContent, PageIds, Section
from website.markdown import (
    cell_to_markdown,
    escape_text,
    image_ref,
    image_tag,
    relative_path,
    table_to_markdown,
)

MANIFEST_NAME = ".labelsite-export.json"
MANIFEST_FORMAT = "labelsite-markdown-export"
MANIFEST_VERSION = 1
README = "README.md"
INDEX_INITIAL_ROWS = 10  # the README's label and artist indexes fold like every other table

# progress(done, total): called after each page is rendered.
Progress = Callable[[int, int], None]


class ExportError(Exception):
    """The export cannot go ahead; the message names the folder or file and what to do."""


@dataclass
class ExportSummary:
    """What an export did: files written (new or changed), unchanged, removed; seconds taken."""

    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    pages: int = 0
    seconds: float = 0.0

    @property
    def files(self) -> int:
        return len(self.written) + self.unchanged

    def __str__(self) -> str:
        return (
            f"{self.files} files ({self.pages} pages): {len(self.written)} written, {self.unchanged} unchanged, "
            f"{len(self.removed)} removed in {self.seconds:.1f} s"
        )


# --- rendering --------------------------------------------------------------------------------


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _link_markdown(text: str, page: Page, *, from_path: str, anchors: dict[str, str]) -> str:
    target = page.export_path()
    if target == from_path:  # the labels and artists indexes live in README.md itself
        anchor = anchors.get(page.kind)
        return f"[{escape_text(text)}](#{anchor})" if anchor else ""
    return f"[{escape_text(text)}]({relative_path(target, from_path=from_path)})"


def _chart_markdown(chart: Chart, *, from_path: str) -> str:
    return image_ref(chart.export_path, alt=chart.alt, from_path=from_path)


def _section_blocks(section: Section, *, from_path: str, level: str = "##") -> list[str]:
    blocks = [f"{level} {escape_text(section.heading)}"]
    blocks += [escape_text(line) for line in section.text if line]
    if section.items:
        blocks.append("\n".join(f"- {cell_to_markdown(item, from_path=from_path)}" for item in section.items))
    if section.table is not None:
        blocks.append(table_to_markdown(section.table, from_path=from_path))
    if section.chart is not None:
        blocks.append(_chart_markdown(section.chart, from_path=from_path))
    return blocks


def page_blocks(content: PageContent, *, from_path: str, anchors: dict[str, str] | None = None) -> list[str]:
    """The Markdown blocks of one page, in PageContent's order (see website.content)."""
    blocks = [f"# {escape_text(content.title)}"]
    if content.image:
        blocks.append(image_tag(content.image, alt=content.image_alt, width=100))
    if content.counts:
        blocks.append(escape_text(content.counts))
    if content.description.strip():
        blocks.append(content.description.strip())  # the admin's Markdown source, as written
    for link in content.links:
        rendered = _link_markdown(link.text, link.page, from_path=from_path, anchors=anchors or {})
        if rendered:
            blocks.append(rendered)
    if content.aliases:
        lines = [f"- {escape_text(alias.text)} ({alias.tracks} tracks)" for alias in content.aliases]
        blocks.append("Appears as:\n" + "\n".join(lines))
    if content.chart is not None:
        blocks.append(_chart_markdown(content.chart, from_path=from_path))
    blocks += [escape_text(line) for line in content.intro if line]
    for section in content.sections:
        blocks += _section_blocks(section, from_path=from_path)
    for cluster in content.clusters:
        blocks.append(f"## {escape_text(cluster.heading)}")
        if cluster.description:
            blocks.append(escape_text(cluster.description))
        blocks.append(escape_text(cluster.size_text))
        blocks.append(table_to_markdown(cluster.table, from_path=from_path))
    return blocks


def render_page(content: PageContent, *, anchors: dict[str, str] | None = None) -> str:
    """One page as Markdown text: blocks separated by a blank line, one final newline."""
    from_path = content.page.export_path()
    return "\n\n".join(page_blocks(content, from_path=from_path, anchors=anchors)) + "\n"


def _folded(table: Table, noun: str) -> Table:
    return dataclasses.replace(table, initial=INDEX_INITIAL_ROWS, more_text=f"See all {len(table.rows)} {noun}")


def render_readme(home: PageContent, labels_index: PageContent, artists_index: PageContent) -> str:
    """README.md: the home page, then the labels index and the artists index as sections."""
    indexes = [(labels_index, "labels"), (artists_index, "artists")]
    anchors = {index.page.kind: github_anchor(index.sections[0].heading) for index, _ in indexes if index.sections}
    blocks = page_blocks(home, from_path=README, anchors=anchors)
    for index, noun in indexes:
        for section in index.sections:
            folded = dataclasses.replace(section, table=_folded(section.table, noun) if section.table else None)
            if index.counts and not folded.text:
                folded.text = (index.counts,)
            blocks += _section_blocks(folded, from_path=README)
    return "\n\n".join(blocks) + "\n"


def charts_of(content: PageContent) -> Iterator[Chart]:
    if content.chart is not None:
        yield content.chart
    for section in content.sections:
        if section.chart is not None:
            yield section.chart


@dataclass
class RenderedPage:
    path: str
    text: str
    charts: list[Chart]


_BUILDERS = {
    "label": (Label, contents.label_content, contents.label_clusters_content),
    "artist": (Artist, contents.artist_content, contents.artist_clusters_content),
}


def render_home() -> list[RenderedPage]:
    """README.md: the home page with the labels and artists indexes."""
    home = contents.home_content()
    text = render_readme(home, contents.labels_index_content(), contents.artists_index_content())
    return [RenderedPage(README, text, list(charts_of(home)))]


def render_owners(keys: list[tuple[str, int]], page_ids: PageIds) -> list[list[RenderedPage]]:
    """The pages of each label or artist ``(kind, pk)``: its page, and its clusters page if any."""
    results = []
    by_kind = {
        kind: model.objects.in_bulk([pk for k, pk in keys if k == kind]) for kind, (model, _, _) in _BUILDERS.items()
    }
    for kind, pk in keys:
        _, page_builder, clusters_builder = _BUILDERS[kind]
        owner = by_kind[kind][pk]
        rendered = []
        for built in (page_builder(owner, page_ids=page_ids), clusters_builder(owner, page_ids=page_ids)):
            if built is not None:
                rendered.append(RenderedPage(built.page.export_path(), render_page(built), list(charts_of(built))))
        results.append(rendered)
    return results


def export_owners() -> list[tuple[str, int]]:
    """Every label and artist with a page, as ``(kind, pk)``, labels then artists, in slug order."""
    labels = selectors.labels_with_pages().order_by("slug").values_list("pk", flat=True)
    artists = selectors.artists_with_pages().order_by("slug").values_list("pk", flat=True)
    return [("label", pk) for pk in labels] + [("artist", pk) for pk in artists]


# Set in each worker process by _worker_init: the page ids looked up once by the parent.
_worker_page_ids: PageIds | None = None


def _worker_init(page_ids: PageIds) -> None:
    global _worker_page_ids
    _worker_page_ids = page_ids


def _worker_render(keys: list[tuple[str, int]]) -> list[list[RenderedPage]]:
    assert _worker_page_ids is not None
    return render_owners(keys, _worker_page_ids)


def _can_fork_workers() -> bool:
    """Worker processes need fork (they inherit Django's setup) and a database they can open."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


def site_pages(*, workers: int = 1) -> tuple[int, Iterator[list[RenderedPage]]]:
    """The number of steps (README, then one per label and artist) and a generator of each
    step's rendered pages, in a stable order whatever ``workers`` is.

    A clusters page is rendered with its label or artist (it exists only with a current cluster
    run). With ``workers`` > 1, labels and artists are rendered by that many forked processes,
    each with its own database connection; the results come back in order. Worker processes only
    see committed data.
    """
    page_ids = PageIds.load()
    owners = export_owners()

    def generate() -> Iterator[list[RenderedPage]]:
        yield render_home()
        if workers <= 1 or len(owners) < 2 or not _can_fork_workers():
            for key in owners:
                yield from render_owners([key], page_ids)
            return
        chunk = max(1, min(16, len(owners) // (workers * 8)))
        chunks = [owners[i : i + chunk] for i in range(0, len(owners), chunk)]
        connections.close_all()  # each worker opens its own connection; none is shared across fork
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init, initargs=(page_ids,))
        try:
            for results in pool.map(_worker_render, chunks):
                yield from results
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # on a failure, don't render the rest

    return 1 + len(owners), generate()


# --- writing safely -------------------------------------------------------------------------------


def _check_relative(path: str) -> str:
    """A path inside the export: relative, '/'-separated, no '.', '..' or empty parts."""
    parts = PurePosixPath(path).parts
    if (
        not parts
        or path.startswith("/")
        or "\\" in path
        or "\0" in path
        or any(p in ("", ".", "..") for p in parts)
        or path == MANIFEST_NAME
    ):
        raise ExportError(f"refusing to write outside the export folder: {path!r}")
    return path


def read_manifest(out_dir: Path) -> set[str] | None:
    """The files a previous export owns, or None when ``out_dir`` holds no export."""
    manifest = out_dir / MANIFEST_NAME
    if not manifest.exists():
        return None
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("format") != MANIFEST_FORMAT or not isinstance(data.get("files"), list):
            raise ValueError("not a labelsite export manifest")
        return {_check_relative(str(p)) for p in data["files"]}
    except (ValueError, OSError, ExportError) as exc:
        raise ExportError(f"{manifest}: unreadable export manifest ({exc}); move it away or use --force") from exc


def _write_manifest(out_dir: Path, files: set[str], *, inputs: str = "", pages: int = 0) -> None:
    """Record the owned files; with ``inputs`` (a complete export) also their sizes and mtimes."""
    data: dict = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "files": sorted(files)}
    if inputs:
        data["inputs"] = inputs
        data["pages"] = pages
        data["stats"] = {path: _file_stat(out_dir / path) for path in sorted(files)}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    target = out_dir / MANIFEST_NAME
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=MANIFEST_NAME + ".", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    os.replace(tmp, target)


def _file_stat(path: Path) -> str | None:
    """A digest of the file's bytes (not its mtime: the manifest must stay the same across exports)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:32]
    except OSError:
        return None


# The modules whose code decides what the export writes: a change to them re-renders everything.
_RENDERER_MODULES = (
    "website/export.py",
    "website/markdown.py",
    "website/content.py",
    "catalog/tables.py",
    "catalog/charts.py",
    "catalog/selectors.py",
    "clusters/selectors.py",
)


@functools.cache
def _renderer_digest() -> str:
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for module in _RENDERER_MODULES:
        digest.update((root / module).read_bytes())
    return digest.hexdigest()


def export_inputs() -> str:
    """A fingerprint of everything the export is made from (see the module docstring)."""
    # Besides the version bumped by every write service: plain saves (an admin's change form)
    # move updated_at, deletions (the admin's delete action) move the counts.
    edits = [
        list(model.objects.aggregate(count=Count("pk"), last=Max("updated_at")).values())
        for model in (Label, Artist, Album, Track)
    ]
    edits.append(AlbumLabel.objects.count())
    page_settings = [
        getattr(settings, name)
        for name in (
            "LABEL_PAGE_MIN_TRACKS",
            "ARTIST_PAGE_MIN_TRACKS",
            "ARTIST_PAGE_MIN_TRACKS_WITH_LIKE",
            "ARTIST_PAGE_MIN_LIKED",
            "CLUSTERS_PAGE_MIN_TRACKS",
            "SITE_TITLE",
        )
    ]
    key = json.dumps([catalog_version(), edits, page_settings, _renderer_digest(), MANIFEST_VERSION], default=str)
    return hashlib.sha256(key.encode()).hexdigest()


def _unchanged_since_last_export(out_dir: Path, inputs: str) -> tuple[int, int] | None:
    """(files, pages) of the last export when its inputs and every file are as it left them."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    stats = data.get("stats")
    if data.get("inputs") != inputs or not isinstance(stats, dict) or set(stats) != set(data.get("files", ())):
        return None
    if any(_file_stat(out_dir / _check_relative(path)) != stat for path, stat in stats.items()):
        return None
    return len(stats), int(data.get("pages", 0))


def _prepare_out_dir(out_dir: Path, *, force: bool) -> set[str]:
    """Create OUTDIR if needed; the files a previous export owns (empty for a new one)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        owned = read_manifest(out_dir)
    except ExportError:
        if not force:
            raise
        owned = None
    if owned is None:
        if any(out_dir.iterdir()) and not force:
            raise ExportError(
                f"{out_dir} is not empty and holds no previous export ({MANIFEST_NAME}); "
                "choose an empty folder, or use --force to export into it (other files are left alone)"
            )
        owned = set()
    return owned


def _make_staging(out_dir: Path) -> Path:
    """A fresh folder on OUTDIR's file system for the new and changed files (see module doc)."""
    parent = out_dir.parent
    if parent.stat().st_dev == out_dir.stat().st_dev and os.access(parent, os.W_OK):
        return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.export-", dir=parent))
    # OUTDIR is a mount point or its parent is read-only: stage inside it, under a hidden name.
    return Path(tempfile.mkdtemp(prefix=".labelsite-export-staging-", dir=out_dir))


class _Stager:
    """Compares each rendered file with the one in OUTDIR; stages only new or changed ones."""

    def __init__(self, out_dir: Path, staging: Path, owned: set[str], *, force: bool) -> None:
        self.out_dir, self.staging, self.owned, self.force = out_dir, staging, owned, force
        self.real_out = Path(os.path.realpath(out_dir))
        self.paths: set[str] = set()
        self.changed: list[str] = []
        self.unchanged = 0

    def _target(self, path: str) -> Path:
        _check_relative(path)
        if path in self.paths:
            raise ExportError(f"two pages want the same file {path!r}")
        self.paths.add(path)
        target = self.out_dir / path
        real = Path(os.path.realpath(target))
        if real != self.real_out and self.real_out not in real.parents:
            raise ExportError(f"{target} leads outside {self.out_dir} (a symbolic link?); refusing to write")
        if target.is_dir() and not target.is_symlink():
            raise ExportError(f"{target} is a folder where the export must write a file")
        for folder in target.relative_to(self.out_dir).parents:
            if (self.out_dir / folder).exists() and not (self.out_dir / folder).is_dir():
                raise ExportError(f"{self.out_dir / folder} is a file where the export needs a folder")
        return target

    def _foreign(self, path: str, target: Path) -> bool:
        """A file the export did not write stands where it must write one."""
        return (target.exists() or target.is_symlink()) and path not in self.owned and not self.force

    def add_text(self, path: str, text: str) -> None:
        target = self._target(path)
        data = text.encode("utf-8")
        if target.is_file() and not target.is_symlink() and target.stat().st_size == len(data):
            if target.read_bytes() == data:
                self.unchanged += 1
                return
        if self._foreign(path, target):
            raise ExportError(f"{target} was not written by the export; move it away or use --force")
        staged = self.staging / path
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.write_bytes(data)
        self.changed.append(path)

    def add_file(self, path: str, source: Path) -> None:
        target = self._target(path)
        if not source.is_file():
            raise ExportError(f"chart file {source} is missing; run the export again to redraw it")
        if target.is_file() and not target.is_symlink() and filecmp.cmp(source, target, shallow=False):
            self.unchanged += 1
            return
        if self._foreign(path, target):
            raise ExportError(f"{target} was not written by the export; move it away or use --force")
        staged = self.staging / path
        staged.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, staged)
        self.changed.append(path)


def _remove_stale(out_dir: Path, stale: set[str]) -> list[str]:
    """Remove files of the previous export that no page writes any more, and folders they emptied."""
    removed = []
    for path in sorted(stale):
        target = out_dir / path
        if target.is_file() or target.is_symlink():
            target.unlink()
            removed.append(path)
        folder = target.parent
        while folder != out_dir:
            try:
                folder.rmdir()  # only succeeds when empty: folders with foreign files stay
            except OSError:
                break
            folder = folder.parent
    return removed


def site_export(
    out_dir: str | os.PathLike, *, force: bool = False, progress: Progress | None = None, workers: int = 1
) -> ExportSummary:
    """Export the site as Markdown into ``out_dir``; idempotent, incremental and all-or-nothing.

    ``workers`` > 1 renders pages in that many processes (see ``site_pages``); the output is
    the same byte for byte.

    Returns what was written, left unchanged and removed. Raises ExportError (nothing changed in
    ``out_dir``) when the folder is not an export and ``force`` is not set, or when a file the
    export did not write stands in the way.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir).absolute()
    owned = _prepare_out_dir(out_dir, force=force)
    inputs = export_inputs()
    last = None if force else _unchanged_since_last_export(out_dir, inputs)
    if last is not None:
        files, pages = last
        return ExportSummary(unchanged=files, pages=pages, seconds=time.perf_counter() - started)
    staging = _make_staging(out_dir)
    try:
        stager = _Stager(out_dir, staging, owned, force=force)
        total, steps = site_pages(workers=workers)
        done = pages = 0
        for rendered in steps:
            for page in rendered:
                stager.add_text(page.path, page.text)
                for chart in page.charts:
                    stager.add_file(chart.export_path, chart.source_path)
            pages += len(rendered)
            done += 1
            if progress is not None:
                progress(done, total)
        # Everything rendered: now move the new and changed files into place.
        _write_manifest(out_dir, owned | stager.paths)
        for path in stager.changed:
            target = out_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / path, target)
        removed = _remove_stale(out_dir, owned - stager.paths)
        _write_manifest(out_dir, stager.paths, inputs=inputs, pages=pages)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ExportSummary(
        written=sorted(stager.changed),
        unchanged=stager.unchanged,
        removed=removed,
        pages=pages,
        seconds=time.perf_counter() - started,
    )
