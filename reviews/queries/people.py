"""Reads of people, scoped to the user: lists, one person, their timeline and what their
admissions and reviews ask for."""

from dataclasses import dataclass
from datetime import date

from django.db.models import (
    Min,
    Q,
)
from django.utils import timezone

from ctr_portal.formatting import nhs_date
from ctr_portal.signals import collect

from ..models import (
    OPEN_STATES,
    Person,
    RestrictivePractice,
    ReviewEventReason,
    ReviewKind,
    Setting,
    SettingChange,
    TransferRequest,
)
from ..nhs_number import normalise_nhs_number
from ..rules import commissioning_org_ids
from ..signals import person_timeline_entries
from .reviews import reviews_for_user

# The clocks that run while someone is in hospital.
HOSPITAL_CLOCK_KINDS = (ReviewKind.POST_ADMISSION, ReviewKind.INPATIENT_REPEAT)


# --- People -------------------------------------------------------------------------------


def people_for_user(user):
    """People whose responsible (or host) commissioner the user works for."""
    org_ids = commissioning_org_ids(user)
    if not org_ids:
        return Person.objects.none()
    return Person.objects.filter(
        Q(responsible_commissioner_id__in=org_ids) | Q(host_commissioner_id__in=org_ids)
    )


@dataclass
class PeopleFilter:
    q: str = ""
    organisation: int | None = None
    setting: str = ""
    dsr_rating: str = ""


def people_list(user, filters: PeopleFilter):
    qs = people_for_user(user).select_related("responsible_commissioner", "provider")
    if filters.q:
        digits = normalise_nhs_number(filters.q)
        if digits.isdigit() and len(digits) == 10:
            qs = qs.filter(nhs_number=digits)
        else:
            for word in filters.q.split():
                qs = qs.filter(
                    Q(given_name__icontains=word)
                    | Q(family_name__icontains=word)
                    | Q(preferred_name__icontains=word)
                )
    if filters.organisation:
        qs = qs.filter(
            Q(responsible_commissioner_id=filters.organisation)
            | Q(provider_id=filters.organisation)
        )
    if filters.setting == "hospital":
        qs = qs.exclude(setting=Setting.COMMUNITY)
    elif filters.setting:
        qs = qs.filter(setting=filters.setting)
    if filters.dsr_rating:
        qs = qs.filter(dsr_rating=filters.dsr_rating)
    return qs.order_by("family_name", "given_name", "pk")


def person_for_user(user, pk):
    return (
        people_for_user(user)
        .select_related(
            "responsible_commissioner",
            "host_commissioner",
            "bed_commissioner",
            "provider",
            "local_authority",
            "created_by",
            "diagnosis_removed_by",
        )
        .prefetch_related("contacts")
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class TimelineEntry:
    heading: str
    time: object
    actor: str = ""
    description: str = ""


def person_timeline(person) -> list[TimelineEntry]:
    """Ratings, admissions and moves (with their root cause analyses), LAEP meetings, a removed
    diagnosis, transfers of the record and every review with its outcome: six queries whatever
    the person's history."""
    entries = [
        TimelineEntry(
            f"Dynamic Support Register: {c.get_rating_display()}",
            c.recorded_at,
            c.recorded_by.display_name,
            c.reason,
        )
        for c in person.dsr_history.select_related("recorded_by")
    ]
    entries += _setting_entries(person)
    entries += [
        TimelineEntry(
            "Local Area Emergency Protocol meeting",
            m.held_on,
            m.recorded_by.display_name,
            m.outcome,
        )
        for m in person.laep_meetings.select_related("recorded_by")
    ]
    if person.diagnosis_removed_on:
        entries.append(
            TimelineEntry(
                "Learning disability or autism diagnosis removed",
                person.diagnosis_removed_on,
                person.diagnosis_removed_by.display_name if person.diagnosis_removed_by else "",
                "They stay on the register until the event-triggered review is held.",
            )
        )
    for r in person.reviews.all():
        when = r.held_on or (timezone.localdate(r.starts_at) if r.starts_at else r.due_date)
        entries.append(
            TimelineEntry(
                f"{r.type_label} ({r.get_kind_display().lower()}): {r.get_state_display().lower()}",
                when,
                "",
                r.state_reason,
            )
        )

    entries += _transfer_entries(person)
    entries += collect(person_timeline_entries, person=person)

    def sort_key(entry):
        t = entry.time
        return t if isinstance(t, date) and not hasattr(t, "hour") else timezone.localdate(t)

    return sorted(entries, key=sort_key, reverse=True)


def _transfer_entries(person) -> list[TimelineEntry]:
    """Each accepted transfer of the record, from one commissioner to another."""
    accepted = person.transfer_requests.filter(state=TransferRequest.State.ACCEPTED)
    return [
        TimelineEntry(
            "Record transferred to another commissioner",
            t.decided_at,
            t.decided_by.display_name if t.decided_by else "",
            f"From {t.from_organisation.name} to {t.to_organisation.name}",
        )
        for t in accepted.select_related("decided_by", "from_organisation", "to_organisation")
    ]


def _setting_entries(person) -> list[TimelineEntry]:
    entries = []
    changes = person.setting_history.select_related(
        "recorded_by", "provider", "root_cause", "root_cause__recorded_by"
    )
    for c in changes:
        where = [c.get_setting_display(), c.provider.name if c.provider else "", c.ward, c.note]
        if c.needs_root_cause and not hasattr(c, "root_cause"):
            where.append("No community C(E)TR before admission: root cause analysis needed")
        entries.append(
            TimelineEntry(
                c.get_kind_display(),
                c.effective_date,
                c.recorded_by.display_name,
                " – ".join(filter(None, where)),
            )
        )
        rca = getattr(c, "root_cause", None)
        if rca is not None:
            entries.append(
                TimelineEntry(
                    "Root cause analysis of the admission recorded",
                    rca.recorded_at,
                    rca.recorded_by.display_name,
                    f"Why there was no community C(E)TR: {rca.why_no_community_review} "
                    f"On the Dynamic Support Register before admission: "
                    f"{rca.get_on_register_display().lower()}.",
                )
            )
    return entries


def community_review_held_before(person, admitted: date):
    """The community C(E)TR held before the admission on `admitted` (on or before that day, and
    since the person last left hospital), or None: with one, no post-admission review is
    planned (domain.md §2)."""
    left_hospital = (
        person.setting_history.filter(
            kind=SettingChange.Kind.DISCHARGE, effective_date__lt=admitted
        )
        .order_by("-effective_date")
        .values_list("effective_date", flat=True)
        .first()
    )
    held = person.reviews.filter(
        kind=ReviewKind.COMMUNITY, held_on__isnull=False, held_on__lte=admitted
    )
    if left_hospital:
        held = held.filter(held_on__gte=left_hospital)
    return held.order_by("-held_on", "-pk").first()


def no_post_admission_reason(person) -> str:
    """Why someone in hospital has no post-admission review planned, when the policy says
    none is needed (a community C(E)TR was held before the admission); else ""."""
    if not person.in_hospital or not person.admission_date:
        return ""
    if person.reviews.filter(
        state__in=OPEN_STATES, kind__in=(ReviewKind.POST_ADMISSION, ReviewKind.INPATIENT_REPEAT)
    ).exists():
        return ""
    held = community_review_held_before(person, person.admission_date)
    if held is None:
        return ""
    return (
        f"No post-admission review is planned: a community {held.type_label} was held on "
        f"{nhs_date(held.held_on)}, before the admission on {nhs_date(person.admission_date)}. "
        "The next review is the repeat review, counted from that one."
    )


def admission_awaiting_root_cause(person):
    """The person's latest admission that needs a root cause analysis and has none, or None."""
    return (
        person.setting_history.filter(needs_root_cause=True, root_cause__isnull=True)
        .order_by("-effective_date", "-pk")
        .first()
    )


def diagnosis_removal_status(person) -> str:
    """What the removal of the diagnosis means for the register, or "" if none was removed."""
    removed_on = person.diagnosis_removed_on
    if not removed_on:
        return ""
    held = (
        person.reviews.filter(
            kind=ReviewKind.EVENT_TRIGGERED,
            event_reason=ReviewEventReason.DIAGNOSIS_REMOVED,
            held_on__gte=removed_on,
        )
        .order_by("held_on")
        .first()
    )
    said = f"Learning disability or autism diagnosis removed on {nhs_date(removed_on)}"
    if held is None:
        return f"{said}. They stay on the register until the review this triggered is held."
    return f"{said}. The review it triggered was held on {nhs_date(held.held_on)}."


def reviews_for_person(user, person) -> list:
    """The person's reviews the user may see, latest due first."""
    reviews = list(reviews_for_user(user).filter(person=person).order_by("-due_date", "-pk"))
    for review in reviews:
        review.person = person  # the type (CTR or C(E)TR) reads the person's age
    return reviews


def open_review_for_person(user, person):
    """The open review the person's next due date belongs to, or None."""
    return (
        reviews_for_user(user)
        .filter(person=person, state__in=OPEN_STATES)
        .order_by("due_date", "pk")
        .first()
    )


def open_community_review_for_person(user, person):
    """The person's open community review, which an admission closes or converts, or None."""
    return (
        reviews_for_user(user)
        .filter(person=person, state__in=OPEN_STATES, kind=ReviewKind.COMMUNITY)
        .order_by("due_date", "pk")
        .first()
    )


def next_due_dates(user, people) -> dict:
    """{person id: the earliest due date of their open reviews}, for one page of people in one
    query."""
    rows = (
        reviews_for_user(user)
        .filter(person__in=[p.pk for p in people], state__in=OPEN_STATES)
        .order_by()
        .values("person")
        .annotate(due=Min("due_date"))
    )
    return {row["person"]: row["due"] for row in rows}


def restrictive_practices_for_person(person, *, after: date | None = None, until=None) -> list:
    """Restraint, seclusion and segregation recorded for the person, latest first (one query):
    all of it, or what reached past `after` (exclusive) and began by `until` (inclusive).
    Callers have been allowed to see the person."""
    qs = RestrictivePractice.objects.filter(person=person)
    if after is not None:
        qs = qs.filter(Q(occurred_on__gt=after) | Q(ended_on__gt=after))
    if until is not None:
        qs = qs.filter(occurred_on__lte=until)
    return list(qs.order_by("-occurred_on", "-pk"))
