"""Reads of people and reviews, scoped to the user. Views use these and nothing else.

Each list makes a fixed number of queries whatever its length (tested), and each detail query
loads what the rules need (participants, the latest consent) so that permission checks on the
page cost nothing more.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from ctr_portal.models import Organisation
from ctr_portal.permissions import Perm
from ctr_portal.queries import (
    memberships_for_user,
    organisation_ids_for_user,
    organisations_of_kinds,
)
from ctr_portal.signals import collect

from .models import (
    NOT_HELD_STATES,
    OPEN_STATES,
    ConsentInvitee,
    ConsentRecord,
    DsrRating,
    Participant,
    ParticipantRole,
    Person,
    Review,
    ReviewState,
    Setting,
)
from .nhs_number import normalise_nhs_number
from .policy import NOT_READY_WARNING_DAYS
from .rules import REVIEW_PARTIES, party_org_ids
from .signals import person_timeline_entries


def commissioning_org_ids(user) -> set[int]:
    return {m.organisation_id for m in memberships_for_user(user) if m.organisation.is_commissioner}


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
            "provider",
            "local_authority",
            "created_by",
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
    """Ratings, admissions and moves, LAEP meetings and every review with its outcome: four
    queries whatever the person's history."""
    entries = [
        TimelineEntry(
            f"Dynamic Support Register: {c.get_rating_display()}",
            c.recorded_at,
            c.recorded_by.display_name,
            c.reason,
        )
        for c in person.dsr_history.select_related("recorded_by")
    ]
    entries += [
        TimelineEntry(
            c.get_kind_display(),
            c.effective_date,
            c.recorded_by.display_name,
            " – ".join(
                filter(
                    None,
                    [
                        c.get_setting_display(),
                        c.provider.name if c.provider else "",
                        c.ward,
                        c.note,
                    ],
                )
            ),
        )
        for c in person.setting_history.select_related("recorded_by", "provider")
    ]
    entries += [
        TimelineEntry(
            "Local Area Emergency Protocol meeting",
            m.held_on,
            m.recorded_by.display_name,
            m.outcome,
        )
        for m in person.laep_meetings.select_related("recorded_by")
    ]
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

    entries += collect(person_timeline_entries, person=person)

    def sort_key(entry):
        t = entry.time
        return t if isinstance(t, date) and not hasattr(t, "hour") else timezone.localdate(t)

    return sorted(entries, key=sort_key, reverse=True)


def last_held_review_date(person) -> date | None:
    held = (
        person.reviews.filter(held_on__isnull=False)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    return held


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


# --- Reviews ------------------------------------------------------------------------------


def reviews_for_user(user):
    """Reviews the user has a part in: their organisation commissions it, provides the person's
    care, is the person's local authority, or they take part in it."""
    if not user.is_authenticated:
        return Review.objects.none()
    # Each condition is asked only for the kinds of organisation the user belongs to, and the
    # participation is an IN over an index rather than a correlated EXISTS, so the database can
    # combine index scans instead of reading every review. The parties are the rules' own table.
    scope = Q(pk__in=Participant.objects.filter(user=user).values("review_id"))
    for party, _kinds, path in REVIEW_PARTIES:
        org_ids = party_org_ids(user, party)
        if org_ids:
            scope |= Q(**{f"{path}__in": org_ids})
    return Review.objects.filter(scope)


def review_for_user(user, pk):
    """One review with everything its page and its rules need, or None if the user has no part.

    The latest consent record is read here, on every request, so a withdrawal takes effect at
    the next page load.
    """
    review = (
        reviews_for_user(user)
        .select_related(
            "person",
            "person__provider",
            "person__responsible_commissioner",
            "person__local_authority",
            "commissioner",
            "provider",
        )
        .prefetch_related(
            Prefetch(
                "participants", queryset=Participant.objects.select_related("user", "contact")
            ),
        )
        .filter(pk=pk)
        .first()
    )
    if review is not None:
        review.latest_consent = (
            ConsentRecord.objects.filter(review=review)
            .prefetch_related(
                Prefetch("invitees", queryset=ConsentInvitee.objects.select_related("contact"))
            )
            .order_by("-recorded_at", "-pk")
            .first()
        )
    return review


def review_timeline(review):
    return review.events.select_related("actor")


def consent_history(review):
    return (
        review.consents.select_related("recorded_by")
        .prefetch_related(
            Prefetch("invitees", queryset=ConsentInvitee.objects.select_related("contact"))
        )
        .order_by("-recorded_at", "-pk")
    )


@dataclass
class ReviewFilter:
    organisation: int | None = None
    review_type: str = ""  # "ctr" or "cetr"
    kind: str = ""
    state: str = ""


def _apply_review_filter(qs, filters: ReviewFilter):
    if filters.organisation:
        qs = qs.filter(commissioner_id=filters.organisation)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.review_type in ("ctr", "cetr"):
        # Under 18 on the review date: born after the review day less 18 years.
        from django.db.models import F
        from django.db.models.functions import Coalesce, TruncDate

        qs = qs.annotate(review_day=Coalesce("held_on", TruncDate("starts_at"), "due_date"))
        adult_from = F("review_day")
        child = Q(person__date_of_birth__gt=_minus_18_years(adult_from))
        qs = qs.filter(child) if filters.review_type == "cetr" else qs.exclude(child)
    return qs


def _minus_18_years(expression):
    from django.db.models import DateField, ExpressionWrapper

    # 18 years before the review day. Leap days aside (a day's error at most on 29 February),
    # 6575 days is 18 years; the list filter needs no more precision than that.
    return ExpressionWrapper(expression - timedelta(days=6575), output_field=DateField())


def review_list(user, filters: ReviewFilter):
    """The review list: every review the user has a part in, soonest due first.

    A filter matches only the reviews the user is part of through their organisation (whose
    details they always see), so that filtering (by type, say) cannot reveal what a row the
    consent gate keeps back would hide.
    """
    qs = reviews_for_user(user).select_related("person", "commissioner")
    if filters != ReviewFilter():
        qs = qs.filter(_through_organisations(organisation_ids_for_user(user)))
    return _apply_review_filter(qs, filters).order_by("due_date", "pk")


def _through_organisations(org_ids) -> Q:
    return (
        Q(commissioner_id__in=org_ids)
        | Q(provider_id__in=org_ids)
        | Q(person__provider_id__in=org_ids)
        | Q(person__local_authority_id__in=org_ids)
    )


def with_consent_gate(user, reviews: list) -> list:
    """A page of reviews with what the consent gate reads loaded (three queries in all), each
    marked with whether the user may see its details (`can_see`)."""
    prefetch_related_objects(reviews, "participants", "consents__invitees")
    for review in reviews:
        review.latest_consent = next(iter(review.consents.all()), None)
        review.can_see = user.has_perm(Perm.VIEW_REVIEW_DETAILS, review)
    return reviews


# --- The commissioner's dashboard ----------------------------------------------------------


def commissioner_reviews(user, filters: ReviewFilter):
    org_ids = commissioning_org_ids(user)
    qs = Review.objects.filter(commissioner_id__in=org_ids).select_related("person", "commissioner")
    return _apply_review_filter(qs, filters)


@dataclass
class CommissionerDashboard:
    upcoming: list
    overdue: list
    not_ready: list
    community_due: list
    counts: dict


def commissioner_dashboard(user, filters: ReviewFilter, *, today=None, limit=10):
    """Four lists and their counts: upcoming (next 8 weeks), overdue (due date passed, not held),
    not ready two weeks before the day, and people rated red or amber in the community with no
    open review. Eight queries whatever the numbers."""
    today = today or timezone.localdate()
    now = timezone.now()
    base = commissioner_reviews(user, filters)
    upcoming = base.filter(
        state__in=NOT_HELD_STATES, starts_at__gte=now, starts_at__lt=now + timedelta(weeks=8)
    ).order_by("starts_at", "pk")
    overdue = base.filter(state__in=NOT_HELD_STATES, due_date__lt=today).order_by("due_date", "pk")
    not_ready = base.filter(
        state__in=[ReviewState.PLANNED, ReviewState.SCHEDULED, ReviewState.PREPARING],
        starts_at__gte=now,
        starts_at__lt=now + timedelta(days=NOT_READY_WARNING_DAYS),
    ).order_by("starts_at", "pk")
    open_review = Review.objects.filter(person=OuterRef("pk"), state__in=NOT_HELD_STATES)
    community_due = (
        Person.objects.filter(responsible_commissioner_id__in=commissioning_org_ids(user))
        .filter(setting=Setting.COMMUNITY, dsr_rating__in=[DsrRating.RED, DsrRating.AMBER])
        .exclude(Exists(open_review))
        .order_by("dsr_rating", "family_name", "pk")
    )
    if filters.organisation:
        community_due = community_due.filter(responsible_commissioner_id=filters.organisation)
    return CommissionerDashboard(
        upcoming=list(upcoming[:limit]),
        overdue=list(overdue[:limit]),
        not_ready=list(not_ready[:limit]),
        community_due=list(community_due[:limit]),
        counts={
            "upcoming": upcoming.count(),
            "overdue": overdue.count(),
            "not_ready": not_ready.count(),
            "community_due": community_due.count(),
        },
    )


def reviews_for_participant(user, limit=25):
    """Reviews the user takes part in, for their dashboard, with what the consent gate asks of
    each (participants, the latest consent) loaded in a fixed number of queries."""
    reviews = list(
        Review.objects.filter(participants__user=user)
        .exclude(state=ReviewState.CANCELLED)
        .select_related("person")
        .prefetch_related("participants")
        .order_by("due_date", "pk")[:limit]
    )
    latest = {}
    for record in (
        ConsentRecord.objects.filter(review__in=reviews)
        .prefetch_related("invitees")
        .order_by("review_id", "-recorded_at", "-pk")
    ):
        latest.setdefault(record.review_id, record)
    for review in reviews:
        review.latest_consent = latest.get(review.pk)
    return reviews


def reviews_for_partner_organisations(user, limit=25):
    """Open reviews of people a provider cares for, or a local authority supports."""
    org_ids = {
        m.organisation_id for m in memberships_for_user(user) if not m.organisation.is_commissioner
    }
    if not org_ids:
        return []
    return list(
        Review.objects.filter(
            Q(provider_id__in=org_ids)
            | Q(person__provider_id__in=org_ids)
            | Q(person__local_authority_id__in=org_ids)
        )
        .filter(state__in=NOT_HELD_STATES)
        .select_related("person")
        .order_by("due_date", "pk")[:limit]
    )


def commissioning_organisations(user):
    return [m.organisation for m in memberships_for_user(user) if m.organisation.is_commissioner]


def participants_for_review(review):
    return list(review.participants.select_related("user"))


def commissioner_contacts(review) -> list[tuple[int | None, str, str]]:
    """(user id, name, email) of who hears for the commissioner: the review's commissioner
    participants, or else whoever planned the review."""
    people = [
        (p.user_id, p.name, p.user.email if p.user else p.email)
        for p in participants_for_review(review)
        if p.role == ParticipantRole.COMMISSIONER and (p.user.email if p.user else p.email)
    ]
    if not people and review.created_by.email:
        creator = review.created_by
        people = [(creator.pk, creator.display_name, creator.email)]
    return people


def reviews_starting_between(states, after, before):
    """Reviews in `states` whose day falls in (after, before], with what their packs need."""
    return Review.objects.filter(
        state__in=states, starts_at__gt=after, starts_at__lte=before
    ).select_related(
        "person", "person__provider", "person__local_authority", "commissioner", "provider"
    )


def agenda_for_review(review):
    return list(review.agenda.all())


def contacts_for_person(person):
    return list(person.contacts.all())


# --- Organisations to choose from ----------------------------------------------------------


def hospital_choices():
    """Every provider, by name: the hospitals a person may be in."""
    return organisations_of_kinds([Organisation.Kind.PROVIDER])


def commissioner_choices():
    """Every commissioning organisation, by name: a person's host commissioner may be anyone's."""
    return organisations_of_kinds(Organisation.COMMISSIONING_KINDS)


def local_authority_choices():
    return organisations_of_kinds([Organisation.Kind.LOCAL_AUTHORITY])


# --- For the portal and the apps built on reviews ------------------------------------------


def next_review_for_person(person, *, after=None):
    """The person's next review still to be held (other than `after`), soonest due, or None.
    Callers have already been allowed to see the person's reviews."""
    reviews = person.reviews.filter(state__in=OPEN_STATES).order_by("due_date", "pk")
    if after is not None:
        reviews = reviews.exclude(pk=after.pk)
    return reviews.first()


def reviews_held_since(since):
    """Reviews held on or after `since` (not cancelled), with their participants and users."""
    return (
        Review.objects.filter(held_on__gte=since)
        .exclude(state=ReviewState.CANCELLED)
        .select_related("person")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("user"))
        )
        .order_by("held_on", "pk")
    )


# --- For oversight and national returns ----------------------------------------------------


def people_in_hospital_commissioned_by(org_ids):
    """People in hospital whose responsible commissioner is one of `org_ids`, with their
    organisations. Callers have checked that the user (or the command) may act for `org_ids`."""
    return (
        Person.objects.in_hospital()
        .filter(responsible_commissioner_id__in=org_ids)
        .select_related("responsible_commissioner", "host_commissioner", "provider")
    )


def people_in_hospital_for_return(org_ids, *, until: date):
    """`people_in_hospital_commissioned_by`, admitted on or before `until` (or with no admission
    date), each annotated with what the Assuring Transformation return reads from reviews:
    `on_register_before_admission` (rated red, amber or green before the admission date),
    `last_review_held` (on or before `until`), and the first post-admission review since the
    admission (`post_admission_due`, `post_admission_held`). One query."""
    from django.db.models import Max, Subquery
    from django.db.models.functions import TruncDate

    from .models import DsrRatingChange, ReviewKind

    before_admission = (
        DsrRatingChange.objects.filter(
            person=OuterRef("pk"),
            rating__in=[DsrRating.RED, DsrRating.AMBER, DsrRating.GREEN],
        )
        .annotate(day=TruncDate("recorded_at"))
        .filter(day__lt=OuterRef("admission_date"))
    )
    post_admission = (
        Review.objects.filter(
            person=OuterRef("pk"),
            kind=ReviewKind.POST_ADMISSION,
            due_date__gte=OuterRef("admission_date"),
        )
        .exclude(state=ReviewState.CANCELLED)
        .order_by("due_date", "pk")
    )
    held = Review.objects.filter(person=OuterRef("pk"), held_on__lte=until).exclude(
        state=ReviewState.CANCELLED
    )
    return (
        people_in_hospital_commissioned_by(org_ids)
        .filter(Q(admission_date__lte=until) | Q(admission_date__isnull=True))
        .annotate(
            on_register_before_admission=Exists(before_admission),
            last_review_held=Subquery(
                held.order_by().values("person").annotate(last=Max("held_on")).values("last")
            ),
            post_admission_due=Subquery(post_admission.values("due_date")[:1]),
            post_admission_held=Subquery(post_admission.values("held_on")[:1]),
        )
        .order_by("family_name", "given_name", "pk")
    )


def reviews_held_for_providers(org_ids, *, start: date, end: date):
    """Reviews (not cancelled) held from `start` to `end` inclusive at a provider among
    `org_ids`, with their people, by date. Callers have checked the user may act for `org_ids`."""
    return (
        Review.objects.filter(provider_id__in=org_ids, held_on__gte=start, held_on__lte=end)
        .exclude(state=ReviewState.CANCELLED)
        .select_related("person", "provider")
        .order_by("held_on", "pk")
    )
