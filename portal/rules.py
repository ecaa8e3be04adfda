"""Portal: who may use the portal, ask, answer and give or read feedback. Predicates take
(user, obj); the consent gate itself is reviews.rules'."""

import rules

from ctr_portal.permissions import Perm
from ctr_portal.rules import is_public_account
from reviews.models import FAMILY_ROLES, NOT_HELD_STATES, ParticipantRole, ReviewState
from reviews.rules import (
    commissioning_org_ids,
    is_commissioner,
    is_family_allowed_by_consent,
    is_panel_member,
    is_participant,
    is_review_commissioner,
    is_review_provider,
    is_the_person,
    participant_predicate,
    sees_details_as_participant,
)

PORTAL_ROLES = (ParticipantRole.PERSON, *FAMILY_ROLES)


# The person, or a family carer or advocate on the review, whatever the consent says: the
# portal page then shows only what the consent allows.
follows_in_portal = participant_predicate("follows_in_portal", lambda p, r: p.role in PORTAL_ROLES)


# An advocate speaks for the person; a family carer may too, while the consent invites them.
is_review_advocate = participant_predicate(
    "is_review_advocate", lambda p, r: p.role == ParticipantRole.ADVOCATE
)


is_public = is_public_account


@rules.predicate
def review_was_held(user, review):
    return (
        review is not None
        and review.state not in NOT_HELD_STATES
        and review.state != ReviewState.CANCELLED
    )


@rules.predicate
def answers_for_commissioner(user, request):
    return request is not None and request.commissioner_id in commissioning_org_ids(user)


rules.add_perm(Perm.USE_PORTAL, is_public)
rules.add_perm(Perm.VIEW_PORTAL_REVIEW, follows_in_portal)
rules.add_perm(Perm.VIEW_PORTAL_DETAILS, is_the_person | is_family_allowed_by_consent)
rules.add_perm(Perm.ASK_FOR_REVIEW, follows_in_portal)
rules.add_perm(Perm.SEND_FOR_PERSON, is_review_advocate | is_family_allowed_by_consent)
rules.add_perm(Perm.GIVE_FEEDBACK, review_was_held & (is_participant | is_review_provider))
rules.add_perm(Perm.VIEW_FEEDBACK, is_review_commissioner)
rules.add_perm(Perm.VIEW_FEEDBACK_SUMMARY, is_commissioner)
rules.add_perm(Perm.LIST_REQUESTS, is_commissioner)
rules.add_perm(Perm.ANSWER_REQUEST, answers_for_commissioner)

# The planner is the person's: they fill it in, or a family carer or advocate the consent lets
# in helps them, or the commissioner types in the paper planner that came back. The panel reads
# it before the day once the consent gate lets them see the person's details (asked afresh at
# every request).
fills_planner = is_the_person | is_family_allowed_by_consent | is_review_commissioner
rules.add_perm(Perm.FILL_PLANNER, fills_planner)
rules.add_perm(Perm.VIEW_PLANNER, fills_planner | (is_panel_member & sees_details_as_participant))
rules.add_perm(Perm.RECORD_BOOKLETS, is_review_commissioner)
