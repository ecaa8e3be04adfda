"""The demo shows the person's own review (issue 22, point 7): Daniel has a held review whose
issued report his portal offers in easy read first, a planner half filled in, and who to
contact (with a phone number) on his pages."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from ctr_portal.models import User
from portal.models import PLANNER_QUESTIONS, Planner
from reports.models import ReportVersion
from reviews.models import Review
from tests.conftest import sign_in

# Seeding renders the issued reports' PDFs: slow on a busy machine.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture
def daniel(time_machine, client):
    time_machine.move_to(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    call_command("seed_demo", verbosity=0)
    return sign_in(client, User.objects.get(email="person@demo.example"))


def test_daniel_reads_his_issued_report_in_easy_read_first_and_has_half_a_planner(daniel):
    """One test: seeding the demo is slow."""
    held = Review.objects.get(person__given_name="Daniel", state="report_issued")
    assert held.held_on is not None
    assert ReportVersion.objects.filter(review=held).exists()
    html = daniel.get(reverse("portal:review", args=[held.pk])).content.decode()
    assert html.index("Read the easy read report") < html.index("Read the full report")
    assert "a doctor or nurse who does not work at your hospital" in html  # who is involved
    assert "01632 960 100" in html  # who to contact
    easy = daniel.get(reverse("portal:home")).content.decode()
    assert "app-format-easy-read" in easy

    # His planner for his coming review is half filled in
    coming = Review.objects.get(person__given_name="Daniel", state="preparing")
    planner = Planner.objects.get(review=coming)
    answered = [q for q in PLANNER_QUESTIONS if getattr(planner, q.field)]
    assert 0 < len(answered) < len(PLANNER_QUESTIONS)
    assert daniel.get(reverse("portal:planner", args=[coming.pk])).status_code == 200
