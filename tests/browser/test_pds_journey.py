"""Checking a person's details with PDS (ADR 0019): a commissioner checks someone registered
before PDS was switched on, sees what PDS holds differently, is asked to choose, and keeps PDS's
spelling of the last name. The stand-in PDS (tests/pds_server.py) answers."""

import pytest

from ctr_portal.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.reviews.factories import PersonFactory

from .conftest import assert_accessible, become

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_commissioner_checks_a_person_with_pds_and_keeps_its_spelling(page, live_server, pds_on):
    commissioner = UserFactory(email="asha.patel@example.nhs.uk", display_name="Asha Patel")
    icb = OrganisationFactory(name="NHS North Shore ICB", kind=Organisation.Kind.ICB)
    MembershipFactory(user=commissioner, organisation=icb, job_title="Case manager")
    person = PersonFactory(given_name="Jane", family_name="Smyth", responsible_commissioner=icb)
    pds_on.add_patient(person.nhs_number, given="Jane", family="Smith", birth_date="1995-06-15")
    become(page, live_server, commissioner)
    page.goto(f"/people/{person.pk}/")

    # When they ask PDS from the person's page
    page.get_by_role("link", name="Check their details with PDS").click()
    page.get_by_role("button", name="Check with PDS").click()

    # Then the last name differs, and the address and GP practice come from PDS
    question = page.get_by_role("group", name="Last name")
    assert question.is_visible()
    assert "1 Trevelyan Square, Boar Lane, Leeds, LS1 6AE" in page.locator("main").inner_text()
    assert_accessible(page)

    # And saving without choosing asks them to choose
    page.get_by_role("button", name="Save these details").click()
    summary = page.locator(".nhsuk-error-summary")
    assert "Select which last name to keep" in summary.inner_text()
    assert_accessible(page)

    # When they keep PDS's spelling
    page.get_by_label("PDS: Smith").check()
    page.get_by_role("button", name="Save these details").click()

    # Then the person's page shows it, checked today
    main = page.locator("main").inner_text()
    assert "Jane Smith's details have been checked with PDS and saved." in main
    assert "ODS code Y12345" in main
    assert_accessible(page)
