"""Every write of the oversight app: keyword-only `<noun>_<verb>` functions that validate,
write in one transaction and audit."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from ctr_portal.audit import Action, audit_record
from ctr_portal.models import Organisation
from reviews import services as reviews_services

from .models import HomeArea, OversightVisit


def visit_record(
    *, actor, person, visited_on: date, visited_by: str, found: str, actions: str
) -> OversightVisit:
    """Record an oversight visit. It shows on the person's timeline, and the next visit is due
    from its date."""
    if not person.in_hospital:
        raise ValidationError("Oversight visits are for people in hospital")
    visit = OversightVisit(
        person=person,
        visited_on=visited_on,
        visited_by=visited_by.strip(),
        found=found.strip(),
        actions=actions.strip(),
        recorded_by=actor,
    )
    visit.full_clean()
    with transaction.atomic():
        visit.save()
        audit_record(action=Action.CREATE, actor=actor, obj=visit)
    return visit


def home_area_set(*, actor, person, icb: Organisation) -> HomeArea:
    """Record the person's home area (an ICB), replacing any recorded before."""
    if icb.kind != Organisation.Kind.ICB:
        raise ValidationError({"icb": "Select an integrated care board"})
    with transaction.atomic():
        home_area, created = HomeArea.objects.update_or_create(
            person=person, defaults={"icb": icb, "recorded_by": actor}
        )
        audit_record(action=Action.CREATE if created else Action.UPDATE, actor=actor, obj=home_area)
    return home_area


def return_items_update(
    *, actor, person, planned_discharge_date: date | None, local_patient_id: str
):
    """The items the national returns need that the person's page does not ask for, saved
    through the reviews app's own service."""
    return reviews_services.person_update(
        actor=actor,
        person=person,
        planned_discharge_date=planned_discharge_date,
        local_patient_id=local_patient_id.strip(),
    )
