"""What `documents` answers through the extension signals of `reviews`: the readiness guard, the
link on the review page and the pack made when a review is scheduled. DocumentsConfig.ready()
connects each receiver (ADR 0008)."""

from django.db.models import Count, Q

from ctr_portal.permissions import Perm
from reviews.readiness import ReadinessItem
from reviews.sections import ReviewLink

from .models import SETTLED_STATUSES, PackItem


def readiness_checks(sender, *, review, **kwargs):
    return pack_check(review)


def pack_check(review):
    """Every item of the pack settled: provided, not applicable or not held. One query."""
    counts = PackItem.objects.filter(pack__review=review).aggregate(
        total=Count("pk"), owed=Count("pk", filter=~Q(status__in=SETTLED_STATUSES))
    )
    if not counts["total"]:
        done, detail = False, "the document pack has not been started"
    elif counts["owed"]:
        done = False
        detail = f"{counts['owed']} of {counts['total']} items still needed"
    else:
        done, detail = True, f"all {counts['total']} items provided or settled"
    return ReadinessItem("documents", "Document pack", done, detail, order=40)


def review_links(sender, **kwargs):
    return ReviewLink(
        "Document pack",
        "documents:pack",
        Perm.VIEW_PACK,
        order=20,
        description="The documents the panel reads: who still owes what, and the files.",
    )


def make_pack(sender, *, review, **kwargs):
    from .services import pack_for_review

    pack_for_review(review=review)
