"""Every write to people and reviews. Each service validates, writes in one transaction, adds
the timeline entry and audit record, and queues any email through the outbox."""

import copy
import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.formatting import nhs_datetime
from ctr_portal.queries import account_for_email
from ctr_portal.services import account_create, notification_enqueue

from . import policy
from .models import (
    FAMILY_ROLES,
    GATE_OPEN_DECISIONS,
    INDEPENDENT_ROLES,
    OPEN_STATES,
    REASON_REQUIRED,
    AgendaItem,
    ConsentDecision,
    ConsentInvitee,
    ConsentRecord,
    Contact,
    DsrRating,
    DsrRatingChange,
    Invitation,
    LaepMeeting,
    Participant,
    ParticipantRole,
    Person,
    Review,
    ReviewEvent,
    ReviewKind,
    ReviewState,
    Setting,
    SettingChange,
    TransitionError,
)
from .nhs_number import normalise_nhs_number
from .rules import invitee_sees_details, needs_to_declare_independence
from .signals import review_scheduled

User = get_user_model()

INVITATION_DAYS = 14


# --- People -------------------------------------------------------------------------------


def person_register(*, actor, dsr_reason: str = "", **fields) -> Person:
    """Record a new person. A rating given now starts their Dynamic Support Register history;
    someone registered in hospital is rated blue and their post-admission clock starts."""
    fields["nhs_number"] = normalise_nhs_number(fields.get("nhs_number", ""))
    person = Person(created_by=actor, **fields)
    if person.in_hospital:
        person.dsr_rating = DsrRating.BLUE
    person.full_clean()
    with transaction.atomic():
        person.save()
        SettingChange.objects.create(
            person=person,
            kind=SettingChange.Kind.REGISTERED,
            effective_date=person.admission_date or timezone.localdate(),
            setting=person.setting,
            provider=person.provider,
            ward=person.ward,
            recorded_by=actor,
        )
        if person.dsr_rating:
            DsrRatingChange.objects.create(
                person=person,
                rating=person.dsr_rating,
                recorded_by=actor,
                reason=dsr_reason or "Rating when registered",
            )
        if person.in_hospital and person.admission_date:
            _plan_post_admission_review(person, actor)
        audit_record(action=Action.CREATE, actor=actor, obj=person)
    return person


PERSON_EDITABLE = (
    "given_name",
    "family_name",
    "preferred_name",
    "pronouns",
    "nhs_number",
    "date_of_birth",
    "has_learning_disability",
    "has_autism",
    "mha_status",
    "communication",
    "reasonable_adjustments",
    "planned_discharge_date",
    "local_patient_id",
    "responsible_commissioner",
    "host_commissioner",
    "local_authority",
    "keyworker_name",
    "keyworker_contact",
    "ward",
)


def person_update(*, actor, person: Person, **fields) -> Person:
    """Change who the person is and how to support them. Where they are changes through
    `person_change_setting`, their rating through `person_rate_dsr`."""
    unknown = set(fields) - set(PERSON_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    if "nhs_number" in fields:
        fields["nhs_number"] = normalise_nhs_number(fields["nhs_number"])
    birthday_changed = "date_of_birth" in fields and fields["date_of_birth"] != person.date_of_birth
    person = copy.copy(person)  # a refused change must not leave the caller's object altered
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    with transaction.atomic():
        person.save()
        if birthday_changed:
            _recompute_open_reviews(person, actor, "Date of birth corrected")
        audit_record(action=Action.UPDATE, actor=actor, obj=person)
    return person


def person_rate_dsr(*, actor, person: Person, rating: str, reason: str) -> DsrRatingChange:
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the rating is changing"})
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(dsr_rating=rating)
        person.dsr_rating = rating
        change = DsrRatingChange.objects.create(
            person=person, rating=rating, reason=reason.strip(), recorded_by=actor
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=person)
    return change


def person_change_setting(
    *,
    actor,
    person: Person,
    kind: str,
    effective_date: date,
    setting: str,
    provider=None,
    ward: str = "",
    note: str = "",
) -> SettingChange:
    """An admission, discharge, move or change of security level. Admission rates the person
    blue and starts the post-admission clock; every change re-computes open reviews' due dates;
    a move of hospital also plans an event-triggered review."""
    if effective_date > timezone.localdate():
        raise ValidationError({"effective_date": "The date must be today or in the past"})
    if setting != Setting.COMMUNITY and provider is None:
        raise ValidationError({"provider": "Select the hospital"})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        change = SettingChange.objects.create(
            person=person,
            kind=kind,
            effective_date=effective_date,
            setting=setting,
            provider=provider,
            ward=ward,
            note=note,
            recorded_by=actor,
        )
        person.setting = setting
        person.provider = provider if setting != Setting.COMMUNITY else person.provider
        person.ward = ward if setting != Setting.COMMUNITY else ""
        if kind == SettingChange.Kind.ADMISSION:
            person.admission_date = effective_date
        if kind == SettingChange.Kind.DISCHARGE:
            person.admission_date = None
        person.full_clean()
        person.save()
        if kind == SettingChange.Kind.ADMISSION:
            _rate_blue_on_admission(person, actor, admitted_on=effective_date)
        _reviews_follow_setting_change(person, actor, change)
        audit_record(action=Action.UPDATE, actor=actor, obj=person)
    return change


def _rate_blue_on_admission(person, actor, *, admitted_on: date) -> None:
    """Someone admitted to hospital is blue on the Dynamic Support Register."""
    if person.dsr_rating == DsrRating.BLUE:
        return
    person.dsr_rating = DsrRating.BLUE
    person.save(update_fields=["dsr_rating"])
    DsrRatingChange.objects.create(
        person=person,
        rating=DsrRating.BLUE,
        recorded_by=actor,
        reason=f"Admitted to hospital on {admitted_on:%-d %B %Y}",
    )


def _reviews_follow_setting_change(person, actor, change: SettingChange) -> None:
    """With no open review, an admission starts the post-admission clock and a move of hospital
    plans an event-triggered review; otherwise the open reviews' due dates are re-computed."""
    if change.kind == SettingChange.Kind.ADMISSION and not _has_open_review(person):
        _plan_post_admission_review(person, actor)
    elif change.kind == SettingChange.Kind.MOVE and not _has_open_review(person):
        review_plan(
            actor=actor,
            person=person,
            kind=ReviewKind.EVENT_TRIGGERED,
            event_reason="move_of_hospital",
            event_date=change.effective_date,
        )
    else:
        _recompute_open_reviews(person, actor, change.get_kind_display())


def contact_add(*, actor, person: Person, **fields) -> Contact:
    contact = Contact(person=person, **fields)
    contact.full_clean()
    with transaction.atomic():
        contact.save()
        audit_record(action=Action.CREATE, actor=actor, obj=contact)
    return contact


def laep_record(*, actor, person: Person, held_on: date, outcome: str) -> LaepMeeting:
    meeting = LaepMeeting(person=person, held_on=held_on, outcome=outcome, recorded_by=actor)
    meeting.full_clean()
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date of the meeting must be today or in the past"})
    with transaction.atomic():
        meeting.save()
        audit_record(action=Action.CREATE, actor=actor, obj=meeting)
    return meeting


def _has_open_review(person) -> bool:
    return person.reviews.filter(state__in=OPEN_STATES).exists()


def _plan_post_admission_review(person, actor):
    return review_plan(actor=actor, person=person, kind=ReviewKind.POST_ADMISSION)


# --- Planning and due dates ----------------------------------------------------------------


def _last_held(person):
    return (
        person.reviews.filter(held_on__isnull=False)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )


def review_plan(
    *,
    actor,
    person: Person,
    kind: str,
    event_reason: str = "",
    event_date: date | None = None,
    requested_by: str = "",
) -> Review:
    """Plan a review; its due date comes from the rule table."""
    today = timezone.localdate()
    due = policy.due_date_for(
        person=person, kind=kind, today=today, last_held=_last_held(person), event_date=event_date
    )
    review = Review(
        person=person,
        kind=kind,
        event_reason=event_reason,
        requested_by=requested_by,
        commissioner=person.responsible_commissioner,
        setting=person.setting,
        provider=person.provider if person.in_hospital else person.provider,
        due_date=due.date,
        due_rule=due.rule.code,
        due_basis=due.basis,
        created_by=actor,
    )
    if kind == ReviewKind.EVENT_TRIGGERED and not event_reason:
        raise ValidationError({"event_reason": "Select what happened"})
    if kind == ReviewKind.REQUESTED and not requested_by.strip():
        raise ValidationError({"requested_by": "Enter who asked for the review"})
    review.full_clean()
    with transaction.atomic():
        review.save()
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
        audit_record(action=Action.CREATE, actor=actor, obj=review)
    return review


def review_recompute_due(*, review: Review, actor=None, why: str) -> Review:
    """Re-apply the rule table after something changed (setting, age, a correction)."""
    person = review.person
    due = policy.due_date_for(
        person=person,
        kind=review.kind,
        today=timezone.localdate(),
        last_held=_last_held(person),
        event_date=None if review.kind != ReviewKind.EVENT_TRIGGERED else review.created_at.date(),
    )
    if (due.date, due.rule.code) == (review.due_date, review.due_rule):
        return review
    with transaction.atomic():
        Review.objects.filter(pk=review.pk).update(
            due_date=due.date,
            due_rule=due.rule.code,
            due_basis=due.basis,
            setting=person.setting,
            provider=person.provider,
        )
        review.due_date, review.due_rule, review.due_basis = due.date, due.rule.code, due.basis
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


# --- Scheduling and the agenda -------------------------------------------------------------

MODEL_AGENDA = [
    (time(9, 0), "The panel meets alone", "Plan the day and introductions"),
    (time(9, 30), "Reading time", "The panel reads the document pack"),
    (time(11, 0), "Meet the person", "In the place and way the person chooses"),
    (time(12, 0), "Meet the family", "Family carers and advocate"),
    (time(12, 45), "Lunch and reading", ""),
    (time(13, 30), "Staff and the multidisciplinary team", "Including a look at the ward or home"),
    (time(15, 0), "Panel discussion", "Key lines of enquiry completed, recommendations agreed"),
    (time(16, 15), "Feedback", "To the person, their family and the provider"),
    (time(17, 0), "Close", ""),
]


def review_schedule(
    *,
    actor,
    review: Review,
    starts_at: datetime,
    duration_minutes: int,
    venue: str = "",
    video_link: str = "",
    late_reason: str = "",
) -> Review:
    """Set the date, time and place. A date after the due date needs a reason. The model agenda
    is generated the first time. A planned or postponed review becomes scheduled."""
    errors = _schedule_errors(review, starts_at, venue, video_link, late_reason)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Review.objects.select_for_update().get(pk=review.pk)
        if locked.state not in OPEN_STATES:
            raise ValidationError("A review that has been held or has ended cannot be rescheduled")
        locked.starts_at, locked.duration_minutes = starts_at, duration_minutes
        locked.venue, locked.video_link = venue.strip(), video_link.strip()
        locked.late_reason = (
            late_reason.strip() if timezone.localdate(starts_at) > locked.due_date else ""
        )
        locked.save(
            update_fields=["starts_at", "duration_minutes", "venue", "video_link", "late_reason"]
        )
        review_event_record(
            review=locked,
            kind=ReviewEvent.Kind.SCHEDULED,
            actor=actor,
            summary=f"Set for {nhs_datetime(starts_at)}",
            reason=locked.late_reason,
        )
        if not locked.agenda.exists():
            agenda_generate(review=locked)
        if locked.state in (ReviewState.PLANNED, ReviewState.POSTPONED):
            locked = _transition_locked(locked, ReviewState.SCHEDULED, actor=actor)
        audit_record(action=Action.UPDATE, actor=actor, obj=locked)
        review_scheduled.send(sender=Review, review=locked)
    return locked


def _schedule_errors(review, starts_at, venue, video_link, late_reason) -> dict[str, str]:
    errors = {}
    if timezone.localdate(starts_at) < timezone.localdate():
        errors["starts_at"] = "The date of the review must be today or in the future"
    if not venue.strip() and not video_link.strip():
        errors["venue"] = "Enter a venue or a video link"
    if (
        not errors.get("starts_at")
        and timezone.localdate(starts_at) > review.due_date
        and not late_reason.strip()
    ):
        errors["late_reason"] = (
            f"The review is due by {review.due_date:%-d %B %Y}. Enter why it will be later"
        )
    return errors


def agenda_generate(*, review: Review) -> list[AgendaItem]:
    return AgendaItem.objects.bulk_create(
        AgendaItem(review=review, starts_at=t, title=title, detail=detail, position=i)
        for i, (t, title, detail) in enumerate(MODEL_AGENDA, start=1)
    )


def agenda_update(*, actor, review: Review, items: list[dict]) -> list[AgendaItem]:
    """Replace the agenda with `items` (starts_at, title, detail), in time order."""
    items = sorted((i for i in items if i.get("title")), key=lambda i: i["starts_at"])
    with transaction.atomic():
        review.agenda.all().delete()
        created = AgendaItem.objects.bulk_create(
            AgendaItem(
                review=review,
                position=n,
                starts_at=i["starts_at"],
                title=i["title"],
                detail=i.get("detail", ""),
            )
            for n, i in enumerate(items, start=1)
        )
        review_event_record(
            review=review, kind=ReviewEvent.Kind.AGENDA, actor=actor, summary="Agenda changed"
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=review)
    return created


def review_event_record(
    *, review: Review, kind: str, summary: str, actor=None, reason: str = ""
) -> ReviewEvent:
    """An entry on the review's timeline: the one way any app writes one."""
    return ReviewEvent.objects.create(
        review=review, kind=kind, summary=summary, actor=actor, reason=reason.strip()
    )


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
        audit_record(action=Action.TRANSITION, actor=actor, obj=locked)
    for field in ("state", "state_reason", "held_on"):
        setattr(review, field, getattr(locked, field))
    return review


def _transition_locked(review, to, *, actor, reason="", expected_state=None) -> Review:
    """Move `review` to `to` under a row lock; the caller opens the transaction.

    `expected_state` is the state the person saw when they chose the action: if someone else
    moved the review in the meantime the move is refused, so two people acting at once cannot
    both win.
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


# --- Consent -------------------------------------------------------------------------------


def consent_record(
    *,
    actor,
    review: Review,
    decision: str,
    decided_on: date,
    route: str = "",
    shares_information: bool = False,
    in_own_words: str = "",
    given_by: str = "",
    capacity_assessed_by: str = "",
    decision_maker: str = "",
    consulted: str = "",
    report_format: str = ConsentRecord.Format.STANDARD,
    invitees: list[dict] | None = None,
) -> ConsentRecord:
    """Record a consent decision. Never edits an earlier record: the newest one decides.

    invitees: [{"contact": Contact, "may_attend": bool, "may_receive_report": bool}]
    """
    invitees = invitees or []
    age = review.person.age_on(decided_on)
    errors = {
        **_decision_date_errors(decided_on),
        **_consent_route_errors(decision, route, age),
        **_best_interests_errors(decision, age, decision_maker, consulted, capacity_assessed_by),
        **_parental_errors(route, given_by),
        **_invitee_errors(review, invitees),
    }
    if errors:
        raise ValidationError(errors)
    opens_gate = decision in GATE_OPEN_DECISIONS
    with transaction.atomic():
        record = ConsentRecord.objects.create(
            review=review,
            decision=decision,
            route=route if opens_gate else "",
            shares_information=shares_information and opens_gate,
            in_own_words=in_own_words.strip(),
            given_by=given_by.strip(),
            capacity_assessed_by=capacity_assessed_by.strip(),
            decision_maker=decision_maker.strip(),
            consulted=consulted.strip(),
            decided_on=decided_on,
            report_format=report_format,
            recorded_by=actor,
        )
        if record.opens_gate:
            _consent_invitees_add(record, invitees)
        review_event_record(
            review=review,
            kind=ReviewEvent.Kind.CONSENT,
            actor=actor,
            summary=f"Consent: {record.get_decision_display()}",
        )
        audit_record(action=Action.CREATE, actor=actor, obj=record)
    return record


# Who may give consent, by decision and by whether the person is under 16 (domain.md §5).
CONSENT_ROUTES = {
    (ConsentDecision.CONSENTED, True): ("gillick", "parental"),
    (ConsentDecision.CONSENTED, False): ("own",),
    (ConsentDecision.BEST_INTERESTS, True): ("parental",),
    (ConsentDecision.BEST_INTERESTS, False): ("best_interests",),
}


def _decision_date_errors(decided_on: date) -> dict[str, str]:
    if decided_on > timezone.localdate():
        return {"decided_on": "The date of the decision must be today or in the past"}
    return {}


def _consent_route_errors(decision: str, route: str, age: int) -> dict[str, str]:
    if decision not in GATE_OPEN_DECISIONS or route in CONSENT_ROUTES[decision, age < 16]:
        return {}
    if age < 16:
        return {
            "route": "For someone under 16, select Gillick competence or a person with parental "
            "responsibility"
        }
    return {"route": "For someone 16 or over, consent is their own or a best-interests decision"}


def _best_interests_errors(
    decision: str, age: int, decision_maker: str, consulted: str, capacity_assessed_by: str
) -> dict[str, str]:
    if decision != ConsentDecision.BEST_INTERESTS:
        return {}
    errors = {}
    if not decision_maker.strip():
        errors["decision_maker"] = "Enter who made the best-interests decision"
    if not consulted.strip():
        errors["consulted"] = "Enter who was consulted"
    if age >= 16 and not capacity_assessed_by.strip():
        errors["capacity_assessed_by"] = "Enter who assessed the person's capacity"
    return errors


def _parental_errors(route: str, given_by: str) -> dict[str, str]:
    if route == "parental" and not given_by.strip():
        return {"given_by": "Enter the name of the person with parental responsibility"}
    return {}


def _invitee_errors(review: Review, invitees: list[dict]) -> dict[str, str]:
    contact_ids = {c.pk for c in review.person.contacts.all()}
    if any(i["contact"].pk not in contact_ids for i in invitees):
        return {"invitees": "Select people from the person's own contacts"}
    return {}


def _consent_invitees_add(record: ConsentRecord, invitees: list[dict]) -> None:
    """The contacts the decision lets come to the review or have the report."""
    ConsentInvitee.objects.bulk_create(
        ConsentInvitee(
            consent=record,
            contact=i["contact"],
            may_attend=i["may_attend"],
            may_receive_report=i["may_receive_report"],
        )
        for i in invitees
        if i["may_attend"] or i["may_receive_report"]
    )


# --- Participants and invitations ----------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def participant_add(
    *, actor, review: Review, role: str, name: str, email: str, contact: Contact | None = None
) -> tuple[Participant, list[str]]:
    """Add someone to the review and invite them. Returns the participant and any warnings
    (short notice). Family carers and advocates can be invited only as the person's latest
    consent allows."""
    email = email.strip().lower()
    if role in FAMILY_ROLES:
        _check_consent_invites(review, contact)
    user = _account_not_yet_invited(review, role=role, email=email)
    participant = Participant(
        review=review,
        role=role,
        name=name.strip(),
        email=email,
        contact=contact,
        user=user,
        added_by=actor,
        invited_at=timezone.now(),
    )
    participant.full_clean()
    warnings = _short_notice_warnings(review)
    with transaction.atomic():
        participant.save()
        token = _invitation_create(participant) if user is None else None
        _enqueue_invitation(participant, token)
        review_event_record(
            review=review,
            kind=ReviewEvent.Kind.INVITATION,
            actor=actor,
            summary=f"{participant.get_role_display()} invited",
        )
        audit_record(action=Action.CREATE, actor=actor, obj=participant)
    return participant, warnings


def _check_consent_invites(review: Review, contact: Contact | None) -> None:
    """A family carer or advocate comes only as the person's latest consent allows."""
    if contact is None:
        raise ValidationError({"contact": "Select who this is from the person's contacts"})
    record = review.consents.order_by("-recorded_at", "-pk").first()  # fresh, never cached
    allowed = (
        record is not None
        and record.opens_gate
        and any(i.contact_id == contact.pk and i.may_attend for i in record.invitees.all())
    )
    if not allowed:
        raise ValidationError(
            {
                "contact": f"{contact.name} cannot be invited: the person's "
                "consent does not include them"
            }
        )


ALREADY_INVITED = "This person has already been invited to this review"


def _account_not_yet_invited(review: Review, *, role: str, email: str):
    """The account for `email` (None when there is none yet), once it is clear that the review
    can take them: one chair only, and nobody invited twice, by address or by account."""
    if role == ParticipantRole.CHAIR and review.participants.filter(role=role).exists():
        raise ValidationError({"role": "This review already has a chair"})
    if review.participants.filter(email=email).exists():
        raise ValidationError({"email": ALREADY_INVITED})
    user = account_for_email(email)
    if user is not None and review.participants.filter(user=user).exists():
        raise ValidationError({"email": ALREADY_INVITED})
    return user


def _short_notice_warnings(review: Review) -> list[str]:
    notice = timedelta(days=policy.NOTICE_DAYS)
    if not review.starts_at or review.starts_at - timezone.now() >= notice:
        return []
    days = max(0, (timezone.localdate(review.starts_at) - timezone.localdate()).days)
    return [
        f"The review is in {days} days. People should have at least {policy.NOTICE_DAYS} "
        "days' notice: check they can still come"
    ]


def _invitation_create(participant: Participant) -> str:
    """A single-use link for someone with no account yet; only the token's hash is kept."""
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        participant=participant,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    return token


def _enqueue_invitation(participant, token):
    review = participant.review
    if token:
        link = settings.SITE_URL + reverse("reviews:invitation_accept", args=[token])
        key = f"invitation:{participant.pk}:{_token_hash(token)[:16]}"
    else:
        link = settings.SITE_URL + reverse("reviews:review_detail", args=[review.pk])
        key = f"invitation:{participant.pk}:existing"
    when = nhs_datetime(review.starts_at)
    # What the review page hides from the invitee, the email hides too: before a panel expert
    # has declared independence (or while consent does not open the gate) it says only the role
    # and the date, with no kind of review, no place and no calendar file.
    details = invitee_sees_details(participant, review)
    context = {
        "name": participant.name,
        "role": participant.get_role_display(),
        "review_type": review.type_long if details else "review",
        "when": when,
        "where": (review.venue or ("By video" if review.video_link else "")) if details else "",
        "link": link,
        "new_account": token is not None,
        "expires_days": INVITATION_DAYS,
        "needs_independence": participant.role in INDEPENDENT_ROLES,
        "attachments": [{"builder": "review_ics", "review_id": review.pk}]
        if review.starts_at and details
        else [],
    }
    notification_enqueue(
        key=key, recipient=participant.email, template="review_invitation", context=context
    )


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("participant", "participant__review")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def invitation_accept(
    *, invitation: Invitation, display_name: str, password: str | None = None, signed_in=None
):
    """Use up the link and join the review: with a new account made from `password`, or, when
    an account already exists for the email, only as that account signed in (`signed_in`)."""
    if not invitation.is_usable:
        raise ValidationError("This invitation link has expired or has already been used")
    participant = invitation.participant
    kind = (
        User.Kind.PUBLIC
        if participant.role in (*FAMILY_ROLES, ParticipantRole.PERSON)
        else User.Kind.PROFESSIONAL
    )
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not claimed:
            raise ValidationError("This invitation link has already been used")
        user = account_for_email(participant.email)
        if user is not None and (signed_in is None or signed_in.pk != user.pk):
            raise ValidationError(
                "An account already exists for this email address. Sign in to join the review"
            )
        if user is None:
            if not password:
                raise ValidationError({"password1": "Enter a password"})
            user = account_create(
                email=participant.email, password=password, display_name=display_name, kind=kind
            )
        Participant.objects.filter(pk=participant.pk).update(user=user)
        audit_record(action=Action.UPDATE, actor=user, obj=participant)
    return user


def participant_declare_independence(
    *, actor, participant: Participant, statement: str, conflicts: str = ""
) -> Participant:
    """A panel expert confirms they have no part in the person's care and are not employed by
    the provider, and declares any connection."""
    if participant.user_id != actor.pk or not needs_to_declare_independence(
        actor, participant.review
    ):
        raise ValidationError("Only a panel expert can make their own declaration")
    with transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(
            independence_declared_at=timezone.now(),
            independence_statement=statement.strip(),
            conflict_declared=conflicts.strip(),
        )
        participant.refresh_from_db()
        review_event_record(
            review=participant.review,
            kind=ReviewEvent.Kind.INDEPENDENCE,
            actor=actor,
            summary=f"{participant.get_role_display()} declared independence",
            reason="Declared a possible conflict" if conflicts.strip() else "",
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=participant)
    return participant


# --- The calendar file ---------------------------------------------------------------------


def review_ics(review: Review) -> str:
    """An iCalendar file for the review: no name or NHS number in it, only the type and place."""

    start = review.starts_at.astimezone(UTC)
    end = (review.ends_at or review.starts_at + timedelta(hours=8)).astimezone(UTC)
    location = review.venue or review.video_link or ""
    link = settings.SITE_URL + reverse("reviews:review_detail", args=[review.pk])

    def esc(text):
        return (
            text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        )

    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//NHS England//CTR Portal//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:review-{review.pk}@ctr-portal",
        f"DTSTAMP:{timezone.now().astimezone(UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
        f"DTEND:{end:%Y%m%dT%H%M%SZ}",
        f"SUMMARY:{esc(review.type_long)}",
        f"LOCATION:{esc(location)}",
        f"DESCRIPTION:{esc('Details: ' + link)}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"


def ics_attachments(sender, *, notification, **kwargs):
    """The `email_attachments` receiver: the calendar file of each review the email names."""
    ids = [
        spec["review_id"]
        for spec in notification.context.get("attachments", [])
        if spec.get("builder") == "review_ics"
    ]
    return [
        ("review.ics", review_ics(review), "text/calendar")
        for review in Review.objects.filter(pk__in=ids).select_related("person")
    ]
