"""Oversight visits: who is placed out of their home area, when a visit is due, recording one,
and where visits show (the person's page and timeline, the commissioner's dashboard)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctr_portal.models import AuditEvent, Organisation
from oversight import queries, services
from oversight.models import OversightVisit
from reviews.queries import person_timeline
from tests.conftest import sign_in
from tests.factories import OrganisationFactory
from tests.reviews.factories import PersonFactory

from .factories import HomeAreaFactory, OversightVisitFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
TODAY = date(2026, 12, 5)


@pytest.fixture
def placed(review_world, organisations, time_machine):
    """The world's person (an adult of North Shore ICB, in Riverside Hospital), with the
    hospital in South Vale's area: placed out of their home area, admitted 30 days ago."""
    time_machine.move_to(NOW, tick=False)
    person = review_world["person"]
    person.host_commissioner = organisations["icb_other"]
    person.admission_date = TODAY - timedelta(days=30)
    person.save()
    return person


def test_a_person_in_hospital_in_another_icbs_area_is_out_of_area(placed):
    placement = queries.placement_for(placed)
    assert placement.out_of_area is True
    # No visit yet: 8 weeks from the admission.
    assert placement.due == TODAY - timedelta(days=30) + timedelta(weeks=8)
    assert placement.status(TODAY) == queries.NOT_DUE


def test_the_next_visit_counts_from_the_last_and_a_child_is_visited_every_six_weeks(placed):
    OversightVisitFactory(person=placed, visited_on=TODAY - timedelta(days=50))
    assert queries.placement_for(placed).due == TODAY + timedelta(days=6)
    assert queries.placement_for(placed).status(TODAY) == queries.DUE_SOON
    placed.date_of_birth = date(2011, 1, 1)
    assert queries.placement_for(placed).due == TODAY - timedelta(days=8)
    assert queries.placement_for(placed).status(TODAY) == queries.OVERDUE


def test_the_intervals_are_named_in_the_apps_policy(placed, monkeypatch):
    from oversight import policy

    monkeypatch.setattr(policy, "VISIT_WEEKS_ADULT", 4)
    assert queries.placement_for(placed).due == TODAY - timedelta(days=2)


def test_in_the_home_area_or_with_an_area_unknown_no_visits_are_due(placed, organisations):
    placed.host_commissioner = organisations["icb"]
    assert queries.placement_for(placed).out_of_area is False
    placed.host_commissioner = None
    assert queries.placement_for(placed).out_of_area is None


def test_a_specialised_commissioners_person_needs_a_recorded_home_area(placed, organisations):
    specialised = OrganisationFactory(
        name="North Provider Collaborative", kind=Organisation.Kind.SPECIALISED
    )
    placed.responsible_commissioner = specialised
    placed.save()
    assert queries.placement_for(placed).out_of_area is None
    assert queries.out_of_area_placements([specialised.pk]) == []
    HomeAreaFactory(person=placed, icb=organisations["icb"])
    assert queries.placement_for(placed).out_of_area is True
    assert [p.person for p in queries.out_of_area_placements([specialised.pk])] == [placed]


def test_recording_a_visit_saves_it_audits_it_and_puts_it_on_the_timeline(placed, users, client):
    sign_in(client, users["commissioner"])
    url = reverse("oversight:visit_create", args=[placed.pk])
    response = client.post(
        url,
        {
            "visited_on[day]": "1",
            "visited_on[month]": "12",
            "visited_on[year]": "2026",
            "visited_by": "Asha Patel, case manager",
            "found": "Daniel is settled and going out every day.",
            "actions": "None",
        },
    )
    assert response.status_code == 302
    visit = OversightVisit.objects.get(person=placed)
    assert visit.visited_on == date(2026, 12, 1)
    assert AuditEvent.objects.filter(
        action="create", object_type="oversight.oversightvisit", object_id=str(visit.pk)
    ).exists()
    headings = [entry.heading for entry in person_timeline(placed)]
    assert "Oversight visit by Asha Patel, case manager" in headings
    page = client.get(reverse("oversight:person_visits", args=[placed.pk])).content.decode()
    assert "Daniel is settled and going out every day." in page
    assert "26 January 2027" in page  # 8 weeks on


def test_a_visit_with_nothing_filled_in_is_refused_beside_each_field(placed, users, client):
    sign_in(client, users["commissioner"])
    url = reverse("oversight:visit_create", args=[placed.pk])
    response = client.post(url, {"visited_by": "Asha Patel", "found": "  "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter the date of the visit" in html and "Enter what you found" in html
    assert 'value="Asha Patel"' in html
    assert not OversightVisit.objects.exists()


def test_no_visit_is_recorded_for_a_person_in_the_community(placed, users):
    placed.setting, placed.provider = "community", None
    with pytest.raises(Exception, match="people in hospital"):
        services.visit_record(
            actor=users["commissioner"],
            person=placed,
            visited_on=TODAY,
            visited_by="A",
            found="B",
            actions="C",
        )


def test_the_person_page_links_to_their_oversight_visits(placed, users, client):
    sign_in(client, users["commissioner"])
    html = client.get(reverse("reviews:person_detail", args=[placed.pk])).content.decode()
    assert reverse("oversight:person_visits", args=[placed.pk]) in html


def test_the_home_area_and_return_items_are_changed_on_their_own_pages(
    placed, users, organisations, client
):
    sign_in(client, users["commissioner"])
    client.post(
        reverse("oversight:home_area", args=[placed.pk]), {"icb": organisations["icb_other"].pk}
    )
    assert queries.placement_for(placed).out_of_area is False  # South Vale is now home
    client.post(
        reverse("oversight:return_items", args=[placed.pk]),
        {
            "planned_discharge_date[day]": "31",
            "planned_discharge_date[month]": "3",
            "planned_discharge_date[year]": "2027",
            "local_patient_id": " RRH-1 ",
        },
    )
    placed.refresh_from_db()
    assert placed.planned_discharge_date == date(2027, 3, 31)
    assert placed.local_patient_id == "RRH-1"


def test_the_dashboard_shows_visits_overdue_and_due_soon(placed, users, client):
    OversightVisitFactory(person=placed, visited_on=TODAY - timedelta(weeks=9))
    sign_in(client, users["commissioner"])
    html = client.get(reverse("dashboard")).content.decode()
    assert "Oversight visits" in html
    assert "1 overdue, 0 due in the next 14 days" in html
    assert reverse("oversight:person_visits", args=[placed.pk]) in html
    assert reverse("oversight:visits_due") in html
    assert reverse("oversight:at") in html


def _count(client, name):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["dashboard", "oversight:visits_due"])
def test_visits_due_cost_as_many_queries_for_25_people_as_for_1(
    placed, users, organisations, client, name
):
    sign_in(client, users["commissioner"])
    one = _count(client, name)
    for n in range(24):
        person = PersonFactory(
            in_hospital=True,
            responsible_commissioner=organisations["icb"],
            host_commissioner=organisations["icb_other"],
        )
        OversightVisitFactory(person=person, visited_on=TODAY - timedelta(days=n))
    assert len(queries.visits_due_for_user(users["commissioner"])) == 25
    assert _count(client, name) == one
