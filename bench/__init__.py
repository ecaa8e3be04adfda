"""`make bench`: time the main pages in-process against national volumes of synthetic data.

`run()` is the core, used by the CLI (`python -m bench`) and by tests/test_bench.py. It prepares
its own database (PostgreSQL `ctr_bench` when DATABASE_URL is set, otherwise var/bench.sqlite3),
builds the data (`bench/data.py`), then asks for every page in `bench/pages.py` with Django's
test Client, timing each request and counting its queries. Django is imported only inside
functions: the environment must be set before settings load.
"""

import json
import os
import statistics
import sys
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from math import ceil
from pathlib import Path
from time import perf_counter
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_PATH = Path(__file__).resolve().parent / "results" / "latest.json"
SQLITE_PATH = BASE_DIR / "var" / "bench.sqlite3"
# The bench's own database on the PostgreSQL server (BENCH_DATABASE in the environment names
# another, e.g. so that two worktrees can bench at once).
BENCH_DATABASE = os.environ.get("BENCH_DATABASE", "ctr_bench")
CONTEXT_TABLE = "bench_context"

MAX_QUERIES = 20  # enforced: the bench fails above this
TARGET_MS = 150  # reported: p95 above this is flagged
TARGET_RATIO = 4  # reported: p95 more than this many times the signed-in floor's is flagged
FLOOR_TARGET_RATIO = 4  # reported: the signed-in floor's p95 over this many times the anonymous
WARMUP = 3

__all__ = ["BenchError", "Report", "Row", "run"]


class BenchError(Exception):
    """The bench could not measure (a page answered with the wrong status, a bad URL...)."""


@dataclass
class Row:
    page: str
    path: str
    role: str
    median_ms: float
    p95_ms: float
    queries: int
    ratio: float | None = None  # p95 / the signed-in floor's p95

    @property
    def slow(self) -> bool:
        return self.p95_ms > TARGET_MS

    @property
    def far_from_floor(self) -> bool:
        return self.ratio is not None and self.ratio > TARGET_RATIO

    @property
    def too_many_queries(self) -> bool:
        return self.queries > MAX_QUERIES


@dataclass
class Report:
    rows: list[Row]
    scale: int
    repeat: int
    database: str
    timings: dict[str, float] = field(default_factory=dict)  # seconds: migrate, each step, ...
    counts: dict[str, int] = field(default_factory=dict)

    def row(self, page: str) -> Row:
        return next(r for r in self.rows if r.page == page)

    @property
    def floor_ratio(self) -> float | None:
        """The signed-in floor's p95 as a multiple of the anonymous floor's."""
        from .pages import FLOOR, SIGNED_IN_FLOOR

        pages = {r.page: r for r in self.rows}
        if FLOOR not in pages or SIGNED_IN_FLOOR not in pages or not pages[FLOOR].p95_ms:
            return None
        return pages[SIGNED_IN_FLOOR].p95_ms / pages[FLOOR].p95_ms

    @property
    def failures(self) -> list[str]:
        return [
            f"{r.page}: {r.queries} queries (at most {MAX_QUERIES} allowed)"
            for r in self.rows
            if r.too_many_queries
        ]

    def table(self) -> str:
        header = f"{'page':<48} {'median ms':>9} {'p95 ms':>9} {'queries':>8} {'p95/signed-in':>14}"
        lines = [header, "-" * len(header)]
        for r in self.rows:
            p95 = f"{r.p95_ms:.1f}{'*' if r.slow else ' '}"
            ratio = "" if r.ratio is None else f"{r.ratio:.1f}{'*' if r.far_from_floor else ' '}"
            queries = f"{r.queries}{'!' if r.too_many_queries else ' '}"
            lines.append(f"{r.page:<48} {r.median_ms:>9.1f} {p95:>10} {queries:>9} {ratio:>15}")
        lines.append(
            f"* over a target (p95 {TARGET_MS} ms, {TARGET_RATIO}x the signed-in floor): "
            f"reported, not enforced.  ! over {MAX_QUERIES} queries: fails."
        )
        if self.floor_ratio is not None:
            flag = "*" if self.floor_ratio > FLOOR_TARGET_RATIO else ""
            lines.append(
                f"Signed-in floor p95 / anonymous floor p95: {self.floor_ratio:.1f}{flag} "
                f"(aim: at most {FLOOR_TARGET_RATIO})"
            )
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "scale": self.scale,
            "repeat": self.repeat,
            "database": self.database,
            "targets": {
                "max_queries": MAX_QUERIES,
                "p95_ms": TARGET_MS,
                "ratio": TARGET_RATIO,
                "signed_in_floor_ratio": FLOOR_TARGET_RATIO,
            },
            "signed_in_floor_ratio": self.floor_ratio,
            "timings_seconds": {k: round(v, 2) for k, v in self.timings.items()},
            "counts": self.counts,
            "rows": [
                {**asdict(r), "slow": r.slow, "far_from_floor": r.far_from_floor} for r in self.rows
            ],
        }


def run(
    scale: int = 10_000,
    repeat: int = 50,
    *,
    use_current_database: bool = False,
    database_url: str | None = None,
    keep: bool = False,
    pages=None,
    results_path: Path | None = None,
    out: Callable[[str], None] = print,
    conversion: bool = False,
    concurrency: dict | None = None,
) -> Report:
    """Build the data and time the pages. With `use_current_database`, Django must already be
    set up (e.g. in a pytest-django test) and the data goes into its current database;
    otherwise the bench prepares, migrates and fills its own database first. With
    `conversion`, also time LibreOffice turning a 20-page Word document into a PDF. With
    `concurrency` (keyword arguments of bench.concurrency.load, e.g. {"users": 50,
    "requests_per_user": 10, "deadline": 60}), also load gunicorn on loopback, once with
    CONN_MAX_AGE=0 and once with the settings' default."""
    timings: dict[str, float] = {}
    own_database = not use_current_database
    if own_database:
        _configure_django(_prepare_database(database_url, keep=keep, out=out))
        _migrate(timings, out)

    from django.db import connection

    from .data import Volumes
    from .pages import PAGES

    volumes = Volumes(scale)
    context = _data_context(volumes, keep=keep, own_database=own_database, timings=timings, out=out)
    rows = measure(list(PAGES if pages is None else pages), context, repeat=repeat, out=out)
    if "documents" in context:
        _time_upload(context, timings, out)
        _time_watermark(timings, out)
    if "recommendations" in context.get("counts", {}):
        _time_sweep(context, timings, out)
    _time_notify(volumes, timings, out)
    if conversion:
        _time_conversion(timings, out)
    if concurrency:
        _time_concurrency(
            context, list(PAGES if pages is None else pages), concurrency, timings, out
        )
    _compare_with_floor(rows)
    report = Report(
        rows=rows,
        scale=scale,
        repeat=repeat,
        database=f"{connection.vendor} {connection.settings_dict['NAME']}",
        timings=timings,
        counts=dict(context.get("counts", {})),
    )
    if results_path is not None:
        results_path.parent.mkdir(parents=True, exist_ok=True)
        results_path.write_text(json.dumps(report.as_json(), indent=2) + "\n")
    return report


def _migrate(timings: dict[str, float], out) -> None:
    from django.core.management import call_command

    started = perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    timings["migrate"] = perf_counter() - started
    out(f"  {'migrate':<22} {timings['migrate']:7.1f} s")


def _data_context(volumes, *, keep: bool, own_database: bool, timings: dict, out) -> dict:
    """The context of the data a kept database already holds at this scale, or else of data
    built now (and, in the bench's own database, stored for the next --keep)."""
    from django.core.management import call_command
    from django.db import connection

    from . import data

    context = _stored_context(volumes) if keep and own_database else None
    if context is not None:
        out(f"Reusing the data already in the database (scale {volumes.scale:,}).")
        return context
    if keep and own_database and _has_data():
        out("  --keep: the database holds other data; emptying it first")
        call_command("flush", interactive=False, verbosity=0)
    out(f"Building data at scale {volumes.scale:,} ({connection.vendor}):")
    started = perf_counter()
    context, step_timings = data.build(volumes, out=out)
    timings.update(step_timings)
    timings["build"] = perf_counter() - started
    out(f"  {'total':<22} {timings['build']:7.1f} s")
    if own_database:
        _store_context(volumes, context)
    return context


def _time_upload(context: dict, timings: dict, out) -> None:
    from .uploads import measure_upload

    seconds, python_mb, rss_mb = measure_upload(context)
    timings["upload_20mb_seconds"] = seconds
    timings["upload_20mb_python_peak_mb"] = python_mb
    timings["upload_20mb_rss_growth_mb"] = rss_mb
    out(
        f"20 MB upload: {seconds * 1000:.0f} ms, Python memory peak {python_mb:.1f} MB, "
        f"process memory growth {rss_mb:.1f} MB"
    )


def _time_watermark(timings: dict, out) -> None:
    from .uploads import measure_watermark

    timings["watermark_300_page_sizes_seconds"] = seconds = measure_watermark(sizes=300)
    out(f"Watermarking a PDF of 300 page sizes (one view): {seconds * 1000:.0f} ms")


def _time_sweep(context: dict, timings: dict, out) -> None:
    from .sweep import measure_sweep

    measured = measure_sweep()
    timings["sweep_first_seconds"] = measured["first_seconds"]
    timings["sweep_second_seconds"] = measured["second_seconds"]
    out(
        f"Reminder sweep over {context['counts']['recommendations']:,} recommendations: "
        f"{measured['first_seconds']:.1f} s (looked at {measured['looked_at']:,}, queued "
        f"{measured['sent']:,} reminders and {measured['digests']:,} digests, escalated "
        f"{measured['escalated']:,}); again with nothing new: {measured['second_seconds']:.2f} s "
        f"(queued {measured['second_sent']:,})"
    )


NOTICES_AT_FULL_SCALE = 10_000


def _time_notify(volumes, timings: dict, out) -> None:
    from .notify import measure_notify

    measured = measure_notify(max(volumes.scaled(NOTICES_AT_FULL_SCALE), 10))
    timings["notify_notices"] = measured["sent"]
    timings["notify_per_second"] = measured["per_second"]
    timings["notify_python_peak_mb"] = measured["python_peak_mb"]
    timings["notify_rss_growth_mb"] = measured["rss_growth_mb"]
    out(
        f"Outbox through the Notify stand-in: {measured['sent']:,} of {measured['count']:,} "
        f"notices in {measured['seconds']:.1f} s ({measured['per_second']:.0f} a second), "
        f"Python memory peak {measured['python_peak_mb']:.1f} MB, process memory growth "
        f"{measured['rss_growth_mb']:.1f} MB"
    )


def _time_concurrency(context, pages, options: dict, timings: dict, out) -> None:
    from django.conf import settings
    from django.db import connection

    from .concurrency import describe, measure_concurrency

    if connection.vendor == "sqlite" and ":memory:" in str(connection.settings_dict["NAME"]):
        out("Concurrent users: not measured (the database is in this process's memory)")
        return
    url = os.environ["DATABASE_URL"]
    default_age = settings.DATABASES["default"]["CONN_MAX_AGE"]
    for age in (0, default_age):
        result = measure_concurrency(context, url, pages, conn_max_age=age, **options)
        for key in ("requests", "requests_per_second", "error_rate", "median_ms", "p95_ms"):
            timings[f"concurrency_conn_max_age_{age}_{key}"] = result[key]
        out(describe(result, f" (CONN_MAX_AGE={age})"))


def _time_conversion(timings, out):
    from .conversion import measure_conversion

    measured = measure_conversion()
    if measured is None:
        out("20-page DOCX to PDF: not measured (LibreOffice is not installed)")
        return
    timings["conversion_docx_20_pages_seconds"] = measured["median"]
    runs = ", ".join(f"{s:.1f}" for s in measured["seconds"])
    out(
        f"20-page DOCX to PDF (LibreOffice, fresh profile): median "
        f"{measured['median']:.1f} s over {len(measured['seconds'])} runs ({runs} s), "
        f"{measured['pdf_pages']} pages"
    )


def _compare_with_floor(rows: list[Row]) -> None:
    """Each row's p95 as a multiple of the signed-in floor's p95 (of the anonymous floor's when
    the signed-in floor was not measured)."""
    from .pages import FLOOR, SIGNED_IN_FLOOR

    pages = {r.page: r for r in rows}
    floor = pages.get(SIGNED_IN_FLOOR) or pages.get(FLOOR)
    if floor is not None and floor.p95_ms > 0:
        for r in rows:
            r.ratio = r.p95_ms / floor.p95_ms


def measure(pages, context: dict, *, repeat: int, out: Callable[[str], None] = print) -> list[Row]:
    """Ask for each page WARMUP times, then `repeat` times, timing each request (server time:
    the test Client calls the WSGI handler in-process) and counting its queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = []
    for page in pages:
        client = _client_for(page.role, context)
        path = page.url_builder(context)
        for _ in range(WARMUP):
            _get(client, page, path)
        times, queries = [], 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = perf_counter()
                _get(client, page, path)
                times.append((perf_counter() - started) * 1000)
            queries = max(queries, len(captured.captured_queries))
        rows.append(
            Row(
                page=page.name,
                path=path,
                role=page.role,
                median_ms=statistics.median(times),
                p95_ms=_percentile(times, 95),
                queries=queries,
            )
        )
        out(f"  measured {page.name}")
    return rows


def _get(client, page, path):
    response = client.get(path)
    if response.status_code != page.status:
        where = response.get("Location", "")
        raise BenchError(
            f"{page.name}: GET {path} as {page.role} answered {response.status_code}"
            f"{f' (to {where})' if where else ''}, expected {page.status}."
        )
    return response


def _percentile(values: list[float], percent: int) -> float:
    """Nearest-rank percentile: the smallest value at or above `percent` % of the values."""
    ordered = sorted(values)
    return ordered[max(0, ceil(len(ordered) * percent / 100) - 1)]


def _client_for(role: str, context: dict):
    """A test Client signed in as the context's user for `role`, with the second factor passed
    for professionals (the way tests/conftest.py's sign_in does it)."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .data import TWO_FACTOR_NAME
    from .pages import ANONYMOUS

    client = Client()
    if role == ANONYMOUS:
        return client
    try:
        user_id = context["users"][role]
    except KeyError:
        raise BenchError(
            f"No user for role {role!r}: add one to ctx['users'] in a bench/data.py step."
        ) from None
    user = get_user_model().objects.get(pk=user_id)
    client.force_login(user, backend="ctr_portal.backends.EmailBackend")
    if user.needs_two_factor:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TWO_FACTOR_NAME, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


# --- the bench's own database ------------------------------------------------------------------


def _prepare_database(database_url: str | None, *, keep: bool, out) -> str:
    """Create (or, with keep, reuse) the bench database; return its DATABASE_URL.

    A PostgreSQL URL (--database-url, else DATABASE_URL) names the server: the bench uses its own
    database `ctr_bench` there. Otherwise SQLite var/bench.sqlite3, or the file an explicit
    --database-url sqlite:///... names; never the developer's var/db.sqlite3.
    """
    url = database_url or os.environ.get("DATABASE_URL", "")
    if url and not url.startswith("sqlite"):
        return _prepare_postgres(url, keep=keep, out=out)
    path = SQLITE_PATH
    if database_url:
        import environ

        path = Path(environ.Env.db_url_config(database_url)["NAME"]).resolve()
        if path == (BASE_DIR / "var" / "db.sqlite3").resolve():
            raise BenchError("The bench will not use (and empty) the demo database var/db.sqlite3.")
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = keep and path.exists()
    if not keep:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    out(f"Database: SQLite {path}{' (kept)' if kept else ''}")
    return f"sqlite:///{path}"


def _prepare_postgres(url: str, *, keep: bool, out) -> str:
    import environ
    import psycopg2

    config = environ.Env.db_url_config(url)
    admin_db = config["NAME"] if config["NAME"] not in ("", BENCH_DATABASE) else "postgres"
    conn = psycopg2.connect(
        dbname=admin_db,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DATABASE])
            exists = cursor.fetchone() is not None
            if exists and not keep:
                cursor.execute(f'DROP DATABASE "{BENCH_DATABASE}" WITH (FORCE)')
            if not exists or not keep:
                cursor.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')
    finally:
        conn.close()
    parts = urlsplit(url)
    out(
        f"Database: PostgreSQL {parts.hostname}:{parts.port or 5432}/{BENCH_DATABASE}"
        f"{' (kept)' if exists and keep else ''}"
    )
    return urlunsplit(parts._replace(path=f"/{BENCH_DATABASE}"))


def _configure_django(database_url: str) -> None:
    """Production-like settings (DEBUG off) on the bench database, then django.setup()."""
    import django

    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ctr_portal.settings"
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-key-not-secret-" + "x" * 32)
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]
    if hosts and "testserver" not in hosts:
        os.environ["ALLOWED_HOSTS"] = ",".join([*hosts, "testserver"])
    # WhiteNoise warns when collectstatic has not run; the bench times pages, not assets.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    django.setup()


def _has_data() -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.exists()


def _stored_context(volumes) -> dict | None:
    """The context a previous run stored, if it was built at this scale by the same steps."""
    from django.db import connection

    from .data import STEPS

    if CONTEXT_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT scale, steps, context FROM {CONTEXT_TABLE}")
        row = cursor.fetchone()
    if row is None or row[0] != volumes.scale or row[1] != ",".join(s.__name__ for s in STEPS):
        return None
    return json.loads(row[2])


def _store_context(volumes, context: dict) -> None:
    from django.db import connection

    from .data import STEPS

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {CONTEXT_TABLE} "
            "(scale INTEGER NOT NULL, steps TEXT NOT NULL, context TEXT NOT NULL)"
        )
        cursor.execute(f"DELETE FROM {CONTEXT_TABLE}")
        cursor.execute(
            f"INSERT INTO {CONTEXT_TABLE} (scale, steps, context) VALUES (%s, %s, %s)",
            [volumes.scale, ",".join(s.__name__ for s in STEPS), json.dumps(context)],
        )
