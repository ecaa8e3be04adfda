"""Moving a review through its lifecycle (models.TRANSITIONS): row locked, guards checked,
timeline written, audited."""

from django.db import transaction
from django.utils import timezone

from ctr_portal.audit import Action, audit_record

from ..models import (
    PAST_DATE_PROBLEM,
    REASON_REQUIRED,
    Review,
    ReviewEvent,
    ReviewState,
    TransitionError,
)
from .calendar import invitees_tell
from .planning import _after_review_held


def review_transition(
    *, actor, review: Review, to: str, reason: str = "", expected_state: str | None = None
) -> Review:
    """Move the review through its lifecycle: row locked, guards checked, timeline written,
    audited. Raises TransitionError with plain-English reasons when the move is refused; `review`
    is updated in place."""
    with transaction.atomic():
        locked = _transition_locked(
            review, to, actor=actor, reason=reason, expected_state=expected_state
        )
        if to == ReviewState.HELD:
            _after_review_held(locked, actor)
        if to in (ReviewState.CANCELLED, ReviewState.POSTPONED) and locked.starts_at:
            _calendar_cancel(locked, change=to)
        audit_record(action=Action.TRANSITION, actor=actor, obj=locked)
    for field in ("state", "state_reason", "held_on"):
        setattr(review, field, getattr(locked, field))
    return review


def _calendar_cancel(review: Review, *, change: str) -> None:
    """A cancelled or postponed review leaves every invitee's calendar: a CANCEL entry with a
    higher SEQUENCE, and a notice saying which (a postponed one's new date is told when set)."""
    review.calendar_sequence += 1
    review.save(update_fields=["calendar_sequence"])
    invitees_tell(review=review, change=change)


def _transition_locked(
    review, to, *, actor, reason="", expected_state=None, after_the_event=False
) -> Review:
    """Move `review` to `to` under a row lock; the caller opens the transaction.

    `expected_state` is the state the person saw when they chose the action: if someone else
    moved the review in the meantime the move is refused, so two people acting at once cannot
    both win. `after_the_event` lets a review recorded after it happened be scheduled for its
    past date.
    """
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if expected_state and locked.state != expected_state:
        raise TransitionError(
            [
                "Someone else changed this review: it is now "
                f"{locked.get_state_display().lower()}. Check the page and try again"
            ]
        )
    problems = locked.transition_problems(to, reason)
    if after_the_event:
        problems = [problem for problem in problems if problem != PAST_DATE_PROBLEM]
    if problems:
        raise TransitionError(problems)
    from_state = locked.state
    locked.state = to
    fields = ["state"]
    if to in REASON_REQUIRED:
        locked.state_reason = reason.strip()
        fields.append("state_reason")
    if to == ReviewState.HELD:
        locked.held_on = timezone.localdate(locked.starts_at)
        fields.append("held_on")
    locked.save(update_fields=fields)
    ReviewEvent.objects.create(
        review=locked,
        kind=ReviewEvent.Kind.TRANSITION,
        from_state=from_state,
        to_state=to,
        summary=f"{ReviewState(from_state).label} → {ReviewState(to).label}",
        reason=reason.strip(),
        actor=actor,
    )
    return locked
