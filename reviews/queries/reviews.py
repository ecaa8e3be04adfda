"""Reads of reviews, scoped to the user: lists (filtered), one review, its timeline and
consents. Each list makes a fixed number of queries whatever its length (tested)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Prefetch,
    Q,
    prefetch_related_objects,
)

from ctr_portal.permissions import Perm
from ctr_portal.queries import (
    organisation_ids_for_user,
)

from ..models import (
    ConsentInvitee,
    ConsentRecord,
    Participant,
    Review,
)
from ..rules import REVIEW_PARTIES, party_org_ids

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


def review_for_user(user, pk, *, with_related: tuple = (), with_annotations: dict | None = None):
    """One review with everything its page and its rules need, or None if the user has no part.

    The latest consent record is read here, on every request, so a withdrawal takes effect at
    the next page load. An app's page may ask for its own one-to-one rows in the same query
    (`with_related`, names for select_related), and values computed beside the row
    (`with_annotations`, e.g. `previous_held_annotations()`).
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
            *with_related,
        )
        .prefetch_related(
            Prefetch(
                "participants", queryset=Participant.objects.select_related("user", "contact")
            ),
        )
        .annotate(**(with_annotations or {}))
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
