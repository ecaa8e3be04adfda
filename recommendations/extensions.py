"""What `recommendations` answers through the extension signals of `ctr_portal` and `reviews`:
header links, the link on the review page, the guard on closing a review, and the previous
report of the next review's pack, and how each recommendation is going in the portal.
RecommendationsConfig.ready() connects each (ADR 0008)."""

from ctr_portal.navigation import NavItem
from ctr_portal.permissions import Perm
from reviews.sections import ReviewLink

from .plain import plain_progress


def nav_items(sender, **kwargs):
    return [
        NavItem("My actions", "recommendations:my_actions", Perm.VIEW_MY_ACTIONS, order=30),
        NavItem(
            "Recommendations tracker",
            "recommendations:tracker",
            Perm.VIEW_TRACKER,
            order=35,
            current_for=("recommendations:tracker",),
        ),
        NavItem(
            "Escalated recommendations",
            "recommendations:escalated",
            Perm.VIEW_ESCALATED,
            order=36,
        ),
    ]


def review_links(sender, **kwargs):
    return ReviewLink(
        "Recommendations",
        "recommendations:review",
        Perm.VIEW_REVIEW_RECOMMENDATIONS,
        order=70,
        description="What the review recommends, who is doing each and how it is going; the "
        "previous review's recommendations; follow-up checks.",
    )


def transition_checks(sender, *, review, to, **kwargs):
    from .services import closing_problems

    return closing_problems(review, to)


def previous_report(sender, *, review, **kwargs):
    from .services import previous_report_settle

    previous_report_settle(review=review)


def portal_sections(sender, *, review, user, **kwargs):
    """What the panel recommended and how each is going, in plain English, for the person and
    the family the consent lets in (never drafts), each with its steps; four queries."""
    from django.utils import timezone

    from portal.sections import PortalSection

    from .queries import plan_with_history

    if not user.has_perm(Perm.VIEW_REVIEW_RECOMMENDATIONS, review):
        return None
    today = timezone.localdate()
    plan = plan_with_history(review, for_family=True)
    rows = [(r, *plain_progress(r, today)) for r in plan]
    if not rows:
        return None
    return PortalSection(
        "What the panel recommended, and how it is going",
        "recommendations/portal/_section.html",
        {"rows": rows, "plan": plan, "review_pk": review.pk},
        order=20,
    )
