"""What `recommendations` answers through the extension signals of `ctr_portal` and `reviews`:
header links, the link on the review page, the guard on closing a review, and the previous
report of the next review's pack, and how each recommendation is going in the portal.
RecommendationsConfig.ready() connects each (ADR 0008)."""

from ctr_portal.formatting import nhs_date
from ctr_portal.navigation import NavItem
from ctr_portal.permissions import Perm
from reviews.sections import ReviewLink

from .models import State


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


# How each recommendation is going, in the words the portal uses with the person and family:
# a short label for the tag, and a sentence.
PLAIN_STATE = {
    "awaiting_owner": ("Not agreed yet", "Waiting for {owner} to agree to do it."),
    "disputed": ("Not agreed yet", "Being talked through again with {owner}."),
    "agreed": ("Agreed", "{owner} has agreed to do it."),
    "in_progress": ("Started", "{owner} has started."),
    "done_claimed": ("Being checked", "{owner} says it is done. The commissioner is checking."),
    "done": ("Done", "{owner} has done it, and the commissioner has checked."),
    "not_achieved": ("Not done", "{owner} could not do it. The commissioner will say why."),
    "superseded": ("Replaced", "A newer recommendation replaced this one."),
}


def plain_progress(recommendation, today) -> tuple[str, str, str]:
    """(a short label, a sentence, the tag colour) for one recommendation in the portal."""
    owner = recommendation.owner_organisation or recommendation.owner_display
    label, sentence = PLAIN_STATE[recommendation.state]
    sentence = sentence.format(owner=owner)
    due = nhs_date(recommendation.due_date)
    if recommendation.is_overdue(today):
        return "Late", f"It was due by {due}. {sentence}", "red"
    if recommendation.is_open:
        sentence = f"{sentence} Due by {due}."
    return label, sentence, State(recommendation.state).tag_colour


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
