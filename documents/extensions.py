"""What `documents` answers through the extension signals of `reviews`: the readiness guard, the
link on the review page and the pack made when a review is scheduled. DocumentsConfig.ready()
connects each receiver (ADR 0008)."""

from django.db.models import Count, Q

from ctr_portal.formatting import nhs_datetime
from ctr_portal.permissions import Perm
from reviews.readiness import ReadinessItem
from reviews.sections import ReviewLink

from .models import SETTLED_STATUSES, PackItem
from .policy import CORE_HOURS_BEFORE, deadlines


def readiness_checks(sender, *, review, **kwargs):
    return pack_check(review)


def pack_check(review):
    """What the pack asks before "ready" (domain.md §3, §7), in one query. For a hospital
    review the core items are needed, no later than 24 hours before the day; other items may
    come on the day, so they warn and never block. A missing item of a community pack never
    stops the review: every gap there is a warning."""
    counts = PackItem.objects.filter(pack__review=review).aggregate(
        total=Count("pk"),
        owed=Count("pk", filter=~Q(status__in=SETTLED_STATUSES)),
        core_owed=Count("pk", filter=Q(core=True) & ~Q(status__in=SETTLED_STATUSES)),
    )
    total, owed, core_owed = counts["total"], counts["owed"], counts["core_owed"]
    if not review.is_hospital_review:
        return _community_pack_check(total, owed)
    if not total:
        return _pack_item(False, "the document pack has not been started")
    if core_owed:
        return _pack_item(False, f"{core_owed} core {_items(core_owed)} still needed{_by(review)}")
    warning = ""
    if owed:
        warning = f"{owed} other {_items(owed)} still to come: they may come on the day"
    return _pack_item(True, f"core items provided or settled ({total} items in all)", warning)


def _community_pack_check(total, owed):
    if not total:
        return _pack_item(True, "", "the document pack has not been started")
    if owed:
        return _pack_item(
            True,
            f"{total - owed} of {total} items provided or settled",
            f"{owed} {_items(owed)} still to come: a missing item of a community pack never "
            "stops the review",
        )
    return _pack_item(True, f"all {total} items provided or settled")


def _pack_item(done, detail, warning=""):
    return ReadinessItem("documents", "Document pack", done, detail, order=40, warning=warning)


def _items(count):
    return "item" if count == 1 else "items"


def _by(review):
    hours = CORE_HOURS_BEFORE
    core = deadlines(review).get("core")
    if core is None:
        return f" (core documents reach the panel {hours} hours before the review)"
    if core.short_notice:
        return f", as soon as possible and by {nhs_datetime(core.due_at)} (short notice)"
    return f", by {nhs_datetime(core.due_at)} ({hours} hours before the review)"


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


def invitation_asks(sender, *, review, participant, **kwargs):
    """For an invitation: how many pack items the invitee's organisation owes, and by when
    (the provider's and local authority's contacts: domain.md §7). None when they owe none."""
    from .models import DocumentPack
    from .services import PARTICIPANT_ROLE_FOR

    responsible = [r for r, role in PARTICIPANT_ROLE_FOR.items() if role == participant.role]
    pack = DocumentPack.objects.filter(review=review).first()
    if not responsible or pack is None:
        return None
    owed = list(
        pack.items.filter(responsible__in=responsible)
        .exclude(status__in=SETTLED_STATUSES)
        .values_list("core", flat=True)
    )
    if not owed:
        return None
    due = deadlines(review, pack_made_at=pack.created_at)
    lines = []
    for key, core in (("core", True), ("target", False)):
        count = owed.count(core)
        if count and key in due:
            lines.append(f"{count} {due[key].label.lower()}: {_by_when(due[key])}")
        elif count:
            lines.append(f"{count} {'core' if core else 'other'} documents")
    return {"count": len(owed), "lines": lines}


def _by_when(deadline) -> str:
    """ "by 3 March 2026 at 5pm", or "as soon as possible, and by …" at short notice."""
    when = nhs_datetime(deadline.due_at)
    return f"as soon as possible, and by {when}" if deadline.short_notice else f"by {when}"
