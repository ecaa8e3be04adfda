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
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.formatting import nhs_datetime
from ctr_portal.models import normalise_email
from ctr_portal.queries import account_for_email
from ctr_portal.services import account_create, notification_enqueue

from . import policy
from .models import (
    FAMILY_ROLES,
    GATE_OPEN_DECISIONS,
    OPEN_STATES,
    REASON_REQUIRED,
    AdmissionRootCause,
    AgendaItem,
    ConsentDecision,
    ConsentInvitee,
    ConsentRecord,
    Contact,
    DsrRating,
    DsrRatingChange,
    Invitation,
    InvitedThrough,
    LaepMeeting,
    Participant,
    ParticipantRole,
    Person,
    Review,
    ReviewEvent,
    ReviewEventReason,
    ReviewKind,
    ReviewState,
    Setting,
    SettingChange,
    TransitionError,
)
from .nhs_number import normalise_nhs_number
from .queries import HOSPITAL_CLOCK_KINDS, community_review_held_before
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
            # Registered in hospital as a child: admitted with no community C(E)TR here.
            needs_root_cause=bool(
                person.admission_date and person.age_on(person.admission_date) < 18
            ),
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
        Person.objects.filter(pk=person.pk).update(dsr_rating=rating, dsr_rerate_reason="")
        person.dsr_rating, person.dsr_rerate_reason = rating, ""
        change = DsrRatingChange.objects.create(
            person=person, rating=rating, reason=reason.strip(), recorded_by=actor
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=person)
    return change


COMMUNITY_REVIEW_CLOSE = "close"
COMMUNITY_REVIEW_CONVERT = "convert"


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
    community_review: str = COMMUNITY_REVIEW_CLOSE,
) -> SettingChange:
    """An admission, discharge, move or change of security level, always recorded on the person
    and on their open reviews. An admission rates them blue and starts the post-admission clock
    (see `_reviews_follow_admission`: `community_review` says what becomes of an open community
    review); a discharge ends the inpatient reviews and asks for a new rating; a move of hospital
    plans an event-triggered review; every change re-computes the open reviews' due dates."""
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
            _reviews_follow_admission(person, actor, change, community_review=community_review)
        elif kind == SettingChange.Kind.DISCHARGE:
            _reviews_follow_discharge(person, actor, change)
        else:
            _reviews_follow_setting_change(person, actor, change)
        audit_record(action=Action.UPDATE, actor=actor, obj=person)
    return change


def _rate_blue_on_admission(person, actor, *, admitted_on: date) -> None:
    """Someone admitted to hospital is blue on the Dynamic Support Register."""
    if person.dsr_rating == DsrRating.BLUE:
        return
    person.dsr_rating = DsrRating.BLUE
    person.dsr_rerate_reason = ""
    person.save(update_fields=["dsr_rating", "dsr_rerate_reason"])
    DsrRatingChange.objects.create(
        person=person,
        rating=DsrRating.BLUE,
        recorded_by=actor,
        reason=f"Admitted to hospital on {admitted_on:%-d %B %Y}",
    )


def _ask_for_rating(person, why: str) -> None:
    """Ask the commissioner to look at the person's rating again (cleared by the next rating)."""
    person.dsr_rerate_reason = why[:200]
    Person.objects.filter(pk=person.pk).update(dsr_rerate_reason=person.dsr_rerate_reason)


def _reviews_follow_admission(person, actor, change: SettingChange, *, community_review) -> None:
    """An open community review is closed as overtaken by events, or (the commissioner's
    choice) becomes the post-admission review. The post-admission clock starts from the
    admission date unless a community C(E)TR was held before it (domain.md §2); a child admitted
    without one needs a root cause analysis (domain.md §3)."""
    admitted = change.effective_date
    held_before = community_review_held_before(person, admitted)
    convert = community_review == COMMUNITY_REVIEW_CONVERT and held_before is None
    converted = None
    for review in person.reviews.filter(state__in=OPEN_STATES, kind=ReviewKind.COMMUNITY):
        if convert and converted is None:
            converted = _community_review_becomes_post_admission(review, actor, admitted)
        else:
            review_transition(
                actor=actor,
                review=review,
                to=ReviewState.CANCELLED,
                reason=f"Overtaken by events: admitted to hospital on {admitted:%-d %B %Y}",
            )
    _recompute_open_reviews(person, actor, "Admitted to hospital")
    if held_before is not None:
        return
    if person.age_on(admitted) < 18:
        SettingChange.objects.filter(pk=change.pk).update(needs_root_cause=True)
        change.needs_root_cause = True
    if not person.reviews.filter(state__in=OPEN_STATES, kind__in=HOSPITAL_CLOCK_KINDS).exists():
        _plan_post_admission_review(person, actor)


def _community_review_becomes_post_admission(review, actor, admitted: date) -> Review:
    Review.objects.filter(pk=review.pk).update(kind=ReviewKind.POST_ADMISSION, clock_start=None)
    review.kind, review.clock_start = ReviewKind.POST_ADMISSION, None
    review_event_record(
        review=review,
        kind=ReviewEvent.Kind.DUE_DATE,
        actor=actor,
        summary="Now the post-admission review",
        reason=f"Admitted to hospital on {admitted:%-d %B %Y}: the commissioner chose to hold "
        "this community review as the post-admission review",
    )
    return review


def _reviews_follow_discharge(person, actor, change: SettingChange) -> None:
    """Discharge ends the open inpatient and event-triggered reviews (a review of a removed
    diagnosis goes ahead: it decides whether the person stays on the register), takes the person
    off blue and asks the commissioner for their new rating."""
    day = f"{change.effective_date:%-d %B %Y}"
    ending = person.reviews.filter(state__in=OPEN_STATES).filter(
        Q(kind__in=HOSPITAL_CLOCK_KINDS)
        | Q(kind=ReviewKind.EVENT_TRIGGERED) & ~Q(event_reason=ReviewEventReason.DIAGNOSIS_REMOVED)
    )
    for review in ending:
        review_transition(
            actor=actor,
            review=review,
            to=ReviewState.CANCELLED,
            reason=f"Discharged from hospital on {day}: this review is no longer needed",
        )
    _recompute_open_reviews(person, actor, "Discharged from hospital")
    if person.dsr_rating == DsrRating.BLUE:
        Person.objects.filter(pk=person.pk).update(dsr_rating="")
        person.dsr_rating = ""
    _ask_for_rating(person, f"Discharged from hospital on {day}: record their new rating")


def _reviews_follow_setting_change(person, actor, change: SettingChange) -> None:
    """A move of hospital with no open review plans an event-triggered review; otherwise the
    open reviews' due dates (and where they are held) are re-computed."""
    if change.kind == SettingChange.Kind.MOVE and not _has_open_review(person):
        review_plan(
            actor=actor,
            person=person,
            kind=ReviewKind.EVENT_TRIGGERED,
            event_reason="move_of_hospital",
            event_date=change.effective_date,
        )
    else:
        _recompute_open_reviews(person, actor, change.get_kind_display())


def person_record_diagnosis_removed(*, actor, person: Person, removed_on: date) -> Review:
    """The learning disability or autism diagnosis was removed: recorded on the person (their
    diagnoses stay as they were, so the register's rule of at least one holds) and an
    event-triggered review planned from that day. They stay on the register until it is held."""
    if removed_on > timezone.localdate():
        raise ValidationError({"removed_on": "The date must be today or in the past"})
    if person.diagnosis_removed_on:
        when = f"{person.diagnosis_removed_on:%-d %B %Y}"
        raise ValidationError({"removed_on": f"Already recorded as removed on {when}"})
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(
            diagnosis_removed_on=removed_on, diagnosis_removed_by=actor
        )
        person.diagnosis_removed_on, person.diagnosis_removed_by = removed_on, actor
        review = review_plan(
            actor=actor,
            person=person,
            kind=ReviewKind.EVENT_TRIGGERED,
            event_reason=ReviewEventReason.DIAGNOSIS_REMOVED,
            event_date=removed_on,
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=person)
    return review


def admission_root_cause_record(
    *,
    actor,
    admission: SettingChange,
    why_no_community_review: str,
    on_register: str,
    learning: str = "",
) -> AdmissionRootCause:
    """The commissioner's root cause analysis of a child's admission without a community
    C(E)TR, as NHS England asks; shown on the person's timeline."""
    if not admission.needs_root_cause:
        raise ValidationError("This admission does not need a root cause analysis")
    if AdmissionRootCause.objects.filter(admission=admission).exists():
        raise ValidationError("A root cause analysis of this admission is already recorded")
    record = AdmissionRootCause(
        admission=admission,
        why_no_community_review=why_no_community_review.strip(),
        on_register=on_register,
        learning=learning.strip(),
        recorded_by=actor,
    )
    record.full_clean()
    with transaction.atomic():
        record.save()
        audit_record(action=Action.CREATE, actor=actor, obj=record)
    return record


def person_record_segregation(
    *,
    actor,
    person: Person,
    started_on: date,
    ward: str = "",
    icetr_held: bool = False,
    ended_on: date | None = None,
) -> Person:
    """Record the person's long-term segregation: when it started, the ward, whether an
    Independent C(E)TR has been held, and when it ended (None while it goes on)."""
    errors = {}
    if not person.in_hospital and ended_on is None:
        errors["started_on"] = (
            "Long-term segregation can be recorded only for someone in hospital. Enter when "
            "it ended, or record the admission first"
        )
    if ended_on is not None and ended_on < started_on:
        errors["ended_on"] = "The date it ended must be the same as or after the date it started"
    if errors:
        raise ValidationError(errors)
    fields = {
        "segregation_started_on": started_on,
        "segregation_ward": ward.strip(),
        "segregation_icetr_held": icetr_held,
        "segregation_ended_on": ended_on,
    }
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(**fields)
        for name, value in fields.items():
            setattr(person, name, value)
        audit_record(action=Action.UPDATE, actor=actor, obj=person)
    return person


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
    review = Review(
        person=person,
        kind=kind,
        event_reason=event_reason,
        requested_by=requested_by,
        commissioner=person.responsible_commissioner,
        setting=person.setting,
        provider=person.provider,
        due_date=due.date,
        due_rule=due.rule.code,
        due_basis=due.basis,
        clock_start=clock_start,
        created_by=actor,
    )
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
    """The model agenda (domain.md §8), moved to start when the review does."""
    return AgendaItem.objects.bulk_create(
        AgendaItem(review=review, starts_at=t, title=title, detail=detail, position=i)
        for i, (t, title, detail) in enumerate(model_agenda(review.starts_at), start=1)
    )


def model_agenda(starts_at: datetime | None) -> list[tuple[time, str, str]]:
    """MODEL_AGENDA with every time moved by the same amount, so the first item starts with the
    review (as written when the review has no time yet, or when a move would cross midnight)."""
    if starts_at is None:
        return list(MODEL_AGENDA)
    day = date(2000, 1, 1)
    shift = datetime.combine(day, timezone.localtime(starts_at).time()) - datetime.combine(
        day, MODEL_AGENDA[0][0]
    )
    moved = [(datetime.combine(day, t) + shift, title, detail) for t, title, detail in MODEL_AGENDA]
    if any(when.date() != day for when, _, _ in moved):
        return list(MODEL_AGENDA)
    return [(when.time(), title, detail) for when, title, detail in moved]


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
        if to == ReviewState.HELD:
            _after_review_held(locked, actor)
        audit_record(action=Action.TRANSITION, actor=actor, obj=locked)
    for field in ("state", "state_reason", "held_on"):
        setattr(review, field, getattr(locked, field))
    return review


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
    *,
    actor,
    review: Review,
    role: str,
    name: str,
    email: str = "",
    contact: Contact | None = None,
    invited_through: str = InvitedThrough.EMAIL,
) -> tuple[Participant, list[str]]:
    """Add someone to the review and invite them. Returns the participant and any warnings
    (short notice). Family carers and advocates can be invited only as the person's latest
    consent allows. The person may be invited through their keyworker or advocate, or on
    paper, with no email address: then nothing is emailed and the timeline says how."""
    email = normalise_email(email)
    _check_invitation_route(role, email, invited_through)
    if role in FAMILY_ROLES:
        _check_consent_invites(review, contact)
    user = _account_not_yet_invited(review, role=role, email=email)
    participant = Participant(
        review=review,
        role=role,
        name=name.strip(),
        email=email,
        invited_through=invited_through,
        contact=contact,
        user=user,
        added_by=actor,
        invited_at=timezone.now(),
    )
    participant.full_clean()
    warnings = _short_notice_warnings(review)
    by_email = invited_through == InvitedThrough.EMAIL
    with transaction.atomic():
        participant.save()
        if by_email:
            token = _invitation_create(participant) if user is None else None
            _enqueue_invitation(participant, token)
        review_event_record(
            review=review,
            kind=ReviewEvent.Kind.INVITATION,
            actor=actor,
            summary=f"{participant.get_role_display()} invited"
            + ("" if by_email else f" {participant.get_invited_through_display().lower()}"),
        )
        audit_record(action=Action.CREATE, actor=actor, obj=participant)
    return participant, warnings


def _check_invitation_route(role: str, email: str, invited_through: str) -> None:
    if invited_through not in InvitedThrough.values:
        raise ValidationError({"invited_through": "Select how the invitation will reach them"})
    if invited_through != InvitedThrough.EMAIL and role != ParticipantRole.PERSON:
        raise ValidationError(
            {"invited_through": "Only the person can be invited other than by email"}
        )
    if invited_through == InvitedThrough.EMAIL and not email:
        raise ValidationError({"email": "Enter their email address"})


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
    if not email:
        return None
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
    # The link (a single-use token for someone new) is kept only until the email is sent.
    context = {
        "name": participant.name,
        "role": participant.get_role_display(),
        "review_type": review.type_long if details else "review",
        "when": when,
        "where": (review.venue or ("By video" if review.video_link else "")) if details else "",
        "new_account": token is not None,
        "expires_days": INVITATION_DAYS,
        "needs_independence": participant.needs_independence,
        "attachments": [{"builder": "review_ics", "review_id": review.pk}]
        if review.starts_at and details
        else [],
    }
    notification_enqueue(
        key=key,
        recipient=participant.email,
        template="review_invitation",
        context=context,
        secret_context={"link": link},
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


def review_record_attendance(*, actor, review: Review, attended: set[int]) -> int:
    """Record who took part on the day: the participants whose ids are in `attended` did, the
    rest did not. The person may take part without an email address or an account. Returns how
    many took part."""
    if not review.starts_at or timezone.localdate(review.starts_at) > timezone.localdate():
        raise ValidationError("Who took part can be recorded on or after the day of the review")
    if review.state not in (*OPEN_STATES, ReviewState.HELD, ReviewState.REPORT_DRAFTING):
        raise ValidationError("Who took part can no longer be changed for this review")
    with transaction.atomic():
        participants = review.participants.all()
        participants.filter(pk__in=attended).update(attended=True)
        participants.exclude(pk__in=attended).update(attended=False)
        count = participants.filter(attended=True).count()
        review_event_record(
            review=review,
            kind=ReviewEvent.Kind.PARTICIPANT,
            actor=actor,
            summary=f"Attendance recorded: {count} took part",
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=review)
    return count


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
