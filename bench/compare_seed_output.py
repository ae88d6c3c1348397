"""Compare a Markdown export of the reference library with the original program's own pages.

    .venv/bin/python bench/compare_seed_output.py EXPORT_DIR [SEED_OUTPUT_DIR]

EXPORT_DIR is an ``export_markdown`` of the imported reference library (bench/export_bench.py
makes one); SEED_OUTPUT_DIR defaults to ../shared/reference-library/seed-output. Prints:
- label pages: which both have (matched by the original's slug rule), and which only one has;
- the label pages whose tracks differ: the original standardized labels with known defects
  (seed-system.md §7: suffixes stripped inside words, co-labels glued), which we fix;
- tracks: for each label page both have, the Spotify track ids of its track table compared;
- table format: the header and alignment lines of every table, compared per page.
Reads the reference library at run time only; nothing of it is copied into the project.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEED = ROOT.parent / "shared" / "reference-library" / "seed-output"
TRACK_ID = re.compile(r"\(https://open\.spotify\.com/track/([A-Za-z0-9]+)\)")
ALIGNMENT = re.compile(r"^\|(?::?-{3}:?\|)+$")


def track_section_ids(text: str) -> list[str]:
    """Spotify track ids in the page's track table (``## Tracks released under …`` to the end)."""
    start = text.find("\n## Tracks released under ")
    return TRACK_ID.findall(text[start:]) if start >= 0 else []


def table_headers(text: str) -> Counter[tuple[str, str]]:
    """(header line, alignment line) of every table on a page."""
    lines = text.splitlines()
    return Counter(
        (lines[i - 1], line) for i, line in enumerate(lines) if i and ALIGNMENT.match(line) and lines[i - 1][:1] == "|"
    )


def original_slug(slug: str) -> str:
    """The original's slug rule at 8586ab51 (every character outside [a-z0-9] → "_"): our slugs keep
    "(", ")", "-" (design §4), so "deutsche_grammophon_(dg)" is its "deutsche_grammophon__dg_"."""
    return re.sub(r"[^a-z0-9]", "_", slug)


def label_pages(root: Path) -> dict[str, str]:
    folder = root / "labels"
    return {original_slug(p.parent.name): p.read_text(encoding="utf-8") for p in sorted(folder.glob("*/overview.md"))}


def compare(export_dir: Path, seed_dir: Path) -> dict:
    ours, theirs = label_pages(export_dir), label_pages(seed_dir)
    both = sorted(set(ours) & set(theirs))
    same_tracks, differing = [], []
    for slug in both:
        a, b = set(track_section_ids(ours[slug])), set(track_section_ids(theirs[slug]))
        (same_tracks if a == b else differing).append((slug, len(a), len(b), len(a - b), len(b - a)))
    format_same, format_diff = 0, []
    for slug in both:
        # The original's tables that we show too (we have no genre pages or feature/cluster links).
        theirs_h, ours_h = set(table_headers(theirs[slug])), set(table_headers(ours[slug]))
        if theirs_h <= ours_h:
            format_same += 1
        else:
            format_diff.append((slug, sorted(theirs_h - ours_h)))
    return {
        "ours": ours,
        "theirs": theirs,
        "both": both,
        "only_ours": sorted(set(ours) - set(theirs)),
        "only_theirs": sorted(set(theirs) - set(ours)),
        "same_tracks": same_tracks,
        "differing": differing,
        "format_same": format_same,
        "format_diff": format_diff,
    }


def print_report(result: dict) -> None:
    ours, theirs, both = result["ours"], result["theirs"], result["both"]
    print(f"Label pages: original {len(theirs)}, export {len(ours)}, both {len(both)}")
    print(f"  only in the original ({len(result['only_theirs'])}): {', '.join(result['only_theirs']) or '-'}")
    print(f"  only in the export   ({len(result['only_ours'])}): {', '.join(result['only_ours']) or '-'}")
    print(f"Same track set on {len(result['same_tracks'])} of {len(both)} label pages both have")
    for slug, n_ours, n_theirs, extra, missing in result["differing"]:
        print(f"  {slug}: export {n_ours} tracks, original {n_theirs} (+{extra} only ours, -{missing} only theirs)")
    print(f"Table header lines identical on {result['format_same']} of {len(both)} pages")
    for slug, missing in result["format_diff"][:10]:
        print(f"  {slug}: original tables not in the export: {missing}")
    all_ours = Counter(h for text in ours.values() for h in table_headers(text))
    all_theirs = Counter(h for text in theirs.values() for h in table_headers(text))
    print("Table headers (export count / original count):")
    for header in sorted(set(all_ours) | set(all_theirs)):
        print(f"  {all_ours[header]:4d} / {all_theirs[header]:4d}  {header[0]}  {header[1]}")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    export_dir = Path(argv[0])
    seed_dir = Path(argv[1]) if len(argv) > 1 else DEFAULT_SEED
    if not (seed_dir / "labels").is_dir():
        print(f"no original pages at {seed_dir}")
        return 1
    print_report(compare(export_dir, seed_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
