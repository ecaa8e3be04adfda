"""Moving a person's record to another commissioner: the request (which says nothing about
whether it matched anyone, ADR 0018), the current commissioner's acceptance or refusal, and what
acceptance moves (the person's responsible commissioner and their open reviews' commissioner).
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.models import Organisation
from ctr_portal.services import notification_enqueue

from ..models import OPEN_STATES, Person, Review, TransferRequest
from ..nhs_number import normalise_nhs_number
from .timeline import review_event_record

# The review timeline's kind for a change of commissioner (registered in ReviewsConfig.ready).
COMMISSIONER_CHANGED = "commissioner"
EVENT_KINDS = [(COMMISSIONER_CHANGED, "Commissioner changed")]


def _matching_person(nhs_number: str, date_of_birth: date, family_name: str) -> Person | None:
    """The person with this NHS number, if their date of birth and last name match too."""
    person = Person.objects.filter(nhs_number=normalise_nhs_number(nhs_number)).first()
    if person is None or person.date_of_birth != date_of_birth:
        return None
    if person.family_name.strip().casefold() != family_name.strip().casefold():
        return None
    return person


def transfer_request(
    *, actor, to_organisation: Organisation, nhs_number: str, date_of_birth: date, family_name: str
) -> TransferRequest | None:
    """Ask to take over a person's record. Returns the request when the three details match a
    person commissioned by another organisation, otherwise None; the caller must answer the
    same either way, so that the form cannot be used to find out whether a number is known."""
    if not to_organisation.is_commissioner:
        raise ValidationError("Only a commissioning organisation can take over a record")
    person = _matching_person(nhs_number, date_of_birth, family_name)
    with transaction.atomic():
        if person is None or person.responsible_commissioner_id == to_organisation.pk:
            audit_record(action=Action.CREATE, actor=actor, object_type="reviews.transferrequest")
            return None
        request, _created = TransferRequest.objects.get_or_create(
            person=person,
            to_organisation=to_organisation,
            state=TransferRequest.State.PENDING,
            defaults={
                "from_organisation_id": person.responsible_commissioner_id,
                "requested_by": actor,
            },
        )
        audit_record(action=Action.CREATE, actor=actor, obj=request)
    return request


def _decide(request: TransferRequest, actor) -> TransferRequest:
    request = TransferRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != TransferRequest.State.PENDING:
        raise ValidationError("This request has already been decided")
    request.decided_by, request.decided_at = actor, timezone.now()
    return request


def transfer_accept(*, actor, request: TransferRequest) -> TransferRequest:
    """The current commissioner hands the person over: the person's responsible commissioner
    and their open reviews' commissioner become the requester's organisation, so the old
    organisation's scoped queries no longer find them. Recommendations keep their owners; the
    new commissioner sees them through the reviews. Other pending requests for the person are
    refused, since the person is no longer the old commissioner's to give."""
    with transaction.atomic():
        request = _decide(request, actor)
        person = Person.objects.select_for_update().get(pk=request.person_id)
        if person.responsible_commissioner_id != request.from_organisation_id:
            raise ValidationError("The person's commissioner has changed since the request")
        request.state = TransferRequest.State.ACCEPTED
        request.save(update_fields=["state", "decided_by", "decided_at"])
        Person.objects.filter(pk=person.pk).update(responsible_commissioner=request.to_organisation)
        for review in person.reviews.filter(state__in=OPEN_STATES):
            review_commissioner_change(
                actor=actor,
                review=review,
                commissioner=request.to_organisation,
                reason="The person's record was transferred to another commissioner",
            )
        audit_record(action=Action.UPDATE, actor=actor, obj=request)
        audit_record(action=Action.UPDATE, actor=actor, obj=person)
        others = person.transfer_requests.filter(state=TransferRequest.State.PENDING)
        for other in others.select_related("requested_by"):
            _refuse(other, actor, "The record has been transferred to another commissioner")
    return request


def review_commissioner_change(*, actor, review: Review, commissioner, reason: str) -> Review:
    """Another organisation commissions this review from now on (a transfer of the person)."""
    if not commissioner.is_commissioner:
        raise ValidationError("Select a commissioning organisation")
    with transaction.atomic():
        Review.objects.filter(pk=review.pk).update(commissioner=commissioner)
        review.commissioner = commissioner
        review_event_record(
            review=review,
            kind=COMMISSIONER_CHANGED,
            actor=actor,
            summary=f"Now commissioned by {commissioner.name}",
            reason=reason,
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=review)
    return review


def transfer_refuse(*, actor, request: TransferRequest, reason: str) -> TransferRequest:
    """The current commissioner keeps the person; the requester is told, without names."""
    if not reason.strip():
        raise ValidationError({"reason": "Enter why you are refusing the transfer"})
    with transaction.atomic():
        request = _decide(request, actor)
        _refuse(request, actor, reason)
    return request


def _refuse(request: TransferRequest, actor, reason: str) -> None:
    request.state = TransferRequest.State.REFUSED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.refusal_reason = reason.strip()
    request.full_clean()
    request.save(update_fields=["state", "decided_by", "decided_at", "refusal_reason"])
    audit_record(action=Action.UPDATE, actor=actor, obj=request)
    notification_enqueue(
        key=f"transfer_refused:{request.pk}",
        recipient=request.requested_by.email,
        template="transfer_refused",
        context={
            "requested_on": timezone.localdate(request.requested_at).isoformat(),
            "link": settings.SITE_URL + reverse("dashboard"),
        },
    )
