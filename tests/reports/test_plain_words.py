"""Issue 22: the easy read in plain words. Each recommendation has the chair's plain words and
each finding what it means for the person, both required before the report is issued; where a
recommendation stands reads the same in the portal, the easy read and the family's page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from panels.models import ConsolidatedKloe, Panel
from recommendations.models import Recommendation, State
from recommendations.plain import PLAIN_STATE, plain_progress
from reports import queries, rendering
from reports.easy_read import easy_read_parts
from reports.models import ReportVersion
from tests.panels.factories import kloe_of

from .factories import seen_by
from .test_services import issue

pytestmark = pytest.mark.django_db


def page(client, name, *args):
    return client.get(reverse(name, args=args)).content.decode()


def test_issuing_waits_for_each_recommendation_in_plain_words(held_world, client_for):
    review = held_world["review"]
    Recommendation.objects.filter(review=review, number=2).update(plain_words="")
    with pytest.raises(ValidationError, match="Write recommendation 2 in plain words for Daniel"):
        issue(held_world)
    assert not ReportVersion.objects.filter(review=review).exists()

    chair = client_for("chair")
    html = page(chair, "reports:issue", review.pk)
    second = Recommendation.objects.get(review=review, number=2)
    assert "Recommendation 2: Write it in plain words for Daniel" in html
    assert reverse("recommendations:edit", args=[second.pk]) in html
    edit = page(chair, "recommendations:edit", second.pk)
    assert "In plain words, for Daniel" in edit
    assert "Short sentences, no abbreviations. Say who will do what, and by when." in edit


def test_issuing_waits_for_what_each_finding_means_for_the_person(held_world, client_for):
    review, panel = held_world["review"], held_world["panel"]
    ConsolidatedKloe.objects.filter(panel=panel, kloe=kloe_of(panel, 7)).update(for_you="")
    with pytest.raises(ValidationError, match="finding under KLOE 7 means for Daniel"):
        issue(held_world)

    chair = client_for("chair")
    html = page(chair, "reports:issue", review.pk)
    kloe_page = reverse("panels:consolidation_kloe", args=[review.pk, 7])
    assert "KLOE 7: say what the panel&#x27;s finding means for Daniel" in html
    assert kloe_page in html

    # The consolidation is finished by now: the chair can still write this, and only this.
    Panel.objects.filter(pk=panel.pk).update(
        consolidation_finished_at=timezone.now(), consolidation_finished_by=held_world["chair"]
    )
    form = page(chair, "panels:consolidation_kloe", review.pk, 7)
    assert "What this means for Daniel" in form
    row = ConsolidatedKloe.objects.get(panel=panel, kloe=kloe_of(panel, 7))
    chair.post(
        kloe_page, {"for_you": "Staff held you too often. That must stop.", "version": row.version}
    )
    row.refresh_from_db()
    assert row.for_you == "Staff held you too often. That must stop."
    version, _review = issue(held_world)
    assert "Staff held you too often." in version.easy_read_html


def test_a_correction_waits_for_plain_words_on_recommendations_already_sent(held_world, client_for):
    issue(held_world)
    review = held_world["review"]
    first = Recommendation.objects.get(review=review, number=1)
    Recommendation.objects.filter(pk=first.pk).update(plain_words="")  # sent before issue 22
    with pytest.raises(ValidationError, match="Write recommendation 1 in plain words for Daniel"):
        issue(held_world, correction="Dates corrected")

    chair = client_for("chair")
    assert "Recommendation 1: write it in plain words for Daniel" in page(
        chair, "reports:issue", review.pk
    )
    assert "Write it in plain words" in page(chair, "recommendations:detail", first.pk)
    edit = page(chair, "recommendations:edit", first.pk)
    assert "only its plain words for Daniel can change" in edit
    assert "Action number 1" in edit  # what the report says, for reference
    chair.post(
        reverse("recommendations:edit", args=[first.pk]),
        {"plain_words": "Staff will write a new plan with you, by June.", "action": "Ignored"},
    )
    first.refresh_from_db()
    assert first.plain_words == "Staff will write a new plan with you, by June."
    assert first.action.startswith("Action number 1")  # what the owner agreed to is unchanged
    assert first.state == State.AWAITING_OWNER
    corrected, _review = issue(held_world, correction="Dates corrected")
    assert "Staff will write a new plan with you, by June." in corrected.easy_read_html


def test_the_easy_read_gives_plain_words_never_the_professional_text(held_world):
    version, review = issue(held_world)
    for number in (1, 2, 3):
        assert f"Action number {number}" not in version.easy_read_html
        assert f"Action number {number}" in version.html
    rec = Recommendation.objects.get(review=review, number=1)
    assert rec.plain_words in version.easy_read_html
    # Sent as it was issued: the easy read says so, in the portal's words.
    label, sentence, _colour = plain_progress(rec, timezone.localdate())
    assert f"Where it stands: {label}." in version.easy_read_html
    assert sentence in version.easy_read_html


@pytest.mark.parametrize("state", [s for s in State if s != State.DRAFT])
def test_where_a_recommendation_stands_reads_the_same_everywhere(state, held_world, client_for):
    """The family's portal, the easy read (as issued and as it goes on) and the family's view
    of the recommendation's page all give the same label and sentence (a draft is never
    shown to them)."""
    issue(held_world)
    review = held_world["review"]
    rec = Recommendation.objects.get(review=review, number=1)
    replaced_by = Recommendation.objects.get(review=review, number=2)
    Recommendation.objects.filter(pk=rec.pk).update(
        state=state,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        superseded_by=replaced_by if state == State.SUPERSEDED else None,
    )
    rec.refresh_from_db()
    label, sentence, _colour = plain_progress(rec, timezone.localdate())
    assert label == PLAIN_STATE[state][0]

    if state != State.SUPERSEDED:  # the report leaves a replaced one out
        parts = easy_read_parts(queries.report_content(seen_by(held_world["chair"], review)))
        box = next(p for p in parts if p.heading == "What will happen").boxes[0]
        assert [line.text for line in box][-2:] == [f"Where it stands: {label}.", sentence]

    family = client_for("family_carer")
    portal = page(family, "portal:review", review.pk)
    assert label in portal and sentence in portal
    easy = page(family, "reports:version_easy_read", review.pk, 1)
    assert f"Where it stands: {label}." in easy and sentence in easy
    detail = page(family, "recommendations:detail", rec.pk)
    assert label in detail and sentence in detail
    if state == State.DISPUTED:
        assert "Disputed by the owner" not in detail  # the professional word, as it was


def test_the_family_reads_plain_words_first_and_what_the_report_says_after(held_world, client_for):
    issue(held_world)
    review = held_world["review"]
    rec = Recommendation.objects.get(review=review, number=1)
    family = client_for("family_carer")
    portal = page(family, "portal:review", review.pk)
    assert portal.index(rec.plain_words) < portal.index("What the report says: Action number 1")
    detail = page(family, "recommendations:detail", rec.pk)
    assert rec.plain_words in detail and "What the report says" in detail
    chair = page(client_for("chair"), "recommendations:detail", rec.pk)
    assert "Waiting for the owner to accept" in chair  # staff keep the professional word


def test_each_finding_one_idea_per_line_then_what_it_means_for_you(held_world):
    rows = ConsolidatedKloe.objects.filter(panel=held_world["panel"])
    rows.update(
        finding="Daniel is safe. Staff know him well; he likes the garden.\nNo restraint.",
        for_you="You are safe here.",
    )
    html = rendering.easy_read_body(
        queries.report_content(seen_by(held_world["chair"], held_world["review"]))
    )
    for line in (
        "Daniel is safe.",
        "Staff know him well.",
        "He likes the garden.",
        "No restraint.",
        "What this means for you:",
        "You are safe here.",
    ):
        assert f'<span class="easy-read__text">{line}</span>' in html, line
