"""Factories and the small world the oversight tests share."""

from datetime import UTC, date, datetime

import factory

from ctr_portal.models import Organisation
from oversight.models import HomeArea, OversightVisit
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.reviews.factories import (
    DsrRatingChangeFactory,
    PersonFactory,
    ReviewFactory,
    nhs_number,
)


class OversightVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OversightVisit

    person = factory.SubFactory(PersonFactory, in_hospital=True)
    visited_on = date(2026, 11, 20)
    visited_by = "Asha Patel, case manager"
    found = "Settled on the ward."
    actions = "None"
    recorded_by = factory.SubFactory(UserFactory)


class HomeAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HomeArea

    person = factory.SubFactory(PersonFactory, in_hospital=True)
    icb = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.ICB)
    recorded_by = factory.SubFactory(UserFactory)


# The day the returns tests run on: November 2026 is over.
TODAY = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def returns_world() -> dict:
    """Two ICBs and two hospitals (one without an ODS code), their staff, and the people and
    reviews behind tests/oversight/expected_*.csv. Call it with the clock at TODAY."""
    orgs = {
        "lakeside": OrganisationFactory(name="NHS Lakeside ICB", ods_code="QLK"),
        "hilltop": OrganisationFactory(name="NHS Hilltop ICB", ods_code="QHT"),
        "meadow": OrganisationFactory(name="Meadow Hospital", ods_code="RM1", provider=True),
        "brook": OrganisationFactory(name="Brook Hospital", provider=True),
    }
    users = {}
    for role, org in (
        ("commissioner", "lakeside"),
        ("hilltop_commissioner", "hilltop"),
        ("meadow", "meadow"),
        ("brook", "brook"),
    ):
        users[role] = UserFactory(email=f"{role}@returns.example")
        MembershipFactory(user=users[role], organisation=orgs[org], job_title="Case manager")
    creator = users["commissioner"]

    def person(n, family, setting, provider, admitted, **extra):
        return PersonFactory(
            nhs_number=nhs_number(n),
            given_name="Test",
            family_name=family,
            setting=setting,
            provider=orgs[provider] if provider else None,
            admission_date=admitted,
            responsible_commissioner=extra.pop("commissioner", orgs["lakeside"]),
            created_by=creator,
            **extra,
        )

    def review(who, kind, due, held, state="closed", **extra):
        return ReviewFactory(
            person=who,
            kind=kind,
            due_date=due,
            held_on=held,
            state=state,
            created_by=creator,
            **extra,
        )

    adams = person(
        9001,
        "Adams",
        "non_secure",
        "meadow",
        date(2026, 9, 1),
        host_commissioner=orgs["hilltop"],
        local_patient_id="RM1-001",
        planned_discharge_date=date(2027, 3, 31),
    )
    DsrRatingChangeFactory(
        person=adams,
        rating="amber",
        recorded_at=datetime(2026, 8, 1, 10, tzinfo=UTC),
        recorded_by=creator,
    )
    review(adams, "post_admission", date(2026, 9, 29), date(2026, 9, 20))
    review(adams, "inpatient_repeat", date(2027, 3, 20), date(2026, 11, 12), state="held")
    for day in (date(2026, 10, 15), date(2026, 11, 20)):
        OversightVisitFactory(person=adams, visited_on=day, recorded_by=creator)

    brown = person(9002, "Brown", "low_secure", "brook", date(2026, 11, 10))
    review(brown, "post_admission", date(2026, 12, 8), None, state="planned")

    person(9003, "Cole", "non_secure", "meadow", None)

    dunn = person(9004, "Dunn", "non_secure", "meadow", date(2026, 9, 5))
    for rating, day in (("blue", 5), ("amber", 20)):
        DsrRatingChangeFactory(
            person=dunn,
            rating=rating,
            recorded_at=datetime(2026, 9, day, 10, tzinfo=UTC),
            recorded_by=creator,
        )
    review(dunn, "post_admission", date(2026, 10, 3), date(2026, 10, 10))
    review(
        dunn,
        "inpatient_repeat",
        date(2027, 4, 10),
        None,
        state="cancelled",
        state_reason="Moved hospital",
    )

    evans = person(
        9005,
        "Evans",
        "non_secure",
        "meadow",
        date(2026, 10, 20),
        commissioner=orgs["hilltop"],
        date_of_birth=date(2011, 3, 1),
    )
    review(evans, "post_admission", date(2026, 11, 3), date(2026, 11, 3), state="held")

    fox = person(9006, "Fox", "community", None, None)
    review(fox, "community", date(2026, 11, 20), date(2026, 11, 15))
    # Admitted after November: not in November's return.
    person(9007, "Gray", "non_secure", "meadow", date(2026, 12, 2))
    return {"orgs": orgs, "users": users, "people": {"adams": adams, "evans": evans}}
