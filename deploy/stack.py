"""The multi-instance deployment on loopback: one Redis, N gunicorn instances, nginx in front.

    DATABASE_URL=... python -m deploy.stack [--instances 2] [--port 8080]

The database must be prepared first (``python -m dashboard migrate``, then a load or ``demo``).
Every process runs in the foreground with its configuration, pid file and logs in one folder of
its own, and is stopped when the stack stops (Ctrl-C). The tests (``tests/test_serving.py``) and
the load test (``benchmarks/load_test.py``) start the same stack.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
NGINX_SITE = ROOT / "deploy" / "nginx.conf"
REDIS_SERVER, NGINX = "/usr/bin/redis-server", "/usr/sbin/nginx"
START_SECONDS = 60  # an instance imports and builds the app before it listens


@dataclass(frozen=True)
class Stack:
    url: str  # nginx: the one address users open
    instance_urls: tuple[str, ...]
    redis_url: str
    folder: Path  # configuration and logs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def missing_programs() -> list[str]:
    """What the stack and its load test need that this machine lacks."""
    missing = [path for path in (REDIS_SERVER, NGINX) if not Path(path).exists()]
    missing += [f"{name} (pip install -r requirements.txt)" for name in ("gunicorn", "locust")
                if importlib.util.find_spec(name) is None]
    return missing


def answers(url: str) -> bool:
    """Whether ``url`` answers 200 now."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for(ready: Callable[[], bool], process: subprocess.Popen, what: str, log: Path,
             seconds: float = START_SECONDS) -> None:
    """Until ``ready()``; fails at once if the process stops, or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ready():
            return
        try:
            code = process.wait(timeout=0.1)  # the wait between checks
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"{what} stopped (exit {code}):\n{_tail(log)}")
    raise RuntimeError(f"{what} was not ready after {seconds:.0f} s:\n{_tail(log)}")


@contextmanager
def running(command: Sequence[str], log: Path, env: dict[str, str] | None = None,
            stop_seconds: float = 40) -> Iterator[subprocess.Popen]:
    """A process in the foreground, its output in ``log``; stopped (SIGTERM, then SIGKILL)."""
    with log.open("ab") as out:
        process = subprocess.Popen(list(command), cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=stop_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def redis_server(folder: Path, port: int | None = None) -> Iterator[str]:
    """A Redis of its own (no persistence: it is a cache), on ``port`` or a free one; yields
    its URL."""
    port, log = port or free_port(), folder / "redis.log"
    command = [REDIS_SERVER, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder),
               "--pidfile", str(folder / "redis.pid"), "--logfile", "", "--daemonize", "no",
               "--save", "", "--appendonly", "no", "--maxmemory", "256mb",
               "--maxmemory-policy", "allkeys-lru"]
    with running(command, log) as process:
        wait_for(lambda: _port_open(port), process, "redis-server", log)
        yield f"redis://127.0.0.1:{port}/0"


@contextmanager
def gunicorn(folder: Path, environment: dict[str, str], app: str = "app:server",
             name: str = "instance") -> Iterator[str]:
    """One instance: ``gunicorn -c deploy/gunicorn.conf.py`` on a free loopback port."""
    port, log = free_port(), folder / f"{name}.log"
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port),
           "GUNICORN_ACCESS_LOG": str(folder / f"{name}-access.log"), **environment}
    command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), app]
    with running(command, log, env) as process:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{url}/health"), process, f"gunicorn ({name})", log)
        yield url


@contextmanager
def nginx(folder: Path, upstreams: Sequence[str], port: int | None = None) -> Iterator[str]:
    """nginx with the site ``deploy/nginx.conf`` in front of ``upstreams`` (base URLs)."""
    port, log = port or free_port(), folder / "nginx-error.log"
    site = NGINX_SITE.read_text(encoding="utf-8").replace("@LISTEN@", f"127.0.0.1:{port}")
    servers = "\n    ".join(f"server {u.removeprefix('http://')} max_fails=1 fail_timeout=10s;"
                           for u in upstreams)
    site = site.replace("@UPSTREAM_SERVERS@", servers)
    (folder / "site.conf").write_text(site.replace("@CACHE_DIR@", str(folder / "nginx-static")),
                                      "utf-8")
    # Its own pid, logs and temporary files; the workers (nobody, when started as root) create
    # their temporary files below this folder, so they must be able to enter it.
    folder.chmod(0o711)
    (folder / "nginx.conf").write_text(f"""worker_processes 1;
pid {folder}/nginx.pid;
error_log {log} warn;
events {{ worker_connections 1024; }}
http {{
    access_log {folder}/nginx-access.log;
    client_body_temp_path {folder}/nginx-body;
    proxy_temp_path {folder}/nginx-proxy;
    fastcgi_temp_path {folder}/nginx-fastcgi;
    uwsgi_temp_path {folder}/nginx-uwsgi;
    scgi_temp_path {folder}/nginx-scgi;
    include {folder}/site.conf;
}}
""", "utf-8")
    command = [NGINX, "-p", str(folder), "-e", str(log), "-c", str(folder / "nginx.conf"),
               "-g", "daemon off;"]
    with running(command, folder / "nginx.log") as process:
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(f"{url}/health"), process, "nginx", log)
        yield url


def instance_environment(database_url: str, redis_url: str,
                         secret_key: str | None = None) -> dict[str, str]:
    """What every instance shares: the database, the cache, the key that signs sessions."""
    return {"DATABASE_URL": database_url, "DASHBOARD_CACHE": "redis",
            "DASHBOARD_REDIS_URL": redis_url,
            "DASHBOARD_SECRET_KEY": secret_key or secrets.token_hex(32),
            "DASHBOARD_TRUSTED_PROXIES": "127.0.0.1",  # nginx, for the clients' addresses
            "DASHBOARD_DEMO_IF_EMPTY": "0"}


@contextmanager
def stack(database_url: str, instances: int = 2, environment: dict[str, str] | None = None,
          app: str = "app:server", folder: Path | None = None,
          port: int | None = None) -> Iterator[Stack]:
    """Redis, ``instances`` gunicorn instances sharing it and the database, nginx in front."""
    with ExitStack() as started:
        if folder is None:  # in /tmp, which nginx's workers may enter
            folder = Path(started.enter_context(tempfile.TemporaryDirectory(
                prefix="dashboard-stack-")))
        folder.mkdir(parents=True, exist_ok=True)
        redis_url = started.enter_context(redis_server(folder))
        env = {**instance_environment(database_url, redis_url), **(environment or {})}
        urls = tuple(started.enter_context(gunicorn(folder, env, app, f"instance-{n}"))
                     for n in range(1, instances + 1))
        yield Stack(started.enter_context(nginx(folder, urls, port)), urls, redis_url, folder)


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _tail(log: Path, lines: int = 30) -> str:
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--port", type=int, help="nginx's port (default: a free one)")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        parser.error("set DATABASE_URL to a prepared database (python -m dashboard migrate)")
    if missing := missing_programs():
        parser.error(f"missing: {', '.join(missing)}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stop the processes on the way out
    try:
        with stack(database_url, args.instances, port=args.port) as running_stack:
            print(f"Serving on {running_stack.url} (instances "
                  f"{', '.join(running_stack.instance_urls)}; Redis {running_stack.redis_url}; "
                  f"logs in {running_stack.folder}). Ctrl-C stops everything.", flush=True)
            while True:
                signal.pause()
    except KeyboardInterrupt:
        print("Stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
