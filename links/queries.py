"""What a link opens, read for its holder (who has no account): the object the link names,
and whether its owner's rules still let the link be used (the consent gate, asked afresh)."""

from ctr_portal.models import ActionLink
from recommendations.models import Recommendation, State
from reports.models import ReportVersion
from reports.rules import report_open_to
from reviews.models import Participant
from reviews.rules import latest_consent

Purpose = ActionLink.Purpose

RECOMMENDATION = "recommendations.recommendation"
PARTICIPANT = "reviews.participant"
# The object each purpose works on, and the states it may be in when the link is used.
OBJECT_TYPES = {
    Purpose.RESPOND: RECOMMENDATION,
    Purpose.UPDATE: RECOMMENDATION,
    Purpose.READ_REPORT: PARTICIPANT,
}
RECOMMENDATION_STATES = {
    Purpose.RESPOND: {State.AWAITING_OWNER},
    Purpose.UPDATE: {State.AGREED, State.IN_PROGRESS},
}


def link_object(link: ActionLink):
    """The recommendation or participant the link names, loaded with its review and the
    latest consent; None if it is gone or is not what the purpose works on."""
    if OBJECT_TYPES.get(link.purpose) != link.object_type:
        return None
    if link.object_type == RECOMMENDATION:
        obj = (
            Recommendation.objects.select_related("review", "review__commissioner")
            .filter(pk=link.object_id)
            .first()
        )
    else:
        obj = (
            Participant.objects.select_related("review", "review__commissioner")
            .filter(pk=link.object_id)
            .first()
        )
    if obj is not None:
        obj.review.latest_consent = latest_consent_now(obj.review)
    return obj


def latest_consent_now(review):
    if hasattr(review, "latest_consent"):
        del review.latest_consent
    return latest_consent(review)


def link_still_allowed(link: ActionLink, obj) -> bool:
    """Whether the object's own rules let the link be used now: the consent gate open (for a
    report, open to this participant for the report), and the object still waiting for it."""
    if obj is None:
        return False
    review = obj.review
    if link.purpose == Purpose.READ_REPORT:
        return report_open_to(obj, review) and current_report(review) is not None
    record = latest_consent(review)
    if record is None or not record.opens_gate:
        return False
    return obj.state in RECOMMENDATION_STATES[link.purpose]


def plan_as_it_stands(review) -> list[tuple]:
    """The action plan the report's reader follows: each recommendation sent (never a draft),
    with its steps and the evidence meant for the person and family, in plain words (the
    portal's); four queries however many."""
    from django.utils import timezone

    from recommendations.plain import plain_progress
    from recommendations.queries import plan_with_history

    today = timezone.localdate()
    return [(r, *plain_progress(r, today)) for r in plan_with_history(review, for_family=True)]


def current_report(review) -> ReportVersion | None:
    return ReportVersion.objects.filter(review=review, superseded_at__isnull=True).first()


def review_for_manager(user, pk):
    """The review (None when the user has no part: 404); the view asks MANAGE_REVIEW (403)."""
    from reviews.queries import review_for_user

    return review_for_user(user, pk)


def participant_of_review_for_user(user, pk):
    """A participant, with its review loaded as the user may see it; None when they have no
    part in the review."""
    review_id = Participant.objects.filter(pk=pk).values_list("review_id", flat=True).first()
    review = review_for_manager(user, review_id) if review_id else None
    if review is None:
        return None
    return next((p for p in review.participants.all() if p.pk == pk), None)


def participants_without_account(review) -> list:
    """Those taking part who have no account: each reached as recorded, with their letters."""
    from .models import Letter

    people = [p for p in review.participants.all() if p.user_id is None]
    letters = {}
    for letter in Letter.objects.filter(participant__in=people).order_by("-requested_at", "-pk"):
        letters.setdefault(letter.participant_id, []).append(letter)
    links = {}
    for link in ActionLink.objects.filter(
        object_type=PARTICIPANT, object_id__in=[p.pk for p in people]
    ):
        links.setdefault(link.object_id, []).append(link)
    plan_changed = plan_changed_at(review)
    for person in people:
        person.letters = letters.get(person.pk, [])
        person.links = links.get(person.pk, [])
        person.plan_letter_due = _plan_letter_due(person, plan_changed)
    return people


ON_PAPER = ("keyworker", "advocate", "paper")


def plan_changed_at(review):
    """When the action plan last changed as the person and family follow it (not the chair's
    drafting), or None before it is sent."""
    from django.db.models import Max

    from recommendations.models import RecommendationUpdate

    Kind = RecommendationUpdate.Kind
    return (
        RecommendationUpdate.objects.filter(recommendation__review=review)
        .exclude(kind__in=(Kind.CREATED, Kind.EDITED))
        .aggregate(last=Max("occurred_at"))["last"]
    )


def _plan_letter_due(person, plan_changed) -> bool:
    """Someone reached on paper whose last letter of the plan is older than its last change
    (or who has none): each update reaches them as a new letter, made by the commissioner."""
    if plan_changed is None or person.invited_through not in ON_PAPER:
        return False
    plans = [letter for letter in person.letters if letter.kind == "plan"]
    return not plans or plans[0].requested_at < plan_changed


def letter_for_user(user, pk):
    """A letter and its participant, when the user has a part in its review; else None."""
    from .models import Letter

    letter = Letter.objects.filter(pk=pk).first()
    if letter is None:
        return None
    participant = participant_of_review_for_user(user, letter.participant_id)
    if participant is None:
        return None
    letter.participant = participant
    return letter


def letter_postal_address(letter) -> list[str] | None:
    """The lines a posted letter is addressed with: the person's name and home address. None
    when it cannot be posted: not made yet, already handed over, not to the person, no address
    known, or no transport that posts letters (GOV.UK Notify; the console in development)."""
    from django.conf import settings

    from .models import Letter

    participant = letter.participant
    if letter.state != Letter.State.READY or letter.handed_over_on is not None:
        return None
    if participant.role != "person" or not participant.review.person.address.strip():
        return None
    if settings.OUTBOX_TRANSPORT != "notify" and not settings.DEBUG:
        return None
    lines = [line.strip() for line in participant.review.person.address.splitlines()]
    return [participant.name, *[line for line in lines if line]]
