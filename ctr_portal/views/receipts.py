"""GOV.UK Notify's delivery receipts (ADR 0020): Notify posts each message's final status here,
with the bearer token we gave it. No session, no CSRF token: the bearer token, compared in
constant time, is the only key, and the page does nothing while no token is set."""

import hmac
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..services import notification_receipt


def _bearer_ok(request) -> bool:
    expected = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    scheme, _, token = given.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), expected.encode()
    )


@login_not_required
@csrf_exempt
@require_POST
def notify_receipt(request):
    if not settings.NOTIFY_CALLBACK_TOKEN:
        raise Http404("Delivery receipts are not switched on")
    if not _bearer_ok(request):
        return JsonResponse({"error": "Unknown or missing bearer token"}, status=401)
    try:
        receipt = json.loads(request.body)
        provider_ref, status = str(receipt["id"]), str(receipt["status"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "Expected JSON with an id and a status"}, status=400)
    notification_receipt(provider_ref=provider_ref, status=status)
    # A receipt for a message we never sent is accepted too: Notify must not retry it forever.
    return HttpResponse(status=204)
