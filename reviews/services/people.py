"""Writes to people: registering them, who they are, their rating, where they are (and what
that does to their reviews), their contacts, LAEP meetings and long-term segregation."""

import copy
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ctr_portal.audit import Action, audit_record

from ..models import (
    OPEN_STATES,
    AdmissionRootCause,
    Contact,
    DsrRating,
    DsrRatingChange,
    LaepMeeting,
    Person,
    RestrictivePractice,
    Review,
    ReviewEvent,
    ReviewEventReason,
    ReviewKind,
    ReviewState,
    Setting,
    SettingChange,
)
from ..nhs_number import nhs_number_is_valid, normalise_nhs_number
from ..pds import Demographics, Lookup, Outcome, read_patient
from ..queries import HOSPITAL_CLOCK_KINDS, community_review_held_before
from .lifecycle import review_transition
from .planning import (
    _ask_for_rating,
    _has_open_review,
    _plan_post_admission_review,
    _recompute_open_reviews,
    review_plan,
)
from .timeline import review_event_record

# --- People -------------------------------------------------------------------------------


def person_register(
    *, actor, dsr_reason: str = "", pds_record: Demographics | None = None, **fields
) -> Person:
    """Record a new person. A rating given now starts their Dynamic Support Register history;
    someone registered in hospital is rated blue and their post-admission clock starts.
    `pds_record`: the PDS record the commissioner checked the details against (the fields hold
    what they chose from it), so the person is registered as verified (ADR 0019)."""
    person = _new_person(actor, fields, pds_record)
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


def person_register_validate(*, actor, **fields) -> None:
    """Raise the ValidationError `person_register` would, saving nothing: a registration that
    cannot be made (a known NHS number) is refused before PDS is asked about it."""
    _new_person(actor, fields, None)


def _new_person(actor, fields: dict, pds_record: Demographics | None) -> Person:
    fields["nhs_number"] = normalise_nhs_number(fields.get("nhs_number", ""))
    person = Person(created_by=actor, **fields)
    if person.in_hospital:
        person.dsr_rating = DsrRating.BLUE
    if pds_record is not None:
        _verified_by_pds(person, pds_record)
    try:
        person.full_clean()
    except ValidationError as error:
        _audit_known_number(actor, error)
        raise
    return person


def _verified_by_pds(person: Person, record: Demographics) -> None:
    """The person's details were checked against this PDS record. A restricted record keeps
    no address or GP practice, whatever was there before (ADR 0019)."""
    person.pds_verified_at = timezone.now()
    person.pds_restricted = record.restricted
    if record.restricted:
        person.address = person.gp_ods_code = ""


PDS_AUDIT_ACTIONS = {
    Outcome.MATCH: Action.PDS_MATCH,
    Outcome.NOT_FOUND: Action.PDS_NOT_FOUND,
    Outcome.INVALID_NUMBER: Action.PDS_INVALID_NUMBER,
    Outcome.INVALIDATED: Action.PDS_INVALIDATED,
    Outcome.TOO_MANY_MATCHES: Action.PDS_TOO_MANY_MATCHES,
    Outcome.UNAVAILABLE: Action.PDS_UNAVAILABLE,
}


def person_pds_lookup(*, actor, nhs_number: str, person: Person | None = None) -> Lookup:
    """Ask PDS for the record of a valid NHS number (checked by the caller's form), for the
    person registered or about to be (None). Audited with who asked, for which person and what
    came of it, never what PDS returned. Changes nothing: the caller shows the commissioner
    what differs, and their choice is saved by `person_register` or `person_update`."""
    if not nhs_number_is_valid(nhs_number):
        raise ValueError("PDS is asked only about a valid NHS number")
    lookup = read_patient(normalise_nhs_number(nhs_number))
    audit_record(
        action=PDS_AUDIT_ACTIONS[lookup.outcome],
        actor=actor,
        object_type="reviews.person",
        object_id=str(person.pk) if person is not None else "",
    )
    return lookup


def _audit_known_number(actor, error: ValidationError) -> None:
    """A refused registration of a known NHS number is audited with its actor: the refusal
    says the number is known, so someone trying numbers leaves a trail (ADR 0018)."""
    codes = [e.code for e in getattr(error, "error_dict", {}).get("nhs_number", [])]
    if "unique" in codes:
        audit_record(action=Action.PERMISSION_DENIED, actor=actor, object_type="reviews.person")


PERSON_EDITABLE = (
    "address",
    "gp_ods_code",
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
    "reading_format",
    "reasonable_adjustments",
    "planned_discharge_date",
    "local_patient_id",
    "responsible_commissioner",
    "host_commissioner",
    "local_authority",
    "keyworker_name",
    "keyworker_contact",
    "responsible_clinician",
    "care_coordinator",
    "ward",
)


def person_update(
    *, actor, person: Person, pds_record: Demographics | None = None, **fields
) -> Person:
    """Change who the person is and how to support them. Where they are changes through
    `person_change_setting`, their rating through `person_rate_dsr`. `pds_record`: the PDS
    record the details were just checked against (the fields hold what the commissioner chose);
    without one, a new NHS number is no longer verified."""
    unknown = set(fields) - set(PERSON_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    if "nhs_number" in fields:
        fields["nhs_number"] = normalise_nhs_number(fields["nhs_number"])
    birthday_changed = "date_of_birth" in fields and fields["date_of_birth"] != person.date_of_birth
    number_changed = "nhs_number" in fields and fields["nhs_number"] != person.nhs_number
    person = copy.copy(person)  # a refused change must not leave the caller's object altered
    for name, value in fields.items():
        setattr(person, name, value)
    if pds_record is not None:
        _verified_by_pds(person, pds_record)
    elif number_changed:
        person.pds_verified_at = None
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
    bed_commissioner=None,
) -> SettingChange:
    """An admission, discharge, move or change of security level, always recorded on the person
    and on their open reviews. An admission rates them blue and starts the post-admission clock
    (see `_reviews_follow_admission`: `community_review` says what becomes of an open community
    review); a discharge ends the inpatient reviews and asks for a new rating; a move of hospital
    plans an event-triggered review; every change re-computes the open reviews' due dates.
    `bed_commissioner` is who commissions the bed they are in now (none in the community)."""
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
        person.bed_commissioner = bed_commissioner if setting != Setting.COMMUNITY else None
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


def restrictive_practice_record(
    *,
    actor,
    person: Person,
    kind: str,
    occurred_on: date,
    ended_on: date | None = None,
    count: int = 1,
    note: str = "",
) -> RestrictivePractice:
    """Restraint, seclusion or segregation the hospital reported: one day, or a period with how
    many times it was used in it."""
    record = RestrictivePractice(
        person=person,
        kind=kind,
        occurred_on=occurred_on,
        ended_on=ended_on,
        count=count,
        note=note.strip(),
        recorded_by=actor,
    )
    errors = {}
    today = timezone.localdate()
    if occurred_on > today:
        errors["occurred_on"] = "The date must be today or in the past"
    if ended_on is not None and ended_on > today:
        errors["ended_on"] = "The last day must be today or in the past"
    elif ended_on is not None and ended_on < occurred_on:
        errors["ended_on"] = "The last day must be the same as or after the first day"
    if errors:
        raise ValidationError(errors)
    record.full_clean()
    with transaction.atomic():
        record.save()
        audit_record(action=Action.CREATE, actor=actor, obj=record)
    return record
