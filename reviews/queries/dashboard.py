"""The commissioner's dashboard and the lists on other people's dashboards."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import Exact, GreaterThanOrEqual, LessThan
from django.utils import timezone

from ctr_portal.queries import (
    memberships_for_user,
)

from .. import policy
from ..models import (
    NOT_HELD_STATES,
    SECURE_SETTINGS,
    ConsentRecord,
    DsrRating,
    Person,
    Review,
    ReviewState,
    Setting,
    SettingChange,
    TransferRequest,
    overdue_q,
)
from ..policy import NOT_READY_WARNING_DAYS
from ..rules import commissioning_org_ids
from .people import HOSPITAL_CLOCK_KINDS
from .reviews import ReviewFilter, _apply_review_filter

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
    is_overdue = overdue_q(today)
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
    # Another commissioner asks for the record of someone this one holds (the card lists them).
    pending_transfer = TransferRequest.objects.filter(
        person=OuterRef("pk"),
        state=TransferRequest.State.PENDING,
        from_organisation_id=OuterRef("responsible_commissioner_id"),
    )
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
            transfers=Count("pk", distinct=True, filter=Q(Exists(pending_transfer))),
        )
    )
    # A list whose count is nought is not asked for.
    rows = {name: list(qs[:limit]) if counts[name] else [] for name, qs in lists.items()}
    # The overdue reviews are the service measure's (`Review.objects.overdue`); the card's
    # overdue count adds the people in hospital with no review in time.
    counts["overdue_reviews"] = counts["overdue"]
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
