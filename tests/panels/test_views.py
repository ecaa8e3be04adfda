"""The workbook, consolidation, concern, findings and provider pages, through the test client."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ctr_portal.models import Notification
from panels import queries, services
from panels.models import Concern, ConsolidatedKloe, Rating, Workbook
from reviews.models import ReviewState
from reviews.queries import review_for_user
from tests.reviews.factories import ConsentRecordFactory

from .factories import (
    EvidenceFactory,
    KloeAnswerFactory,
    SuggestedRecommendationFactory,
    WorkbookFactory,
    kloe_of,
    make_held,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(review_world, users):
    return {**review_world, "users": users}


def workbook_of(world, role="clinical_expert"):
    user = world["users"][role]
    return services.workbook_open(actor=user, review=review_for_user(user, world["review"].pk))


def kloe_url(world, number):
    return reverse("panels:workbook_kloe", args=[world["review"].pk, number])


def answer_data(version=0, **fields):
    data = {
        "findings": "",
        "rating": "",
        "concern_detail": "",
        "version": str(version),
        "evidence-TOTAL_FORMS": "1",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "50",
        "suggestion-TOTAL_FORMS": "1",
        "suggestion-INITIAL_FORMS": "0",
        "suggestion-MIN_NUM_FORMS": "0",
        "suggestion-MAX_NUM_FORMS": "20",
    }
    data.update(fields)
    return data


def saved_answer(world, number, role="clinical_expert"):
    workbook = workbook_of(world, role)
    return queries.answer_for(workbook, kloe_of(workbook.panel, number))


# --- The member's workbook -----------------------------------------------------------------


def test_the_progress_page_lists_every_kloe_of_the_workbook(world, client_for):
    response = client_for("clinical_expert").get(
        reverse("panels:workbook", args=[world["review"].pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("/workbook/kloe/") == 11
    assert "Adult, hospital (non-secure) workbook" in html
    assert "You have finished 0 of 11" in html


def test_a_kloe_page_shows_its_prompts_beside_the_form(world, client_for):
    response = client_for("clinical_expert").get(kloe_url(world, 7))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Are there clear, safe and positive approaches to risk?" in html
    assert "prone" in html  # a hospital prompt
    assert "Where to look:" in html
    assert 'hx-post="' in html and 'name="version"' in html
    assert 'name="evidence-0-source_kind"' in html


def test_the_provider_part_shows_beside_kloe_5(world, client_for):
    services.provider_part_save(
        actor=world["users"]["provider"],
        review=review_for_user(world["users"]["provider"], world["review"].pk),
        texts={5: "Epilepsy, well controlled.", 6: ""},
    )
    html = client_for("clinical_expert").get(kloe_url(world, 5)).content.decode()
    assert "From the provider" in html and "Epilepsy, well controlled." in html


def test_pages_load_htmx_from_static_files_and_no_script_without_a_nonce(world, client_for):
    response = client_for("clinical_expert").get(kloe_url(world, 1))
    html = response.content.decode()
    assert "django_htmx/htmx-2.min.js" in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or "nonce=" in tag, tag
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_a_full_save_goes_to_the_next_kloe(world, client_for):
    response = client_for("clinical_expert").post(
        kloe_url(world, 1),
        answer_data(
            findings="Dan feels safe on Willow ward.",
            rating=Rating.NO_CONCERNS,
            action="next",
            **{
                "evidence-0-source_kind": "conversation",
                "evidence-0-source": "Dan",
                "evidence-0-shows": "I feel safe here",
                "evidence-0-quote_from": "person",
            },
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == kloe_url(world, 2)
    answer = saved_answer(world, 1)
    assert answer.findings == "Dan feels safe on Willow ward."
    assert [e.quote_from for e in answer.evidence.all()] == ["person"]


def test_autosave_answers_with_the_saved_time_and_the_new_version(world, client_for):
    client = client_for("clinical_expert")
    response = client.post(kloe_url(world, 2), answer_data(findings="Half a thought"), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saved at" in html
    assert re.search(r'<input type="hidden" name="version" value="1"[^>]*hx-swap-oob="true"', html)
    assert saved_answer(world, 2).findings == "Half a thought"

    # The next autosave, on the new version, is applied.
    client.post(kloe_url(world, 2), answer_data(1, findings="Half a thought, now whole"), **HTMX)
    assert saved_answer(world, 2).findings == "Half a thought, now whole"


def test_autosave_keeps_an_unfinished_evidence_item(world, client_for):
    client_for("clinical_expert").post(
        kloe_url(world, 3), answer_data(**{"evidence-0-source": "Care plan"}), **HTMX
    )
    assert [e.source for e in saved_answer(world, 3).evidence.all()] == ["Care plan"]


def test_a_stale_autosave_is_not_applied_and_says_so(world, client_for):
    client = client_for("clinical_expert")
    client.post(kloe_url(world, 2), answer_data(findings="From the tablet"), **HTMX)
    response = client.post(kloe_url(world, 2), answer_data(findings="From the laptop"), **HTMX)
    html = response.content.decode()
    assert "Not saved" in html and "another tab or on another device" in html
    assert saved_answer(world, 2).findings == "From the tablet"


def test_a_stale_save_shows_both_texts_and_the_member_chooses(world, client_for):
    client = client_for("clinical_expert")
    client.post(kloe_url(world, 2), answer_data(findings="From the tablet"), **HTMX)
    response = client.post(
        kloe_url(world, 2), answer_data(findings="From the laptop", action="save")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "This KLOE was changed somewhere else" in html
    assert "From the tablet" in html  # the saved version
    assert "From the laptop" in html  # theirs, still in the form
    assert re.search(r'name="version" value="1"', html)  # now based on the saved version
    assert "Keep my version" in html and "Use the saved version" in html

    response = client.post(
        kloe_url(world, 2), answer_data(1, findings="From the laptop", action="save")
    )
    assert response.status_code == 302
    assert saved_answer(world, 2).findings == "From the laptop"


def test_an_incomplete_evidence_item_is_reported_and_nothing_typed_is_lost(world, client_for):
    response = client_for("clinical_expert").post(
        kloe_url(world, 4),
        answer_data(
            findings="Words I typed",
            action="save",
            **{"evidence-0-source": "Communication passport"},
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Select where the evidence is from" in html
    assert 'href="#id_evidence-0-source_kind' in html
    assert "Words I typed" in html and "Communication passport" in html
    assert saved_answer(world, 4) is None


def test_a_serious_rating_without_a_description_is_kept_by_autosave_but_asked_for(
    world, client_for
):
    client = client_for("clinical_expert")
    response = client.post(kloe_url(world, 7), answer_data(rating=Rating.SERIOUS_CONCERNS), **HTMX)
    assert "Describe the concern so that the chair" in response.content.decode()
    response = client.post(
        kloe_url(world, 7), answer_data(1, rating=Rating.SERIOUS_CONCERNS, action="save")
    )
    assert "Describe the concern" in response.content.decode()
    assert not Concern.objects.exists()


def test_raising_a_concern_from_the_page_tells_the_member(world, client_for):
    client = client_for("clinical_expert")
    response = client.post(
        kloe_url(world, 7),
        answer_data(
            rating=Rating.SERIOUS_CONCERNS,
            concern_detail="Restraint logged 14 times in 4 weeks.",
            action="save",
        ),
        follow=True,
    )
    assert "have been told about the concern" in response.content.decode()
    assert Notification.objects.filter(template="panel_concern").count() == 2


def test_a_submitted_workbook_is_read_only(world, client_for):
    workbook = workbook_of(world)
    KloeAnswerFactory(workbook=workbook, findings="Submitted words")
    Workbook.objects.filter(pk=workbook.pk).update(submitted_at="2025-01-01T10:00Z")
    client = client_for("clinical_expert")
    html = client.get(kloe_url(world, 1)).content.decode()
    assert "read-only" in html and "Submitted words" in html and "<textarea" not in html
    response = client.post(kloe_url(world, 1), answer_data(1, findings="Changed"), **HTMX)
    assert "Not saved" in response.content.decode()
    assert saved_answer(world, 1).findings == "Submitted words"


def test_submitting_from_the_page(world, client_for):
    workbook = workbook_of(world)
    for kloe in queries.kloes_for_panel(workbook.panel):
        KloeAnswerFactory(workbook=workbook, kloe=kloe, rating=Rating.NO_CONCERNS)
    url = reverse("panels:workbook_submit", args=[world["review"].pk])
    client = client_for("clinical_expert")
    assert "Submit your workbook" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    workbook.refresh_from_db()
    assert workbook.is_submitted


def test_submitting_an_unfinished_workbook_says_what_is_missing(world, client_for):
    url = reverse("panels:workbook_submit", args=[world["review"].pk])
    response = client_for("clinical_expert").post(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html and "KLOE 1: select a rating" in html


def test_the_key_questions_autosave(world, client_for):
    url = reverse("panels:workbook_key_questions", args=[world["review"].pk])
    client = client_for("clinical_expert")
    assert "Is the person safe?" in client.get(url).content.decode()
    response = client.post(url, {"is_safe": "Yes, mostly.", "version": "0"}, **HTMX)
    assert "Saved at" in response.content.decode()
    stale = client.post(url, {"is_safe": "No.", "version": "0"})
    assert "Your answers were changed somewhere else" in stale.content.decode()
    assert Workbook.objects.get().is_safe == "Yes, mostly."


def test_a_cetr_asks_the_key_questions_in_the_childrens_wording(world, client_for):
    person = world["review"].person
    person.date_of_birth = world["review"].review_date.replace(year=2011)
    person.save(update_fields=["date_of_birth"])
    url = reverse("panels:workbook_key_questions", args=[world["review"].pk])

    html = client_for("clinical_expert").get(url).content.decode()

    assert "Is the child or young person safe?" in html
    assert "Are they getting good care, education and treatment now?" in html
    assert "What are their plans for the future, including education?" in html
    assert "Can care, education and treatment be provided in the community?" in html
    assert "Is the person safe?" not in html


@pytest.mark.parametrize("page", ["workbook", "kloe", "key_questions"])
def test_the_personal_principles_and_smart_fold_out_beside_the_workbook(world, client_for, page):
    pk = world["review"].pk
    url = {
        "workbook": reverse("panels:workbook", args=[pk]),
        "kloe": kloe_url(world, 3),
        "key_questions": reverse("panels:workbook_key_questions", args=[pk]),
    }[page]

    html = client_for("clinical_expert").get(url).content.decode()

    assert html.count('<details class="nhsuk-details">') >= 2
    assert "The PERSONAL principles" in html and "What SMART means" in html
    assert "<strong>N</strong>othing about us without us" in html
    assert "<strong>T</strong>ime-framed" in html


def test_withdrawn_consent_closes_the_workbook_at_the_next_request(world, client_for):
    client = client_for("clinical_expert")
    assert client.get(kloe_url(world, 1)).status_code == 200
    ConsentRecordFactory(review=world["review"], withdrawn=True)
    assert client.get(kloe_url(world, 1)).status_code == 403
    assert client.post(kloe_url(world, 1), answer_data(findings="x"), **HTMX).status_code == 403


def test_a_kloe_that_is_not_in_the_workbook_is_not_found(world, client_for):
    assert client_for("clinical_expert").get(kloe_url(world, 12)).status_code == 404


# --- The chair -----------------------------------------------------------------------------


def consolidation_url(world, number=None):
    if number is None:
        return reverse("panels:consolidation", args=[world["review"].pk])
    return reverse("panels:consolidation_kloe", args=[world["review"].pk, number])


def fill_members(world, members, kloes=None):
    """`members` panel members with a workbook each: an answer, evidence and a suggestion under
    each KLOE (the first `kloes` of them, or all)."""
    panel = services.panel_form(review=world["review"])
    for n in range(members):
        workbook = WorkbookFactory(panel=panel, participant__role="panel_member")
        for kloe in queries.kloes_for_panel(panel)[:kloes]:
            answer = KloeAnswerFactory(workbook=workbook, kloe=kloe)
            EvidenceFactory(answer=answer, position=1)
            EvidenceFactory(answer=answer, position=2, quote_from="family")
            SuggestedRecommendationFactory(answer=answer, position=1, text=f"Do {n}")


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_consolidation_pages_make_the_same_queries_however_many_members_and_answers(
    world, client_for
):
    client = client_for("chair")
    make_held(world["review"])
    fill_members(world, 1, kloes=3)
    one = (
        count_queries(client, consolidation_url(world, 3)),
        count_queries(client, consolidation_url(world)),
    )
    fill_members(world, 3)  # every KLOE answered by four members
    four = (
        count_queries(client, consolidation_url(world, 3)),
        count_queries(client, consolidation_url(world)),
    )
    assert one == four


def test_the_chair_sees_every_members_answer_side_by_side(world, client_for):
    make_held(world["review"])
    expert = workbook_of(world)
    chair = workbook_of(world, "chair")
    KloeAnswerFactory(workbook=expert, kloe=kloe_of(expert.panel, 2), findings="Expert view")
    KloeAnswerFactory(
        workbook=chair,
        kloe=kloe_of(chair.panel, 2),
        findings="Chair view",
        rating=Rating.NO_CONCERNS,
    )
    html = client_for("chair").get(consolidation_url(world, 2)).content.decode()
    assert "Expert view" in html and "Chair view" in html
    assert "Members&#x27; ratings differ" in html or "Members' ratings differ" in html
    assert "nhsuk-grid-column-one-half" in html


def test_consolidating_a_kloe_needs_reasoning_where_ratings_differ(world, client_for):
    make_held(world["review"])
    expert = workbook_of(world)
    chair = workbook_of(world, "chair")
    KloeAnswerFactory(workbook=expert, kloe=kloe_of(expert.panel, 2), rating="some_concerns")
    KloeAnswerFactory(workbook=chair, kloe=kloe_of(chair.panel, 2), rating="no_concerns")
    client = client_for("chair")
    data = {
        "finding": "Agreed",
        "rating": "some_concerns",
        "reasoning": "",
        "version": "0",
        "action": "next",
    }
    response = client.post(consolidation_url(world, 2), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "enter how or why the panel decided" in html
    data["reasoning"] = "The MDT minutes support the clinical expert."
    response = client.post(consolidation_url(world, 2), data)
    assert response["Location"] == consolidation_url(world, 3)


def test_the_chair_says_what_a_finding_means_for_the_person_beside_it(world, client_for):
    """Issue 22: for the easy read, beside the finding, named for this review's person."""
    make_held(world["review"])
    client = client_for("chair")
    html = client.get(consolidation_url(world, 2)).content.decode()
    assert "What this means for Daniel" in html
    assert html.index('name="finding"') < html.index('name="for_you"') < html.index('name="rating"')
    client.post(
        consolidation_url(world, 2),
        {
            "finding": "Daniel could leave hospital once a home is found.",
            "for_you": "You do not need to be in hospital. A home is being looked for.",
            "rating": "some_concerns",
            "reasoning": "Every member gave this rating.",
            "version": "0",
            "action": "save",
        },
    )
    row = ConsolidatedKloe.objects.get(kloe__number=2)
    assert row.for_you == "You do not need to be in hospital. A home is being looked for."


def test_the_chair_cannot_consolidate_before_the_day(world, client_for):
    html = client_for("chair").get(consolidation_url(world, 1)).content.decode()
    assert "Consolidation opens once the review is held" in html
    assert 'name="finding"' not in html


def test_the_chair_finishes_and_the_commissioner_reads_the_findings(world, client_for):
    make_held(world["review"])
    chair = client_for("chair")
    panel = services.panel_form(review=world["review"])
    for kloe in queries.kloes_for_panel(panel):
        chair.post(
            consolidation_url(world, kloe.number),
            {
                "finding": f"Finding {kloe.number}",
                "rating": "no_concerns",
                "reasoning": "Every member found the same.",
                "version": "0",
                "action": "save",
            },
        )
    response = chair.post(reverse("panels:consolidation_finish", args=[world["review"].pk]))
    assert response.status_code == 302
    world["review"].refresh_from_db()
    assert world["review"].state == ReviewState.REPORT_DRAFTING
    html = (
        client_for("commissioner")
        .get(reverse("panels:findings", args=[world["review"].pk]))
        .content.decode()
    )
    assert "Finding 11" in html and "KLOE 11" in html


def test_finishing_too_soon_shows_what_is_missing(world, client_for):
    make_held(world["review"])
    response = client_for("chair").post(
        reverse("panels:consolidation_finish", args=[world["review"].pk])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html and "KLOE 1: enter the panel" in html


def test_the_chair_reopens_a_submitted_workbook(world, client_for):
    workbook = workbook_of(world)
    Workbook.objects.filter(pk=workbook.pk).update(submitted_at="2025-01-01T10:00Z")
    client = client_for("chair")
    assert "Reopen this workbook" in client.get(consolidation_url(world)).content.decode()
    url = reverse("panels:workbook_reopen", args=[world["review"].pk, workbook.pk])
    assert client.post(url).status_code == 302
    workbook.refresh_from_db()
    assert not workbook.is_submitted


def test_a_workbook_of_another_review_is_not_found(world, client_for):
    other = WorkbookFactory()
    url = reverse("panels:workbook_reopen", args=[world["review"].pk, other.pk])
    assert client_for("chair").post(url).status_code == 404


# --- Concerns ------------------------------------------------------------------------------


def raise_concern(world):
    workbook = workbook_of(world)
    kloe = kloe_of(workbook.panel, 7)
    services.kloe_answer_save(
        actor=world["users"]["clinical_expert"],
        workbook=workbook,
        kloe=kloe,
        expected_version=0,
        rating=Rating.SERIOUS_CONCERNS,
        concern_detail="Restraint logged 14 times in 4 weeks.",
    )
    return Concern.objects.get()


def test_the_commissioner_sees_open_concerns_and_the_chair_closes_them(world, client_for):
    concern = raise_concern(world)
    html = (
        client_for("commissioner")
        .get(reverse("panels:concerns", args=[world["review"].pk]))
        .content.decode()
    )
    assert "Restraint logged 14 times" in html and "The chair will record" in html
    chair = client_for("chair")
    url = reverse("panels:concern_resolve", args=[world["review"].pk, concern.pk])
    response = chair.post(url, {"action_taken": "", "action_by": ""})
    assert "Enter what was done" in response.content.decode()
    response = chair.post(
        url, {"action_taken": "Restraint review with the MDT", "action_by": "Dr Khan, RC"}
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert not concern.is_open


def test_open_concerns_show_on_the_review_page_links(world, users):
    from reviews.sections import review_links_for

    def links(role):
        review = review_for_user(users[role], world["review"].pk)
        return [link["text"] for link in review_links_for(users[role], review)]

    assert "Serious concerns raised by the panel" not in links("commissioner")
    raise_concern(world)
    assert "Serious concerns raised by the panel" in links("commissioner")
    assert "Serious concerns raised by the panel" in links("chair")
    assert "Serious concerns raised by the panel" not in links("family_carer")
    assert "Your KLOE workbook" in links("clinical_expert")
    assert "Your KLOE workbook" not in links("expert_by_experience")  # not declared yet
    assert "Physical health and medication (KLOE 5 and 6)" in links("provider")


# --- The provider --------------------------------------------------------------------------


def test_the_provider_completes_their_part(world, client_for):
    url = reverse("panels:provider_part", args=[world["review"].pk])
    client = client_for("provider")
    html = client.get(url).content.decode()
    assert "KLOE 5: Are the person&#x27;s health needs known and met?" in html
    response = client.post(url, {"kloe_5": "Epilepsy.", "kloe_6": "Clozapine 200mg at night."})
    assert response.status_code == 302
    panel = queries.panel_for_review(world["review"])
    assert {p.text for p in queries.provider_parts_by_kloe(panel).values()} == {
        "Epilepsy.",
        "Clozapine 200mg at night.",
    }


def test_another_panel_member_sees_only_their_own_workbook(world, client_for):
    expert = workbook_of(world)
    KloeAnswerFactory(workbook=expert, findings="The expert's private note")
    html = client_for("chair").get(kloe_url(world, 1)).content.decode()
    assert "The expert&#x27;s private note" not in html
    assert "The expert's private note" not in html


def test_quotes_and_carried_recommendations_are_ready_for_the_report(world):
    workbook = workbook_of(world)
    answer = KloeAnswerFactory(workbook=workbook, kloe=kloe_of(workbook.panel, 4))
    EvidenceFactory(answer=answer, position=1)
    EvidenceFactory(answer=answer, position=2, quote_from="person", shows="I like my walks")
    assert [e.shows for e in queries.quotes_for_panel(workbook.panel)] == ["I like my walks"]
    assert queries.carried_recommendations(workbook.panel) == []
