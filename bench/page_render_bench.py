"""Cold server-side render of a 2,000-track label page (issue #6: under 100 ms).

Builds a throwaway SQLite library with a ``--tracks``-track label (the page tests' generator,
through the real upsert service), then times ``GET /labels/darkroom/`` through Django's test
client with the page cache cleared before every request, so each figure is a full build: SQL,
content, tables and template. Chart files are drawn by the first (unmeasured) request and then
found on disk, as on a running site (they are redrawn only when their data changes).

Prints the median and spread of ``--runs`` renders, the SQL queries per render, and a split of
one render into content building (``website.content.label_content``) and the rest (lookup,
template). The machine has 2 cores shared with other work: the load average is printed too.

    .venv/bin/python bench/page_render_bench.py [--tracks 2000] [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=2000, help="tracks on the benchmarked label")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one cold render")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="labelsite-render-bench-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}",
        LABELSITE_DATA_DIR=str(tmp),
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),
        DJANGO_SETTINGS_MODULE="labelsite.settings",
        DEBUG="false",
        SECRET_KEY="bench-only",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        REDIS_CACHE_URL="",
        CELERY_BROKER_URL="",
    )
    sys.path.insert(0, str(ROOT))
    try:
        measure(args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cpu_ticks() -> tuple[int, int]:
    """(steal, total) jiffies of all CPUs from /proc/stat: time the hypervisor gave to other guests."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0, 0
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def measure(args: argparse.Namespace) -> None:
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    import labelsite.wsgi  # noqa: F401  (as served: sets Django up and freezes the startup heap for the GC)
    from catalog.models import Label, Track
    from tests.website.library import page_library
    from website.content import label_content

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=false: the hashed manifest
    print(f"building a library with a {args.tracks}-track label …", file=sys.stderr)
    page_library(n_albums=max(1, args.tracks // 5), tracks_per_album=5)
    label = Label.objects.get(slug="darkroom")
    on_label = Track.objects.filter(album__label_links__label=label).distinct().count()

    client = Client()
    path = f"/labels/{label.slug}/"
    began = time.perf_counter()
    first = client.get(path)
    first_ms = (time.perf_counter() - began) * 1000
    assert first.status_code == 200, first.status_code

    load_before = os.getloadavg()
    steal_before, total_before = cpu_ticks()
    walls, cpus = [], []
    for _ in range(args.runs):
        cache.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        assert response.status_code == 200

    steal_after, total_after = cpu_ticks()
    steal = 100 * (steal_after - steal_before) / max(1, total_after - total_before)

    cache.clear()
    queries = []
    # Counted at the cursor: the test client's request_started signal resets connection.queries.
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        client.get(path)
    builds = []
    for _ in range(max(3, args.runs // 3)):
        began = time.perf_counter()
        label_content(label)
        builds.append((time.perf_counter() - began) * 1000)
    began = time.perf_counter()
    client.get(path)
    warm_ms = (time.perf_counter() - began) * 1000

    if args.profile:
        import cProfile
        import pstats

        cache.clear()
        profiler = cProfile.Profile()
        profiler.runcall(client.get, path)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)

    load = os.getloadavg()
    median = statistics.median(walls)
    verdict = "met" if median < 100 else "NOT met"
    print(f"label page: {on_label} tracks, {len(first.content) / 1024:.0f} KiB of HTML, {len(queries)} SQL queries")
    print(f"cold render (page cache cleared), {args.runs} runs: median {median:.1f} ms wall "
          f"(min {min(walls):.1f}, max {max(walls):.1f}); target < 100 ms: {verdict}")  # fmt: skip
    print(f"  CPU time of the process: median {statistics.median(cpus):.1f} ms (min {min(cpus):.1f})")
    print(f"  of which content building (label_content), median: {statistics.median(builds):.1f} ms wall")
    print(f"first render (draws the charts): {first_ms:.0f} ms; warm (page cache hit): {warm_ms:.1f} ms")
    print(f"load average before {load_before[0]:.2f}, after {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{os.cpu_count()} CPUs; CPU steal (hypervisor) during the runs {steal:.0f}%")  # fmt: skip


if __name__ == "__main__":
    main()
