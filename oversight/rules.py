"""Oversight: who may see and record oversight visits, and who may take each national return.
Predicates take (user, obj); the person's commissioners are reviews.rules'."""

import rules

from ctr_portal.models import Organisation
from ctr_portal.permissions import Perm
from ctr_portal.queries import memberships_for_user
from reviews.rules import is_commissioner, is_person_commissioner, is_person_host_commissioner


@rules.predicate
def is_provider(user):
    """A member of a hospital or community provider: they take the MHSDS return."""
    return any(
        m.organisation.kind == Organisation.Kind.PROVIDER for m in memberships_for_user(user)
    )


rules.add_perm(Perm.VIEW_OVERSIGHT_VISITS, is_person_commissioner | is_person_host_commissioner)
rules.add_perm(Perm.RECORD_OVERSIGHT_VISIT, is_person_commissioner)
rules.add_perm(Perm.LIST_OVERSIGHT_VISITS, is_commissioner)
rules.add_perm(Perm.VIEW_AT_RETURN, is_commissioner)
rules.add_perm(Perm.VIEW_MHSDS_RETURN, is_provider)
