"""Which organisations' measures the user may see. The measures themselves read each app's
data through that app's queries (the functions under "For metrics"), in metrics/measures.py."""

from ctr_portal.queries import commissioners_overseen_by, memberships_for_user
from recommendations.rules import oversight_panel_ids


def organisations_for_metrics(user) -> list:
    """The user's commissioning organisations, then those naming their oversight panel, by
    name, each once."""
    own = [m.organisation for m in memberships_for_user(user) if m.organisation.is_commissioner]
    overseen = commissioners_overseen_by(oversight_panel_ids(user))
    found = {o.pk: o for o in [*own, *overseen]}
    return sorted(found.values(), key=lambda o: o.name)


def organisation_for_metrics(user, pk):
    """One organisation the user may see the measures of, or None."""
    return next((o for o in organisations_for_metrics(user) if o.pk == pk), None)
