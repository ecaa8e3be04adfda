"""python -m bench [--scale N] [--repeat R] [--database-url URL] [--keep]"""

import argparse
import sys
from time import perf_counter

from . import MAX_QUERIES, RESULTS_PATH, BenchError, run


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Build national volumes of synthetic data and time CTR Portal's pages "
        "in-process (server time). PostgreSQL when DATABASE_URL is set (database ctr_bench on "
        "that server), otherwise SQLite var/bench.sqlite3.",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=10_000,
        help="people's worth of data; 10000 (default) is ten years of national data",
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per page")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL server to use (default: DATABASE_URL), or a sqlite:/// file",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the bench database and its data when built at this scale (no rebuild)",
    )
    parser.add_argument(
        "--no-conversion",
        action="store_true",
        help="skip timing LibreOffice's conversion of a 20-page Word document",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=50,
        help="concurrent users against gunicorn on loopback (0: skip); each asks for "
        "--user-requests pages, within --deadline seconds",
    )
    parser.add_argument("--user-requests", type=int, default=10)
    parser.add_argument("--deadline", type=float, default=60)
    parser.add_argument(
        "--no-report",
        action="store_true",
        help="skip timing WeasyPrint's rendering of a 30-recommendation report",
    )
    return parser


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.scale < 1 or args.repeat < 1:
        parser.error("--scale and --repeat must be at least 1")

    started = perf_counter()
    try:
        report = run(
            scale=args.scale,
            repeat=args.repeat,
            database_url=args.database_url,
            keep=args.keep,
            results_path=RESULTS_PATH,
            conversion=not args.no_conversion,
            concurrency=(
                {
                    "users": args.users,
                    "requests_per_user": args.user_requests,
                    "deadline": args.deadline,
                }
                if args.users > 0
                else None
            ),
        )
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    _print_report(report, started)
    if not args.no_report:
        from .report import describe, measure_report

        print(describe(measure_report()))
    if report.failures:
        print(f"\nFAILED: more than {MAX_QUERIES} queries on a page:", file=sys.stderr)
        for failure in report.failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


def _print_report(report, started: float) -> None:
    """The volumes built and the table of page times, and where the results were written."""
    counts = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in report.counts.items())
    print()
    print(f"{report.database}, scale {report.scale:,}: {counts}")
    print(f"{report.repeat} requests per page after warm-up; times are server time in ms.")
    print()
    print(report.table())
    print()
    print(
        f"Results: {RESULTS_PATH.relative_to(RESULTS_PATH.parents[2])}; "
        f"total {perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    sys.exit(main())
