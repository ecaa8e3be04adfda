"""Who may do what with workbooks, concerns and the consolidation. Predicates take (user, review):
the review comes from `reviews.queries.review_for_user`, which loads the participants and the
latest consent on every request, so the consent gate is asked afresh each time.

- A panel member (chair, clinical expert, expert by experience, other member) fills their own
  workbook once their independence declaration is in and while the consent gate is open.
- The chair sees every workbook of the review, reopens them and consolidates (gate open).
- The review's commissioners see the consolidated findings and the serious concerns.
- The provider completes the physical health and medication part of a hospital review.
- Families and the person see none of it: the report is what they get.
"""

import rules

from ctr_portal.permissions import Perm
from reviews.rules import (
    consent_gate_open,
    has_declared_independence,
    is_panel_member,
    is_review_chair,
    is_review_commissioner,
    is_review_provider,
)


@rules.predicate
def is_hospital_review(user, review):
    return review is not None and review.is_hospital_review


@rules.predicate
def has_open_concerns(user, review):
    """Asks the database once per review and request (cached on the review object)."""
    if review is None:
        return False
    if not hasattr(review, "_panels_open_concerns"):
        from .queries import open_concern_count

        review._panels_open_concerns = open_concern_count(review)
    return review._panels_open_concerns > 0


can_fill_workbook = is_panel_member & has_declared_independence & consent_gate_open
can_consolidate = is_review_chair & consent_gate_open
can_view_concerns = is_review_commissioner | can_consolidate

rules.add_perm(Perm.FILL_WORKBOOK, can_fill_workbook)
rules.add_perm(Perm.CONSOLIDATE, can_consolidate)
rules.add_perm(Perm.VIEW_FINDINGS, is_review_commissioner | can_consolidate)
rules.add_perm(Perm.VIEW_CONCERNS, can_view_concerns)
rules.add_perm(Perm.SEE_OPEN_CONCERNS, can_view_concerns & has_open_concerns)
rules.add_perm(Perm.RESOLVE_CONCERN, can_consolidate)
rules.add_perm(Perm.COMPLETE_PROVIDER_PART, is_review_provider & is_hospital_review)
