"""Who may do what with accounts and organisations. Predicates take (user, obj)."""

import rules

from .permissions import Perm


@rules.predicate
def is_administrator(user):
    return user.is_authenticated and user.is_active and user.is_staff


@rules.predicate
def is_public_account(user):
    """The person or a family carer or advocate: their pages are the portal's."""
    return user.is_authenticated and user.kind == user.Kind.PUBLIC


@rules.predicate
def is_member_of(user, organisation):
    from .queries import organisation_ids_for_user

    if organisation is None or not user.is_authenticated:
        return False
    return organisation.pk in organisation_ids_for_user(user)


rules.add_perm(Perm.VIEW_DASHBOARD, rules.is_authenticated & rules.is_active)
rules.add_perm(Perm.VIEW_ORGANISATION, is_administrator | is_member_of)
rules.add_perm(Perm.ADMINISTER, is_administrator)
