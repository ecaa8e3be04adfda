"""The report to the national template, drawn from the data: each section checked against the
rows it comes from, for an adult's hospital CTR and a child's community C(E)TR."""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal.formatting import nhs_date
from documents.models import ItemStatus
from panels.models import Concern, EvidenceSource, QuoteFrom
from recommendations.models import State
from reports import queries, rendering
from reviews.models import DsrRating, MentalHealthActStatus, ParticipantRole, ReviewState
from tests.documents.factories import (
    ChecklistItemFactory,
    DocumentFactory,
    DocumentPackFactory,
    PackItemFactory,
)
from tests.panels.factories import (
    ConcernFactory,
    EvidenceFactory,
    KloeAnswerFactory,
    PanelFactory,
    WorkbookFactory,
    kloe_of,
    make_held,
)
from tests.recommendations.factories import RecommendationFactory
from tests.reviews.factories import (
    ConsentRecordFactory,
    ParticipantFactory,
    PersonFactory,
    ReviewFactory,
)

from .factories import seen_by

FAMILY_QUOTE = "He has not been outside for a walk since March."
CONCERN = "Bruising seen on his arm; staff could not say how it happened."


def text_of(html: str) -> str:
    """The words a reader meets, tags dropped and spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def body(review, user, **kwargs) -> str:
    return rendering.report_body(queries.report_content(seen_by(user, review)), **kwargs)


@pytest.fixture
def hospital_world(held_world, users, organisations):
    """The adult's hospital CTR of `held_world`: detained under section 3 on Willow ward for 120
    days, a pack with a document read and two items missing, evidence citing the document, a
    family member's words, two serious concerns (one dealt with) and a previous review's
    recommendations."""
    review, panel, chair = held_world["review"], held_world["panel"], held_world["chair"]
    person = review.person
    person.mha_status = MentalHealthActStatus.SECTION_3
    person.admission_date = review.held_on - datetime.timedelta(days=120)
    person.keyworker_name = "Kay Walker"
    person.responsible_clinician = "Dr Amir Khan, consultant psychiatrist"
    person.care_coordinator = "Jo Patel, community team"
    person.save()

    pack = DocumentPackFactory(review=review)
    plan_item = PackItemFactory(
        pack=pack,
        title="Care and treatment plan",
        status=ItemStatus.PROVIDED,
        organisation=organisations["provider"],
    )
    plan = DocumentFactory(
        item=plan_item,
        original_name="ctp.pdf",
        uploaded_at=timezone.make_aware(datetime.datetime(2026, 3, 3, 10)),
    )
    PackItemFactory(
        pack=pack, title="Positive behaviour support plan", organisation=organisations["provider"]
    )
    PackItemFactory(
        pack=pack,
        title="Seclusion records",
        status=ItemStatus.NOT_HELD,
        reason="The ward keeps none",
        organisation=organisations["provider"],
    )
    PackItemFactory(
        pack=pack,
        title="Forensic history",
        status=ItemStatus.NOT_APPLICABLE,
        reason="No forensic history",
        organisation=organisations["provider"],
    )

    expert = held_world["participants"]["clinical_expert"]
    workbook = panel.workbooks.get(participant=expert)
    answer = KloeAnswerFactory(workbook=workbook, kloe=kloe_of(panel, 7))
    EvidenceFactory(
        answer=answer,
        source_kind=EvidenceSource.DOCUMENT,
        source="",
        document=plan,
        shows="The plan has not been reviewed since restraint began.",
    )
    EvidenceFactory(
        answer=answer,
        source_kind=EvidenceSource.CONVERSATION,
        source="Maureen Clarke",
        shows=FAMILY_QUOTE,
        quote_from=QuoteFrom.FAMILY,
    )
    resolved = ConcernFactory(
        answer=KloeAnswerFactory(workbook=workbook, kloe=kloe_of(panel, 4), concern_detail=CONCERN),
        action_taken="The ward manager made a safeguarding referral the same afternoon.",
        action_by="Sam Whitfield, ward manager",
        resolved_at=timezone.now(),
        resolved_by=chair,
    )
    ConcernFactory(
        answer=KloeAnswerFactory(
            workbook=workbook,
            kloe=kloe_of(panel, 5),
            concern_detail="No physical health check for two years.",
        ),
        kind=Concern.Kind.SAFETY,
    )

    earlier = ReviewFactory(
        person=person,
        kind="community",
        state=ReviewState.CLOSED,
        created_by=chair,
    )
    earlier.created_at = review.created_at - datetime.timedelta(days=200)
    earlier.save(update_fields=["created_at"])
    for n, (action, state) in enumerate(
        [
            ("Find a flat near his mum", State.IN_PROGRESS),
            ("Teach staff his signs of pain", State.DONE),
            ("Start a day service", State.NOT_ACHIEVED),
        ],
        start=1,
    ):
        RecommendationFactory(review=earlier, number=n, action=action, state=state)
    return {**held_world, "plan": plan, "resolved": resolved, "pack": pack, "earlier": earlier}


@pytest.fixture
def child_world(users, organisations):
    """A 15-year-old's community C(E)TR: amber on the register, her local authority's social
    worker taking part, an EHC plan in the pack; no concerns, no family words, no earlier
    review."""
    commissioner = users["commissioner"]
    person = PersonFactory(
        child=True,
        given_name="Chloe",
        family_name="Evans",
        responsible_commissioner=organisations["icb"],
        local_authority=organisations["local_authority"],
        dsr_rating=DsrRating.AMBER,
        created_by=commissioner,
    )
    review = ReviewFactory(person=person, scheduled=True, kind="community", created_by=commissioner)
    ConsentRecordFactory(review=review, recorded_by=commissioner)
    ParticipantFactory(
        review=review, role=ParticipantRole.CHAIR, user=users["chair"], added_by=commissioner
    )
    ParticipantFactory(
        review=review,
        role=ParticipantRole.LOCAL_AUTHORITY,
        user=users["local_authority"],
        added_by=commissioner,
    )
    review = make_held(review)
    PanelFactory(review=review)
    pack = DocumentPackFactory(review=review)
    ehcp = PackItemFactory(
        pack=pack,
        title="Education, health and care (EHC) plan",
        source=ChecklistItemFactory(
            code="ehc-plan", title="EHC plan", responsible="local_authority"
        ),
        status=ItemStatus.PROVIDED,
        organisation=organisations["local_authority"],
    )
    DocumentFactory(item=ehcp)
    return {"review": review, "person": person, "chair": users["chair"], "users": users}


# --- 1. About the person, from their record -------------------------------------------------


def test_a_hospital_report_gives_the_persons_detention_admission_ward_and_register(
    hospital_world,
):
    review = hospital_world["review"]
    text = text_of(body(review, hospital_world["chair"]))
    admitted = review.person.admission_date

    assert "Mental Health Act status Section 3" in text
    assert f"Admitted on {nhs_date(admitted)}" in text
    assert "Length of stay 120 days" in text
    assert "Ward Willow ward, Riverside Hospital" in text
    assert "Hospital, non-secure" in text
    assert "Dynamic Support Register rating Blue: in hospital" in text
    assert "Keyworker Kay Walker" in text
    assert "Responsible clinician Dr Amir Khan, consultant psychiatrist" in text
    assert "Care coordinator Jo Patel, community team" in text


def test_a_community_report_has_no_admission_rows(child_world):
    text = text_of(body(child_world["review"], child_world["chair"]))

    assert "Admitted on" not in text
    assert "Length of stay" not in text
    assert "Ward " not in text
    assert "Dynamic Support Register rating Amber" in text
    assert "Where they live In the community" in text


# --- 2. Documents read and missing ----------------------------------------------------------


def test_the_report_lists_the_documents_read_and_those_missing(hospital_world):
    review, plan = hospital_world["review"], hospital_world["plan"]
    html = body(review, hospital_world["chair"])
    text = text_of(html)

    assert "Documents the panel read" in text
    assert "Care and treatment plan, added on 3 March 2026" in text
    assert "Documents missing" in text
    assert "Positive behaviour support plan: still needed" in text
    assert "Seclusion records: not held (The ward keeps none)" in text
    assert "Forensic history" not in text  # not applicable is not missing
    # Plain text unless the reader may open it: the PDF and the frozen copy have no links.
    assert reverse("documents:document", args=[plan.pk]) not in html


def test_the_preview_links_each_document_for_those_who_may_open_it(hospital_world, client_for):
    review, plan = hospital_world["review"], hospital_world["plan"]
    href = reverse("documents:document", args=[plan.pk])

    page = client_for("commissioner").get(reverse("reports:report", args=[review.pk]))
    assert href in page.content.decode()
    assert href in body(review, hospital_world["chair"], document_links={plan.pk})


def test_a_review_without_a_pack_says_so(held_world):
    text = text_of(body(held_world["review"], held_world["chair"]))

    assert "No document pack was made for this review." in text


# --- 3. Evidence cites pack documents --------------------------------------------------------


def test_each_finding_cites_the_documents_its_evidence_used(hospital_world):
    review = hospital_world["review"]
    content = queries.report_content(seen_by(hospital_world["chair"], review))
    restraint = next(f for f in content.findings if f.kloe.number == 7)

    assert [d.pk for d in restraint.documents] == [hospital_world["plan"].pk]
    text = text_of(rendering.report_body(content))
    assert "Documents the panel used: Care and treatment plan" in text


# --- 4. What the family told us --------------------------------------------------------------


def test_what_the_family_said_has_its_own_section(hospital_world, child_world):
    text = text_of(body(hospital_world["review"], hospital_world["chair"]))
    family = text.split("What the family told us", 1)[1].split("What the panel found", 1)[0]
    assert FAMILY_QUOTE in family
    assert "Maureen Clarke" in family

    child = text_of(body(child_world["review"], child_world["chair"]))
    assert "The panel did not write down anything the family said." in child


# --- 5. Serious concerns and what was done ---------------------------------------------------


def test_each_serious_concern_is_given_with_what_was_done(hospital_world, child_world):
    text = text_of(body(hospital_world["review"], hospital_world["chair"]))
    concerns = text.split("Serious concerns raised on the day", 1)[1]

    assert CONCERN in concerns
    assert "What was done The ward manager made a safeguarding referral" in concerns
    assert "Who did it Sam Whitfield, ward manager" in concerns
    assert "Immediate safety concern" in concerns
    assert "No physical health check for two years." in concerns
    assert "Not yet recorded: the chair has not said what was done." in concerns

    child = text_of(body(child_world["review"], child_world["chair"]))
    assert "No serious concerns were raised on the day." in child


# --- 6. The previous review's recommendations -------------------------------------------------


def test_the_previous_reviews_recommendations_are_given_with_where_each_stands(
    hospital_world, child_world
):
    text = text_of(body(hospital_world["review"], hospital_world["chair"]))
    earlier = text.split("The previous review's recommendations", 1)[1]

    assert "Find a flat near his mum Started" in earlier
    assert "Teach staff his signs of pain Done" in earlier
    assert "Start a day service Not done" in earlier

    child = text_of(body(child_world["review"], child_world["chair"]))
    assert "There was no earlier review with recommendations." in child


# --- 7. How the panel decided, for every KLOE -------------------------------------------------


def test_how_the_panel_decided_is_given_for_every_kloe(held_world):
    text = text_of(body(held_world["review"], held_world["chair"]))

    assert text.count("How the panel decided:") == 11
    assert "How the panel decided: Two members rated some concerns" in text
    assert "How the panel decided: Not written yet." in text


def test_the_key_questions_start_from_the_members_answers(held_world, client_for):
    panel = held_world["panel"]
    workbook = panel.workbooks.get()
    workbook.is_safe = "Mostly: restraint is too frequent."
    workbook.save()

    page = client_for("chair").get(reverse("reports:edit", args=[held_world["review"].pk]))
    html = unescape(page.content.decode())

    assert "Nia Roberts (clinical expert): Mostly: restraint is too frequent." in html


# --- 8. The template by kind ------------------------------------------------------------------


def test_a_childs_report_adds_education_and_the_local_authority(child_world, hospital_world):
    text = text_of(body(child_world["review"], child_world["chair"]))
    education = text.split("Education and the local authority", 1)[1]

    assert "Local authority North Shore Council" in education or "Local authority " in education
    assert "Lou Bennett" in education
    assert "Education, health and care (EHC) plan In the pack" in education
    assert "Is the child or young person safe?" in text

    adult = text_of(body(hospital_world["review"], hospital_world["chair"]))
    assert "Education and the local authority" not in adult


# --- The page stays quick ----------------------------------------------------------------------


def _grow(world, n):
    """n documents, missing items, concerns and earlier recommendations."""
    panel, pack = world["panel"], world["pack"]
    workbook = WorkbookFactory(panel=panel)
    for number in (1, 2, 3, 6, 8, 10, 11):
        ConcernFactory(answer=KloeAnswerFactory(workbook=workbook, kloe=kloe_of(panel, number)))
    for i in range(n):
        item = PackItemFactory(pack=pack, title=f"Extra {i}", status=ItemStatus.PROVIDED)
        DocumentFactory(item=item)
        PackItemFactory(pack=pack, title=f"Missing {i}")
        RecommendationFactory(review=world["earlier"], number=10 + i, state=State.AGREED)


def test_the_report_page_makes_the_same_queries_for_one_row_as_for_many(hospital_world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("reports:report", args=[hospital_world["review"].pk])
    client = client_for("chair")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _grow(hospital_world, 25)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200

    assert len(many) == len(one)
    assert len(one) <= 20


def test_the_new_sections_keep_the_pdfs_to_pdf_ua(hospital_world, child_world):
    from reports import services
    from tests.pdf_ua import pdf_ua_problems

    for world, kind, points in (
        (hospital_world, "full", 12),
        (hospital_world, "large_print", 18),
        (child_world, "full", 12),
    ):
        review = seen_by(world["chair"], world["review"])
        html = services._body(queries.report_content(review), kind)
        title = rendering.document_title(review, variant=kind)
        data = rendering.pdf_from_html(rendering.print_document(html, title=title, variant=kind))
        assert pdf_ua_problems(data[0], min_points=points) == [], kind
        assert reverse("documents:document", args=[hospital_world["plan"].pk]) not in html
