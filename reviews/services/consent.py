"""Consent or a best-interests decision, and who the person wants invited."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ctr_portal.audit import Action, audit_record

from ..models import (
    GATE_OPEN_DECISIONS,
    ConsentDecision,
    ConsentInvitee,
    ConsentRecord,
    Review,
    ReviewEvent,
)
from .timeline import review_event_record

# --- Consent -------------------------------------------------------------------------------


def consent_record(
    *,
    actor,
    review: Review,
    decision: str,
    decided_on: date,
    route: str = "",
    shares_information: bool = False,
    in_own_words: str = "",
    given_by: str = "",
    capacity_assessed_by: str = "",
    decision_maker: str = "",
    consulted: str = "",
    report_format: str = ConsentRecord.Format.STANDARD,
    invitees: list[dict] | None = None,
) -> ConsentRecord:
    """Record a consent decision. Never edits an earlier record: the newest one decides.

    invitees: [{"contact": Contact, "may_attend": bool, "may_receive_report": bool}]
    """
    invitees = invitees or []
    age = review.person.age_on(decided_on)
    errors = {
        **_decision_date_errors(decided_on),
        **_consent_route_errors(decision, route, age),
        **_best_interests_errors(decision, age, decision_maker, consulted, capacity_assessed_by),
        **_parental_errors(route, given_by),
        **_invitee_errors(review, invitees),
    }
    if errors:
        raise ValidationError(errors)
    opens_gate = decision in GATE_OPEN_DECISIONS
    with transaction.atomic():
        record = ConsentRecord.objects.create(
            review=review,
            decision=decision,
            route=route if opens_gate else "",
            shares_information=shares_information and opens_gate,
            in_own_words=in_own_words.strip(),
            given_by=given_by.strip(),
            capacity_assessed_by=capacity_assessed_by.strip(),
            decision_maker=decision_maker.strip(),
            consulted=consulted.strip(),
            decided_on=decided_on,
            report_format=report_format,
            recorded_by=actor,
        )
        if record.opens_gate:
            _consent_invitees_add(record, invitees)
        review_event_record(
            review=review,
            kind=ReviewEvent.Kind.CONSENT,
            actor=actor,
            summary=f"Consent: {record.get_decision_display()}",
        )
        audit_record(action=Action.CREATE, actor=actor, obj=record)
    return record


# Who may give consent, by decision and by whether the person is under 16 (domain.md §5).
CONSENT_ROUTES = {
    (ConsentDecision.CONSENTED, True): ("gillick", "parental"),
    (ConsentDecision.CONSENTED, False): ("own",),
    (ConsentDecision.BEST_INTERESTS, True): ("parental",),
    (ConsentDecision.BEST_INTERESTS, False): ("best_interests",),
}


def _decision_date_errors(decided_on: date) -> dict[str, str]:
    if decided_on > timezone.localdate():
        return {"decided_on": "The date of the decision must be today or in the past"}
    return {}


def _consent_route_errors(decision: str, route: str, age: int) -> dict[str, str]:
    if decision not in GATE_OPEN_DECISIONS or route in CONSENT_ROUTES[decision, age < 16]:
        return {}
    if age < 16:
        return {
            "route": "For someone under 16, select Gillick competence or a person with parental "
            "responsibility"
        }
    return {"route": "For someone 16 or over, consent is their own or a best-interests decision"}


def _best_interests_errors(
    decision: str, age: int, decision_maker: str, consulted: str, capacity_assessed_by: str
) -> dict[str, str]:
    if decision != ConsentDecision.BEST_INTERESTS:
        return {}
    errors = {}
    if not decision_maker.strip():
        errors["decision_maker"] = "Enter who made the best-interests decision"
    if not consulted.strip():
        errors["consulted"] = "Enter who was consulted"
    if age >= 16 and not capacity_assessed_by.strip():
        errors["capacity_assessed_by"] = "Enter who assessed the person's capacity"
    return errors


def _parental_errors(route: str, given_by: str) -> dict[str, str]:
    if route == "parental" and not given_by.strip():
        return {"given_by": "Enter the name of the person with parental responsibility"}
    return {}


def _invitee_errors(review: Review, invitees: list[dict]) -> dict[str, str]:
    contact_ids = {c.pk for c in review.person.contacts.all()}
    if any(i["contact"].pk not in contact_ids for i in invitees):
        return {"invitees": "Select people from the person's own contacts"}
    return {}


def _consent_invitees_add(record: ConsentRecord, invitees: list[dict]) -> None:
    """The contacts the decision lets come to the review or have the report."""
    ConsentInvitee.objects.bulk_create(
        ConsentInvitee(
            consent=record,
            contact=i["contact"],
            may_attend=i["may_attend"],
            may_receive_report=i["may_receive_report"],
        )
        for i in invitees
        if i["may_attend"] or i["may_receive_report"]
    )
