"""`make bench` at a tiny scale: the harness builds its data, signs in every role and times
every registered page, in the test database, in a few seconds."""

import json

import pytest

import bench
from bench.data import STEPS, Volumes
from bench.pages import FLOOR, PAGES


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
    assert floor.ratio == pytest.approx(1.0)
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

    table = report.table()
    assert "p95/floor" in table.splitlines()[0]
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


def test_the_bench_times_a_word_document_s_conversion():
    """`make bench` times LibreOffice on a 20-page DOCX; here a 2-page one, once."""
    from bench.conversion import measure_conversion
    from tests.documents.office import office_files_or_skip

    office_files_or_skip()  # skips without LibreOffice (fails under CI)
    measured = measure_conversion(pages=2, repeat=1)
    assert measured["pdf_pages"] >= 2
    assert len(measured["seconds"]) == 1 and measured["median"] > 0
