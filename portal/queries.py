"""Portal: reads that depend on the user. Reviews are found through reviews' own queries, so
the scope and the consent gate are the ones every other page uses."""

from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from ctr_portal.permissions import Perm
from reviews import queries as review_queries
from reviews.rules import participant_for

from .models import Feedback, FeedbackGroup, Request, Score
from .rules import PORTAL_ROLES


def portal_reviews(user) -> list:
    """The reviews the user follows as the person, a family carer or an advocate, soonest
    first, each with the latest consent loaded (for the gate)."""
    return [
        review
        for review in review_queries.reviews_for_participant(user)
        if (p := participant_for(user, review)) is not None and p.role in PORTAL_ROLES
    ]


def portal_review(user, pk):
    """One review the user follows in the portal, or None (404)."""
    review = review_queries.review_for_user(user, pk)
    if review is None or not user.has_perm(Perm.VIEW_PORTAL_REVIEW, review):
        return None
    return review


@dataclass(frozen=True)
class WhatsNext:
    next_due: object  # the due date of the person's next review, or None
    next_starts_at: object


def whats_next(review) -> WhatsNext:
    nxt = review_queries.next_review_for_person(review.person, after=review)
    return WhatsNext(nxt.due_date if nxt else None, nxt.starts_at if nxt else None)


# --- Requests ------------------------------------------------------------------------------


def requests_made_by(user, review) -> list[Request]:
    return list(Request.objects.filter(review=review, made_by=user).order_by("-made_at", "-pk"))


def requests_for_commissioner(user, *, state: str = Request.State.OPEN) -> list[Request]:
    org_ids = review_queries.commissioning_org_ids(user)
    return list(
        Request.objects.filter(commissioner_id__in=org_ids, state=state)
        .select_related("person", "made_by", "review", "commissioner", "answered_by")
        .order_by("-urgent", "-made_at", "-pk")[:200]
    )


def open_request_counts(user) -> dict:
    """{"open": n, "urgent": m}: the requests waiting for a reply, and how many are urgent."""
    org_ids = review_queries.commissioning_org_ids(user)
    return Request.objects.filter(
        commissioner_id__in=org_ids, state=Request.State.OPEN
    ).aggregate(open=Count("pk"), urgent=Count("pk", filter=Q(urgent=True)))


def request_for_user(user, pk):
    org_ids = review_queries.commissioning_org_ids(user)
    return (
        Request.objects.filter(pk=pk, commissioner_id__in=org_ids)
        .select_related("person", "made_by", "review", "commissioner", "answered_by")
        .first()
    )


def requests_for_person(person) -> list[Request]:
    return list(person.portal_requests.select_related("made_by", "answered_by"))


# --- Feedback ------------------------------------------------------------------------------


def feedback_given(user, review):
    return Feedback.objects.filter(review=review, given_by=user).first()


def feedback_for_review(review) -> list[Feedback]:
    return list(review.feedback.select_related("given_by").order_by("group", "-given_at"))


@dataclass(frozen=True)
class FeedbackRow:
    group: str
    label: str
    answers: int
    involved: float | None
    clear: float | None
    felt_involved: int  # how many answered "mostly" or "completely"
    found_clear: int

    def percent(self, count) -> int | None:
        return round(100 * count / self.answers) if self.answers else None

    @property
    def felt_involved_percent(self):
        return self.percent(self.felt_involved)

    @property
    def found_clear_percent(self):
        return self.percent(self.found_clear)


def feedback_summary(feedback) -> list[FeedbackRow]:
    """Per group (the person, family, panel, provider): answers, mean scores (1–4) and how many
    felt involved or found the information clear; one query."""
    good = Score.MOSTLY
    rows = {
        row["group"]: row
        for row in feedback.order_by()
        .values("group")
        .annotate(
            answers=Count("pk"),
            mean_involved=Avg("involved"),
            mean_clear=Avg("clear"),
            felt_involved=Count("pk", filter=Q(involved__gte=good)),
            found_clear=Count("pk", filter=Q(clear__gte=good)),
        )
    }
    summary = []
    for group in FeedbackGroup:
        row = rows.get(group.value, {})
        summary.append(
            FeedbackRow(
                group.value,
                group.label,
                row.get("answers", 0),
                row.get("mean_involved"),
                row.get("mean_clear"),
                row.get("felt_involved", 0),
                row.get("found_clear", 0),
            )
        )
    return summary


def feedback_for_commissioner(user):
    """Feedback on the reviews the user's organisations commission."""
    return Feedback.objects.filter(
        review__commissioner_id__in=review_queries.commissioning_org_ids(user)
    )


def recent_changes_suggested(feedback, limit=10) -> list[Feedback]:
    return list(
        feedback.exclude(change="")
        .select_related("review", "review__person")
        .order_by("-given_at", "-pk")[:limit]
    )


def feedback_invitation_candidates(*, since):
    """Reviews held on or after `since` (not cancelled), with who took part."""
    return review_queries.reviews_held_since(since)


def planner_review(user, pk):
    """A review whose planner the user may read, found as every review page finds one (404 for
    a review they have no part in); the view then asks the permission (403)."""
    return review_queries.review_for_user(user, pk)


def planner_of(review):
    """The review's planner, or an empty one not yet saved."""
    from .models import Planner

    return Planner.objects.filter(review=review).first() or Planner(review=review)


def booklets_of(review):
    from .models import Booklets

    return Booklets.objects.filter(review=review).first()
