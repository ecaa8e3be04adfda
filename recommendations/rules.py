"""Who may do what with recommendations. Review predicates take (user, review), the review from
`reviews.queries.review_for_user` (participants and the latest consent loaded); recommendation
predicates take (user, recommendation), loaded by `queries.recommendation_for_user`.

- The chair and the review's commissioners write and manage every recommendation of the review.
- The named owner (an account) accepts or disputes theirs (ticking "within my remit" themselves:
  nobody accepts on their behalf), posts progress and marks it done with evidence.
- The review's commissioners check a "done": confirm it or send it back; the chair or a
  commissioner may reopen a confirmed one.
- The ICS oversight panel's members read the recommendations escalated to their panel, and
  record the panel's decisions and actions on them and close the escalation.
- A commissioner sees the escalations of the reviews their organisations commission (the
  escalated list is scoped by `queries.escalated_to_user`); another ICB's answer 404.
- The person, and family carers while the latest consent invites them, read them, and the
  evidence files not marked "not for the person and family".
- Nobody else learns a recommendation exists (404).
"""

import rules

from ctr_portal.models import Organisation
from ctr_portal.permissions import Perm
from ctr_portal.queries import memberships_for_user
from reviews.rules import (
    is_commissioner,
    is_family_allowed_by_consent,
    is_review_chair,
    is_review_commissioner,
    is_the_person,
)


def oversight_panel_ids(user) -> set[int]:
    return {
        m.organisation_id
        for m in memberships_for_user(user)
        if m.organisation.kind == Organisation.Kind.OVERSIGHT_PANEL
    }


@rules.predicate
def is_oversight_member(user):
    return bool(oversight_panel_ids(user))


@rules.predicate
def is_professional(user):
    return user.is_authenticated and user.kind == user.Kind.PROFESSIONAL


# --- On the review -------------------------------------------------------------------------

is_review_manager = is_review_chair | is_review_commissioner
reads_as_family = is_the_person | is_family_allowed_by_consent


# --- On one recommendation -----------------------------------------------------------------


@rules.predicate
def is_owner(user, recommendation):
    return recommendation is not None and recommendation.owner_id == user.pk


@rules.predicate
def manages(user, recommendation):
    return recommendation is not None and is_review_manager(user, recommendation.review)


@rules.predicate
def commissions(user, recommendation):
    return recommendation is not None and is_review_commissioner(user, recommendation.review)


@rules.predicate
def escalated_to_my_panel(user, recommendation):
    return (
        recommendation is not None
        and recommendation.escalated_to_id is not None
        and recommendation.escalated_to_id in oversight_panel_ids(user)
    )


@rules.predicate
def family_reads(user, recommendation):
    return (
        recommendation is not None
        and recommendation.state != "draft"
        and reads_as_family(user, recommendation.review)
    )


def sees_evidence_withheld_from_family(user, recommendation) -> bool:
    """Whether the user sees evidence marked "not for the person and family": everyone who may
    see the recommendation except those who read it only as the person or family."""
    return bool(
        is_owner(user, recommendation)
        or manages(user, recommendation)
        or escalated_to_my_panel(user, recommendation)
    )


can_view = is_owner | manages | escalated_to_my_panel | family_reads

rules.add_perm(Perm.VIEW_REVIEW_RECOMMENDATIONS, is_review_manager | reads_as_family)
rules.add_perm(Perm.WRITE_RECOMMENDATIONS, is_review_manager)
rules.add_perm(Perm.RECORD_FOLLOW_UP, is_review_commissioner)
rules.add_perm(Perm.VIEW_RECOMMENDATION, can_view)
rules.add_perm(Perm.MANAGE_RECOMMENDATION, manages)
# Only the owner answers: the chair or commissioner can no longer accept on their behalf (issue 21).
rules.add_perm(Perm.RESPOND_TO_RECOMMENDATION, is_owner)
rules.add_perm(Perm.CHECK_RECOMMENDATION_DONE, commissions)
rules.add_perm(Perm.REOPEN_RECOMMENDATION, manages)
rules.add_perm(Perm.UPDATE_RECOMMENDATION, is_owner | manages)
rules.add_perm(Perm.ESCALATE_RECOMMENDATION, commissions)
rules.add_perm(Perm.VIEW_MY_ACTIONS, is_professional)
rules.add_perm(Perm.VIEW_TRACKER, is_commissioner)
rules.add_perm(Perm.VIEW_ESCALATED, is_oversight_member | is_commissioner)
rules.add_perm(Perm.ACT_ON_ESCALATION, escalated_to_my_panel)
