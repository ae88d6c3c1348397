"""Label pages under concurrent load: gunicorn (several workers) vs the same page as a static file.

Builds a throwaway SQLite library with a 2,000-track label (the test factories, through the real
upsert service), runs ``collectstatic`` and gunicorn with DEBUG=false (WhiteNoise serving static
files), saves the label page as HTML and serves it with ``python -m http.server``, then hammers
both with the same concurrent clients and prints requests/s, p50/p99 latency and the ratio.

    .venv/bin/python bench/pages_bench.py [--tracks 2000] [--workers 4] [--clients 16] [--seconds 10]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import servers  # noqa: E402  (a real redis-server on a free port)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not answer {path} within {timeout}s")


def hammer(port: int, path: str, *, clients: int, seconds: float) -> dict:
    """``clients`` threads GET ``path`` in a loop for ``seconds``; latencies of the 200 answers."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if ok:
                mine.append(time.perf_counter() - start)
            else:
                with lock:
                    errors += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {"rps": len(latencies) / elapsed, "p50": q[49] * 1000, "p99": q[98] * 1000, "n": len(latencies),
            "errors": errors}  # fmt: skip


def build_library(env: dict, albums: int) -> None:
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        "call_command('collectstatic', interactive=False, verbosity=0);"
        "from tests.website.library import page_library;"
        f"page_library(n_albums={albums}, tracks_per_album=5)"
    )
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracks", type=int, default=2000, help="tracks on the benchmarked label")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--no-redis", action="store_true", help="per-worker memory cache instead of Redis")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        redis_url = ""
        if not args.no_redis:
            try:
                redis_url = stack.enter_context(servers.redis_server())
            except FileNotFoundError as exc:
                print(f"{exc}: using each worker's memory cache", file=sys.stderr)
        run(args, redis_url)


def run(args: argparse.Namespace, redis_url: str) -> None:

    tmp = Path(tempfile.mkdtemp(prefix="labelsite-bench-"))
    try:
        measure(args, redis_url, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def measure(args: argparse.Namespace, redis_url: str, tmp: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "labelsite.settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        "DEBUG": "false",
        "SECRET_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        # A shared page cache, as in production: one worker builds a page, all serve it.
        "REDIS_CACHE_URL": redis_url,
    }
    print(f"building a library with a {args.tracks}-track label in {tmp} …", file=sys.stderr)
    build_library(env, albums=max(1, args.tracks // 5))

    port, static_port = free_port(), free_port()
    gunicorn = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "labelsite.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(args.workers), "--timeout", "300", "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    static_dir = tmp / "static-site"
    static_dir.mkdir()
    server = None
    try:
        path = "/labels/darkroom/"
        wait_for(port, path)
        # Warm every worker's page cache (each gunicorn worker has its own in-memory cache).
        hammer(port, path, clients=args.workers * 2, seconds=max(3.0, args.workers * 2.0))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        html = conn.getresponse().read()
        (static_dir / "index.html").write_bytes(html)
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(static_port), "--bind", "127.0.0.1"],
            cwd=static_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(static_port, "/index.html")

        site = hammer(port, path, clients=args.clients, seconds=args.seconds)
        static = hammer(static_port, "/index.html", clients=args.clients, seconds=args.seconds)
    finally:
        gunicorn.terminate()
        gunicorn.wait()
        if server:
            server.terminate()
            server.wait()

    load = os.getloadavg()
    cache = "Redis page cache" if redis_url else "per-worker memory cache"
    print(f"label page: {args.tracks} tracks, {cache}, {len(html) / 1024:.0f} KiB of HTML")
    print(f"{args.clients} clients, {args.seconds:.0f} s each; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    for name, r in ((f"gunicorn ({args.workers} workers)", site), ("static file (http.server)", static)):
        print(f"{name:28} {r['rps']:8.1f} req/s   p50 {r['p50']:7.1f} ms   p99 {r['p99']:7.1f} ms   "
              f"({r['n']} ok, {r['errors']} errors)")  # fmt: skip
    print(f"ratio site/static: {site['rps'] / static['rps']:.2f}x requests/s, p50 {site['p50'] / static['p50']:.2f}x")


if __name__ == "__main__":
    main()
