"""Recommendations: every write, as keyword-only `<noun>_<verb>` functions that own the transaction,
the audit entry and the on-commit task.

Every change goes through `_change`: the row is locked, the move checked against `TRANSITIONS`,
an update row written (the history), an entry put on the review's timeline, the change audited and
the reminders kept in step (`reminders_follow_change`).
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.deadlines import (
    Notice,
    deadline_notices_cancel,
    deadline_notices_send,
    notice_key,
    notices_queue,
)
from ctr_portal.formatting import nhs_date
from ctr_portal.models import Notification
from ctr_portal.queries import (
    memberships_for_user,
    notifications_queued,
    organisation_members,
    oversight_panel_for,
)
from ctr_portal.services import notification_enqueue, notifications_enqueue
from ctr_portal.working_days import working_days_after
from documents.services import (
    PREVIOUS_REPORT_CODE,
    evidence_file_store,
    pack_item_provided_in_portal,
    stored_files_remove,
)
from reviews.models import ParticipantRole, ReviewState
from reviews.queries import (
    commissioner_contacts,
    notice_contacts,
    participants_for_review,
    reading_formats_of,
)
from reviews.services import review_event_record

from . import owner_links
from .models import (
    ACTION_TEXT,
    CLOSED_STATES,
    OPEN_STATES,
    EscalationAction,
    EscalationClosure,
    EscalationDecision,
    EscalationOutcome,
    EvidenceFile,
    FollowUpCheck,
    Recommendation,
    RecommendationUpdate,
    Reminder,
    State,
    date_problems,
    escalation_action_problems,
    reminder_subject,
    smart_examples,
    smart_problems,
)
from .plain import plain_progress
from .policy import (
    ACCEPT_WITHIN_WORKING_DAYS,
    ACTION_SERIES,
    ANSWER_SERIES,
    DIGEST_WEEKDAY,
    PROGRESS_CHECK_AFTER_DAYS,
)
from .reminders import (
    COMMISSIONER,
    FAMILY,
    OWNER,
    Point,
    Policy,
    due_points,
    is_due_for_escalation,
    next_look_on,
    planned_points,
)

log = logging.getLogger(__name__)

Kind = RecommendationUpdate.Kind

# Timeline entries of this app (reviews.ReviewEvent.kind), registered in apps.py; "follow_up"
# is the kind of entries older versions wrote.
EVENT_RECOMMENDATION = "recommendation"
EVENT_PANEL_DECISION = "panel_decision"
EVENT_PANEL_ACTION = "panel_action"
EVENT_ESCALATION_CLOSED = "escalation_closed"
EVENT_KINDS = [
    (EVENT_RECOMMENDATION, "Recommendation"),
    ("follow_up", "Follow-up check"),
    (EVENT_PANEL_DECISION, "Oversight panel's decision"),
    (EVENT_PANEL_ACTION, "Oversight panel's action"),
    (EVENT_ESCALATION_CLOSED, "Escalation closed"),
]
# The timeline entry each kind of change makes (a recommendation's, unless named here).
EVENT_OF_UPDATE = {
    "panel_decision": EVENT_PANEL_DECISION,
    "panel_action": EVENT_PANEL_ACTION,
    "escalation_closed": EVENT_ESCALATION_CLOSED,
}


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
    after=None,
) -> RecommendationUpdate:
    """Apply one change under a row lock and record it; the caller may already be in a
    transaction. `fields` are set on the row; `to` is the new state (checked), if any; `check`,
    given the locked row, returns the errors that refuse the change (so two people, or two
    sweeps, acting at once cannot both win)."""
    with transaction.atomic():
        locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        _refuse_unless_allowed(locked, to=to, expected_state=expected_state, check=check)
        from_state, previous_due_date = locked.state, locked.due_date
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
        _record_elsewhere(locked, update, previous_due_date)
        if after is not None:
            after(locked, update)
    for name, value in vars(locked).items():
        if not name.startswith("_"):
            setattr(recommendation, name, value)
    return update


def _reasoned_change(
    *, actor, recommendation, reason: str, missing: str, save_as=(), field="reason", **change
) -> RecommendationUpdate:
    """A change that needs a reason (a dispute, a send-back, a reopening…): refused with
    `missing` against `field` when the reason is blank; the reason is the update's note and is
    also set on each row field named in `save_as`."""
    reason = (reason or "").strip()
    if not reason:
        raise RecommendationError({field: missing})
    fields = {**(change.pop("fields", None) or {}), **{name: reason for name in save_as}}
    return _change(
        actor=actor, recommendation=recommendation, note=reason, fields=fields or None, **change
    )


def _refuse_unless_allowed(locked, *, to, expected_state, check) -> None:
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
    if to and to != locked.state and not locked.can_move_to(to):
        raise RecommendationError(
            {
                "__all__": f"A recommendation that is {locked.get_state_display().lower()} "
                f"cannot be {State(to).label.lower()}"
            }
        )


def _record_elsewhere(locked, update, previous_due_date) -> None:
    """The change on the review's timeline, in the audit trail, and told to the reminders."""
    review_event_record(
        review=locked.review,
        kind=EVENT_OF_UPDATE.get(update.kind, EVENT_RECOMMENDATION),
        summary=f"Recommendation {locked.number}: {Kind(update.kind).label.lower()}",
        actor=update.actor,
        reason=update.note,
    )
    action = Action.TRANSITION if update.to_state else Action.UPDATE
    audit_record(action=action, actor=update.actor, obj=locked)
    reminders_follow_change(
        recommendation=locked, update=update, previous_due_date=previous_due_date
    )


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


# --- The oversight panel acts on an escalation (issue 21) -----------------------------------


def _escalation_open(locked) -> dict[str, str]:
    """The panel acts only on an escalation it has not closed."""
    if not locked.escalated_to_id:
        return {"__all__": "This recommendation has not been escalated"}
    if EscalationClosure.objects.filter(recommendation_id=locked.pk).exists():
        return {"__all__": "The panel has closed this escalation"}
    return {}


def _meeting_problems(met_on, today) -> dict[str, str]:
    if met_on is None:
        return {"met_on": "Enter the date of the panel's meeting"}
    if met_on > today:
        return {"met_on": "The date of the panel's meeting must be today or in the past"}
    return {}


def escalation_decision_record(
    *, actor, recommendation, met_on, decision: str
) -> EscalationDecision:
    """The oversight panel's decision at a meeting, on the recommendation's history and the
    review's timeline, audited; the review's commissioners are told (no words of it)."""
    decision = (decision or "").strip()
    problems = _meeting_problems(met_on, timezone.localdate())
    if not decision:
        problems["decision"] = "Enter what the panel decided"
    if problems:
        raise RecommendationError(problems)
    with transaction.atomic():
        _change(
            actor=actor,
            recommendation=recommendation,
            kind=Kind.PANEL_DECISION,
            note=f"Meeting on {nhs_date(met_on)}. {decision}",
            check=_escalation_open,
        )
        row = EscalationDecision.objects.create(
            recommendation=recommendation, met_on=met_on, decision=decision, recorded_by=actor
        )
        audit_record(action=Action.CREATE, actor=actor, obj=row)
        _tell_commissioners(recommendation, "decision", row.pk)
    return row


def escalation_action_add(
    *,
    actor,
    recommendation,
    action: str,
    owner_name: str,
    owner_organisation: str,
    owner_email: str = "",
    due_date,
) -> EscalationAction:
    """An action the panel sets, with a named owner and a date: recorded, audited, and the
    owner told if they have an email address (no words of the action)."""
    action = (action or "").strip()
    owner_name, owner_organisation, owner_email = (
        " ".join((v or "").split()) for v in (owner_name, owner_organisation, owner_email)
    )
    problems = escalation_action_problems(
        action, owner_name, owner_organisation, due_date, timezone.localdate()
    )
    if problems:
        raise RecommendationError(problems)
    with transaction.atomic():
        _change(
            actor=actor,
            recommendation=recommendation,
            kind=Kind.PANEL_ACTION,
            note=f"{action} Owner: {owner_name}, {owner_organisation}. "
            f"Due by {nhs_date(due_date)}.",
            check=_escalation_open,
        )
        row = EscalationAction.objects.create(
            recommendation=recommendation,
            action=action,
            owner_name=owner_name,
            owner_organisation=owner_organisation,
            owner_email=owner_email,
            due_date=due_date,
            recorded_by=actor,
        )
        audit_record(action=Action.CREATE, actor=actor, obj=row)
        if owner_email:
            _escalation_notify(recommendation, "action", row.pk, owner_email, due=due_date)
    return row


def escalation_close(*, actor, recommendation, outcome: str, reason: str = "") -> EscalationClosure:
    """The panel closes the escalation: resolved, not resolved (with why), or returned to the
    commissioner. It leaves the panel's list; the review's commissioners are told."""
    reason = (reason or "").strip()
    if outcome not in EscalationOutcome.values:
        raise RecommendationError({"outcome": "Select the outcome of the escalation"})
    if outcome != EscalationOutcome.RESOLVED and not reason:
        raise RecommendationError(
            {"reason": "Enter why it is not resolved, or why it goes back to the commissioner"}
        )
    label = EscalationOutcome(outcome).label
    with transaction.atomic():
        _change(
            actor=actor,
            recommendation=recommendation,
            kind=Kind.ESCALATION_CLOSED,
            note=f"{label}. {reason}".strip(),
            check=_escalation_open,
        )
        row = EscalationClosure.objects.create(
            recommendation=recommendation, outcome=outcome, reason=reason, closed_by=actor
        )
        audit_record(action=Action.CREATE, actor=actor, obj=row)
        _tell_commissioners(recommendation, "closed", row.pk, outcome=label.lower())
        for action_id in recommendation.escalation_actions.values_list("pk", flat=True):
            deadline_notices_cancel(subject=action_subject(action_id))
    return row


# What the panel's notices say: the recommendation by its number and review's date, never the
# decision's or action's words, a name, or the reason (ADR 0003, 0011).
ESCALATION_NOTICES = {
    "decision": (
        "The oversight panel has made a decision on an escalated recommendation",
        "The oversight panel has recorded a decision on recommendation {number} from the review "
        "on {review_date}.",
        "Sign in to read the decision and the actions the panel set.",
    ),
    "closed": (
        "The oversight panel has closed an escalation",
        "The oversight panel has closed its escalation of recommendation {number} from the "
        "review on {review_date}: {outcome}.",
        "Sign in to read the outcome and what happens next.",
    ),
    "action_due": (
        "An action the oversight panel set is due",
        "An action the oversight panel asked you to carry out about recommendation {number} "
        "from the review on {review_date} is due by {due}.",
        "The member of the panel who set it can tell you more.",
    ),
    "action_overdue": (
        "An action the oversight panel set is overdue",
        "An action the oversight panel asked you to carry out about recommendation {number} "
        "from the review on {review_date} was due by {due} and is not yet closed.",
        "Tell the member of the panel who set it where it stands.",
    ),
    "action": (
        "The oversight panel has asked you to carry out an action",
        "The oversight panel has asked you to carry out an action about recommendation {number} "
        "from the review on {review_date}, by {due}.",
        "The member of the panel who set it will give you the details.",
    ),
}


def _tell_commissioners(recommendation, kind: str, row_pk: int, outcome: str = "") -> None:
    contacts = notice_contacts([recommendation.review_id], family=False)
    for _user_id, _name, email in contacts.get(recommendation.review_id, {}).get(COMMISSIONER, []):
        if email:
            _escalation_notify(recommendation, kind, row_pk, email, outcome=outcome)


def _escalation_context(recommendation, kind, *, due=None, outcome="") -> dict:
    values = {
        "number": recommendation.number,
        "review_date": _review_date(recommendation.review),
        "due": nhs_date(due) if due else "",
        "outcome": outcome,
    }
    subject, what, todo = ESCALATION_NOTICES[kind]
    return {
        "subject": subject,
        "paragraphs": [what.format(**values), todo],
        # An action's owner may have no account: they hear the details from the panel.
        "link": "" if kind.startswith("action") else recommendation_link(recommendation),
        "recommendation_id": recommendation.pk,
    }


def _escalation_notify(recommendation, kind, row_pk, email, *, due=None, outcome="") -> None:
    notification_enqueue(
        key=f"escalation:{kind}:{row_pk}:{email.lower()}"[:200],
        recipient=email,
        template="escalation_notice",
        context=_escalation_context(recommendation, kind, due=due, outcome=outcome),
    )


def action_subject(action_id) -> str:
    """An oversight panel action's subject on the deadline mechanism (ctr_portal.deadlines)."""
    return f"esc-action:{action_id}"


def _escalation_actions_chase(today: date, result) -> None:
    """The oversight panel's actions are chased as recommendations are, on the one deadline
    mechanism (ACTION_SERIES in policy.py), until the panel closes the escalation."""
    ahead = today + timedelta(days=-min(d for s in ACTION_SERIES for d in s.days))
    actions = EscalationAction.objects.due_for_reminder(ahead).select_related(
        "recommendation__review"
    )
    for action in actions:

        def build(point, action=action):
            kind = "action_overdue" if point.send_on > action.due_date else "action_due"
            context = _escalation_context(action.recommendation, kind, due=action.due_date)
            return [(action.owner_email, "escalation_notice", context)]

        sent = deadline_notices_send(
            subject=action_subject(action.pk),
            deadline=action.due_date,
            series=ACTION_SERIES,
            today=today,
            build=build,
        )
        result.sent += sent
        if sent:
            result.lines.append(f"{today} Oversight panel action {action.pk} chased")


def answer_subject(recommendation_id) -> str:
    """A recommendation's answer (accept or dispute) on the deadline mechanism."""
    return f"answer:{recommendation_id}"


ANSWER_NOTICES = {
    "answer_late": (
        "A recommendation is waiting for your answer",
        "Recommendation {number} from the review on {review_date} was sent to you to accept or "
        "dispute by {accept_by}. We have not had your answer yet.",
        "Sign in to read it and accept it, confirming it is within your remit, or to say why you "
        "cannot.",
    ),
    "answer_late_commissioner": (
        "A recommendation's owner has not answered",
        "Recommendation {number} from the review on {review_date} was to be accepted or disputed "
        "by {accept_by}. Its owner has not answered and has been reminded.",
        "Sign in to see who has not answered, and contact them.",
    ),
}


def _answer_context(recommendation, kind: str, recipient: str) -> dict:
    values = {
        "number": recommendation.number,
        "review_date": _review_date(recommendation.review),
        "accept_by": nhs_date(recommendation.accept_by),
    }
    subject, what, todo = ANSWER_NOTICES[kind]
    link, link_text = recommendation_link(recommendation), "Sign in to see the recommendation"
    if kind == "answer_late" and recommendation.owner_id is None:
        reach = owner_links.respond_link(recommendation)
        todo, link, link_text = reach["todo"], reach["link"], reach["link_text"]
    elif kind == "answer_late_commissioner":
        link = settings.SITE_URL + reverse(
            "recommendations:review", args=[recommendation.review_id]
        )
    return {
        "subject": subject,
        "paragraphs": [what.format(**values), todo],
        "link": link,
        "link_text": link_text,
        "recommendation_id": recommendation.pk,
    }


def _answers_chase(today: date, result) -> None:
    """Owners who have not accepted or disputed a recommendation by its `accept_by` date are
    reminded, and the commissioner told, on the one deadline mechanism (ANSWER_SERIES in
    policy.py), until the owner answers."""
    late = (
        Recommendation.objects.answer_late(today)
        .select_related("review", "review__commissioner", "review__created_by", "owner")
        .order_by("pk")
    )
    for recommendation in late:

        def build(point, r=recommendation):
            if point.audience == "owner":
                people = [r.owner_address] if r.owner_address else []
            else:
                people = [email for _id, _name, email in commissioner_contacts(r.review)]
            subject = answer_subject(r.pk)
            return [
                (email, "recommendation_notice", _answer_context(r, point.kind, email))
                for email in people
                # An owner without an account gets a new link in each notice: made only for a
                # notice not queued already (the sweep runs hourly; the key makes it once).
                if not Notification.objects.filter(
                    idempotency_key=notice_key(subject, r.accept_by, point, email)
                ).exists()
            ]

        sent = deadline_notices_send(
            subject=answer_subject(recommendation.pk),
            deadline=recommendation.accept_by,
            series=ANSWER_SERIES,
            today=today,
            build=build,
        )
        result.sent += sent
        if sent:
            result.lines.append(f"{today} Recommendation {recommendation.pk}: answer chased")


# --- Writing: the chair and the commissioner ------------------------------------------------

WRITABLE = (
    "action",
    "plain_words",
    "measure",
    "for_whom",
    "priority",
    "owner",
    "owner_name",
    "owner_organisation",
    "owner_role",
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
        long_action_days=PROGRESS_CHECK_AFTER_DAYS,
        examples=smart_examples(review),
    )


def _clean_values(values: dict) -> dict:
    """The writable fields, trimmed; an account owner's name, organisation and role are copied
    from the account (the tracker filters and the CSV read them), a contact's email is kept."""
    cleaned = {name: values.get(name) for name in WRITABLE if name in values}
    for name in ("action", "plain_words", "measure"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    for name in ("owner_name", "owner_organisation", "owner_role", "owner_email"):
        if name in cleaned:
            cleaned[name] = " ".join((cleaned[name] or "").split())
    owner = cleaned.get("owner")
    if owner is not None:
        memberships = memberships_for_user(owner)
        cleaned["owner_name"] = owner.display_name
        cleaned["owner_organisation"] = memberships[0].organisation.name if memberships else ""
        cleaned["owner_role"] = memberships[0].job_title if memberships else ""
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


def recommendation_plain_words_set(
    *, actor, recommendation, plain_words: str
) -> RecommendationUpdate:
    """The chair writes a recommendation already sent in plain words for the person (issue 22).
    What the owner was asked to do does not change, so neither does its state; the next report
    issued (a correction) carries the words. A draft's are written with the rest of it."""
    text = (plain_words or "").strip()
    name = recommendation.review.person.known_as
    if not text:
        raise RecommendationError({"plain_words": f"Write it in plain words for {name}"})
    if len(text) > ACTION_TEXT:
        raise RecommendationError(
            {"plain_words": f"The plain words must be {ACTION_TEXT:,} characters or fewer"}
        )

    def check(locked):
        if locked.state in (State.DRAFT, State.SUPERSEDED):
            return {"__all__": "Change the draft to write it in plain words"}
        return {}

    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.EDITED,
        note=f"Written in plain words for {name}",
        fields={"plain_words": text},
        check=check,
    )


def recommendation_send(*, actor, recommendation) -> RecommendationUpdate:
    """The chair sends a SMART draft to its owner, who is asked to accept it by `accept_by` (the
    reminders app tells them, hearing the SENT update). Issuing the report sends every draft
    (`recommendations_send_plan`); this sends one added or redrafted after the report."""

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
        fields={"accept_by": accept_by_date()},
        note=f"To accept or dispute by {nhs_date(accept_by_date())}",
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
            PROGRESS_CHECK_AFTER_DAYS,
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
        fields={"accept_by": accept_by_date()} if outcome == "resend" else None,
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
    return _reasoned_change(
        actor=actor,
        recommendation=recommendation,
        reason=reason,
        missing="Enter why you cannot accept this recommendation",
        save_as=("dispute_reason",),
        kind=Kind.DISPUTED,
        to=State.DISPUTED,
        expected_state=State.AWAITING_OWNER,
        after=_step_notice,
    )


def recommendation_progress(*, actor, recommendation, note: str):
    """A progress update; the first moves an agreed recommendation to in progress."""

    def check(locked):
        if locked.state not in (State.AGREED, State.IN_PROGRESS):
            return {"__all__": "Progress can be posted once the recommendation is agreed"}
        return {}

    return _reasoned_change(
        actor=actor,
        recommendation=recommendation,
        reason=note,
        missing="Enter what has happened so far",
        field="note",
        kind=Kind.PROGRESS,
        to=State.IN_PROGRESS,
        check=check,
    )


def recommendation_mark_done(
    *, actor, recommendation, note: str, evidence=None, not_for_family: bool = False
):
    """The owner says it is done, with evidence: a note, and optionally a file, checked by content
    and stored through the documents app (removed again if the change is refused). It waits for
    the commissioner to check (`recommendation_done_confirm`, `recommendation_done_send_back`).
    A file marked `not_for_family` is hidden from the person and family."""
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
                kind=Kind.DONE_CLAIMED,
                to=State.DONE_CLAIMED,
                note=note,
                fields={"outcome_note": note},
            )
            if stored is not None:
                _evidence_file_save(actor, recommendation, update, stored, not_for_family)
            _step_notice(recommendation, update)
    except Exception:
        if stored is not None:
            stored_files_remove([stored.name])
        raise
    return update


def _evidence_file_save(actor, recommendation, update, stored, not_for_family) -> EvidenceFile:
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
        not_for_family=bool(not_for_family),
    )
    audit_record(action=Action.CREATE, actor=actor, obj=evidence)
    return evidence


def recommendation_not_achieved(*, actor, recommendation, reason: str):
    return _reasoned_change(
        actor=actor,
        recommendation=recommendation,
        reason=reason,
        missing="Enter why this was not achieved",
        save_as=("outcome_note",),
        kind=Kind.NOT_ACHIEVED,
        to=State.NOT_ACHIEVED,
    )


def evidence_file_access_record(*, user, evidence: EvidenceFile, request=None) -> None:
    audit_record(action=Action.DOWNLOAD, actor=user, obj=evidence, request=request)


# --- The action plan: sent when the report is issued, done checked (issue 21) ----------------


def accept_by_date(today: date | None = None) -> date:
    """The date an owner is asked to accept or dispute by (policy.ACCEPT_WITHIN_WORKING_DAYS)."""
    return working_days_after(today or timezone.localdate(), ACCEPT_WITHIN_WORKING_DAYS)


def plan_unfinished(review) -> list[tuple[Recommendation, dict[str, str]]]:
    """The review's drafts the chair has not finished (no named owner, due date, measure,
    action, plain words for the person…), each with what is missing: issuing the report waits
    for these."""
    drafts = (
        Recommendation.objects.filter(review=review, state=State.DRAFT)
        .select_related("review", "owner")
        .prefetch_related("kloes")
        .order_by("number")
    )
    found = []
    for draft in drafts:
        values = {name: getattr(draft, name) for name in WRITABLE}
        problems = _smart(review, values, list(draft.kloes.all()))
        if not draft.plain_words.strip():
            problems["plain_words"] = f"Write it in plain words for {review.person.known_as}"
        if problems:
            found.append((draft, problems))
    return found


def recommendations_send_plan(*, actor, review) -> list[RecommendationUpdate]:
    """Issuing the report sends the action plan: every draft of the review goes to its owner at
    once, each to accept or dispute by `accept_by_date()`. Called by reports' issue service, in
    its transaction; refuses (nothing sent) while a draft is unfinished."""
    unfinished = plan_unfinished(review)
    if unfinished:
        numbers = ", ".join(str(r.number) for r, _problems in unfinished)
        raise RecommendationError(
            {"__all__": f"Finish recommendations {numbers} before issuing the report"}
        )
    drafts = Recommendation.objects.filter(review=review, state=State.DRAFT).order_by("number")
    with transaction.atomic():
        return [recommendation_send(actor=actor, recommendation=r) for r in drafts]


def _step_recipients(recommendation, kind) -> list[tuple[str, str]]:
    """(email, role) of who hears of a step: a dispute the chair (and the commissioner), a done
    claim the commissioner, a send-back or reopening the owner."""
    if kind in (Kind.SENT_BACK, Kind.REOPENED):
        return [(recommendation.owner_address, "owner")] if recommendation.owner_address else []
    review = recommendation.review
    people = [(email, "commissioner") for _id, _name, email in commissioner_contacts(review)]
    if kind == Kind.DISPUTED:
        chairs = [
            (p.user.email if p.user else p.email, "chair")
            for p in participants_for_review(review)
            if p.role == ParticipantRole.CHAIR
        ]
        people = [*chairs, *people]
    return [(email, role) for email, role in people if email]


# What each step's notice says: what happened, then what to do. No names, no action text.
STEP_NOTICES = {
    Kind.DISPUTED: (
        "A recommendation has been disputed",
        "The person responsible for recommendation {number} from the review on {review_date} "
        "has disputed it.",
        "Sign in to read why, then change the recommendation or keep it, saying why.",
    ),
    Kind.DONE_CLAIMED: (
        "A recommendation is marked done: check the evidence",
        "Recommendation {number} from the review on {review_date} has been marked done.",
        "Sign in to check the evidence, then confirm it is done or send it back with a reason.",
    ),
    Kind.SENT_BACK: (
        "A recommendation you marked done was sent back",
        "The commissioner checked recommendation {number} from the review on {review_date} and "
        "sent it back: it is not done yet.",
        "Sign in to read why, then post progress or mark it done again with evidence.",
    ),
    Kind.REOPENED: (
        "A recommendation has been reopened",
        "Recommendation {number} from the review on {review_date} was done and has been reopened.",
        "Sign in to read why and what is needed now.",
    ),
}


def _step_notice(recommendation, update) -> None:
    """Tell whoever acts next, once per step and recipient, through the outbox."""
    subject, what, todo = STEP_NOTICES[update.kind]
    values = {"number": recommendation.number, "review_date": _review_date(recommendation.review)}
    for email, role in _step_recipients(recommendation, update.kind):
        reach = {"todo": todo, "link": recommendation_link(recommendation), "link_text": ""}
        if role == "owner" and recommendation.owner_id is None:  # no account: never "sign in"
            reach = owner_links.update_link(recommendation)
        notification_enqueue(
            key=f"rec-step:{update.pk}:{role}:{email.lower()}"[:200],
            recipient=email,
            template="recommendation_notice",
            context={
                "subject": subject,
                "paragraphs": [what.format(**values), reach["todo"]],
                "link": reach["link"],
                "link_text": reach["link_text"],
                "recommendation_id": recommendation.pk,
            },
        )


def recommendation_done_confirm(*, actor, recommendation, note: str = ""):
    """The commissioner has checked the evidence: done. The person and family are told (the
    reminders hear the DONE update)."""
    return _change(
        actor=actor,
        recommendation=recommendation,
        kind=Kind.DONE,
        to=State.DONE,
        note=(note or "").strip() or "The evidence was checked",
        expected_state=State.DONE_CLAIMED,
    )


def recommendation_done_send_back(*, actor, recommendation, reason: str):
    """The commissioner has checked the evidence and it does not show the action done: back to
    in progress, with why; the owner is told."""
    return _reasoned_change(
        actor=actor,
        recommendation=recommendation,
        reason=reason,
        missing="Enter why it is not done yet",
        kind=Kind.SENT_BACK,
        to=State.IN_PROGRESS,
        expected_state=State.DONE_CLAIMED,
        after=_step_notice,
    )


def recommendation_reopen(*, actor, recommendation, reason: str):
    """The chair or commissioner reopens a confirmed recommendation (it did not hold, or the
    evidence was wrong): in progress again, with why; the owner is told."""
    return _reasoned_change(
        actor=actor,
        recommendation=recommendation,
        reason=reason,
        missing="Enter why the recommendation is reopened",
        kind=Kind.REOPENED,
        to=State.IN_PROGRESS,
        fields={"closed_at": None},
        expected_state=State.DONE,
        after=_step_notice,
    )


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
            kind=EVENT_RECOMMENDATION,
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


# --- Reminders --------------------------------------------------------------------------------
# Which reminders and when is decided in `reminders.py`; here they are written: planned as rows
# ahead of time, sent through the outbox under a key made from the reminder itself, cancelled
# when the due date moves or the recommendation closes. See ADR 0011.


@dataclass
class SweepResult:
    """What one sweep did (or, dry, would do): counts, and a line per notice for the operator."""

    looked_at: int = 0
    sent: int = 0
    cancelled: int = 0
    escalated: int = 0
    digests: int = 0
    lines: list[str] = field(default_factory=list)


class _DryRun(Exception):
    """Raised to roll a dry run back after it has decided everything."""


def recommendations_sweep(*, today: date | None = None, dry_run: bool = False) -> SweepResult:
    """Decide and queue every reminder, escalation and digest due `today`.

    Safe to run twice at once and to rerun after a crash: recommendations are taken in batches
    under row locks a second sweep skips, each reminder is a row unique by its key and its email
    an outbox row under the same key, and a batch commits all of that together or nothing. A
    dry run does all of it in a transaction it rolls back, so it reports exactly what a real run
    would send and changes nothing."""
    today = today or timezone.localdate()
    policy = Policy.in_force()
    result = SweepResult()
    try:
        with transaction.atomic():
            for batch in _sweep_batches(today, policy):
                with transaction.atomic():
                    _sweep_batch(batch, today, policy, result)
            _escalation_actions_chase(today, result)
            _answers_chase(today, result)
            if today.weekday() == DIGEST_WEEKDAY:
                _digests_send(today, result)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


SWEEP_BATCH = 1000


def _sweep_batches(today, policy):
    ids = list(
        Recommendation.objects.filter(
            Q(reminders_next_on__lte=today) | Q(reminders_next_on__isnull=True),
            state__in=OPEN_STATES,
            due_date__lte=today + timedelta(days=policy.horizon),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), SWEEP_BATCH):
        yield ids[start : start + SWEEP_BATCH]


def _sweep_batch(ids, today, policy, result) -> None:
    recommendations = list(
        Recommendation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            Q(reminders_next_on__lte=today) | Q(reminders_next_on__isnull=True),
            pk__in=ids,
            state__in=OPEN_STATES,
        )
        .select_related("review", "review__commissioner", "owner", "escalated_to")
        .order_by("pk")
    )
    if not recommendations:
        return
    result.looked_at += len(recommendations)
    points = {r.pk: due_points(r.due_date, today, policy) for r in recommendations}
    contacts = _contacts_for(recommendations, points)
    rows = [
        reminder
        for r in recommendations
        for point in points[r.pk]
        for reminder in _reminders_for(r, point, contacts.get(r.review_id, {}))
    ]
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    _send_due(recommendations, points, today, result)
    for recommendation in recommendations:
        if is_due_for_escalation(
            recommendation.due_date, today, policy, escalated=bool(recommendation.escalated_to_id)
        ):
            _escalate(recommendation, today, result)
    _set_next_look(recommendations, today, policy)


def _contacts_for(recommendations, points) -> dict[int, dict]:
    """Who hears for the commissioner and, only where a family notice is due, the family."""
    wanted = {
        audience: {
            r.review_id
            for r in recommendations
            if any(p.audience == audience for p in points[r.pk])
        }
        for audience in (COMMISSIONER, FAMILY)
    }
    contacts = {}
    if wanted[FAMILY]:
        contacts.update(notice_contacts(wanted[FAMILY]))
    if wanted[COMMISSIONER] - wanted[FAMILY]:
        contacts.update(notice_contacts(wanted[COMMISSIONER] - wanted[FAMILY], family=False))
    return contacts


def _reminders_for(recommendation, point, contacts) -> list[Reminder]:
    if point.audience == OWNER:
        people = [
            (recommendation.owner_id, recommendation.owner_display, recommendation.owner_address)
        ]
    else:
        people = contacts.get(point.audience, [])
    return [
        Reminder(
            recommendation=recommendation,
            kind=point.kind,
            due_date=recommendation.due_date,
            send_on=point.send_on,
            recipient_email=email.lower(),
            recipient_name=name[:150],
            recipient_user_id=user_id,
        )
        for user_id, name, email in people
        if email
    ]


def _send_due(recommendations, points, today, result) -> None:
    """Send the planned reminders of these (locked) recommendations that are due; cancel those
    a later point has overtaken (a sweep missed the day)."""
    by_pk = {r.pk: r for r in recommendations}
    planned = Reminder.objects.select_for_update(skip_locked=True).filter(
        recommendation__in=recommendations,
        state=Reminder.State.PLANNED,
        send_on__lte=today,
        kind__in=TIMED_KINDS,
    )
    to_send, stale = [], []
    for reminder in planned:
        current = (reminder.send_on, reminder.kind)
        wanted = {(p.send_on, p.kind) for p in points[reminder.recommendation_id]}
        if reminder.due_date == by_pk[reminder.recommendation_id].due_date and current in wanted:
            reminder.recommendation = by_pk[reminder.recommendation_id]
            to_send.append(reminder)
        else:
            stale.append(reminder.pk)
    result.cancelled += Reminder.objects.filter(pk__in=stale).update(state=Reminder.State.CANCELLED)
    _deliver(to_send, today, result)


def _deliver(reminders: list[Reminder], today, result) -> None:
    """Queue each reminder's email through the deadline mechanism, under the key made from the
    reminder itself, and mark it sent, in the caller's transaction."""
    family = {r.recommendation.review_id for r in reminders if r.kind in FAMILY_KINDS}
    reads = reading_formats_of(family) if family else {}
    notices = [
        Notice(
            reminder_subject(reminder.recommendation_id, reminder.kind),
            reminder.due_date,
            Point(reminder.send_on, reminder.kind, ""),
            reminder.recipient_email,
            "recommendation_notice",
            _as_they_read(notice_context(reminder, today), reminder, reads),
        )
        for reminder in reminders
    ]
    queued = notices_queue(notices)
    pairs = []
    for reminder, notice in zip(reminders, notices, strict=True):
        pairs.append((reminder.pk, queued[notice.key].pk))
        result.lines.append(
            f"{reminder.send_on} {reminder.get_kind_display()} to {reminder.recipient_email}: "
            f"{notice.context['subject']}"
        )
    _mark_sent(pairs, timezone.now())
    result.sent += len(reminders)


def _as_they_read(context: dict, reminder, reads: dict) -> dict:
    """The person's or a family member's notice in the way they read (an easy-read email for
    someone who reads easy read: `ctr_portal.transports`), found by the address it goes to."""
    if reminder.kind not in FAMILY_KINDS:
        return context
    reading = reads.get((reminder.recommendation.review_id, reminder.recipient_email.lower()), "")
    if reading and reading != "standard":
        return {**context, "reading_format": reading}
    return context


def _mark_sent(pairs: list[tuple[int, int]], now) -> None:
    """Mark reminders sent, each with its outbox row: one UPDATE ... FROM (VALUES ...) per 500
    (PostgreSQL and SQLite both have it; bulk_update's CASE takes seconds at the bench's size)."""
    table = connection.ops.quote_name(Reminder._meta.db_table)
    sent_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 500):
            chunk = pairs[start : start + 500]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET state = %s, sent_at = %s, notification_id = v.column2 "  # noqa: S608
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                [Reminder.State.SENT.value, sent_at, *[n for pair in chunk for n in pair]],
            )


def _escalate(recommendation, today, result) -> None:
    panel = oversight_panel_for(
        recommendation.review.commissioner, default=settings.RECOMMENDATIONS_OVERSIGHT_PANEL
    )
    if panel is None:
        log.warning(
            "Recommendation %s is due for escalation but no oversight panel is set (ADR 0011)",
            recommendation.pk,
        )
        return
    days = recommendation.days_overdue(today)
    recommendation_escalate(
        actor=None,
        recommendation=recommendation,
        panel=panel,
        reason=f"Not done {days} days after its due date, {nhs_date(recommendation.due_date)}.",
    )
    result.escalated += 1
    result.lines.append(f"{today} Escalated recommendation {recommendation.pk} to {panel}")


def _set_next_look(recommendations, today, policy) -> None:
    by_day: dict[date, list[int]] = {}
    for r in recommendations:
        day = next_look_on(r.due_date, today, policy, escalated=bool(r.escalated_to_id))
        by_day.setdefault(day, []).append(r.pk)
    for day, pks in by_day.items():
        Recommendation.objects.filter(pk__in=pks).update(reminders_next_on=day)


OWNER_KINDS = (Reminder.Kind.DUE_SOON, Reminder.Kind.DUE_TODAY)
# What the person and family hear of: said in the portal's words (`plain.py`), and easy read for
# whoever reads it.
FAMILY_KINDS = (Reminder.Kind.FAMILY_OVERDUE, Reminder.Kind.FAMILY_DONE)
TIMED_KINDS = (
    Reminder.Kind.DUE_SOON,
    Reminder.Kind.DUE_TODAY,
    Reminder.Kind.OVERDUE,
    Reminder.Kind.COMMISSIONER_OVERDUE,
    Reminder.Kind.FAMILY_OVERDUE,
)

# Each notice in plain English: what happened, then what to do (ADR 0011). A recommendation is
# named by its number and its review's date: never the action's words, the owner's name as typed,
# the person's name or NHS number. Everything else is behind sign-in, at the link.
NOTICES = {
    Reminder.Kind.TO_ACCEPT: (
        "A recommendation for you to accept",
        "Recommendation {number} from the review on {review_date} is for you to carry out by "
        "{due}.",
        "Sign in to read it and accept it, confirming it is within your remit, or to say why you "
        "cannot.",
    ),
    Reminder.Kind.DUE_SOON: (
        "A recommendation is due in {days_left}",
        "Recommendation {number} from the review on {review_date} is due in {days_left}, on {due}.",
        "Sign in to post progress, or to mark it done with evidence of what was done.",
    ),
    Reminder.Kind.DUE_TODAY: (
        "A recommendation is due today",
        "Recommendation {number} from the review on {review_date} is due today.",
        "Sign in to mark it done with evidence of what was done, or to post progress.",
    ),
    Reminder.Kind.OVERDUE: (
        "A recommendation is {days_late} overdue",
        "Recommendation {number} from the review on {review_date} was due on {due} and is "
        "{days_late} overdue.",
        "Sign in to mark it done with evidence, or post progress to say what is holding it up.",
    ),
    Reminder.Kind.COMMISSIONER_OVERDUE: (
        "A recommendation is {days_late} overdue",
        "Recommendation {number} from the review on {review_date} was due on {due} and is "
        "{days_late} overdue. The person responsible for it has been reminded.",
        "Sign in to see its history, and escalate it to the oversight panel if it is stuck.",
    ),
    Reminder.Kind.ESCALATED: (
        "A recommendation has been escalated to the oversight panel",
        "Recommendation {number} from the review on {review_date}, due on {due}, has been "
        "escalated to {panel}.",
        "Sign in to see why it was escalated and what has happened so far.",
    ),
    Reminder.Kind.FAMILY_OVERDUE: (
        "A recommendation from the review is overdue",
        "Recommendation {number} from the review on {review_date} was due on {due} and is not "
        "done yet. The person responsible for it has been reminded.",
        "Sign in to see how it is going.",
    ),
    Reminder.Kind.FAMILY_DONE: (
        "A recommendation from the review is done",
        "Recommendation {number} from the review on {review_date} has been done.",
        "Sign in to see what was done.",
    ),
}


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _review_date(review) -> str:
    if review.held_on:
        return nhs_date(review.held_on)
    return nhs_date(review.starts_at) if review.starts_at else "(date not set)"


def recommendation_link(recommendation) -> str:
    """Where a notice's reader goes after signing in: the recommendation's page."""
    return settings.SITE_URL + reverse("recommendations:detail", args=[recommendation.pk])


def notice_context(reminder, today: date) -> dict:
    """The email's words for one reminder, as JSON for the outbox: no name, not even the
    recipient's (an owner's name is typed, and has held the person's)."""
    recommendation = reminder.recommendation
    values = {
        "review_date": _review_date(recommendation.review),
        "due": nhs_date(reminder.due_date),
        "days_left": _days((reminder.due_date - today).days),
        "days_late": _days((today - reminder.due_date).days),
        "number": recommendation.number,
        "panel": str(recommendation.escalated_to) if recommendation.escalated_to_id else "",
    }
    subject, what, todo = NOTICES[reminder.kind]
    link, link_text = recommendation_link(recommendation), "Sign in to see the recommendation"
    if owner_links.is_for_someone_without_account(reminder):
        reach = owner_links.without_account(reminder)
        todo, link, link_text = reach["todo"], reach["link"], reach["link_text"]
    paragraphs, stands = [what.format(**values)], {}
    if reminder.kind in FAMILY_KINDS:
        # Where it stands, in the same words as the portal; naming nobody.
        label, sentence, _colour = plain_progress(
            recommendation, today, owner="the person responsible"
        )
        stands = {"stands_label": label, "stands_sentence": sentence}
        paragraphs.append(f"Where it stands: {label}. {sentence}")
    return {
        "subject": subject.format(**values),
        "paragraphs": [*paragraphs, todo],
        "link": link,
        "link_text": link_text,
        "recommendation_id": recommendation.pk,
        **stands,
    }


def reminders_follow_change(*, recommendation, update, previous_due_date) -> None:
    """Keep the reminders in step with a change, in its transaction (called by `_change`):
    a new due date or a closed recommendation cancels what is not yet sent; an open one has its
    owner's reminders planned; the owner is asked to accept, the oversight panel told of an
    escalation, the person and family told it is done."""
    today = timezone.localdate()
    kind = update.kind
    if update.from_state == State.AWAITING_OWNER and recommendation.state != State.AWAITING_OWNER:
        deadline_notices_cancel(subject=answer_subject(recommendation.pk))  # answered
    if not recommendation.is_open or recommendation.due_date != previous_due_date:
        stale = Reminder.objects.filter(recommendation=recommendation, state=Reminder.State.PLANNED)
        if recommendation.is_open:
            stale = stale.exclude(due_date=recommendation.due_date)
        stale.update(state=Reminder.State.CANCELLED)
        # And the emails queued for the old date (or at all, once closed) and not yet sent.
        unsent = deadline_notices_cancel(
            subject=reminder_subject(recommendation.pk, Reminder.Kind.DUE_SOON),
            keep=recommendation.due_date if recommendation.is_open else None,
        )
        Reminder.objects.filter(notification__in=unsent).update(state=Reminder.State.CANCELLED)
        Recommendation.objects.filter(pk=recommendation.pk).update(reminders_next_on=None)
    if recommendation.is_open:
        Reminder.objects.filter(
            recommendation=recommendation, state=Reminder.State.PLANNED, kind__in=OWNER_KINDS
        ).exclude(recipient_email=(recommendation.owner_address or "").lower()).update(
            state=Reminder.State.CANCELLED
        )  # a new owner: the old one's reminders go
        reminders_plan(recommendation=recommendation, today=today)
    if kind == RecommendationUpdate.Kind.SENT:
        _notify_now(recommendation, Reminder.Kind.TO_ACCEPT, [_owner_contact(recommendation)])
    elif kind == RecommendationUpdate.Kind.ESCALATED:
        members = organisation_members(recommendation.escalated_to_id)
        people = [(m.user_id, m.user.display_name, m.user.email) for m in members]
        _notify_now(recommendation, Reminder.Kind.ESCALATED, people)
    elif kind == RecommendationUpdate.Kind.DONE:
        family = notice_contacts([recommendation.review_id]).get(recommendation.review_id, {})
        _notify_now(recommendation, Reminder.Kind.FAMILY_DONE, family.get(FAMILY, []))


def _owner_contact(recommendation):
    return (recommendation.owner_id, recommendation.owner_display, recommendation.owner_address)


def reminders_plan(*, recommendation, today: date) -> int:
    """Plan the owner's reminders still to come for the current due date (again: a reminder
    cancelled when the date moved comes back if the date moves back). Returns how many are
    planned."""
    points = planned_points(recommendation.due_date, today, Policy.in_force())
    owner = _owner_contact(recommendation)
    rows = [r for p in points for r in _reminders_for(recommendation, p, {}) if owner[2]]
    if not rows:
        return 0
    Reminder.objects.filter(
        recommendation=recommendation,
        due_date=recommendation.due_date,
        recipient_email=owner[2].lower(),
        state=Reminder.State.CANCELLED,
        send_on__in=[p.send_on for p in points],
        kind__in=[p.kind for p in points],
    ).update(state=Reminder.State.PLANNED)
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _notify_now(recommendation, kind: str, people) -> None:
    """A notice caused by a change: its reminder row and its email, once per key, now."""
    today = timezone.localdate()
    reminder_point = Point(today, kind, "")
    rows = _reminders_for(recommendation, reminder_point, {"": people})
    if not rows:
        return
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    planned = list(
        Reminder.objects.filter(
            recommendation=recommendation,
            kind=kind,
            send_on=today,
            due_date=recommendation.due_date,
            state=Reminder.State.PLANNED,
        )
    )
    for reminder in planned:
        reminder.recommendation = recommendation
    _deliver(planned, today, SweepResult())


def _digests_send(today: date, result) -> None:
    """Each commissioner's weekly list of what is overdue or escalated, once per ISO week."""
    rows = list(
        Recommendation.objects.filter(state__in=OPEN_STATES)
        .filter(
            Q(due_date__lt=today) | Q(escalated_to__isnull=False, escalation_closure__isnull=True)
        )
        .select_related("review")
        .order_by("due_date", "pk")
    )
    contacts = notice_contacts({r.review_id for r in rows}, family=False)
    per_person: dict[str, list] = {}
    for r in rows:
        for _user_id, _name, email in contacts.get(r.review_id, {}).get(COMMISSIONER, []):
            per_person.setdefault(email.lower(), []).append(r)
    year, week, _ = today.isocalendar()
    prefix = f"rec-digest:{year}-W{week:02d}:"
    if notifications_queued(prefix):
        return  # this week's digests went in one transaction, all together
    messages = [
        {
            "key": f"{prefix}{email}"[:200],
            "recipient": email,
            "template": "recommendation_digest",
            "context": _digest_context(items, today),
        }
        for email, items in sorted(per_person.items())
    ]
    for start in range(0, len(messages), 1000):
        notifications_enqueue(messages=messages[start : start + 1000])
    result.digests += len(messages)
    result.lines += [f"{today} Weekly digest to {m['recipient']}" for m in messages]


DIGEST_ITEMS = 30


def _digest_context(items, today) -> dict:
    """Each recommendation by its review's date and its number: no action, no name."""
    overdue = [r for r in items if r.due_date < today]
    escalated = [r for r in items if r.escalated_to_id]
    lines = [
        f"Review on {_review_date(r.review)}, recommendation {r.number}: "
        f"due {nhs_date(r.due_date)}"
        f"{', ' + _days((today - r.due_date).days) + ' overdue' if r.due_date < today else ''}"
        f"{', escalated' if r.escalated_to_id else ''}"
        for r in items[:DIGEST_ITEMS]
    ]
    return {
        "subject": f"Recommendations overdue or escalated: {len(overdue)} overdue, "
        f"{len(escalated)} escalated",
        "overdue": len(overdue),
        "escalated": len(escalated),
        "items": lines,
        "more": max(0, len(items) - DIGEST_ITEMS),
        "link": settings.SITE_URL + reverse("recommendations:tracker"),
    }
