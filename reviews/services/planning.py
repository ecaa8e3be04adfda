"""Planning reviews and keeping their due dates to the rule table (reviews/policy.py), and
what a review held, an admission or a discharge asks for next."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctr_portal.audit import Action, audit_record

from .. import policy
from ..models import (
    OPEN_STATES,
    Person,
    Review,
    ReviewEvent,
    ReviewKind,
    ReviewState,
)
from ..queries import HOSPITAL_CLOCK_KINDS
from .timeline import review_event_record

# --- Planning and due dates ----------------------------------------------------------------


def _last_held(person):
    return (
        person.reviews.filter(held_on__isnull=False)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )


def _plan_problems(person, kind, event_reason, requested_by, requested_on) -> None:
    if kind == ReviewKind.EVENT_TRIGGERED and not event_reason:
        raise ValidationError({"event_reason": "Select what happened"})
    if kind == ReviewKind.REQUESTED and not requested_by.strip():
        raise ValidationError({"requested_by": "Enter who asked for the review"})
    if requested_on is not None and requested_on > timezone.localdate():
        raise ValidationError({"requested_on": "The date they asked must be today or in the past"})
    if kind == ReviewKind.INDEPENDENT and not person.in_segregation:
        raise ValidationError({"kind": NOT_IN_SEGREGATION})


def review_plan(
    *,
    actor,
    person: Person,
    kind: str,
    event_reason: str = "",
    event_date: date | None = None,
    requested_by: str = "",
    requested_on: date | None = None,
) -> Review:
    """Plan a review; its due date comes from the rule table. A community review's clock starts
    today, a requested one's on the day it was asked for (`requested_on`, or today), an
    event-triggered one's on the day of the event, and that day is kept on the review so that
    re-computing never restarts it."""
    _plan_problems(person, kind, event_reason, requested_by, requested_on)
    today = timezone.localdate()
    clock_start = _clock_start(kind, event_date, today)
    if kind == ReviewKind.REQUESTED and requested_on is not None:
        clock_start = requested_on
    due = policy.due_date_for(
        person=person,
        kind=kind,
        today=today,
        last_held=_last_held(person),
        event_date=clock_start if kind == ReviewKind.EVENT_TRIGGERED else None,
        clock_start=clock_start,
    )
    review = Review.planned_for(
        person,
        due,
        kind=kind,
        event_reason=event_reason,
        requested_by=requested_by,
        clock_start=clock_start,
        created_by=actor,
    )
    review.full_clean()
    with transaction.atomic():
        review.save()
        _record_planned(review, actor, due)
        audit_record(action=Action.CREATE, actor=actor, obj=review)
    return review


def _record_planned(review: Review, actor, due: policy.DueDate) -> None:
    """The planned review's first two timeline entries: planned, and when it is due by."""
    ReviewEvent.objects.create(
        review=review,
        kind=ReviewEvent.Kind.TRANSITION,
        to_state=ReviewState.PLANNED,
        summary="Planned",
        actor=actor,
    )
    review_event_record(
        review=review,
        kind=ReviewEvent.Kind.DUE_DATE,
        actor=actor,
        summary=f"Due by {due.date:%-d %B %Y}",
        reason=due.rule.description,
    )


NOT_IN_SEGREGATION = (
    "An Independent C(E)TR is for someone in long-term segregation: record the segregation "
    "on the person's page first"
)


# The reviews whose clock counts from the day they were planned (or asked for).
PLANNED_CLOCKS = (ReviewKind.COMMUNITY, ReviewKind.REQUESTED, ReviewKind.INDEPENDENT)


def _clock_start(kind: str, event_date: date | None, today: date) -> date | None:
    """The fixed day a review's clock counts from, kept on the review; None for the clocks
    that follow the person (admission, the last review held)."""
    if kind == ReviewKind.EVENT_TRIGGERED:
        return event_date or today
    if kind in PLANNED_CLOCKS:
        return today
    return None


def _due_for(review: Review) -> policy.DueDate:
    """The rule table applied to `review` as things stand, from the review's own fixed start.
    A review made without one (outside `review_plan`) counts from the day it was made."""
    start = None
    if review.kind == ReviewKind.EVENT_TRIGGERED or review.kind in PLANNED_CLOCKS:
        start = review.clock_start or timezone.localdate(review.created_at)
    return policy.due_date_for(
        person=review.person,
        kind=review.kind,
        today=timezone.localdate(),
        last_held=_last_held(review.person),
        event_date=start if review.kind == ReviewKind.EVENT_TRIGGERED else None,
        clock_start=start,
    )


def review_recompute_due(*, review: Review, actor=None, why: str) -> Review:
    """Re-apply the rule table after something changed (setting, age, a correction), and record
    where an open review is now held: a hospital review's pack is the provider's."""
    person = review.person
    due = _due_for(review)
    moved = (due.date, due.rule.code) != (review.due_date, review.due_rule)
    where = {"setting": person.setting, "provider_id": person.provider_id}
    relocated = review.state in OPEN_STATES and (
        (review.setting, review.provider_id) != tuple(where.values())
    )
    if not moved and not relocated:
        return review
    fields = where if relocated else {}
    if moved:
        fields.update(due_date=due.date, due_rule=due.rule.code, due_basis=due.basis)
    with transaction.atomic():
        Review.objects.filter(pk=review.pk).update(**fields)
        for name, value in fields.items():
            setattr(review, name, value)
        if moved:
            review_event_record(
                review=review,
                kind=ReviewEvent.Kind.DUE_DATE,
                actor=actor,
                summary=f"Due date now {due.date:%-d %B %Y}",
                reason=f"{why}. {due.rule.description}",
            )
    return review


def _recompute_open_reviews(person, actor, why):
    for review in person.reviews.filter(state__in=OPEN_STATES):
        review.person = person
        review_recompute_due(review=review, actor=actor, why=why)


def reviews_recompute_for_birthdays(*, today: date | None = None) -> int:
    """Daily: people who turned 18 today get their open reviews' due dates re-computed (the
    next review is a CTR with the adult rules)."""
    today = today or timezone.localdate()
    year = today.year - 18
    candidates = Person.objects.filter(
        date_of_birth__year=year, date_of_birth__month__in=[2, 3, today.month]
    )
    count = 0
    for person in candidates:
        if person.eighteenth_birthday == today:  # 29 February birthdays fall on 1 March
            _recompute_open_reviews(person, None, "Turned 18: the next review is a CTR")
            count += 1
    return count


def _has_open_review(person) -> bool:
    return person.reviews.filter(state__in=OPEN_STATES).exists()


def _plan_post_admission_review(person, actor):
    return review_plan(actor=actor, person=person, kind=ReviewKind.POST_ADMISSION)


def _ask_for_rating(person, why: str) -> None:
    """Ask the commissioner to look at the person's rating again (cleared by the next rating)."""
    person.dsr_rerate_reason = why[:200]
    Person.objects.filter(pk=person.pk).update(dsr_rerate_reason=person.dsr_rerate_reason)


def _after_review_held(review: Review, actor) -> None:
    """A review held asks for the person's rating to be looked at again (domain.md §10) and, for
    someone in hospital, plans the next repeat review from the rule table (domain.md §3)."""
    person = Person.objects.select_for_update().get(pk=review.person_id)
    _ask_for_rating(
        person,
        f"{review.type_label} held on {review.held_on:%-d %B %Y}: look at their rating again",
    )
    if not person.in_hospital:
        return
    if person.reviews.filter(state__in=OPEN_STATES, kind__in=HOSPITAL_CLOCK_KINDS).exists():
        _recompute_open_reviews(person, actor, "A review was held")
        return
    review_plan(actor=actor, person=person, kind=ReviewKind.INPATIENT_REPEAT)
