"""Concurrent users against gunicorn on loopback: the bench starts gunicorn (as the Dockerfile
does: sync workers, DEBUG off) on a free port against the bench database, signs its users in
with session cookies made in-process, and lets `users` threads each ask for `requests_per_user`
pages in turn (every signed-in page of bench/pages.py, with its role's cookie), within a
deadline. It reports requests per second, the error rate and the client-side latency.

Bounded in count and time: at most users x requests_per_user requests, and the threads stop
asking once `deadline` seconds have passed (a request already sent waits at most `timeout`)."""

import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
from math import ceil
from pathlib import Path
from time import monotonic, perf_counter, sleep

BASE_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, *, workers: int = 3, conn_max_age: int | None = None):
    """gunicorn serving ctr_portal on a free loopback port; returns (process, port) once it
    answers /healthz."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "DJANGO_SETTINGS_MODULE": "ctr_portal.settings",
        "LOG_LEVEL": "WARNING",
    }
    env.setdefault("SECRET_KEY", "bench-only-key-not-secret-" + "x" * 32)
    if conn_max_age is not None:
        env["CONN_MAX_AGE"] = str(conn_max_age)
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "ctr_portal.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    started = monotonic()
    while monotonic() - started < 30:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {process.stderr.read().decode()[-2000:]}")
        try:
            if _get(port, "/healthz", None, timeout=2)[0] == 200:
                return process, port
        except OSError:
            pass
        sleep(0.2)
    stop_gunicorn(process)
    raise RuntimeError("gunicorn did not answer /healthz within 30 s")


def stop_gunicorn(process) -> None:
    """Stop the gunicorn this module started (its own process group), and wait for it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.stderr:
        process.stderr.close()


def _get(port, path, cookie, *, timeout) -> tuple[int, float]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    headers = {"Host": HOST}
    if cookie:
        headers["Cookie"] = cookie
    try:
        started = perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, (perf_counter() - started) * 1000
    finally:
        connection.close()


def load(
    port: int,
    targets: list[tuple[str, str | None]],
    *,
    users: int = 50,
    requests_per_user: int = 10,
    deadline: float = 60,
    timeout: float = 30,
) -> dict:
    """`users` threads, each asking for `requests_per_user` of `targets` ((path, cookie) pairs)
    in turn, starting at a different one, until done or `deadline` seconds have passed."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    start_gate = threading.Event()
    started = 0.0

    def user(n: int) -> None:
        start_gate.wait()
        for k in range(requests_per_user):
            if monotonic() - started > deadline:
                return
            path, cookie = targets[(n + k) % len(targets)]
            try:
                status, ms = _get(port, path, cookie, timeout=timeout)
            except OSError as error:
                with lock:
                    errors.append(f"{path}: {type(error).__name__}")
                continue
            with lock:
                latencies.append(ms)
                if status != 200:
                    errors.append(f"{path}: {status}")

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    started = monotonic()
    start_gate.set()
    for thread in threads:
        thread.join(timeout=deadline + timeout + 5)
    elapsed = monotonic() - started
    answered = len(latencies)
    made = answered + sum(1 for e in errors if not e.split(": ")[-1].isdigit())
    ordered = sorted(latencies)
    return {
        "users": users,
        "requests": made,
        "seconds": elapsed,
        "requests_per_second": answered / elapsed if elapsed else 0.0,
        "errors": len(errors),
        "error_rate": len(errors) / made if made else 0.0,
        "median_ms": statistics.median(ordered) if ordered else 0.0,
        "p95_ms": ordered[max(0, ceil(len(ordered) * 0.95) - 1)] if ordered else 0.0,
        "error_examples": sorted(set(errors))[:5],
    }


def signed_in_targets(context: dict, pages) -> list[tuple[str, str | None]]:
    """(path, cookie) for every page: a session made in-process for each role (the way the
    bench's test Client signs in), sent as the session cookie."""
    from django.conf import settings

    from . import _client_for
    from .pages import ANONYMOUS

    cookies: dict[str, str | None] = {ANONYMOUS: None}
    targets = []
    for page in pages:
        if page.role not in cookies:
            client = _client_for(page.role, context)
            value = client.cookies[settings.SESSION_COOKIE_NAME].value
            cookies[page.role] = f"{settings.SESSION_COOKIE_NAME}={value}"
        targets.append((page.url_builder(context), cookies[page.role]))
    return targets


def measure_concurrency(
    context: dict,
    database_url: str,
    pages,
    *,
    users: int = 50,
    requests_per_user: int = 10,
    deadline: float = 60,
    conn_max_age: int | None = None,
) -> dict:
    targets = signed_in_targets(context, pages)
    process, port = start_gunicorn(database_url, conn_max_age=conn_max_age)
    try:
        # One round of every page first, so each worker has imported and connected.
        for path, cookie in targets:
            _get(port, path, cookie, timeout=30)
        return load(
            port, targets, users=users, requests_per_user=requests_per_user, deadline=deadline
        )
    finally:
        stop_gunicorn(process)


def describe(result: dict, label: str = "") -> str:
    examples = f" (e.g. {', '.join(result['error_examples'])})" if result["errors"] else ""
    return (
        f"{result['users']} concurrent users against gunicorn{label}: {result['requests']:,} "
        f"requests in {result['seconds']:.1f} s, {result['requests_per_second']:.1f} requests/s, "
        f"errors {result['error_rate']:.1%}{examples}; latency median "
        f"{result['median_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms"
    )
