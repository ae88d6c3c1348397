"""Benchmark of ``export_markdown``: the reference library and a 100,000-track demo library.

    .venv/bin/python bench/export_bench.py [--demo-tracks N] [--skip-demo] [--workers N] [--keep]

For each library, in a fresh SQLite database and MEDIA_ROOT under a temporary folder:
1. load it (reference: ``import_library --format spotify-stats ../shared/reference-library``;
   demo: ``load_demo --tracks N``) and cluster it (``recluster --all``, which draws the scatter
   plots), timed separately;
2. a full export into an empty folder, bar charts drawn on the way (charts included);
3. a re-export with nothing changed.
Each export runs as its own ``manage.py export_markdown`` process; the figures are its wall time
and the peak resident memory of its process tree (the command and its worker processes, sampled
from /proc every 0.25 s). Then the reference export is compared with the original's pages
(bench/compare_seed_output.py). Targets: reference full export < 40 s on 2 cores (the original
took 6.5–7 min), no-change re-export < 5 s, < 1 GB at 100k tracks.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
REFERENCE = ROOT.parent / "shared" / "reference-library"
ORIGINAL_SECONDS = (6.5 * 60, 7.1 * 60)  # ../shared/reference-library/README.md, same machine


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _tree_rss_bytes(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
        todo += _children(current)
    return total


_last_cpu = 0.0


def children_cpu_seconds() -> float:
    """User + system CPU of every finished child process (and the workers they waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run ``manage.py <args>``: (wall seconds, peak RSS of the process tree, stdout).

    The CPU seconds it used are in ``last_cpu()``: on a shared 2-core machine they show the work
    done better than the wall time, which includes waiting for other processes.
    """
    global _last_cpu
    cpu_before = children_cpu_seconds()
    started = time.perf_counter()
    # Output goes to files, not pipes: nobody reads a pipe while we poll, and a command that
    # writes more than a pipe holds (progress bars on 10,000 scopes) would block forever.
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        proc = subprocess.Popen([PYTHON, "manage.py", *args], cwd=ROOT, env=env, stdout=out_file, stderr=err_file)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_bytes(proc.pid))
            time.sleep(0.25)  # a /proc scan costs CPU too: the machine has only 2 cores
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    seconds = time.perf_counter() - started
    _last_cpu = children_cpu_seconds() - cpu_before
    if proc.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed ({proc.returncode}):\n{err[-3000:]}")
    return seconds, peak, out.strip()


def load(name: str, folder: Path, loader: list[str]) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / (name + '.sqlite3')}",
        "MEDIA_ROOT": str(folder / f"media-{name}"),
        "CELERY_BROKER_URL": "",
        "PYTHONWARNINGS": "ignore",
    }
    run_measured(["migrate", "--noinput", "-v0"], env)
    seconds, peak, _ = run_measured([*loader, "-v0"], env)
    print(f"[{name}] load: {seconds:.1f} s, peak {peak / 2**20:.0f} MiB ({' '.join(loader[:1])})")
    seconds, peak, _ = run_measured(["recluster", "--all", "-v0"], env)
    print(f"[{name}] recluster --all (draws scatter plots): {seconds:.1f} s, peak {peak / 2**20:.0f} MiB")
    return env


def export_twice(name: str, env: dict[str, str], out: Path, workers: int) -> tuple[float, float]:
    full, peak, summary = run_measured(["export_markdown", str(out), "--workers", str(workers), "-v0"], env)
    print(f"[{name}] full export: {full:.1f} s wall, {_last_cpu:.1f} s CPU, peak {peak / 2**20:.0f} MiB\n    {summary}")
    again, peak2, summary2 = run_measured(["export_markdown", str(out), "--workers", str(workers), "-v0"], env)
    print(
        f"[{name}] re-export, nothing changed: {again:.1f} s wall, {_last_cpu:.1f} s CPU, "
        f"peak {peak2 / 2**20:.0f} MiB\n    {summary2}"
    )
    files = [p for p in out.rglob("*") if p.is_file()]
    print(f"[{name}] export: {len(files)} files, {sum(p.stat().st_size for p in files) / 2**20:.1f} MiB")
    return full, again


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo-tracks", type=int, default=100_000)
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (databases, exports)")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="export-bench-"))
    print(f"load before: {os.getloadavg()} on {os.cpu_count()} cores; workers {options.workers}; in {folder}")
    try:
        if not options.skip_reference:
            if not (REFERENCE / "tracks.csv").exists():
                sys.exit(f"the reference library is not at {REFERENCE}")
            env = load("reference", folder, ["import_library", "--format", "spotify-stats", str(REFERENCE)])
            full, again = export_twice("reference", env, folder / "export-reference", options.workers)
            low, high = ORIGINAL_SECONDS
            print(
                f"[reference] vs the original's 6.5–7.1 min: {low / full:.1f}–{high / full:.1f}× faster "
                f"(target < 40 s: {'met' if full < 40 else 'MISSED'}; re-export < 5 s: "
                f"{'met' if again < 5 else 'MISSED'})"
            )
            sys.path.insert(0, str(ROOT / "bench"))
            from compare_seed_output import DEFAULT_SEED, compare, print_report

            print("\n[reference] compared with the original's pages (seed-output/):")
            print_report(compare(folder / "export-reference", DEFAULT_SEED))
        if not options.skip_demo:
            env = load("demo", folder, ["load_demo", "--tracks", str(options.demo_tracks)])
            export_twice(f"demo {options.demo_tracks:,}", env, folder / "export-demo", options.workers)
    finally:
        print(f"load after: {os.getloadavg()}")
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
