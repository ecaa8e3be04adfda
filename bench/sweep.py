"""The reminder sweep (issue 11) over the bench's recommendations: a first sweep that plans and
queues what is due today, then a second with nothing new to send. Both run in a transaction that
is rolled back, so a kept bench database is swept afresh next time."""

from time import perf_counter


class _Undo(Exception):
    pass


def measure_sweep() -> dict:
    """Seconds for the first and second sweeps, and what the first did."""
    from django.db import transaction

    from recommendations.services import recommendations_sweep

    measured = {}
    try:
        with transaction.atomic():
            started = perf_counter()
            first = recommendations_sweep()
            measured["first_seconds"] = perf_counter() - started
            started = perf_counter()
            second = recommendations_sweep()
            measured["second_seconds"] = perf_counter() - started
            measured.update(
                looked_at=first.looked_at,
                sent=first.sent,
                escalated=first.escalated,
                digests=first.digests,
                second_sent=second.sent,
            )
            raise _Undo
    except _Undo:
        pass
    return measured
