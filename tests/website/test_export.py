"""The Markdown export: layout, links, literal text, determinism, and safe incremental writes."""

from __future__ import annotations

import os
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command

from catalog.cache import bump_catalog_version
from catalog.models import Label, Track
from catalog.services import LibraryData, library_upsert
from tests.factories import album_obj, artist_obj, track_obj
from tests.website.library import CJK_ARTISTS, HOSTILE_ARTIST, HOSTILE_LABEL, HOSTILE_TRACK, page_library
from tests.website.test_markdown import HOSTILE_NAMES, render_gfm
from website.export import MANIFEST_NAME, ExportError, github_anchor, site_export

pytestmark = pytest.mark.django_db

TRACK_HEADER = "| Art | Track | Album | Artists | Label | 💚 | 🔗 |"
TRACK_ALIGNMENT = "|:---|:---|:---|:---|:---|:---|:---|"


class PageOutline(HTMLParser):
    """Links, images, headings and table shapes of a rendered page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.headings: list[str] = []
        self.tables: list[list[int]] = []  # cells per row, per table
        self._heading: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "a":
            self.hrefs.append(attrs.get("href") or "")
        elif tag == "img":
            self.srcs.append(attrs.get("src") or "")
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append(0)
        elif tag in ("td", "th"):
            self.tables[-1][-1] += 1
        elif tag in ("h1", "h2"):
            self._heading = []

    def handle_endtag(self, tag):
        if tag in ("h1", "h2") and self._heading is not None:
            self.headings.append("".join(self._heading))
            self._heading = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading.append(data)


def outline(markdown: str) -> PageOutline:
    parser = PageOutline()
    parser.feed(render_gfm(markdown))
    return parser


def export_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def markdown_files(out: Path) -> list[Path]:
    return sorted(out.rglob("*.md"))


@pytest.fixture
def library():
    page_library(n_albums=4)


@pytest.fixture
def out(tmp_path):
    """The export folder (tmp_path itself holds the test's MEDIA_ROOT)."""
    return tmp_path / "export"


def test_export_writes_the_originals_layout(library, tmp_path):
    out = tmp_path / "site"

    summary = site_export(out)

    files = export_files(out)
    label_slug = Label.objects.get(name="Darkroom").slug
    assert "README.md" in files
    assert f"labels/{label_slug}/overview.md" in files
    assert "artists/billie_eilish/overview.md" in files
    assert any(p.startswith(f"images/labels/{label_slug}/") and p.endswith(".png") for p in files)
    assert summary.written == sorted(p for p in files if p != MANIFEST_NAME)
    assert summary.unchanged == 0 and summary.removed == []


def test_label_page_has_the_originals_sections_and_table_format(library, out):
    site_export(out)

    text = (out / "labels/darkroom/overview.md").read_text(encoding="utf-8")
    lines = text.splitlines()

    assert lines[0] == "# Darkroom"
    assert lines[2].endswith(" songs")
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == ["## Top Artists", "## Top Albums", "## Genres", "## Tracks released under Darkroom"]
    tracks_at = lines.index("## Tracks released under Darkroom")
    assert lines[tracks_at + 2 : tracks_at + 4] == [TRACK_HEADER, TRACK_ALIGNMENT]
    # 20+ tracks: ten rows, then the rest behind <details> under the same header.
    assert lines[tracks_at + 14 : tracks_at + 20] == [
        "",
        "",
        "<details>",
        "<summary>See all tracks</summary>",
        "",
        TRACK_HEADER,
    ]
    assert "| Tracks | 💚 | Genre |\n|---:|---:|:---|" in text
    assert "Appears as:\n- " in text  # "Darkroom" and "Darkroom/Interscope Records"


def test_every_relative_link_and_image_resolves_to_a_file_of_the_export(library, out):
    from clusters.services import recluster_all

    recluster_all()
    site_export(out)

    checked = 0
    for md in markdown_files(out):
        parsed = outline(md.read_text(encoding="utf-8"))
        anchors = {github_anchor(h) for h in parsed.headings}
        for ref in parsed.hrefs + parsed.srcs:
            if ref.startswith("https://"):
                assert ref.startswith(("https://open.spotify.com/", "https://i.scdn.co/")), (md, ref)
                continue
            assert not ref.startswith(("/", "http:", "javascript:")), (md, ref)
            path, _, fragment = ref.partition("#")
            if not path:
                assert fragment in anchors, (md, ref)
                continue
            target = (md.parent / unquote(path)).resolve()
            assert target.is_file(), f"{md.relative_to(out)} links to missing {ref}"
            assert out.resolve() in target.parents
            checked += 1
    assert checked > 50
    assert list(out.rglob("clusters/overview.md")), "the clusters pages are part of the export"
    assert list(out.rglob("clusters_scatter.png"))


def hostile_names_library() -> LibraryData:
    """A label page (≥10 tracks) whose tracks, album, artist and label all have hostile names."""
    album = album_obj("Album *of* [bad](names) | <u>x</u>", artists=["www.artist.example"], label="~~Label~~ | `x`")
    names = [HOSTILE_TRACK, *HOSTILE_NAMES]
    tracks = [
        track_obj(name, album=album, artists=["www.artist.example"], track_number=i) for i, name in enumerate(names)
    ]
    return LibraryData(
        saved_tracks=[{"added_at": "2024-01-01T00:00:00Z", "track": t} for t in tracks],
        albums=[album],
        artists=[artist_obj("www.artist.example", genres=["<script>genre</script>"])],
    )


class CellTexts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def test_hostile_names_render_literally_and_keep_every_table_intact(library, out):
    library_upsert(data=hostile_names_library())
    site_export(out)

    cells = CellTexts()
    for md in markdown_files(out):
        markdown = md.read_text(encoding="utf-8")
        parsed = outline(markdown)
        for table in parsed.tables:
            assert len(set(table)) == 1, f"{md}: a row with a different number of cells"
        for tag in ("script", "em", "strong", "b", "i", "u", "del", "code", "blockquote"):
            assert tag not in parsed.tags, (md, tag)
        for href in parsed.hrefs:
            assert href.startswith(("https://open.spotify.com/", "#")) or not href.startswith(("http", "mailto")), href
        cells.feed(render_gfm(markdown))
    shown = set(cells.cells)
    for name in [HOSTILE_TRACK, *HOSTILE_NAMES, HOSTILE_ARTIST, HOSTILE_LABEL, *CJK_ARTISTS]:
        assert " ".join(name.split()) in shown, name
    assert "Album *of* [bad](names) | <u>x</u>" in shown
    assert "~~Label~~ | `x`" in shown and "www.artist.example" in shown and "<script>genre</script>" in shown


def test_two_exports_of_the_same_data_are_byte_identical(library, tmp_path):
    site_export(tmp_path / "a")
    site_export(tmp_path / "b")

    assert export_files(tmp_path / "a") == export_files(tmp_path / "b")


def test_unchanged_files_are_not_rewritten(library, out):
    site_export(out)
    old = 1_000_000_000
    for path in out.rglob("*"):
        if path.is_file():
            os.utime(path, (old, old))

    summary = site_export(out)

    assert summary.written == [] and summary.removed == []
    assert summary.unchanged == len(export_files(out)) - 1  # all but the manifest
    assert all(p.stat().st_mtime == old for p in out.rglob("*.md"))


def test_a_change_rewrites_only_the_pages_that_show_it(library, out):
    site_export(out)
    before = export_files(out)
    track = Track.objects.get(name="Tiny label album song 1")
    Track.objects.filter(pk=track.pk).update(name="Renamed * song")
    bump_catalog_version()  # as every write service does after its commit

    summary = site_export(out)

    after = export_files(out)
    changed = sorted(p for p in after if after[p] != before.get(p) and p != MANIFEST_NAME)
    assert summary.written == changed
    assert "artists/khalid/overview.md" in changed
    assert "labels/darkroom/overview.md" not in changed
    assert "Renamed \\* song" in after["artists/khalid/overview.md"].decode()


def test_pages_that_no_longer_exist_are_removed_and_foreign_files_stay(library, out):
    site_export(out)
    (out / "NOTES.txt").write_text("mine")
    (out / "labels" / "interscope_records").mkdir(exist_ok=True)
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    darkroom = out / "labels/darkroom"
    (darkroom / "my-notes.md").write_text("keep me")
    interscope = out / "labels/interscope_records/overview.md"
    assert interscope.exists()
    Track.objects.filter(album__name="Interscope extra").delete()  # Interscope drops under 10 tracks

    summary = site_export(out)

    assert not interscope.exists()
    assert "labels/interscope_records/overview.md" in summary.removed
    assert (out / "NOTES.txt").read_text() == "mine"
    assert (out / ".git/HEAD").exists()
    assert (darkroom / "my-notes.md").read_text() == "keep me"
    manifest = (out / MANIFEST_NAME).read_text()
    assert "interscope_records" not in manifest and "NOTES.txt" not in manifest


def test_a_folder_that_is_not_an_export_is_refused_unless_forced(library, out):
    out.mkdir()
    (out / "thesis.md").write_text("important")

    with pytest.raises(ExportError, match="not empty"):
        site_export(out)
    assert sorted(p.name for p in out.iterdir()) == ["thesis.md"]

    site_export(out, force=True)
    assert (out / "thesis.md").read_text() == "important"
    assert (out / "README.md").exists()


def test_a_failed_export_leaves_the_previous_export_intact(library, tmp_path):
    out = tmp_path / "site"
    site_export(out)
    before = export_files(out)
    mtimes = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    # New data changes label pages (rendered first), then the export meets a file it did not
    # write where an artist page must go (rendered later).
    Track.objects.filter(name="Darkroom album 1 song 1").update(name="Changed")
    library_upsert(data=blocked_artist_library())
    blocker = out / "artists/blocked_artist"
    blocker.write_text("a foreign file where a folder must be")

    with pytest.raises(ExportError, match="blocked_artist"):
        site_export(out)

    after = export_files(out)
    del after["artists/blocked_artist"]
    assert after == before
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and p != blocker} == mtimes
    assert not [p for p in tmp_path.iterdir() if ".export-" in p.name], "no staging folder is left behind"


def blocked_artist_library() -> LibraryData:
    album = album_obj("Blocked album", artists=["Blocked Artist"], label="Blocked Label")
    tracks = [track_obj(f"blocked {i}", album=album, artists=["Blocked Artist"], track_number=i) for i in range(12)]
    return LibraryData(
        saved_tracks=[{"added_at": "2024-01-01T00:00:00Z", "track": t} for t in tracks[:6]],
        tracks=tracks[6:],
        albums=[album],
        artists=[artist_obj("Blocked Artist", genres=[])],
    )


def test_a_foreign_file_where_a_page_goes_is_refused(library, out):
    site_export(out)
    library_upsert(data=blocked_artist_library())
    (out / "artists/blocked_artist").mkdir(parents=True)
    (out / "artists/blocked_artist/overview.md").write_text("hand written")

    with pytest.raises(ExportError, match="not written by the export"):
        site_export(out)
    assert (out / "artists/blocked_artist/overview.md").read_text() == "hand written"


def test_an_empty_library_exports_a_readme(out):
    summary = site_export(out)

    assert summary.written == ["README.md"]
    assert (out / "README.md").read_text(encoding="utf-8").startswith("# ")


def test_command_exports_and_reports_a_summary(library, tmp_path, capsys):
    call_command("export_markdown", str(tmp_path / "out"), "--workers", "1")

    out = capsys.readouterr()
    assert "written" in out.out and "unchanged" in out.out and "removed" in out.out
    assert (tmp_path / "out/README.md").exists()


def test_command_refuses_a_folder_that_is_not_an_export(out):
    out.mkdir()
    (out / "x.txt").write_text("x")

    with pytest.raises(CommandError, match="--force"):
        call_command("export_markdown", str(out), "-v", "0")


@pytest.mark.django_db(transaction=True)
def test_worker_processes_write_the_same_export_as_one_process(tmp_path):
    page_library(n_albums=6)

    site_export(tmp_path / "serial", workers=1)
    site_export(tmp_path / "parallel", workers=2)

    assert export_files(tmp_path / "serial") == export_files(tmp_path / "parallel")


def test_a_re_export_with_nothing_changed_renders_no_page(library, out, django_assert_max_num_queries):
    first = site_export(out)

    with django_assert_max_num_queries(7):  # the catalog version, the last edits and counts: no page
        again = site_export(out)

    assert again.written == [] and again.removed == []
    assert again.unchanged == first.files and again.pages == first.pages


def test_a_file_edited_by_hand_is_put_back_by_the_next_export(library, out):
    site_export(out)
    readme = out / "README.md"
    original = readme.read_bytes()
    readme.write_text("edited by hand")

    summary = site_export(out)

    assert summary.written == ["README.md"]
    assert readme.read_bytes() == original


def test_a_description_edited_in_the_admin_reaches_the_next_export(library, out):
    site_export(out)
    label = Label.objects.get(name="Darkroom")
    label.description = "Founded by *friends*."
    label.save()  # a plain save, as the admin's change form does: no service involved

    summary = site_export(out)

    assert f"labels/{label.slug}/overview.md" in summary.written
