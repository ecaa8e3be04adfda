"""Reads of people and reviews, scoped to the user. Views use these and nothing else.

Each list makes a fixed number of queries whatever its length (tested), and each detail query
loads what the rules need (participants, the latest consent) so that permission checks on the
page cost nothing more.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThan
from django.utils import timezone

from ctr_portal.formatting import nhs_date
from ctr_portal.models import Organisation
from ctr_portal.permissions import Perm
from ctr_portal.queries import (
    memberships_for_user,
    organisation_ids_for_user,
    organisations_of_kinds,
)
from ctr_portal.signals import collect

from . import policy
from .models import (
    FAMILY_ROLES,
    NOT_HELD_STATES,
    OPEN_STATES,
    SECURE_SETTINGS,
    ConsentInvitee,
    ConsentRecord,
    DsrRating,
    Participant,
    ParticipantRole,
    Person,
    Review,
    ReviewEventReason,
    ReviewKind,
    ReviewState,
    Setting,
    SettingChange,
)
from .nhs_number import normalise_nhs_number
from .policy import NOT_READY_WARNING_DAYS
from .rules import REVIEW_PARTIES, commissioning_org_ids, details_open_to, party_org_ids
from .signals import person_timeline_entries

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
    diagnosis and every review with its outcome: five queries whatever the person's history."""
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

    entries += collect(person_timeline_entries, person=person)

    def sort_key(entry):
        t = entry.time
        return t if isinstance(t, date) and not hasattr(t, "hour") else timezone.localdate(t)

    return sorted(entries, key=sort_key, reverse=True)


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


# --- Reviews ------------------------------------------------------------------------------


def reviews_for_user(user):
    """Reviews the user has a part in: their organisation commissions it, provides the person's
    care, is the person's local authority, or they take part in it."""
    if not user.is_authenticated:
        return Review.objects.none()
    # Each condition is asked only for the kinds of organisation the user belongs to, and the
    # reviews the user takes part in are a list of ids read once per request, not a subquery:
    # `pk IN (subquery) OR commissioner_id IN (...)` cannot use an index (the database reads
    # every review), while `pk IN (ids) OR ...` combines index scans (issue 13, bench/RESULTS.md).
    # The parties are the rules' own table.
    scope = Q(pk__in=participant_review_ids(user))
    for party, _kinds, path in REVIEW_PARTIES:
        org_ids = party_org_ids(user, party)
        if org_ids:
            scope |= Q(**{f"{path}__in": org_ids})
    return Review.objects.filter(scope)


def participant_review_ids(user) -> list[int]:
    """The reviews the user takes part in, read once per request (kept on the user object,
    which lives for one request, as memberships_for_user does)."""
    if not hasattr(user, "_ctr_participant_review_ids"):
        user._ctr_participant_review_ids = sorted(
            set(Participant.objects.filter(user=user).values_list("review_id", flat=True))
        )
    return user._ctr_participant_review_ids


def review_for_user(user, pk):
    """One review with everything its page and its rules need, or None if the user has no part.

    The latest consent record is read here, on every request, so a withdrawal takes effect at
    the next page load.
    """
    if not user.is_authenticated:
        return None
    # The review by its key, then the scope asked of the row in Python: the same conditions as
    # reviews_for_user, without making the database plan them across seven joined tables.
    review = (
        Review.objects.select_related(
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
    if review is not None and not _in_scope(user, review):
        return None
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


def _in_scope(user, review) -> bool:
    """Whether reviews_for_user(user) holds this review (loaded with its person and
    participants)."""
    if any(p.user_id == user.pk for p in review.participants.all()):
        return True
    for party, _kinds, path in REVIEW_PARTIES:
        value = review
        for attr in path.split("__"):
            value = getattr(value, attr)
        if value is not None and value in party_org_ids(user, party):
            return True
    return False


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


def review_list_ids(user, filters: ReviewFilter):
    """The review list's ids in order: page these, then load the page's rows
    (`reviews_in_order`), so the database sorts ids rather than joined rows."""
    return review_list(user, filters).select_related(None).values_list("pk", flat=True)


def reviews_in_order(ids) -> list:
    """The reviews with these ids, with their person and commissioner, in the ids' order."""
    ids = list(ids)
    found = Review.objects.select_related("person", "commissioner").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


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
    missed: list = field(default_factory=list)
    rerate: list = field(default_factory=list)
    missing_rca: list = field(default_factory=list)


def _review_lists(today, now) -> tuple[Q, Q, Q]:
    """Upcoming (dated, or due, in the next 8 weeks), overdue, and not ready two weeks ahead."""
    soon = now + timedelta(weeks=8)
    is_upcoming = Q(state__in=NOT_HELD_STATES) & (
        Q(starts_at__gte=now, starts_at__lt=soon)
        | Q(starts_at__isnull=True, due_date__gte=today, due_date__lt=timezone.localdate(soon))
    )
    is_overdue = Q(state__in=NOT_HELD_STATES, due_date__lt=today)
    is_not_ready = Q(
        state__in=[ReviewState.PLANNED, ReviewState.SCHEDULED, ReviewState.PREPARING],
        starts_at__gte=now,
        starts_at__lt=now + timedelta(days=NOT_READY_WARNING_DAYS),
    )
    return is_upcoming, is_overdue, is_not_ready


def commissioner_dashboard(user, filters: ReviewFilter, *, today=None, limit=10):
    """The commissioner's lists and their counts: upcoming (dated or due in the next 8 weeks),
    overdue (due date passed, not held, and people in hospital whose last review is older than
    their interval with no review planned), not ready two weeks before the day, people rated red
    or amber in the community with no open review, ratings to look at again and root cause
    analyses to record. A fixed number of queries whatever the numbers."""
    today = today or timezone.localdate()
    base = commissioner_reviews(user, filters)
    is_upcoming, is_overdue, is_not_ready = _review_lists(today, timezone.now())
    people = Person.objects.filter(responsible_commissioner_id__in=commissioning_org_ids(user))
    if filters.organisation:
        people = people.filter(responsible_commissioner_id=filters.organisation)
    open_review = Review.objects.filter(person=OuterRef("pk"), state__in=NOT_HELD_STATES)
    is_community_due = Q(
        setting=Setting.COMMUNITY, dsr_rating__in=[DsrRating.RED, DsrRating.AMBER]
    ) & ~Q(Exists(open_review))
    needs_rerating = ~Q(dsr_rerate_reason="")
    lists = {
        "upcoming": base.filter(is_upcoming).order_by(
            F("starts_at").asc(nulls_last=True), "due_date", "pk"
        ),
        "overdue": base.filter(is_overdue).order_by("due_date", "pk"),
        "not_ready": base.filter(is_not_ready).order_by("starts_at", "pk"),
        "community_due": people.filter(is_community_due).order_by(
            "dsr_rating", "family_name", "pk"
        ),
        "missed": inpatients_past_interval(people, today),
        "rerate": people.filter(needs_rerating).order_by("family_name", "given_name", "pk"),
        "missing_rca": SettingChange.objects.filter(
            person__in=people, needs_root_cause=True, root_cause__isnull=True
        )
        .select_related("person")
        .order_by("effective_date", "pk"),
    }
    # The counts in two queries, not one per list.
    counts = base.aggregate(
        upcoming=Count("pk", filter=is_upcoming),
        overdue=Count("pk", filter=is_overdue),
        not_ready=Count("pk", filter=is_not_ready),
    )
    rca_missing = Q(
        setting_history__needs_root_cause=True, setting_history__root_cause__isnull=True
    )
    counts.update(
        people.aggregate(
            community_due=Count("pk", distinct=True, filter=is_community_due),
            rerate=Count("pk", distinct=True, filter=needs_rerating),
            missing_rca=Count("setting_history", distinct=True, filter=rca_missing),
            missed=Count("pk", distinct=True, filter=past_interval(today)),
        )
    )
    rows = {name: list(qs[:limit]) for name, qs in lists.items()}
    counts["overdue"] += counts["missed"]
    return CommissionerDashboard(**rows, counts=counts)


def inpatients_past_interval(people, today: date):
    """People in hospital whose last review held is older than their interval (the Assuring
    Transformation "last review" measure), or with none held and past the post-admission
    timescale, who have no inpatient review planned and no overdue review on the list: so
    nobody in hospital falls off the overdue count for want of a review row."""
    last_held = Review.objects.filter(person=OuterRef("pk"), held_on__isnull=False)
    return (
        people.filter(past_interval(today))
        .annotate(last_review_held=Subquery(last_held.order_by("-held_on").values("held_on")[:1]))
        .order_by("family_name", "given_name", "pk")
    )


def past_interval(today: date) -> Q:
    """The condition on a person that `inpatients_past_interval` asks, as EXISTS clauses only,
    so that the dashboard can count it in the same query as its other counts.

    It is `policy.due_date_for` asked of everyone at once: overdue when the due date is before
    today. Each cut-off comes from the rule's own `due_from`, and child or adult is decided as
    there: a repeat review by the age on the day the child's rule makes it due (it stays due
    then after they turn 18), a post-admission review by the age on admission."""
    table = policy.rules()
    held = Review.objects.filter(person=OuterRef("pk"), held_on__isnull=False)

    def cutoff(code):
        return table[code].overdue_if_started_before(today)

    def held_since(code):
        return Q(Exists(held.filter(held_on__gte=cutoff(code))))

    secure = Q(setting__in=SECURE_SETTINGS)
    child_rule = _repeat_child_rule_applies(
        table["repeat_child"], min(cutoff(c) for c in REPEAT_RULES), held
    )
    held_late = Q(Exists(held)) & (
        (child_rule & ~held_since("repeat_child"))
        | (~child_rule & secure & ~held_since("repeat_adult_secure"))
        | (~child_rule & ~secure & ~held_since("repeat_adult_non_secure"))
    )
    admitted_child = Q(LessThan(_date_key(F("admission_date")), _adult_from(F("date_of_birth"))))
    none_held = ~Q(Exists(held)) & (
        (admitted_child & Q(admission_date__lt=cutoff("post_admission_child")))
        | (~admitted_child & Q(admission_date__lt=cutoff("post_admission_adult")))
    )
    planned = Review.objects.filter(person=OuterRef("pk"), state__in=NOT_HELD_STATES)
    return (
        ~Q(setting=Setting.COMMUNITY)
        & (held_late | none_held)
        & ~Q(Exists(planned.filter(kind__in=HOSPITAL_CLOCK_KINDS)))
        & ~Q(Exists(planned.filter(due_date__lt=today)))
    )


REPEAT_RULES = ("repeat_child", "repeat_adult_secure", "repeat_adult_non_secure")


def _repeat_child_rule_applies(rule, earliest_cutoff: date, held) -> Q:
    """The child's repeat rule applies when the last review held plus its interval falls before
    the 18th birthday: when no review held makes it due on or after that day.

    Someone whose 18th birthday is no later than the child's due date from the earliest cut-off
    is overdue under every rule if the child's rule applies to them (their last review is older
    than every cut-off), so the adult rule decides them just as well: the EXISTS is asked only
    of those younger, not of everyone."""
    if rule.days or rule.working_days:
        raise ValueError("The child's repeat rule must count in months: the query adds months.")
    latest = rule.due_from(earliest_cutoff)
    young = Q(date_of_birth__gt=policy.add_months(latest, -12 * policy.ADULT_AGE))
    due_when_adult = held.filter(
        GreaterThanOrEqual(
            _date_key(F("held_on"), months=rule.months), _adult_from(OuterRef("date_of_birth"))
        )
    )
    return young & ~Q(Exists(due_when_adult))


def _date_key(day, months=0):
    """A date as one number, ordered as the dates are: (months since year 0 + `months`) × 32 +
    the day. With `months` it is the key of the date that many months later (`add_months`) as
    far as comparing it with a real date's key goes: a day past a shorter month's end compares
    as the month's last day does."""
    month_count = ExtractYear(day) * 12 + ExtractMonth(day) + (months - 1)
    return month_count * 32 + ExtractDay(day)


def _adult_from(date_of_birth):
    """The key of the 18th birthday (29 February's: 1 March, as `Person.eighteenth_birthday`)."""
    years = policy.ADULT_AGE
    leap_day = Exact(ExtractMonth(date_of_birth) * 32 + ExtractDay(date_of_birth), 2 * 32 + 29)
    march_first = ((ExtractYear(date_of_birth) + years) * 12 + 2) * 32 + 1
    return Case(
        When(leap_day, then=march_first),
        default=_date_key(date_of_birth, months=12 * years),
        output_field=IntegerField(),
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
    if "participants" in getattr(review, "_prefetched_objects_cache", {}):
        return list(review.participants.all())  # loaded for many reviews by notice_contacts
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


def family_contacts(review) -> list[tuple[int | None, str, str]]:
    """(user id, name, email) of the person and the family carers and advocates who may hear
    how the review's recommendations are going: whoever the latest consent lets see the review
    (`details_open_to`, asked now, so withdrawn consent takes effect at once)."""
    return [
        (p.user_id, p.name, p.user.email if p.user else p.email)
        for p in participants_for_review(review)
        if p.role in (ParticipantRole.PERSON, *FAMILY_ROLES)
        and (p.user.email if p.user else p.email)
        and details_open_to(p, review)
    ]


def notice_contacts(
    review_ids, *, family: bool = True
) -> dict[int, dict[str, list[tuple[int | None, str, str]]]]:
    """Who hears about many reviews at once, in at most four queries: {review id:
    {"commissioner": commissioner_contacts, "family": family_contacts}}. Without `family`, only
    the commissioner's side is loaded (the weekly digest)."""
    roles = [ParticipantRole.COMMISSIONER]
    if family:
        roles += [ParticipantRole.PERSON, *FAMILY_ROLES]
    reviews = list(Review.objects.filter(pk__in=list(review_ids)).select_related("created_by"))
    participants = Participant.objects.filter(role__in=roles).select_related("user")
    prefetch_related_objects(reviews, Prefetch("participants", queryset=participants))
    if family:
        prefetch_related_objects(reviews, "consents__invitees")
    contacts = {}
    for review in reviews:
        if family:
            review.latest_consent = next(iter(review.consents.all()), None)
        contacts[review.pk] = {
            "commissioner": commissioner_contacts(review),
            "family": family_contacts(review) if family else [],
        }
    return contacts


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


def reviews_held_between(states, first, last):
    """Reviews in `states` held on a day from `first` to `last` (either may be None: open),
    with their participants and whoever planned them (for reminders and deadlines)."""
    qs = Review.objects.filter(state__in=states, held_on__isnull=False)
    if first is not None:
        qs = qs.filter(held_on__gte=first)
    if last is not None:
        qs = qs.filter(held_on__lte=last)
    return qs.select_related("person", "commissioner", "created_by").prefetch_related(
        Prefetch("participants", queryset=Participant.objects.select_related("user"))
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


# --- For metrics ---------------------------------------------------------------------------
# Each returns the rows a measure counts, annotated with `period_day` (the date that puts the
# row in a period) and `met` (whether it counts towards the numerator); metrics/measures.py
# takes the figure and the drill-down from the same queryset (ADR 0014). Callers have checked
# that the user may see `org_ids`.

POST_ADMISSION_RULES = ("post_admission_adult", "post_admission_child")


def reviews_due_for_metrics(org_ids, *, start: date, end: date, today: date, rules=None):
    """Reviews of `org_ids` (not cancelled) due from `start` to `end` whose outcome is known:
    held, or due before `today`. `met`: held on or before the due date."""
    from django.db.models import BooleanField, ExpressionWrapper

    qs = (
        Review.objects.filter(commissioner_id__in=org_ids, due_date__gte=start, due_date__lte=end)
        .exclude(state=ReviewState.CANCELLED)
        .filter(Q(held_on__isnull=False) | Q(due_date__lt=today))
    )
    if rules is not None:
        qs = qs.filter(due_rule__in=rules)
    return qs.annotate(
        period_day=F("due_date"),
        met=ExpressionWrapper(
            Q(held_on__isnull=False, held_on__lte=F("due_date")), output_field=BooleanField()
        ),
    ).select_related("person")


def reviews_held_for_metrics(org_ids, *, start: date, end: date):
    """Reviews of `org_ids` (not cancelled) held from `start` to `end`; `period_day` is the day
    held. Other apps annotate `met` on these."""
    return (
        Review.objects.filter(commissioner_id__in=org_ids, held_on__gte=start, held_on__lte=end)
        .exclude(state=ReviewState.CANCELLED)
        .annotate(period_day=F("held_on"))
        .select_related("person")
    )


def reviews_with_family_for_metrics(org_ids, *, start: date, end: date):
    """`reviews_held_for_metrics`; `met`: a family carer or advocate took part."""
    family = Participant.objects.filter(review=OuterRef("pk"), role__in=FAMILY_ROLES)
    return reviews_held_for_metrics(org_ids, start=start, end=end).annotate(met=Exists(family))
