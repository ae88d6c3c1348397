"""Real servers for the test suite: Redis, PostgreSQL, a Celery worker.

Each starter runs the real program on a free loopback port in a temporary directory and stops
it afterwards. When a program is missing, ``missing_service`` skips the test with the reason —
or fails it when CI=true, where a missing service is a broken CI setup, never a skip.

``python -m tests.servers postgres -- CMD...`` runs CMD with DATABASE_URL pointing at a
throwaway PostgreSQL cluster (used by ``make test`` for the PostgreSQL pass).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def missing_service(reason: str) -> None:
    """Skip (locally) or fail (CI=true) a test whose real service is not available."""
    import pytest

    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def stop(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A real redis-server on a free port; yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="labelsite-redis-") as tmp:
        proc = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                tmp,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, proc=proc)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            stop(proc)


def _postgres_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster (initdb + postgres) on a free port; yields a DATABASE_URL."""
    initdb, postgres = _postgres_bin("initdb"), _postgres_bin("postgres")
    if not initdb or not postgres:
        raise FileNotFoundError("PostgreSQL server binaries not found (apt-get install postgresql)")
    # PostgreSQL refuses to run as root: run it as the 'postgres' system user then.
    run_as: list[str] = []
    if os.geteuid() == 0:
        pwd.getpwnam("postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="labelsite-pg-")
    data = os.path.join(tmp, "data")
    if run_as:
        shutil.chown(tmp, "postgres")
    proc = None
    try:
        subprocess.run(
            [
                *run_as,
                initdb,
                "-D",
                data,
                "-U",
                "labelsite",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        proc = subprocess.Popen(
            [*run_as, postgres, "-D", data, "-p", str(port), "-h", "127.0.0.1", "-k", tmp, "-F"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(port, timeout=30, proc=proc)
        yield f"postgres://labelsite@127.0.0.1:{port}/labelsite"
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def celery_worker(*, broker_url: str, database_url: str, extra_env: dict | None = None) -> Iterator[subprocess.Popen]:
    """A real ``celery -A labelsite worker`` process using the given broker and database."""
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker_url,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "labelsite.settings",
        **(extra_env or {}),
    }
    log = tempfile.NamedTemporaryFile(prefix="labelsite-worker-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "labelsite", "worker", "--pool=solo", "-l", "info", "-n",
         f"test-{os.getpid()}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"celery worker exited: {Path(log.name).read_text()[-2000:]}")
            if "ready." in Path(log.name).read_text():
                break
            time.sleep(0.2)
        else:
            raise TimeoutError(f"celery worker not ready: {Path(log.name).read_text()[-2000:]}")
        proc.log_path = log.name  # type: ignore[attr-defined]
        yield proc
    finally:
        stop(proc, timeout=20)


def _main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] != "postgres" or argv[1] != "--":
        print("usage: python -m tests.servers postgres -- CMD...", file=sys.stderr)
        return 2
    try:
        server = postgres_server()
        url = server.__enter__()
    except FileNotFoundError as exc:
        if IN_CI:
            print(f"CI=true but {exc}", file=sys.stderr)
            return 1
        print(f"SKIPPED the PostgreSQL pass: {exc}", file=sys.stderr)
        return 0
    try:
        print(f"PostgreSQL pass: DATABASE_URL={url}", file=sys.stderr)
        return subprocess.call(argv[2:], env={**os.environ, "DATABASE_URL": url})
    finally:
        server.__exit__(None, None, None)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
