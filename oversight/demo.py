"""Demo data: two people placed in hospital out of their home area (South Vale's hospital, for
North Shore's people), one visited lately and one overdue a visit; Marcus, whose specialised
commissioner's home area is recorded as South Vale; planned discharge dates and local patient
identifiers for the returns. Idempotent."""

from datetime import timedelta

from django.utils import timezone

VISITS = {
    # family name: (days ago, who visited, what was found, actions)
    "Patel": (
        70,
        "Asha Patel, case manager",
        "Liam is settled on the ward and has started going to the hospital gym. His family "
        "find the journey hard: it takes them two hours each way.",
        "Ask the ward to set up video calls with his family twice a week.",
    ),
    "Turner": (
        20,
        "Asha Patel, case manager; Mo Ali, learning disability nurse",
        "Sophie's discharge plan is moving: a provider has been found near her family.",
        "None",
    ),
}
RETURN_ITEMS = {
    "Patel": (120, "RRH-20417"),
    "Turner": (45, "RRH-20533"),
    "Clarke": (None, "RRH-20611"),
}


def seed_oversight(sender=None, *, stdout=None, **kwargs):
    from ctr_portal.demo import ORGANISATIONS
    from ctr_portal.models import Organisation, User
    from reviews.models import Person

    from .models import HomeArea, OversightVisit

    names = {key: name for key, (name, _, _) in ORGANISATIONS.items()}
    south_vale = Organisation.objects.filter(name=names["icb_other"]).first()
    commissioner = User.objects.filter(email="commissioner@demo.example").first()
    if south_vale is None or commissioner is None or OversightVisit.objects.exists():
        return
    today = timezone.localdate()
    people = {p.family_name: p for p in Person.objects.filter(nhs_number__startswith="999")}
    made = 0
    for family, (days, who, found, actions) in VISITS.items():
        person = people.get(family)
        if person is None:
            continue
        Person.objects.filter(pk=person.pk).update(host_commissioner=south_vale)
        OversightVisit.objects.create(
            person=person,
            visited_on=today - timedelta(days=days),
            visited_by=who,
            found=found,
            actions=actions,
            recorded_by=commissioner,
        )
        made += 1
    for family, (days, local_id) in RETURN_ITEMS.items():
        if family in people:
            Person.objects.filter(pk=people[family].pk).update(
                planned_discharge_date=today + timedelta(days=days) if days else None,
                local_patient_id=local_id,
            )
    if "Webb" in people:
        HomeArea.objects.get_or_create(
            person=people["Webb"], defaults={"icb": south_vale, "recorded_by": commissioner}
        )
    if stdout:
        stdout.write(f"Demo oversight visits added: {made}")
