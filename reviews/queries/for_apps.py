"""Reads of reviews for the portal, the apps built on reviews, oversight and national returns.
Callers have checked what the user (or the command) may see."""

from datetime import date

from django.db.models import (
    DateField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import (
    OPEN_STATES,
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


def _held_before(person_id, review_pk, before):
    return (
        Review.objects.filter(person_id=person_id, held_on__lt=before)
        .exclude(pk=review_pk)
        .exclude(state=ReviewState.CANCELLED)
        .order_by("-held_on", "-pk")
    )


def previous_held_review(review):
    """The person's latest review held before `review` was (or before today, until it is),
    not cancelled, or None. Callers have been allowed to see `review`, and with it the person's
    earlier reviews."""
    before = review.held_on or timezone.localdate()
    return _held_before(review.person_id, review.pk, before).first()


def previous_held_annotations() -> dict:
    """`previous_held_review`'s key, date and kind as annotations for `review_for_user`
    (`previous_held_pk`, `previous_held_on`, `previous_held_kind`; None for a first review),
    so that a page reads them in the review's own query."""
    before = Coalesce(OuterRef("held_on"), Value(timezone.localdate(), output_field=DateField()))
    earlier = _held_before(OuterRef("person_id"), OuterRef("pk"), before)
    return {
        f"previous_held_{name}": Subquery(earlier.values(field)[:1])
        for name, field in (("pk", "pk"), ("on", "held_on"), ("kind", "kind"))
    }


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


def reviews_held_for_providers(org_ids, *, start: date, end: date):
    """Reviews (not cancelled) held from `start` to `end` inclusive at a provider among
    `org_ids`, with their people, by date. Callers have checked the user may act for `org_ids`."""
    return (
        Review.objects.filter(provider_id__in=org_ids, held_on__gte=start, held_on__lte=end)
        .exclude(state=ReviewState.CANCELLED)
        .select_related("person", "provider")
        .order_by("held_on", "pk")
    )
