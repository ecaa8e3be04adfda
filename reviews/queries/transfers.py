"""Reads of transfer requests, scoped to the user: a request is seen only by the commissioner
that holds the person's record now (ADR 0018). The requester never reads a request back: what
it would show (whether a number matched, and whose record it is) is what must not leak."""

from ..models import TransferRequest
from ..rules import commissioning_org_ids


def transfer_requests_for_user(user):
    """Pending requests for people the user's organisations hold: two queries however many."""
    org_ids = commissioning_org_ids(user)
    if not org_ids:
        return TransferRequest.objects.none()
    return TransferRequest.objects.filter(
        state=TransferRequest.State.PENDING,
        from_organisation_id__in=org_ids,
        person__responsible_commissioner_id__in=org_ids,
    ).select_related("person", "person__responsible_commissioner", "to_organisation")


def transfer_request_for_user(user, pk):
    """One pending request the user may decide, or None (a 404)."""
    return transfer_requests_for_user(user).filter(pk=pk).first()


def transfer_requests_for_person(user, person):
    return [r for r in transfer_requests_for_user(user).filter(person=person)]
