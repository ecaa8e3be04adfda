"""Who takes part in a review and who hears about it: participants, contacts, the agenda."""

from dataclasses import dataclass

from django.db.models import (
    Prefetch,
    prefetch_related_objects,
)

from ctr_portal.queries import (
    memberships_for_user,
)

from ..models import (
    ENDED_STATES,
    FAMILY_ROLES,
    Participant,
    ParticipantRole,
    Review,
)
from ..rules import details_open_to

# --- Participants and who hears ------------------------------------------------------------


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


@dataclass(frozen=True)
class ReviewContact:
    """Who the person and family contact about one review: its case manager."""

    review_id: int
    current: bool  # the review is not yet closed or cancelled
    name: str
    organisation: str
    phone: str
    email: str


def review_contacts_for(user, *, roles) -> list[ReviewContact]:
    """For each review `user` takes part in under one of `roles`, newest first, who to contact
    about it: its case manager (the review's commissioner participant, the first by name), or
    else whoever planned it, at the commissioning organisation's number for people and families.
    Two queries, however many reviews."""
    reviews = (
        Review.objects.filter(participants__user=user, participants__role__in=roles)
        .select_related("commissioner", "created_by")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.filter(role=ParticipantRole.COMMISSIONER)
                .select_related("user")
                .order_by("name", "pk"),
                to_attr="case_managers",
            )
        )
        .order_by("-due_date", "-pk")
        .distinct()
    )
    contacts = []
    for review in reviews:
        manager = review.case_managers[0] if review.case_managers else None
        if manager is not None:
            name, email = manager.name, (manager.user.email if manager.user else manager.email)
        else:
            name, email = review.created_by.display_name, review.created_by.email
        contacts.append(
            ReviewContact(
                review_id=review.pk,
                current=review.state not in ENDED_STATES,
                name=name,
                organisation=review.commissioner.name,
                phone=review.commissioner.contact_phone,
                email=email,
            )
        )
    return contacts


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


def reading_formats_of(review_ids) -> dict[tuple[int, str], str]:
    """How the person and each family member of these reviews read (ctr_portal ReadingFormat),
    by (review id, email address in lower case): their account's choice, or for the person
    without an account, their record's (as `participant_reach` has it). One query."""
    participants = Participant.objects.filter(
        review_id__in=list(review_ids), role__in=[ParticipantRole.PERSON, *FAMILY_ROLES]
    ).select_related("user", "review__person")
    found = {}
    for p in participants:
        email = (p.user.email if p.user_id else p.email or "").lower()
        if not email:
            continue
        if p.user_id:
            found[(p.review_id, email)] = p.user.reading_format
        elif p.role == ParticipantRole.PERSON:
            found[(p.review_id, email)] = p.review.person.reading_format
    return found


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
