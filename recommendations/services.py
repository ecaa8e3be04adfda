"""Recommendations: every write, as keyword-only `<noun>_<verb>` functions that own the transaction,
the audit entry and the on-commit task.

Every change goes through `_change`: the row is locked, the move checked against `TRANSITIONS`,
an update row written (the history), an entry put on the review's timeline, the change audited and
`recommendation_changed` sent so the reminder planner can follow.
"""

from django.db import transaction
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from reviews.models import ReviewEvent
from reviews.services import review_event_record

from .models import CLOSED_STATES, Recommendation, RecommendationUpdate, State
from .signals import recommendation_changed

Kind = RecommendationUpdate.Kind


class RecommendationError(Exception):
    """A change refused, with plain-English reasons keyed by field ("__all__" for the whole)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def _change(
    *,
    actor,
    recommendation: Recommendation,
    kind: str,
    to: str | None = None,
    note: str = "",
    fields: dict | None = None,
    expected_state: str | None = None,
    check=None,
) -> RecommendationUpdate:
    """Apply one change under a row lock and record it; the caller may already be in a
    transaction. `fields` are set on the row; `to` is the new state (checked), if any; `check`,
    given the locked row, returns the errors that refuse the change (so two people, or two
    sweeps, acting at once cannot both win)."""
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        if expected_state and locked.state != expected_state:
            raise RecommendationError(
                {
                    "__all__": "Someone else changed this recommendation: it is now "
                    f"{locked.get_state_display().lower()}. Check the page and try again"
                }
            )
        problems = check(locked) if check else {}
        if problems:
            raise RecommendationError(problems)
        from_state = locked.state
        if to and to != from_state and not locked.can_move_to(to):
            raise RecommendationError(
                {
                    "__all__": f"A recommendation that is {locked.get_state_display().lower()} "
                    f"cannot be {State(to).label.lower()}"
                }
            )
        previous_due_date = locked.due_date
        for name, value in (fields or {}).items():
            setattr(locked, name, value)
        now = timezone.now()
        if to:
            locked.state = to
            if to in CLOSED_STATES:
                locked.closed_at = now
        locked.updated_at = now
        locked.save()
        update = RecommendationUpdate.objects.create(
            recommendation=locked,
            kind=kind,
            actor=actor,
            occurred_at=now,
            from_state=from_state if to else "",
            to_state=to or "",
            note=note.strip(),
        )
        review_event_record(
            review=locked.review,
            kind=ReviewEvent.Kind.RECOMMENDATION,
            summary=f"Recommendation {locked.number}: {Kind(kind).label.lower()}",
            actor=actor,
            reason=note,
        )
        audit_record(action=Action.TRANSITION if to else Action.UPDATE, actor=actor, obj=locked)
        recommendation_changed.send(
            sender=Recommendation,
            recommendation=locked,
            update=update,
            previous_due_date=previous_due_date,
        )
    for name, value in vars(locked).items():
        if not name.startswith("_"):
            setattr(recommendation, name, value)
    return update


def recommendation_escalate(
    *, actor, recommendation: Recommendation, panel, reason: str
) -> RecommendationUpdate:
    """Send a stuck recommendation to the ICS C(E)TR assurance and oversight panel `panel`.
    `actor` is the commissioner who decided, or None when the sweep escalates it after the set
    time overdue. Escalating twice is refused; the state does not change (the owner still acts)."""
    reason = reason.strip()
    if not reason:
        raise RecommendationError({"reason": "Enter why this recommendation is escalated"})

    def check(locked):
        if not locked.is_open:
            return {"__all__": "Only a recommendation still being worked on can be escalated"}
        if locked.escalated_to_id:
            return {"__all__": "This recommendation has already been escalated"}
        return {}

    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.ESCALATED,
        note=reason,
        check=check,
        fields={
            "escalated_to": panel,
            "escalated_at": timezone.now(),
            "escalation_reason": reason,
        },
    )
