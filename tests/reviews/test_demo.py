"""seed_demo's people and reviews are ones a commissioner would believe: every review's rule
text agrees with its due date, people long in hospital have a history of reviews, a child in
hospital is NHS England's, detention varies, family carers have names, and each agenda starts
when its review does."""

import re
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ctr_portal.formatting import nhs_date
from ctr_portal.models import Membership, Organisation, User
from reviews import policy
from reviews.models import Contact, Person, Review, TransferRequest
from tests.conftest import sign_in
from tests.factories import UserFactory

# Each test seeds the whole demo (twice to show it is idempotent).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TODAY = date(2026, 11, 30)
BASIS = re.compile(
    r"\((\d+) (months|days|working days) from "
    r"(admission|last review held|event|planned|requested) on "
    r"(\d{1,2} [A-Z][a-z]+ \d{4})\)"
)


@pytest.fixture
def demo(time_machine):
    time_machine.move_to(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def every_commissioner(client):
    """A commissioner of every commissioning organisation, so every demo review's page opens."""
    user = UserFactory(email="all.commissioning@example.nhs.uk")
    for organisation in Organisation.objects.filter(kind__in=Organisation.COMMISSIONING_KINDS):
        Membership.objects.create(user=user, organisation=organisation, job_title="Case manager")
    return sign_in(client, user)


def _start_the_rule_counts_from(review, counts_from):
    person = review.person
    if counts_from == "admission":
        return person.admission_date
    if counts_from == "last review held":
        earlier = person.reviews.filter(held_on__lt=review.held_on or TODAY).exclude(pk=review.pk)
        return max(r.held_on for r in earlier if r.held_on)
    return review.clock_start or timezone.localdate(review.created_at)


def test_every_demo_reviews_page_gives_a_rule_that_agrees_with_its_due_date(
    demo, every_commissioner
):
    reviews = list(Review.objects.select_related("person"))
    assert len(reviews) >= 15
    for review in reviews:
        page = every_commissioner.get(reverse("reviews:review_detail", args=[review.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        rule = policy.rule(review.due_rule)
        assert rule.description in html, review
        assert nhs_date(review.due_date) in html, review
        number, unit, counts_from, start_text = BASIS.search(html).groups()
        start = datetime.strptime(start_text, "%d %B %Y").date()
        assert f"{number} {unit}" == rule.period, review
        assert rule.due_from(start) == review.due_date, review
        assert start == _start_the_rule_counts_from(review, counts_from), review
        child = review.person.age_on(start) < 18
        assert ("child" in review.due_rule) == child or review.due_rule in (
            "community",
            "requested",
        ), review


def test_the_demo_people_are_believable(demo):
    in_hospital = list(Person.objects.in_hospital())
    # Long-stay inpatients have earlier reviews held.
    for person in in_hospital:
        if (TODAY - person.admission_date).days > 180:
            assert person.reviews.filter(state="closed", held_on__isnull=False).exists(), person
    # A 16-year-old in hospital is commissioned by NHS England specialised commissioning.
    (aisha,) = [p for p in in_hospital if p.age_on(TODAY) == 16]
    assert aisha.responsible_commissioner.kind == Organisation.Kind.SPECIALISED
    # Detention varies.
    statuses = {p.mha_status for p in in_hospital}
    assert len(statuses) >= 4 and "not_detained" in statuses
    # Contacts have names.
    assert not [c.name for c in Contact.objects.all() if c.name.endswith(" family")]
    # The agenda starts when the review does.
    for review in Review.objects.exclude(starts_at=None):
        first = review.agenda.order_by("position").first()
        assert first.starts_at == timezone.localtime(review.starts_at).time(), review


def test_the_demo_icb_has_a_transfer_request_from_south_vale_to_decide(demo, client):
    request = TransferRequest.objects.get()
    commissioner = User.objects.get(email="commissioner@demo.example")
    asker = User.objects.get(email="commissioner.southvale@demo.example")
    assert request.state == TransferRequest.State.PENDING
    assert request.requested_by == asker
    assert request.to_organisation in asker.organisations.all()
    assert request.person.responsible_commissioner in commissioner.organisations.all()
    page = sign_in(client, commissioner).get(reverse("dashboard")).content.decode()
    assert reverse("reviews:transfer_decide", args=[request.pk]) in page
    # The children and adults in secure beds have their bed commissioner recorded.
    assert not Person.objects.filter(
        setting__in=["low_secure", "medium_secure", "high_secure"], bed_commissioner=None
    ).exists()


def test_the_demo_shows_liam_over_time_on_his_page_and_in_his_report(demo, every_commissioner):
    """Liam has reviews held before his latest, restraint recorded and a planned discharge
    date: his page sets his reviews side by side, and his report says what changed since the
    last review."""
    from reports import queries as report_queries

    liam = Person.objects.get(given_name="Liam")
    html = every_commissioner.get(reverse("reviews:person_detail", args=[liam.pk])).content.decode()

    side_by_side = html.split('id="over-time"')[1].split("</section>")[0]
    assert "KLOE 1:" in side_by_side and "Serious concerns" in side_by_side
    assert "In hospital 1 year 1 month; planned discharge" in html
    restraint = html.split('id="restrictive-practice"')[1].split("</section>")[0]
    assert "Seclusion" in restraint and "Rapid tranquillisation" in restraint

    latest = liam.reviews.get(state="report_issued")
    latest.person = liam
    since = report_queries.report_content(latest).since_last_review
    assert since is not None and since.previous.state == "closed"
    assert any(r.change == "Better" for r in since.ratings)
    assert {r.status for r in since.recommendations} and since.recommendations[0].sentence
    assert {r.get_kind_display() for r in since.restrictive_practices} >= {
        "Prone restraint",
        "Seclusion",
    }
