"""Who may do what with the report. Predicates take (user, review), the review found through
`reviews.queries.review_for_user`, which reads the participants and the latest consent on every
request: a withdrawal of consent takes effect at the next page load.

- The chair writes the narrative, resolves comments, asks for PDFs and issues (gate open).
- Panel members (independence declared, gate open) read the draft and comment on it.
- The review's commissioner reads the draft and every issued version.
- An issued report goes to those entitled (domain.md §10): the review's professionals
  (commissioner, provider, local authority), the panel, the person, and each family carer or
  advocate whom the latest consent lets receive the report. `report_open_to` answers this for a
  participant, with or without an account: the page, the portal and the notices all ask it.
"""

import rules

from ctr_portal.permissions import Perm
from reviews.rules import (
    consent_gate_open,
    has_declared_independence,
    is_panel_member,
    is_review_chair,
    is_review_commissioner,
    is_review_professional,
    open_by_consent,
    participant_for,
)


def report_open_to(participant, review) -> bool:
    """Whether an issued report may go to this participant, as the latest consent stands."""
    return open_by_consent(participant, review, "report")


@rules.predicate
def receives_report_as_participant(user, review):
    return review is not None and report_open_to(participant_for(user, review), review)


can_edit_report = is_review_chair & consent_gate_open
can_comment_on_report = is_panel_member & has_declared_independence & consent_gate_open
can_view_draft = can_comment_on_report | is_review_commissioner
may_receive_report = is_review_professional | receives_report_as_participant

rules.add_perm(Perm.EDIT_REPORT, can_edit_report)
rules.add_perm(Perm.COMMENT_ON_REPORT, can_comment_on_report)
rules.add_perm(Perm.VIEW_REPORT_DRAFT, can_view_draft)
rules.add_perm(Perm.VIEW_ISSUED_REPORT, may_receive_report)
rules.add_perm(Perm.VIEW_REPORT, can_view_draft | may_receive_report)
