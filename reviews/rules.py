"""Who may do what with people and reviews. Predicates take (user, obj).

The consent gate lives here: a panel member or family member sees anything about the person
beyond their name and the date only when the latest consent record allows it, asked at every
request (query functions load the latest record with the review).
"""

import rules

from ctr_portal.models import Organisation
from ctr_portal.permissions import Perm
from ctr_portal.queries import memberships_for_user
from ctr_portal.rules import is_public_account

from .models import FAMILY_ROLES, PANEL_ROLES, ParticipantRole

# Who is party to a review through their organisation, written once: the rules below and the
# scoped query `reviews.queries.reviews_for_user` both read this table. Each row is (the kinds of
# organisation, the review's field naming the organisation, as a lookup path).
REVIEW_PARTIES = (
    ("commissioner", Organisation.COMMISSIONING_KINDS, "commissioner_id"),
    ("provider", (Organisation.Kind.PROVIDER,), "provider_id"),
    ("provider", (Organisation.Kind.PROVIDER,), "person__provider_id"),
    ("local_authority", (Organisation.Kind.LOCAL_AUTHORITY,), "person__local_authority_id"),
)


def party_org_ids(user, party: str) -> set[int]:
    """The user's organisations of the kinds that make them this party to a review."""
    kinds = {k for name, kinds, _path in REVIEW_PARTIES if name == party for k in kinds}
    return {m.organisation_id for m in memberships_for_user(user) if m.organisation.kind in kinds}


def commissioning_org_ids(user) -> set[int]:
    """The user's commissioning organisations (ICBs, specialised commissioning)."""
    return party_org_ids(user, "commissioner")


def _is_party(user, review, party: str) -> bool:
    if review is None:
        return False
    org_ids = party_org_ids(user, party)
    for name, _kinds, path in REVIEW_PARTIES:
        if name != party:
            continue
        value = review
        for attr in path.split("__"):
            value = getattr(value, attr)
        if value in org_ids:
            return True
    return False


# What the latest consent opens, by purpose: the flag on the consent's invitee that lets a family
# carer or advocate have it, and whether the review's professional contacts (commissioner,
# provider, local authority) who take part have it once the gate is open.
CONSENT_PURPOSES = {
    "details": ("may_attend", False),
    "report": ("may_receive_report", True),
}


def open_by_consent(participant, review, purpose: str) -> bool:
    """The consent gate for one participant, with or without an account yet, for one purpose
    (CONSENT_PURPOSES): the person always; a panel member once independent and while the latest
    consent opens the gate; a family carer or advocate while the latest consent invites them for
    that purpose. The rules, the reports' rules and the emails an invitee gets all ask this."""
    invitee_flag, professionals = CONSENT_PURPOSES[purpose]
    if participant is None:
        return False
    if participant.role == ParticipantRole.PERSON:
        return True
    record = latest_consent(review)
    if record is None or not record.opens_gate:
        return False
    if participant.role in PANEL_ROLES:
        return participant.is_independent
    if participant.role in FAMILY_ROLES:
        return participant.contact_id is not None and any(
            i.contact_id == participant.contact_id and getattr(i, invitee_flag)
            for i in record.invitees.all()
        )
    return professionals


def details_open_to(participant, review) -> bool:
    """Whether the participant sees the person's details: `open_by_consent` for "details"."""
    return open_by_consent(participant, review, "details")


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
    return bool(commissioning_org_ids(user))


@rules.predicate
def is_person_commissioner(user, person):
    return person is not None and person.responsible_commissioner_id in commissioning_org_ids(user)


@rules.predicate
def is_transfer_current_commissioner(user, request):
    """The user's organisation holds the person's record the transfer request asks for."""
    return (
        request is not None
        and request.from_organisation_id in commissioning_org_ids(user)
        and request.person.responsible_commissioner_id == request.from_organisation_id
    )


@rules.predicate
def is_person_host_commissioner(user, person):
    return person is not None and person.host_commissioner_id in commissioning_org_ids(user)


@rules.predicate
def is_review_commissioner(user, review):
    return _is_party(user, review, "commissioner")


@rules.predicate
def is_review_provider(user, review):
    return _is_party(user, review, "provider")


@rules.predicate
def is_review_local_authority(user, review):
    return _is_party(user, review, "local_authority")


def participant_predicate(name, test=None):
    """A predicate of (user, review): the user takes part in the review, and `test(participant,
    review)`, if given, holds. Written once for every question asked of the participant."""

    def check(user, review):
        p = participant_for(user, review) if review is not None else None
        return p is not None and (test is None or test(p, review))

    return rules.predicate(check, name=name)


is_participant = participant_predicate("is_participant")
is_panel_member = participant_predicate("is_panel_member", lambda p, r: p.role in PANEL_ROLES)
is_review_chair = participant_predicate(
    "is_review_chair", lambda p, r: p.role == ParticipantRole.CHAIR
)
has_declared_independence = participant_predicate(
    "has_declared_independence", lambda p, r: p.is_independent
)
needs_to_declare_independence = participant_predicate(
    "needs_to_declare_independence", lambda p, r: p.needs_independence
)
is_the_person = participant_predicate(
    "is_the_person", lambda p, r: p.role == ParticipantRole.PERSON
)
# A family carer or advocate sees the review only while the latest consent invites them.
is_family_allowed_by_consent = participant_predicate(
    "is_family_allowed_by_consent", lambda p, r: p.role in FAMILY_ROLES and details_open_to(p, r)
)


@rules.predicate
def consent_gate_open(user, review):
    record = latest_consent(review) if review is not None else None
    return record is not None and record.opens_gate


def invitee_sees_details(participant, review) -> bool:
    """What an invitation email may say: as much as the invitee's review page will show."""
    user = participant.user
    return details_open_to(participant, review) or (
        user is not None and is_review_professional(user, review)
    )


@rules.predicate
def sees_details_as_participant(user, review):
    return review is not None and details_open_to(participant_for(user, review), review)


is_review_professional = is_review_commissioner | is_review_provider | is_review_local_authority
# What `reviews.queries.review_for_user` finds: a review the user has any part in.
has_part_in_review = is_review_professional | is_participant

rules.add_perm(Perm.ADD_PERSON, is_commissioner)
rules.add_perm(Perm.VIEW_PERSON, is_person_commissioner | is_person_host_commissioner)
rules.add_perm(Perm.CHANGE_PERSON, is_person_commissioner)
rules.add_perm(Perm.REQUEST_TRANSFER, is_commissioner)
rules.add_perm(Perm.DECIDE_TRANSFER, is_transfer_current_commissioner)
rules.add_perm(Perm.LIST_REVIEWS, rules.is_authenticated)
rules.add_perm(Perm.BROWSE_REVIEWS, rules.is_authenticated & ~is_public_account)
rules.add_perm(Perm.VIEW_COMMISSIONER_DASHBOARD, is_commissioner)

rules.add_perm(Perm.VIEW_REVIEW, has_part_in_review)
rules.add_perm(
    Perm.VIEW_REVIEW_DETAILS,
    is_review_professional | sees_details_as_participant,
)
rules.add_perm(Perm.MANAGE_REVIEW, is_review_commissioner)
rules.add_perm(Perm.VIEW_CONSENT, is_review_commissioner | is_the_person)
rules.add_perm(Perm.DECLARE_INDEPENDENCE, needs_to_declare_independence)
