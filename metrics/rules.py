"""Service measures: commissioners see their own organisations'; members of an ICS C(E)TR
assurance and oversight panel see the commissioners that name their panel (ADR 0011, 0014).
Everyone else is refused; an organisation the user may not see is not found (metrics.queries)."""

import rules

from ctr_portal.permissions import Perm
from recommendations.rules import is_oversight_member
from reviews.rules import is_commissioner

rules.add_perm(Perm.VIEW_METRICS, is_commissioner | is_oversight_member)
