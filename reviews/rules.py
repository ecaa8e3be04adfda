"""Who may do what with people and reviews. Predicates take (user, obj).

The consent gate lives here: a panel member or family member sees anything about the person
beyond their name and the date only when the latest consent record allows it, asked at every
request (query functions load the latest record with the review).
"""

import rules

from ctr_portal.permissions import Perm
from ctr_portal.queries import memberships_for_user, organisation_ids_for_user

from .models import FAMILY_ROLES, PANEL_ROLES, ParticipantRole


def _commissioning_org_ids(user):
    return {m.organisation_id for m in memberships_for_user(user) if m.organisation.is_commissioner}


def participant_for(user, review):
    """The user's participation in the review, or None. Uses what `review_for_user` loaded."""
    if not user.is_authenticated:
        return None
    cache = getattr(review, "_participant_by_user", None)
    if cache is None:
        cache = {p.user_id: p for p in review.participants.all() if p.user_id}
        review._participant_by_user = cache
    return cache.get(user.pk)


def latest_consent(review):
    """The consent record that decides sharing now: set by `review_for_user` on every request."""
    if not hasattr(review, "latest_consent"):
        review.latest_consent = review.consents.order_by("-recorded_at", "-pk").first()
    return review.latest_consent


@rules.predicate
def is_commissioner(user):
    return bool(_commissioning_org_ids(user))


@rules.predicate
def is_person_commissioner(user, person):
    return person is not None and person.responsible_commissioner_id in _commissioning_org_ids(user)


@rules.predicate
def is_person_host_commissioner(user, person):
    return person is not None and person.host_commissioner_id in _commissioning_org_ids(user)


@rules.predicate
def is_review_commissioner(user, review):
    return review is not None and review.commissioner_id in _commissioning_org_ids(user)


@rules.predicate
def is_review_provider(user, review):
    org_ids = organisation_ids_for_user(user)
    return review is not None and (
        review.provider_id in org_ids or review.person.provider_id in org_ids
    )


@rules.predicate
def is_review_local_authority(user, review):
    return review is not None and review.person.local_authority_id in organisation_ids_for_user(
        user
    )


@rules.predicate
def is_participant(user, review):
    return review is not None and participant_for(user, review) is not None


@rules.predicate
def is_panel_member(user, review):
    p = participant_for(user, review) if review is not None else None
    return p is not None and p.role in PANEL_ROLES


@rules.predicate
def has_declared_independence(user, review):
    p = participant_for(user, review) if review is not None else None
    return p is not None and p.is_independent


@rules.predicate
def needs_to_declare_independence(user, review):
    p = participant_for(user, review) if review is not None else None
    return p is not None and p.needs_independence


@rules.predicate
def consent_gate_open(user, review):
    record = latest_consent(review) if review is not None else None
    return record is not None and record.opens_gate


@rules.predicate
def is_the_person(user, review):
    p = participant_for(user, review) if review is not None else None
    return p is not None and p.role == ParticipantRole.PERSON


@rules.predicate
def is_family_allowed_by_consent(user, review):
    """A family carer or advocate sees the review only while the latest consent invites them."""
    p = participant_for(user, review) if review is not None else None
    if p is None or p.role not in FAMILY_ROLES or p.contact_id is None:
        return False
    record = latest_consent(review)
    if record is None or not record.opens_gate:
        return False
    return any(i.contact_id == p.contact_id and i.may_attend for i in record.invitees.all())


is_review_professional = is_review_commissioner | is_review_provider | is_review_local_authority

rules.add_perm(Perm.ADD_PERSON, is_commissioner)
rules.add_perm(Perm.VIEW_PERSON, is_person_commissioner | is_person_host_commissioner)
rules.add_perm(Perm.CHANGE_PERSON, is_person_commissioner)
rules.add_perm(Perm.LIST_REVIEWS, rules.is_authenticated)
rules.add_perm(Perm.VIEW_COMMISSIONER_DASHBOARD, is_commissioner)

rules.add_perm(Perm.VIEW_REVIEW, is_review_professional | is_participant)
rules.add_perm(
    Perm.VIEW_REVIEW_DETAILS,
    is_review_professional
    | (is_panel_member & has_declared_independence & consent_gate_open)
    | is_the_person
    | is_family_allowed_by_consent,
)
rules.add_perm(Perm.MANAGE_REVIEW, is_review_commissioner)
rules.add_perm(Perm.VIEW_CONSENT, is_review_commissioner | is_the_person)
rules.add_perm(Perm.DECLARE_INDEPENDENCE, needs_to_declare_independence)
