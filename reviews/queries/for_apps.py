"""Reads of reviews for the portal, the apps built on reviews, oversight and national returns.
Callers have checked what the user (or the command) may see."""

from datetime import date

from django.db.models import (
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
)

from ..models import (
    FAMILY_ROLES,
    OPEN_STATES,
    DsrRating,
    Participant,
    Person,
    Review,
    ReviewState,
)

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
