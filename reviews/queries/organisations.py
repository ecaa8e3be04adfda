"""Organisations to choose from on the forms."""

from ctr_portal.models import Organisation
from ctr_portal.queries import (
    organisations_of_kinds,
)

# --- Organisations to choose from ----------------------------------------------------------


def hospital_choices():
    """Every provider, by name: the hospitals a person may be in."""
    return organisations_of_kinds([Organisation.Kind.PROVIDER])


def commissioner_choices():
    """Every commissioning organisation, by name: a person's host commissioner may be anyone's."""
    return organisations_of_kinds(Organisation.COMMISSIONING_KINDS)


def local_authority_choices():
    return organisations_of_kinds([Organisation.Kind.LOCAL_AUTHORITY])


def commissioners_of_kind(kind: str):
    """The commissioning organisations of one kind (ICBs, NHS England specialised
    commissioning, provider collaboratives), by name: who may commission a bed."""
    return organisations_of_kinds([kind])
