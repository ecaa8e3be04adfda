"""Who may do what with document packs. Predicates take (user, obj).

The objects come from `documents.queries`, which load the review through
`reviews.queries.review_for_user` (participants and the latest consent, read on every request)
and hang it on the item: `item.pack.review`, `document.item.pack.review`.

- Commissioners of the review: the whole pack, every item, the access log.
- Providers and local authorities: the items their organisation owes (or that name them).
- Panel members who have declared independence: read the pack inside its window; before consent
  is recorded, only the planner. They read in the browser and never download.
- The chair sees the access log. Family and the person do not see the pack.
"""

import rules

from ctr_portal.permissions import Perm
from ctr_portal.queries import organisation_ids_for_user
from reviews.models import ReviewState
from reviews.rules import (
    consent_gate_open,
    has_declared_independence,
    has_part_in_review,
    is_panel_member,
    is_review_chair,
    is_review_commissioner,
    is_review_local_authority,
    is_review_provider,
)

from .policy import panel_window

EDITABLE_UNTIL = (ReviewState.CLOSED, ReviewState.CANCELLED)


@rules.predicate
def panel_window_open(user, review):
    return review is not None and panel_window(review).is_open


prepares_pack = is_review_commissioner | is_review_provider | is_review_local_authority
is_independent_panel_member = is_panel_member & has_declared_independence
panel_reads_pack = is_independent_panel_member & panel_window_open


# --- Items (obj: a PackItem whose pack.review came from review_for_user) --------------------


@rules.predicate
def commissions_item(user, item):
    return item is not None and is_review_commissioner(user, item.pack.review)


@rules.predicate
def owns_item(user, item):
    """The item is owed by one of the user's organisations, or names the user, in a review they
    have a part in: an organisation no longer party to the review (the person has moved
    hospital since the pack was made) does not find the item (documents.queries), nor open it."""
    if item is None or not user.is_authenticated:
        return False
    if not has_part_in_review(user, item.pack.review):
        return False
    return item.assignee_id == user.pk or item.organisation_id in organisation_ids_for_user(user)


@rules.predicate
def panel_reads_item(user, item):
    """Inside the window; before consent, the planner only (domain.md §5)."""
    if item is None:
        return False
    review = item.pack.review
    if not panel_reads_pack(user, review):
        return False
    return item.is_planner or consent_gate_open(user, review)


@rules.predicate
def item_review_open(user, item):
    return item is not None and item.pack.review.state not in EDITABLE_UNTIL


prepares_item = commissions_item | owns_item


# --- Documents (obj: a Document whose item.pack.review came from review_for_user) ------------


@rules.predicate
def prepares_document(user, document):
    return document is not None and prepares_item(user, document.item)


@rules.predicate
def panel_reads_document(user, document):
    return document is not None and document.is_current and panel_reads_item(user, document.item)


@rules.predicate
def document_not_deleted(user, document):
    return document is not None and document.deleted_at is None


def needs_watermark(user, document) -> bool:
    """A copy for someone outside the organisations preparing the pack carries their name."""
    return not prepares_document(user, document)


rules.add_perm(Perm.VIEW_PACK, prepares_pack | is_independent_panel_member)
rules.add_perm(Perm.VIEW_PACK_ACCESS_LOG, is_review_commissioner | is_review_chair)
rules.add_perm(Perm.VIEW_PACK_ITEM, prepares_item | panel_reads_item)
rules.add_perm(Perm.CHANGE_PACK_ITEM, prepares_item & item_review_open)
rules.add_perm(Perm.ASSIGN_PACK_ITEM, prepares_item & item_review_open)
rules.add_perm(
    Perm.VIEW_DOCUMENT, document_not_deleted & (prepares_document | panel_reads_document)
)
rules.add_perm(Perm.DOWNLOAD_DOCUMENT, document_not_deleted & prepares_document)
