"""`make bench` at a tiny scale: the harness builds its data, signs in every role and times
every registered page, in the test database, in a few seconds."""

import json

import pytest

import bench
from bench.data import STEPS, Volumes
from bench.pages import FLOOR, PAGES, SIGNED_IN_FLOOR


@pytest.mark.slow
@pytest.mark.django_db
def test_bench_runs_every_page_at_tiny_scale(tmp_path):
    results = tmp_path / "latest.json"
    report = bench.run(
        scale=10, repeat=3, use_current_database=True, results_path=results, out=lambda _: None
    )

    names = [row.page for row in report.rows]
    assert names == [page.name for page in PAGES]
    assert FLOOR in names
    assert "dashboard (commissioner)" in names
    assert "dashboard (administrator)" in names

    floor = report.row(FLOOR)
    assert floor.queries == 1, "the floor (/healthz) is one indexed query"
    signed_in = report.row(SIGNED_IN_FLOOR)
    assert signed_in.ratio == pytest.approx(1.0), "pages are compared with the signed-in floor"
    assert signed_in.queries > floor.queries
    assert report.floor_ratio == pytest.approx(signed_in.p95_ms / floor.p95_ms)
    for row in report.rows:
        assert row.queries > 0
        assert row.ratio is not None and row.ratio > 0
        assert 0 < row.median_ms <= row.p95_ms
    assert not report.failures, report.failures
    assert {"organisations", "users", "memberships", "audit_events"} <= set(report.counts)
    assert report.counts["audit_events"] == Volumes(10).audit_events
    assert report.counts["recommendations_swept"] == 100
    assert report.counts["recommendations"] >= 15 * report.counts["reviews"] * 0.9
    assert report.counts["documents"] >= 25 * (report.counts["reviews"] - 1)
    assert 0 < report.timings["sweep_first_seconds"] < 10
    assert 0 < report.timings["sweep_second_seconds"] < 2
    assert 0 < report.timings["watermark_300_page_sizes_seconds"] < 20  # one render, any sizes
    assert report.timings["notify_notices"] == 10  # every queued notice, through the stand-in
    assert report.timings["notify_per_second"] > 0

    table = report.table()
    assert "p95/signed-in" in table.splitlines()[0]
    assert "Signed-in floor p95 / anonymous floor p95" in table
    assert all(name in table for name in names)

    saved = json.loads(results.read_text())
    assert [row["page"] for row in saved["rows"]] == names
    assert saved["scale"] == 10


def test_volumes_scale_linearly_from_national_figures():
    full = Volumes(10_000)
    assert full.audit_events == 2_000_000
    assert full.scaled(42) == 42
    assert Volumes(5_000).audit_events == 1_000_000
    assert Volumes(10).scaled(42, minimum=2) == 2
    assert [step.__name__ for step in STEPS][:2] == ["organisations", "users"]


def test_more_than_twenty_queries_fails_the_bench():
    rows = [
        bench.Row(
            page=FLOOR, path="/healthz", role="anonymous", median_ms=1, p95_ms=1, queries=1, ratio=1
        ),
        bench.Row(
            page=SIGNED_IN_FLOOR,
            path="/privacy/",
            role="commissioner",
            median_ms=5,
            p95_ms=5,
            queries=4,
            ratio=1,
        ),
        bench.Row(
            page="chatty",
            path="/",
            role="commissioner",
            median_ms=200,
            p95_ms=300,
            queries=21,
            ratio=300,
        ),
    ]
    report = bench.Report(rows=rows, scale=10, repeat=1, database="sqlite")
    assert report.failures == ["chatty: 21 queries (at most 20 allowed)"]
    table = report.table()
    assert "300.0*" in table and "21!" in table


@pytest.mark.slow
def test_the_bench_times_a_word_document_s_conversion():
    """`make bench` times LibreOffice on a 20-page DOCX; here a 2-page one, once."""
    from bench.conversion import measure_conversion
    from tests.documents.office import office_files_or_skip

    office_files_or_skip()  # skips without LibreOffice (fails under CI)
    measured = measure_conversion(pages=2, repeat=1)
    assert measured["pdf_pages"] >= 2
    assert len(measured["seconds"]) == 1 and measured["median"] > 0


@pytest.mark.slow
def test_concurrent_users_against_gunicorn_briefly(tmp_path):
    """`make bench` loads gunicorn with 50 users; here 2 users, 3 requests each, on /healthz
    against a database holding only what the health check reads."""
    import sqlite3

    from bench.concurrency import load, start_gunicorn, stop_gunicorn

    database = tmp_path / "health.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY)")
        db.execute("INSERT INTO django_migrations VALUES (1)")
    process, port = start_gunicorn(f"sqlite:///{database}", workers=1)
    try:
        result = load(port, [("/healthz", None)], users=2, requests_per_user=3, deadline=5)
    finally:
        stop_gunicorn(process)
    assert process.poll() is not None
    assert result["requests"] == 6 and result["errors"] == 0
    assert result["requests_per_second"] > 0 and result["p95_ms"] >= result["median_ms"] > 0
