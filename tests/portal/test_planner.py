"""The person's planner (My CTR Planner): filled in a question at a time by the person, by a
family carer helping them (recorded as such) or typed in from paper by the commissioner; read by
the panel before the day only while the consent lets them see the person's details; printed as an
easy-read PDF."""

import io

import pypdf
import pytest
from django.urls import reverse

from portal.models import PLANNER_QUESTIONS, Planner
from tests.conftest import sign_in
from tests.reviews.factories import ConsentRecordFactory

pytestmark = pytest.mark.django_db


def as_user(client, world, role):
    return sign_in(client, world["participants"][role].user)


def question_url(review, slug):
    return reverse("portal:planner_question", args=[review.pk, slug])


def test_the_person_fills_the_planner_a_question_at_a_time_and_it_saves_as_they_go(
    client, review_world
):
    review = review_world["review"]
    as_user(client, review_world, "person")
    portal = client.get(reverse("portal:review", args=[review.pk])).content.decode()
    assert "Start the planner" in portal

    first = PLANNER_QUESTIONS[0]
    page = client.get(question_url(review, first.slug)).content.decode()
    assert first.question in page and "question 1 of 8" in page
    response = client.post(question_url(review, first.slug), {"answer": "I like trains."})
    assert response.url == question_url(review, PLANNER_QUESTIONS[1].slug)
    assert Planner.objects.get(review=review).about_me == "I like trains."

    take_part = next(q for q in PLANNER_QUESTIONS if q.field == "take_part")
    client.post(question_url(review, take_part.slug), {"answer": "video"})
    last = PLANNER_QUESTIONS[-1]
    response = client.post(question_url(review, last.slug), {"answer": "Breaks."})
    assert response.url == reverse("portal:planner", args=[review.pk])

    planner = Planner.objects.get(review=review)
    assert (planner.take_part, planner.what_helps, planner.helped_by) == ("video", "Breaks.", "")
    overview = client.get(response.url).content.decode()
    assert "My planner" in overview and "I like trains." in overview and "By video" in overview


def test_a_bad_choice_keeps_what_was_there_and_says_why(client, review_world):
    review = review_world["review"]
    as_user(client, review_world, "person")
    take_part = next(q for q in PLANNER_QUESTIONS if q.field == "take_part")
    response = client.post(question_url(review, take_part.slug), {"answer": "juggling"})
    assert response.status_code == 200
    assert "Choose one of the answers" in response.content.decode()
    assert not Planner.objects.filter(review=review).exists()


def test_a_family_carer_helping_is_recorded_as_helping(client, review_world):
    review = review_world["review"]
    as_user(client, review_world, "family_carer")
    client.post(question_url(review, "talk-about"), {"answer": "Going home."})
    planner = Planner.objects.get(review=review)
    assert planner.talk_about == "Going home."
    carer = review_world["participants"]["family_carer"]
    assert planner.helped_by == f"{carer.name} (Family carer)"
    assert not planner.from_paper


def test_the_commissioner_types_in_the_paper_planner_marked_as_such(client, review_world):
    review = review_world["review"]
    sign_in(client, review.created_by)
    client.post(question_url(review, "about-me"), {"answer": "Written on paper."})
    planner = Planner.objects.get(review=review)
    assert planner.from_paper
    assert planner.helped_by.startswith("Typed in from the paper planner by")
    assert (
        planner.helped_by
        in client.get(reverse("portal:planner", args=[review.pk])).content.decode()
    )


def test_the_panel_reads_it_before_the_day_only_while_the_consent_allows(client, review_world):
    review = review_world["review"]
    Planner.objects.create(review=review, about_me="I like trains.")
    expert = as_user(client, review_world, "clinical_expert")
    url = reverse("portal:planner", args=[review.pk])
    page = expert.get(url)
    assert page.status_code == 200 and "I like trains." in page.content.decode()
    assert "Fill in" not in page.content.decode()  # read only
    assert expert.get(question_url(review, "about-me")).status_code == 403

    ConsentRecordFactory(review=review, decision="declined", recorded_by=review.created_by)
    assert expert.get(url).status_code == 403
    assert expert.get(reverse("portal:planner_pdf", args=[review.pk])).status_code == 403


def test_the_expert_by_experience_waits_for_their_declaration(client, review_world):
    review = review_world["review"]
    Planner.objects.create(review=review, about_me="I like trains.")
    as_user(client, review_world, "expert_by_experience")
    assert client.get(reverse("portal:planner", args=[review.pk])).status_code == 403


def test_the_planner_prints_as_an_easy_read_pdf_with_room_to_write(client, review_world):
    review = review_world["review"]
    Planner.objects.create(review=review, about_me="I like trains.")
    as_user(client, review_world, "person")
    response = client.get(reverse("portal:planner_pdf", args=[review.pk]))
    assert response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "My planner" in text and "I like trains." in text
    assert "Someone I trust speaks for me" in text  # the choices, to tick on paper
    assert reader.metadata.title.startswith("My planner")
