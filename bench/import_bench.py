"""Benchmark: wall time and peak memory of library imports into a fresh SQLite database.

Run: ``.venv/bin/python bench/import_bench.py [--tracks 100000] [--no-reference]``

Cases, each a ``manage.py`` subprocess on its own throwaway SQLite file (migrated first, not timed):
- the reference library (../shared/reference-library, spotify-stats CSV; read in place, never copied),
  then the same import again (nothing changes);
- a generated demo library of ``--tracks`` tracks (``load_demo``), then loading it again.

Peak memory and CPU time (user + system) are the subprocess's own (``os.wait4`` rusage), so each
figure is that import alone; CPU time says what the wall time would be on an idle machine.
Target (issue #3): 100,000 tracks in under 2 minutes and 1 GB.
The machine has 2 cores shared with other work: the load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT.parent / "shared" / "reference-library"


def run_measured(args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run ``manage.py <args>``; returns (wall seconds, CPU seconds, peak RSS in MB, last stdout line)."""
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "manage.py", *args, "-v", "0"], cwd=ROOT, env=env, stdout=out_file, stderr=err_file
        )
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not all children's
        wall = time.monotonic() - started
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # already reaped by wait4
    if code:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({code}):\n{err[-3000:]}")
    lines = out.strip().splitlines()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, lines[-1] if lines else ""


def fresh_env(tmp: Path, name: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{tmp / name}.sqlite3",
        LABELSITE_DATA_DIR=str(tmp / name),
        MEDIA_ROOT=str(tmp / name / "media"),
        DJANGO_SETTINGS_MODULE="labelsite.settings",
    )
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    return env


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=100_000, help="size of the demo library (default 100000)")
    parser.add_argument("--no-reference", action="store_true", help="skip the reference library")
    args = parser.parse_args()
    rows: list[tuple[str, str, float, float, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="labelsite-import-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if not args.no_reference:
            if REFERENCE.is_dir():
                env = fresh_env(tmp, "reference")
                for case in ("reference library (spotify-stats)", "reference library, again"):
                    cmd = ["import_library", "--format", "spotify-stats", str(REFERENCE)]
                    wall, cpu, rss, summary = run_measured(cmd, env)
                    rows.append((case, "4,526", wall, cpu, rss, load()))
                    print(f"{case}: {summary}", file=sys.stderr)
            else:
                print(f"(reference library not found at {REFERENCE}: skipped)", file=sys.stderr)
        env = fresh_env(tmp, "demo")
        for case in (f"demo library --tracks {args.tracks}", "demo library, again"):
            wall, cpu, rss, summary = run_measured(["load_demo", "--tracks", str(args.tracks)], env)
            rows.append((case, f"{args.tracks:,}", wall, cpu, rss, load()))
            print(f"{case}: {summary}", file=sys.stderr)
    print(f"\n{'case':<36} {'tracks':>8} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}  load average (1, 5, 15 min)")
    for case, tracks, wall, cpu, rss, load_avg in rows:
        print(f"{case:<36} {tracks:>8} {wall:>8.1f} {cpu:>8.1f} {rss:>8.0f}  {load_avg}")
    print(f"target for {args.tracks:,} tracks: < 120 s and < 1024 MB (SQLite, this 2-core machine)")


if __name__ == "__main__":
    main()
