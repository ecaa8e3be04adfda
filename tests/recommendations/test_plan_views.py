"""Issue 21's pages: the commissioner's check of a "done", reopening, the evidence upload saying
who sees it, evidence hidden from the family, the review's list of owners not answered and the
action plan's steps (same queries for 1 row and 25), the portal showing each step, and the
one-by-one send kept for recommendations added after the report was issued."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations import services
from recommendations.models import EvidenceFile, RecommendationUpdate, State
from reviews.models import ReviewState
from tests.documents.factories import pdf_bytes

from .factories import RecommendationFactory
from .test_plan import claimed, sent_plan
from .test_portal_section import portal_page
from .test_services import draft
from .test_views import queries_for

pytestmark = pytest.mark.django_db


def url(name, recommendation):
    return reverse(f"recommendations:{name}", args=[recommendation.pk])


def test_the_commissioner_checks_a_done_with_errors_in_nhs_style(world, client_for):
    recommendation = claimed(world)
    commissioner = client_for("commissioner")
    page = commissioner.get(url("check", recommendation)).content.decode()
    assert "Does the evidence show it is done?" in page
    response = commissioner.post(url("check", recommendation), {})
    assert "Select whether the evidence shows it is done" in response.content.decode()
    response = commissioner.post(url("check", recommendation), {"decision": "send_back"})
    assert response.content.decode().count("Enter why it is not done yet") >= 2
    recommendation.refresh_from_db()
    assert recommendation.state == State.DONE_CLAIMED  # nothing half-saved
    response = commissioner.post(
        url("check", recommendation), {"decision": "send_back", "reason": "No report attached"}
    )
    assert response.url == url("detail", recommendation)
    recommendation.refresh_from_db()
    assert recommendation.state == State.IN_PROGRESS


def test_the_owner_cannot_check_their_own_done_and_sees_it_waiting(world, client_for):
    recommendation = claimed(world)
    assert client_for("provider").get(url("check", recommendation)).status_code == 403
    assert client_for("provider").post(url("check", recommendation), {}).status_code == 403
    page = client_for("provider").get(url("detail", recommendation)).content.decode()
    assert "Marked done — waiting for the commissioner to check" in page


def test_confirm_then_reopen(world, client_for):
    recommendation = claimed(world)
    client_for("commissioner").post(url("check", recommendation), {"decision": "confirm"})
    recommendation.refresh_from_db()
    assert recommendation.state == State.DONE
    chair = client_for("chair")
    detail = chair.get(url("detail", recommendation)).content.decode()
    assert url("reopen", recommendation) in detail
    response = chair.post(url("reopen", recommendation), {"reason": ""})
    assert "Enter why the recommendation is reopened" in response.content.decode()
    chair.post(url("reopen", recommendation), {"reason": "The plan lapsed"})
    recommendation.refresh_from_db()
    assert recommendation.state == State.IN_PROGRESS


def test_the_upload_says_who_will_see_it_before_the_upload(world, client_for):
    recommendation = sent_plan(world)
    services.recommendation_accept(
        actor=world["users"]["provider"], recommendation=recommendation, remit_confirmed=True
    )
    page = client_for("provider").get(url("done", recommendation)).content.decode()
    assert page.index("Who will see it:") < page.index('type="file"')
    assert "the person and their family where the person&#x27;s consent allows" in page
    assert "This file is not for the person and family" in page


@pytest.mark.parametrize("hidden", [True, False])
def test_the_family_cannot_download_evidence_marked_not_for_them(world, client_for, hidden):
    recommendation = sent_plan(world)
    services.recommendation_accept(
        actor=world["users"]["provider"], recommendation=recommendation, remit_confirmed=True
    )
    client_for("provider").post(
        url("done", recommendation),
        {
            "note": "Assessment done; report shared",
            "evidence": SimpleUploadedFile(
                "report.pdf", pdf_bytes("Report"), content_type="application/pdf"
            ),
            **({"not_for_family": "on"} if hidden else {}),
        },
    )
    evidence = EvidenceFile.objects.get(recommendation=recommendation)
    assert evidence.not_for_family == hidden
    download = reverse("recommendations:evidence", args=[recommendation.pk, evidence.pk])
    for role in ("family_carer", "person"):
        client = client_for(role)
        assert client.get(download).status_code == (404 if hidden else 200)
        assert (download in client.get(url("detail", recommendation)).content.decode()) != hidden
        assert (download in portal_page(client, world["review"])) != hidden
    for role in ("provider", "commissioner", "chair"):
        assert client_for(role).get(download).status_code == 200


def test_the_commissioner_can_no_longer_accept_for_the_owner(world, client_for):
    recommendation = sent_plan(world)
    response = client_for("commissioner").post(
        url("respond", recommendation), {"response": "accept", "remit_confirmed": "on"}
    )
    assert response.status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.state == State.AWAITING_OWNER


def test_the_review_page_lists_owners_not_answered_with_the_date(world, client_for):
    recommendation = sent_plan(world)
    page = client_for("commissioner").get(
        reverse("recommendations:review", args=[world["review"].pk])
    )
    html = page.content.decode()
    assert "Owners who have not answered yet" in html
    assert recommendation.owner_display in html
    from ctr_portal.formatting import nhs_date

    assert f"to answer by {nhs_date(recommendation.accept_by)}" in html
    family = client_for("family_carer").get(
        reverse("recommendations:review", args=[world["review"].pk])
    )
    assert "Owners who have not answered yet" not in family.content.decode()


def many_with_steps(world, count):
    base = world["review"].review_date
    for n in range(count):
        made = RecommendationFactory(
            review=world["review"],
            state=State.AWAITING_OWNER if n % 2 else State.IN_PROGRESS,
            accept_by=base + datetime.timedelta(days=14),
            due_date=base + datetime.timedelta(days=30 + n),
        )
        for kind in ("sent", "accepted", "progress"):
            RecommendationUpdate.objects.create(recommendation=made, kind=kind, actor=made.owner)


@pytest.mark.parametrize(
    ("role", "page"),
    [("commissioner", "recommendations:review"), ("family_carer", "portal:review")],
)
def test_the_action_plan_makes_the_same_queries_for_1_row_as_for_25(world, client_for, role, page):
    client = client_for(role)
    address = reverse(page, args=[world["review"].pk])
    many_with_steps(world, 1)
    one = queries_for(client, address)
    many_with_steps(world, 24)
    assert queries_for(client, address) == one


def test_the_portal_shows_each_step(world, client_for):
    users = world["users"]
    first = draft(world)
    second = draft(world)
    services.recommendations_send_plan(actor=users["chair"], review=world["review"])
    first.refresh_from_db()
    second.refresh_from_db()
    services.recommendation_dispute(actor=users["provider"], recommendation=second, reason="No")
    services.recommendation_accept(
        actor=users["provider"], recommendation=first, remit_confirmed=True
    )
    services.recommendation_mark_done(actor=users["provider"], recommendation=first, note="Did it")
    services.recommendation_done_send_back(
        actor=users["commissioner"], recommendation=first, reason="Not shown"
    )
    html = portal_page(client_for("family_carer"), world["review"])
    for step in (
        "Sent to the owner",
        "Accepted by the owner",
        "Disputed by the owner",
        "Marked done — waiting for the commissioner to check",
        "Sent back to the owner: not done yet",
        "Not shown",
    ):
        assert step in html, step
    assert "Drafted" not in html  # the chair's drafting is not the plan


def test_send_one_by_one_only_after_the_report_is_issued(world, client_for):
    recommendation = draft(world)
    chair = client_for("chair")
    assert (
        url("send", recommendation) not in chair.get(url("detail", recommendation)).content.decode()
    )
    chair.post(url("send", recommendation))
    recommendation.refresh_from_db()
    assert recommendation.state == State.DRAFT
    review = world["review"]
    review.state = ReviewState.REPORT_ISSUED
    review.save(update_fields=["state"])
    assert url("send", recommendation) in chair.get(url("detail", recommendation)).content.decode()
    chair.post(url("send", recommendation))
    recommendation.refresh_from_db()
    assert recommendation.state == State.AWAITING_OWNER and recommendation.accept_by
