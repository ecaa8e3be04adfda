"""What `documents` plugs into `reviews` and the shared layer: the readiness guard and the link
on the review page. Loaded from DocumentsConfig.ready()."""

from django.db.models import Count, Q

from ctr_portal.permissions import Perm
from reviews.readiness import ReadinessItem, register_readiness_check
from reviews.sections import ReviewLink, register_review_link
from reviews.services import register_on_schedule

from .models import SETTLED_STATUSES, PackItem


@register_readiness_check
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


register_review_link(
    ReviewLink(
        "Document pack",
        "documents:pack",
        Perm.VIEW_PACK,
        order=20,
        description="The documents the panel reads: who still owes what, and the files.",
    )
)


def _make_pack(review):
    from .services import pack_for_review

    pack_for_review(review=review)


register_on_schedule(_make_pack)
