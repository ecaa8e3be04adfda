"""Every step of a recommendation's life, through the services: SMART checked, each change
recorded once in the history and on the review's timeline."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ctr_portal.models import Organisation
from documents.models import ItemStatus, PackItem
from recommendations import services
from recommendations.models import (
    EvidenceFile,
    ForWhom,
    RecommendationUpdate,
    State,
    timescale_phrase,
)
from recommendations.services import RecommendationError
from reviews.models import ReviewEvent, ReviewState
from reviews.services import review_transition
from tests.documents.factories import pdf_bytes
from tests.factories import OrganisationFactory
from tests.panels.factories import (
    CarriedRecommendationFactory,
    ConsolidatedKloeFactory,
    PanelFactory,
    kloe_of,
)
from tests.recommendations.factories import RecommendationFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db

PDF = pdf_bytes("Housing assessment report")


def panel_of(review):
    from panels.models import Panel

    return Panel.objects.filter(review=review).first() or PanelFactory(review=review)


def values(world, **overrides):
    review = world["review"]
    panel = panel_of(review)
    base = {
        "kloes": [kloe_of(panel, 9)],
        "action": "Arrange a housing assessment with North Shore Council",
        "plain_words": "The council will find out what kind of home would suit you.",
        "measure": "The assessment report is shared with Daniel and his family",
        "for_whom": ForWhom.LOCAL_AUTHORITY,
        "priority": "routine",
        "owner": world["users"]["provider"],
        "owner_name": "",
        "owner_organisation": "",
        "owner_email": "",
        "due_date": review.review_date + datetime.timedelta(days=60),
        "progress_check_date": None,
    }
    base.update(overrides)
    return base


def draft(world, **overrides):
    return services.recommendation_draft(
        actor=world["users"]["chair"], review=world["review"], **values(world, **overrides)
    )


def kinds(recommendation):
    return list(recommendation.updates.values_list("kind", flat=True))


def test_a_draft_is_numbered_recorded_and_takes_the_owner_from_the_account(world):
    recommendation = draft(world)
    assert recommendation.number == 1
    assert recommendation.state == State.DRAFT
    assert recommendation.owner_name == "Sam Whitfield"
    assert recommendation.owner_organisation == "Riverside Hospital"
    assert kinds(recommendation) == ["created"]
    assert ReviewEvent.objects.filter(review=world["review"], kind="recommendation").exists()
    assert draft(world).number == 2


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"action": ""}, "action", "Enter what will be done"),
        ({"action": "Housing should be considered for Daniel"}, "action", "not an aspiration"),
        ({"measure": ""}, "measure", "how everyone will know"),
        ({"owner": None}, "owner", "Select the person responsible"),
        (
            {
                "owner": None,
                "owner_name": "the provider",
                "owner_organisation": "Riverside",
                "owner_email": "ward@example.nhs.uk",
            },
            "owner_name",
            "not a team or organisation",
        ),
        ({"owner": None, "owner_name": "Jo Bloggs"}, "owner_email", "email address"),
        ({"due_date": None}, "due_date", "Enter the date"),
        ({"kloes": []}, "kloes", "key lines of enquiry"),
        ({"for_whom": ""}, "for_whom", "who the recommendation is for"),
    ],
)
def test_each_smart_rule_refuses_and_saves_nothing(world, overrides, field, words):
    with pytest.raises(RecommendationError) as refused:
        draft(world, **overrides)
    assert words in refused.value.errors[field]
    assert not RecommendationUpdate.objects.exists()


def test_the_due_date_follows_the_review_and_a_long_action_needs_a_progress_check(world):
    review_date = world["review"].review_date
    with pytest.raises(RecommendationError) as refused:
        draft(world, due_date=review_date)
    assert "after the review" in refused.value.errors["due_date"]
    with pytest.raises(RecommendationError) as refused:
        draft(world, due_date=review_date + datetime.timedelta(days=120))
    assert "check progress" in refused.value.errors["progress_check_date"]
    assert draft(
        world,
        due_date=review_date + datetime.timedelta(days=120),
        progress_check_date=review_date + datetime.timedelta(days=45),
    )


def test_a_named_contact_without_an_account_is_an_owner(world):
    recommendation = draft(
        world,
        owner=None,
        owner_name="Jo Bloggs",
        owner_organisation="North Shore Council housing",
        owner_email="jo.bloggs@example.gov.uk",
    )
    assert recommendation.owner_display == "Jo Bloggs, North Shore Council housing"
    assert recommendation.owner_address == "jo.bloggs@example.gov.uk"


def test_an_owner_is_named_with_their_role(world):
    contact = draft(
        world,
        owner=None,
        owner_name="Jo Bloggs",
        owner_organisation="North Shore Council housing",
        owner_role=" Housing   officer ",
        owner_email="jo.bloggs@example.gov.uk",
    )
    account = draft(world)  # the provider's account: its job title from its membership
    membership = world["users"]["provider"].memberships.first()

    assert contact.owner_display == "Jo Bloggs, Housing officer, North Shore Council housing"
    assert account.owner_role == membership.job_title
    assert account.owner_display == (
        f"{world['users']['provider'].display_name}, {membership.job_title}, "
        f"{membership.organisation.name}"
    )


def test_one_click_turns_a_suggestion_into_a_draft_keeping_kloe_text_owner_and_timescale(world):
    panel = panel_of(world["review"])
    consolidated = ConsolidatedKloeFactory(panel=panel, kloe=kloe_of(panel, 7))
    carried = CarriedRecommendationFactory(
        consolidated=consolidated,
        text="Reduce restraint: review the positive behaviour support plan",
        owner="Ward psychologist",
        timescale="6 weeks",
    )
    recommendation = services.recommendation_draft_from_suggestion(
        actor=world["users"]["chair"], review=world["review"], carried=carried
    )
    assert recommendation.state == State.DRAFT
    assert [k.number for k in recommendation.kloes.all()] == [7]
    assert recommendation.action.startswith("Reduce restraint")
    assert (recommendation.suggested_owner, recommendation.suggested_timescale) == (
        "Ward psychologist",
        "6 weeks",
    )
    assert recommendation.carried == carried
    with pytest.raises(RecommendationError, match="already a draft"):
        services.recommendation_draft_from_suggestion(
            actor=world["users"]["chair"], review=world["review"], carried=carried
        )
    # Not SMART yet: it cannot be sent until the chair finishes it.
    with pytest.raises(RecommendationError, match="Finish this recommendation"):
        services.recommendation_send(actor=world["users"]["chair"], recommendation=recommendation)


def test_the_whole_life_to_done_with_evidence(world):
    chair, owner = world["users"]["chair"], world["users"]["provider"]
    recommendation = draft(world)
    services.recommendation_send(actor=chair, recommendation=recommendation)
    with pytest.raises(RecommendationError) as refused:
        services.recommendation_accept(
            actor=owner, recommendation=recommendation, remit_confirmed=False
        )
    assert "remit" in refused.value.errors["remit_confirmed"]
    services.recommendation_accept(actor=owner, recommendation=recommendation, remit_confirmed=True)
    assert recommendation.remit_confirmed_at is not None
    services.recommendation_progress(actor=owner, recommendation=recommendation, note="Booked")
    assert recommendation.state == State.IN_PROGRESS
    with pytest.raises(RecommendationError) as refused:
        services.recommendation_mark_done(actor=owner, recommendation=recommendation, note=" ")
    assert "evidence" in refused.value.errors["note"]
    services.recommendation_mark_done(
        actor=owner,
        recommendation=recommendation,
        note="Assessment done on 2 June; report shared",
        evidence=SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
    )
    recommendation.refresh_from_db()
    assert recommendation.state == State.DONE_CLAIMED and not recommendation.closed_at
    evidence = EvidenceFile.objects.get(recommendation=recommendation)
    assert (evidence.original_name, evidence.kind) == ("report.pdf", "pdf")
    services.recommendation_done_confirm(
        actor=world["users"]["commissioner"], recommendation=recommendation
    )
    recommendation.refresh_from_db()
    assert recommendation.state == State.DONE and recommendation.closed_at
    assert kinds(recommendation) == [
        "created",
        "sent",
        "accepted",
        "progress",
        "done_claimed",
        "done",
    ]


def test_an_evidence_file_that_is_not_what_it_says_is_refused_and_nothing_changes(world):
    recommendation = RecommendationFactory(review=world["review"], state=State.IN_PROGRESS)
    with pytest.raises(RecommendationError) as refused:
        services.recommendation_mark_done(
            actor=recommendation.owner,
            recommendation=recommendation,
            note="Done",
            evidence=SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf"),
        )
    assert "report.pdf" in refused.value.errors["evidence"]
    recommendation.refresh_from_db()
    assert recommendation.state == State.IN_PROGRESS
    assert not EvidenceFile.objects.exists()


def test_a_dispute_goes_to_the_chair_who_resolves_it(world):
    chair, owner = world["users"]["chair"], world["users"]["provider"]
    recommendation = draft(world)
    services.recommendation_send(actor=chair, recommendation=recommendation)
    with pytest.raises(RecommendationError):
        services.recommendation_dispute(actor=owner, recommendation=recommendation, reason="")
    services.recommendation_dispute(
        actor=owner, recommendation=recommendation, reason="Housing is the council's job"
    )
    assert recommendation.state == State.DISPUTED
    services.recommendation_resolve(
        actor=chair, recommendation=recommendation, outcome="redraft", note="Agreed: council"
    )
    assert recommendation.state == State.DRAFT
    services.recommendation_edit(
        actor=chair,
        recommendation=recommendation,
        **values(
            world,
            owner=None,
            owner_name="Jo Bloggs",
            owner_organisation="North Shore Council",
            owner_email="jo@example.gov.uk",
        ),
    )
    recommendation.refresh_from_db()
    assert recommendation.owner is None and recommendation.owner_name == "Jo Bloggs"
    assert kinds(recommendation)[-3:] == ["disputed", "resolved", "edited"]


def test_a_due_date_change_is_recorded_as_such(world):
    recommendation = RecommendationFactory(
        review=world["review"],
        state=State.AGREED,
        due_date=world["review"].review_date + datetime.timedelta(days=30),
    )
    new = world["review"].review_date + datetime.timedelta(days=50)
    with pytest.raises(RecommendationError) as refused:
        services.recommendation_change_due_date(
            actor=world["users"]["chair"], recommendation=recommendation, due_date=new, reason=""
        )
    assert "reason" in refused.value.errors
    update = services.recommendation_change_due_date(
        actor=world["users"]["chair"],
        recommendation=recommendation,
        due_date=new,
        reason="Council assessor on leave",
    )
    assert update.kind == RecommendationUpdate.Kind.DUE_DATE_CHANGED
    recommendation.refresh_from_db()
    assert recommendation.due_date == new


def test_not_achieved_and_superseded_close_a_recommendation(world):
    chair = world["users"]["chair"]
    first = RecommendationFactory(review=world["review"], state=State.IN_PROGRESS)
    second = RecommendationFactory(review=world["review"], state=State.AGREED)
    with pytest.raises(RecommendationError):
        services.recommendation_not_achieved(actor=chair, recommendation=first, reason="")
    services.recommendation_not_achieved(actor=chair, recommendation=first, reason="Bed closed")
    services.recommendation_supersede(actor=chair, recommendation=second, by=first)
    second.refresh_from_db()
    assert (first.state, second.state, second.superseded_by) == (
        State.NOT_ACHIEVED,
        State.SUPERSEDED,
        first,
    )


def test_the_review_closes_only_when_every_recommendation_is_closed(world):
    review = world["review"]
    review.state = ReviewState.FOLLOW_UP
    review.save(update_fields=["state"])
    recommendation = RecommendationFactory(review=review, state=State.IN_PROGRESS)
    assert "1 recommendation is not closed yet" in " ".join(
        review.transition_problems(ReviewState.CLOSED)
    )
    services.recommendation_mark_done(
        actor=recommendation.owner, recommendation=recommendation, note="Done"
    )
    assert "1 recommendation is not closed yet" in " ".join(
        review.transition_problems(ReviewState.CLOSED)
    )  # marked done, not yet checked
    services.recommendation_done_confirm(
        actor=world["users"]["commissioner"], recommendation=recommendation
    )
    review_transition(actor=world["users"]["commissioner"], review=review, to=ReviewState.CLOSED)
    assert review.state == ReviewState.CLOSED


def test_scheduling_the_next_review_provides_its_previous_report_from_the_recommendations(world):
    from django.utils import timezone

    from reviews.services import review_schedule
    from tests.documents.factories import ensure_checklists

    ensure_checklists()
    RecommendationFactory(review=world["review"], state=State.IN_PROGRESS)
    later = ReviewFactory(
        person=world["person"], due_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    review_schedule(
        actor=world["users"]["commissioner"],
        review=later,
        starts_at=timezone.now() + datetime.timedelta(days=20),
        duration_minutes=420,
        venue="Room 1",
    )
    item = PackItem.objects.get(pack__review=later, source__code="previous-report")
    assert item.status == ItemStatus.PROVIDED
    assert "recommendations" in item.reason
    first = PackItem.objects.filter(pack__review=world["review"], source__code="previous-report")
    assert not first.filter(status=ItemStatus.PROVIDED).exists()


def test_follow_up_checks_are_recorded_on_the_timeline(world):
    with pytest.raises(RecommendationError) as refused:
        services.follow_up_check_record(
            actor=world["users"]["commissioner"],
            review=world["review"],
            checked_on=datetime.date.today(),
            found="",
            next_steps="",
        )
    assert set(refused.value.errors) == {"found", "next_steps"}
    services.follow_up_check_record(
        actor=world["users"]["commissioner"],
        review=world["review"],
        checked_on=datetime.date.today(),
        found="Two of three done",
        next_steps="Chase the housing assessment",
    )
    assert world["review"].follow_up_checks.count() == 1


def test_escalation_reaches_the_oversight_panel(world, client_for):
    panel = world["organisations"]["oversight_panel"]
    recommendation = RecommendationFactory(review=world["review"], state=State.IN_PROGRESS)
    services.recommendation_escalate(
        actor=world["users"]["commissioner"],
        recommendation=recommendation,
        panel=panel,
        reason="Three months overdue, no reply from the council",
    )
    page = client_for("oversight_panel").get("/recommendations/escalated/").content.decode()
    assert "Three months overdue, no reply from the council" in page
    assert "Escalated to North Shore ICS C(E)TR oversight panel" in page
    other = OrganisationFactory(name="Another panel", kind=Organisation.Kind.OVERSIGHT_PANEL)
    assert other.escalated_recommendations.count() == 0


@pytest.mark.parametrize(
    ("typed", "phrase"),
    [
        ("6 weeks", ", within 6 weeks"),
        ("within 1 week", ", within 1 week"),
        ("Within  1 week", ", Within 1 week"),
        ("by March", ", by March"),
        ("", ""),
    ],
)
def test_a_suggested_timescale_reads_once_never_within_within(typed, phrase):
    assert timescale_phrase(typed) == phrase


def test_a_measure_that_says_nothing_is_refused_by_the_service_too(world):
    with pytest.raises(RecommendationError) as refused:
        draft(world, measure="N/A")

    assert "'N/A' does not say" in str(refused.value)
