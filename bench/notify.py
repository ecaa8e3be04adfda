"""The outbox's dispatcher against the GOV.UK Notify stand-in on loopback (tests/notify_server.py,
through the official client): `count` queued notices sent, notices a second, and the memory the
dispatcher took. In a transaction rolled back, so a kept bench database is unchanged. Notify's
rate limit (3,000 a minute) is lifted for the measure: it is the dispatcher that is timed."""

import resource
import tracemalloc
from time import perf_counter


class _Undo(Exception):
    pass


def measure_notify(count: int) -> dict:
    from django.db import transaction
    from django.test import override_settings

    from ctr_portal.models import Notification
    from ctr_portal.services import outbox_dispatch_due
    from tests import notify_server as stand_in

    server = stand_in.start()
    measured = {"count": count}
    settings = {
        "OUTBOX_TRANSPORT": "notify",
        "NOTIFY_API_KEY": stand_in.API_KEY,
        "NOTIFY_BASE_URL": server.base_url,
        "NOTIFY_EMAIL_TEMPLATE_ID": stand_in.EMAIL_TEMPLATE_ID,
        "NOTIFY_SMS_TEMPLATE_ID": stand_in.SMS_TEMPLATE_ID,
        "NOTIFY_RATE_PER_MINUTE": 10 * count,
        "OUTBOX_BATCH_SIZE": 200,
    }
    try:
        with override_settings(**settings), transaction.atomic():
            Notification.objects.bulk_create(
                [
                    Notification(
                        idempotency_key=f"bench-notify:{n}",
                        channel="text" if n % 4 == 0 else "email",
                        recipient="07700 900123" if n % 4 == 0 else f"bench{n}@example.com",
                        template="portal_request_answered",
                        context={"link": f"https://ctr.example/portal/reviews/{n}/"},
                    )
                    for n in range(count)
                ],
                batch_size=1000,
            )
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            started = perf_counter()
            sent = 0
            while batch := outbox_dispatch_due():
                sent += batch
            measured["seconds"] = perf_counter() - started
            measured["python_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            measured["rss_growth_mb"] = (
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
            ) / 1024
            measured["sent"] = sent
            measured["received"] = len(server.sent)
            raise _Undo
    except _Undo:
        pass
    finally:
        server.shutdown()
        server.server_close()
    measured["per_second"] = measured["sent"] / measured["seconds"] if measured["seconds"] else 0
    return measured
