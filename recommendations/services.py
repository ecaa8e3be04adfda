"""Recommendations: every write, as keyword-only `<noun>_<verb>` functions that own the transaction,
the audit entry and the on-commit task.

Every change goes through `_change`: the row is locked, the move checked against `TRANSITIONS`,
an update row written (the history), an entry put on the review's timeline, the change audited and
`recommendation_changed` sent so the reminder planner can follow.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.queries import memberships_for_user
from documents.services import (
    PREVIOUS_REPORT_CODE,
    evidence_file_store,
    pack_item_provided_in_portal,
    stored_files_remove,
)
from reviews.models import ReviewEvent, ReviewState
from reviews.services import review_event_record

from .models import (
    ACTION_TEXT,
    CLOSED_STATES,
    EvidenceFile,
    FollowUpCheck,
    Recommendation,
    RecommendationUpdate,
    State,
    date_problems,
    smart_problems,
)
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


# --- Writing: the chair and the commissioner ------------------------------------------------

WRITABLE = (
    "action",
    "measure",
    "for_whom",
    "priority",
    "owner",
    "owner_name",
    "owner_organisation",
    "owner_email",
    "due_date",
    "progress_check_date",
)


def _smart(review, values: dict, kloes) -> dict[str, str]:
    return smart_problems(
        review_date=review.review_date,
        action=values.get("action", ""),
        measure=values.get("measure", ""),
        for_whom=values.get("for_whom", ""),
        kloe_count=len(kloes),
        owner=values.get("owner"),
        owner_name=values.get("owner_name", ""),
        owner_organisation=values.get("owner_organisation", ""),
        owner_email=values.get("owner_email", ""),
        due_date=values.get("due_date"),
        progress_check_date=values.get("progress_check_date"),
        long_action_days=settings.RECOMMENDATIONS_PROGRESS_CHECK_AFTER_DAYS,
    )


def _clean_values(values: dict) -> dict:
    """The writable fields, trimmed; an account owner's name and organisation are copied from
    the account (the tracker filters and the CSV read them), a contact's email is kept."""
    cleaned = {name: values.get(name) for name in WRITABLE if name in values}
    for name in ("action", "measure"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    for name in ("owner_name", "owner_organisation", "owner_email"):
        if name in cleaned:
            cleaned[name] = " ".join((cleaned[name] or "").split())
    owner = cleaned.get("owner")
    if owner is not None:
        memberships = memberships_for_user(owner)
        cleaned["owner_name"] = owner.display_name
        cleaned["owner_organisation"] = memberships[0].organisation.name if memberships else ""
        cleaned["owner_email"] = ""
    return cleaned


def _next_number(review) -> int:
    last = Recommendation.objects.filter(review=review).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1


def recommendation_draft(*, actor, review, kloes, carried=None, **values) -> Recommendation:
    """The chair (or commissioner) writes a recommendation: checked SMART, saved as a draft
    with the next number of the review, recorded. Raises RecommendationError({field: message})."""
    cleaned = _clean_values(values)
    kloes = list(kloes)
    problems = _smart(review, cleaned, kloes)
    if problems:
        raise RecommendationError(problems)
    return _create(actor=actor, review=review, kloes=kloes, carried=carried, **cleaned)


def _create(*, actor, review, kloes, carried=None, note="", **fields) -> Recommendation:
    for _attempt in range(3):
        try:
            with transaction.atomic():
                recommendation = Recommendation.objects.create(
                    review=review,
                    number=_next_number(review),
                    carried=carried,
                    created_by=actor,
                    **fields,
                )
                recommendation.kloes.set(kloes)
                audit_record(action=Action.CREATE, actor=actor, obj=recommendation)
                _change(actor=actor, recommendation=recommendation, kind=Kind.CREATED, note=note)
            return recommendation
        except IntegrityError:  # another draft took the number at the same moment
            continue
    raise RecommendationError({"__all__": "The recommendation could not be saved. Try again"})


def recommendation_draft_from_suggestion(*, actor, review, carried) -> Recommendation:
    """One click: a panel member's carried-forward suggestion becomes a draft, keeping its KLOE,
    its text, and the suggested owner and timescale for the chair to make SMART."""
    if Recommendation.objects.filter(review=review, carried=carried).exists():
        raise RecommendationError({"__all__": "This suggestion is already a draft recommendation"})
    return _create(
        actor=actor,
        review=review,
        kloes=[carried.consolidated.kloe],
        carried=carried,
        action=carried.text[:ACTION_TEXT],
        measure="",
        for_whom="",
        suggested_owner=carried.owner,
        suggested_timescale=carried.timescale,
        note=f"From the panel's suggestion under {carried.consolidated.kloe.label}",
    )


def recommendation_edit(*, actor, recommendation, kloes, **values) -> RecommendationUpdate:
    """Change a draft (or a disputed one sent back to draft). The whole is checked SMART again;
    a change of due date is recorded as such."""
    cleaned = _clean_values(values)
    kloes = list(kloes)
    problems = _smart(recommendation.review, cleaned, kloes)
    if problems:
        raise RecommendationError(problems)

    def check(locked):
        if locked.state != State.DRAFT:
            return {"__all__": "Only a draft can be changed. Change the due date instead"}
        return {}

    with transaction.atomic():
        update = _change(
            actor=actor,
            recommendation=recommendation,
            kind=Kind.EDITED,
            fields=cleaned,
            check=check,
        )
        recommendation.kloes.set(kloes)
    return update


def recommendation_send(*, actor, recommendation) -> RecommendationUpdate:
    """The chair sends a SMART draft to its owner, who is asked to accept it (the reminders app
    tells them, hearing the SENT update)."""

    def check(locked):
        problems = _smart(
            locked.review,
            {name: getattr(locked, name) for name in WRITABLE},
            list(locked.kloes.all()),
        )
        if problems:
            return {
                "__all__": "Finish this recommendation before sending it: "
                + "; ".join(problems.values()).lower()
            }
        return {}

    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.SENT,
        to=State.AWAITING_OWNER,
        check=check,
    )


def recommendation_change_due_date(
    *, actor, recommendation, due_date, progress_check_date=None, reason: str
) -> RecommendationUpdate:
    """A new date agreed for a recommendation being worked on, with why. Recorded as
    DUE_DATE_CHANGED: the reminders follow the new date."""
    reason = (reason or "").strip()
    problems = {}
    if not reason:
        problems["reason"] = "Enter why the date is changing"

    def check(locked):
        found = date_problems(
            locked.review.review_date,
            due_date,
            progress_check_date,
            settings.RECOMMENDATIONS_PROGRESS_CHECK_AFTER_DAYS,
        )
        if not locked.is_open:
            found["__all__"] = "The date of a closed recommendation cannot change"
        elif due_date == locked.due_date and progress_check_date == locked.progress_check_date:
            found["due_date"] = "Enter a different date from the one set now"
        return {**problems, **found}

    when = f"{due_date.day} {due_date:%B %Y}" if due_date else ""
    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.DUE_DATE_CHANGED,
        note=f"New date {when}. {reason}",
        fields={"due_date": due_date, "progress_check_date": progress_check_date},
        check=check,
    )


def recommendation_resolve(*, actor, recommendation, outcome: str, note: str):
    """The chair settles a dispute: redraft it (it goes back to draft, to change and send
    again), or keep it as it stands and send it back to the owner, saying why."""
    note = (note or "").strip()
    targets = {"redraft": State.DRAFT, "resend": State.AWAITING_OWNER}
    problems = {}
    if outcome not in targets:
        problems["outcome"] = "Select how the dispute is resolved"
    if not note:
        problems["note"] = "Enter how the dispute was resolved"
    if problems:
        raise RecommendationError(problems)
    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.RESOLVED,
        to=targets[outcome],
        note=note,
        expected_state=State.DISPUTED,
    )


def recommendation_supersede(*, actor, recommendation, by, note: str = ""):
    """Replaced by another recommendation (of the same review), which carries the action on."""
    if by is None or by.pk == recommendation.pk or by.review_id != recommendation.review_id:
        raise RecommendationError({"by": "Select the recommendation that replaces this one"})
    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.SUPERSEDED,
        to=State.SUPERSEDED,
        note=note or f"Replaced by recommendation {by.number}",
        fields={"superseded_by": by},
    )


# --- The owner ------------------------------------------------------------------------------


def recommendation_accept(*, actor, recommendation, remit_confirmed: bool, note: str = ""):
    """The owner accepts, confirming the action is within their remit (Realistic)."""
    if not remit_confirmed:
        raise RecommendationError(
            {"remit_confirmed": "Confirm this action is within your remit, or dispute it"}
        )
    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.ACCEPTED,
        to=State.AGREED,
        note=note,
        fields={"remit_confirmed_at": timezone.now()},
        expected_state=State.AWAITING_OWNER,
    )


def recommendation_dispute(*, actor, recommendation, reason: str):
    """The owner disputes it (not theirs to do, not possible), with a reason the chair resolves."""
    reason = (reason or "").strip()
    if not reason:
        raise RecommendationError({"reason": "Enter why you cannot accept this recommendation"})
    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.DISPUTED,
        to=State.DISPUTED,
        note=reason,
        fields={"dispute_reason": reason},
        expected_state=State.AWAITING_OWNER,
    )


def recommendation_progress(*, actor, recommendation, note: str):
    """A progress update; the first moves an agreed recommendation to in progress."""
    note = (note or "").strip()
    if not note:
        raise RecommendationError({"note": "Enter what has happened so far"})

    def check(locked):
        if locked.state not in (State.AGREED, State.IN_PROGRESS):
            return {"__all__": "Progress can be posted once the recommendation is agreed"}
        return {}

    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.PROGRESS,
        to=State.IN_PROGRESS,
        note=note,
        check=check,
    )


def recommendation_mark_done(*, actor, recommendation, note: str, evidence=None):
    """Done, with evidence: a note, and optionally a file, checked by content and stored through
    the documents app; the file is removed again if the change is refused."""
    note = (note or "").strip()
    if not note:
        raise RecommendationError({"note": "Enter the evidence that this has been done"})
    stored = None
    if evidence is not None:
        try:
            stored = evidence_file_store(uploaded=evidence, field="evidence")
        except ValidationError as error:
            raise RecommendationError(
                {field: " ".join(messages) for field, messages in error.message_dict.items()}
            ) from error
    try:
        with transaction.atomic():
            update = _change(
                actor=actor,
                recommendation=recommendation,
                kind=Kind.DONE,
                to=State.DONE,
                note=note,
                fields={"outcome_note": note},
            )
            if stored is not None:
                _evidence_file_save(actor, recommendation, update, stored)
    except Exception:
        if stored is not None:
            stored_files_remove([stored.name])
        raise
    return update


def _evidence_file_save(actor, recommendation, update, stored) -> EvidenceFile:
    evidence = EvidenceFile.objects.create(
        recommendation=recommendation,
        update=update,
        file=stored.name,
        original_name=stored.original_name,
        kind=stored.kind,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        scan_status=stored.scan_status,
        uploaded_by=actor,
    )
    audit_record(action=Action.CREATE, actor=actor, obj=evidence)
    return evidence


def recommendation_not_achieved(*, actor, recommendation, reason: str):
    reason = (reason or "").strip()
    if not reason:
        raise RecommendationError({"reason": "Enter why this was not achieved"})
    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.NOT_ACHIEVED,
        to=State.NOT_ACHIEVED,
        note=reason,
        fields={"outcome_note": reason},
    )


def evidence_file_access_record(*, user, evidence: EvidenceFile, request=None) -> None:
    audit_record(action=Action.DOWNLOAD, actor=user, obj=evidence, request=request)


# --- Follow-up and the review's lifecycle ---------------------------------------------------


def follow_up_check_record(*, actor, review, checked_on, found: str, next_steps: str):
    """The commissioner's check after the review: what was found, what happens next."""
    found, next_steps = (found or "").strip(), (next_steps or "").strip()
    problems = {}
    if not found:
        problems["found"] = "Enter what the check found"
    if not next_steps:
        problems["next_steps"] = "Enter what happens next"
    if checked_on is None:
        problems["checked_on"] = "Enter the date of the check"
    if problems:
        raise RecommendationError(problems)
    with transaction.atomic():
        check = FollowUpCheck.objects.create(
            review=review,
            checked_on=checked_on,
            found=found,
            next_steps=next_steps,
            recorded_by=actor,
        )
        review_event_record(
            review=review,
            kind=ReviewEvent.Kind.RECOMMENDATION,
            summary="Follow-up check recorded",
            actor=actor,
            reason=f"{found}\nNext: {next_steps}",
        )
        audit_record(action=Action.CREATE, actor=actor, obj=check)
    return check


def closing_problems(review, to) -> list[str]:
    """The review may move to "closed" only when every recommendation is closed."""
    if to != ReviewState.CLOSED:
        return []
    still_open = (
        Recommendation.objects.filter(review=review).exclude(state__in=CLOSED_STATES).count()
    )
    if not still_open:
        return []
    noun = "recommendation is" if still_open == 1 else "recommendations are"
    return [f"{still_open} {noun} not closed yet: each must be done, not achieved or superseded"]


def previous_report_settle(*, review) -> None:
    """The next review of the same person: its pack's "previous report and action plan" item is
    provided by the previous review's recommendations, which the portal shows with their state."""
    earlier = Recommendation.objects.filter(
        review__person_id=review.person_id, review__created_at__lt=review.created_at
    ).exclude(state=State.DRAFT)
    if not earlier.exists():
        return
    pack_item_provided_in_portal(
        review=review,
        code=PREVIOUS_REPORT_CODE,
        note="The previous review's recommendations and how each is going are on this "
        "review's recommendations page.",
    )
