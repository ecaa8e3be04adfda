import pytest
from django.core.management import call_command
from django.urls import reverse

from ctr_portal import accessibility
from ctr_portal.demo import DEMO_PASSWORD, ORGANISATIONS, PERSONAS
from ctr_portal.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def test_dashboard_greets_a_commissioner_by_role(client_for, users):
    page = client_for("commissioner").get(reverse("dashboard")).content.decode()
    assert f"Hello, {users['commissioner'].get_short_name()}" in page
    assert "Case manager, NHS North Shore ICB" in page
    assert "Your organisations" in page and "Administration</a>" not in page


def test_administrator_sees_the_administration_link(client_for):
    page = client_for("administrator").get(reverse("dashboard")).content.decode()
    assert "Administrator" in page and reverse("admin:index") in page


def test_a_family_member_with_no_reviews_is_told_what_comes_next(client_for):
    page = client_for("family_carer").get(reverse("dashboard")).content.decode()
    assert "Reviews you are invited to will appear here" in page


def test_organisation_page_lists_colleagues_for_members_only(client_for, organisations, users):
    url = reverse("organisation", args=[organisations["icb"].pk])
    page = client_for("commissioner").get(url).content.decode()
    assert users["chair"].display_name in page and users["provider"].email not in page
    assert client_for("provider").get(url).status_code == 404


def test_health_check_answers_without_signing_in(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


@pytest.mark.slow
def test_seed_demo_gives_every_role_an_account_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert User.objects.exclude(demo_persona="").count() == len(PERSONAS)
    assert Organisation.objects.count() == len(ORGANISATIONS)
    commissioner = User.objects.get(email="commissioner@demo.example")
    assert commissioner.check_password(DEMO_PASSWORD)
    assert Membership.objects.filter(user=commissioner).count() == 1
    roles = set(User.objects.values_list("demo_persona", flat=True))
    for role in (
        "Commissioner",
        "Chair",
        "Clinical expert",
        "Expert by experience",
        "Family carer",
        "The person",
        "Administrator",
    ):
        assert role in roles


def test_the_accessibility_statement_is_in_the_public_sector_format(client, settings):
    settings.SERVICE_PHONE = "0300 123 4567"
    page = client.get(reverse("accessibility")).content.decode()

    for heading in (
        "Feedback and contact information",
        "Enforcement procedure",
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
    ):
        assert heading in page
    assert "partially compliant with the" in page
    assert "Equality Advisory and Support Service" in page
    assert 'href="tel:03001234567"' in page and "Relay UK: 18001 then 0300 123 4567" in page
    assert "This statement was prepared on 7 December 2026" in page
    for issue in accessibility.KNOWN_ISSUES:
        assert issue.criterion in page
    assert reverse("accessibility_easy_read") in page


def test_the_accessibility_statement_has_an_easy_read_version_with_the_phone_number(
    client, settings
):
    settings.SERVICE_PHONE = "0300 123 4567"
    page = client.get(reverse("accessibility_easy_read")).content.decode()

    assert "Phone us on" in page and "0300 123 4567" in page
    assert all(issue.easy_read in page for issue in accessibility.KNOWN_ISSUES)
    assert reverse("accessibility") in page
