"""Issue 21: issuing the report sends the action plan to its owners; owners accept (themselves)
or dispute; a "done" is the owner's claim until the commissioner confirms it or sends it back;
a confirmed one can be reopened; evidence not for the person and family stays hidden from them.
Each step: its state, its history row, its audit entry, its notice."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ctr_portal.models import AuditEvent, Notification
from ctr_portal.working_days import working_days_after
from recommendations import queries, services
from recommendations.models import EvidenceFile, Recommendation, Reminder, State
from recommendations.policy import ACCEPT_WITHIN_WORKING_DAYS
from recommendations.services import RecommendationError
from tests.documents.factories import pdf_bytes

from .test_services import draft, kinds

pytestmark = pytest.mark.django_db

PDF = pdf_bytes("Housing assessment report")


def audits(recommendation, action):
    return AuditEvent.objects.filter(
        object_type="recommendations.recommendation",
        object_id=str(recommendation.pk),
        action=action,
    ).count()


def notices_to(email, subject_part=""):
    return [
        n
        for n in Notification.objects.filter(recipient=email, template="recommendation_notice")
        if subject_part in n.context["subject"]
    ]


def sent_plan(world, **overrides):
    recommendation = draft(world, **overrides)
    services.recommendations_send_plan(actor=world["users"]["chair"], review=world["review"])
    recommendation.refresh_from_db()
    return recommendation


def agreed(world):
    recommendation = sent_plan(world)
    services.recommendation_accept(
        actor=world["users"]["provider"], recommendation=recommendation, remit_confirmed=True
    )
    return recommendation


def claimed(world, **kwargs):
    recommendation = agreed(world)
    services.recommendation_mark_done(
        actor=world["users"]["provider"],
        recommendation=recommendation,
        note="Assessment done on 2 June; report shared",
        **kwargs,
    )
    return recommendation


def test_sending_the_plan_sends_every_draft_with_a_date_to_accept_by(world):
    first, second = draft(world), draft(world)
    services.recommendations_send_plan(actor=world["users"]["chair"], review=world["review"])
    accept_by = working_days_after(timezone.localdate(), ACCEPT_WITHIN_WORKING_DAYS)
    for recommendation in (first, second):
        recommendation.refresh_from_db()
        assert (recommendation.state, recommendation.accept_by) == (
            State.AWAITING_OWNER,
            accept_by,
        )
        assert kinds(recommendation) == ["created", "sent"]
        assert audits(recommendation, "transition") == 1
    assert Reminder.objects.filter(kind=Reminder.Kind.TO_ACCEPT, state="sent").count() == 2
    assert list(Recommendation.objects.awaiting_answer()) == [first, second]
    assert not Recommendation.objects.answer_late(accept_by).exists()
    assert Recommendation.objects.answer_late(accept_by + datetime.timedelta(days=1)).count() == 2


def test_an_unfinished_draft_stops_the_plan_and_nothing_is_sent(world):
    finished = draft(world)
    unfinished = services.recommendation_draft_from_suggestion(
        actor=world["users"]["chair"],
        review=world["review"],
        carried=_carried(world),
    )
    found = services.plan_unfinished(world["review"])
    assert [r.pk for r, _problems in found] == [unfinished.pk]
    assert "due_date" in found[0][1] and "measure" in found[0][1]
    with pytest.raises(RecommendationError, match=f"Finish recommendations {unfinished.number}"):
        services.recommendations_send_plan(actor=world["users"]["chair"], review=world["review"])
    finished.refresh_from_db()
    assert finished.state == State.DRAFT


def _carried(world):
    from tests.panels.factories import CarriedRecommendationFactory, ConsolidatedKloeFactory

    from .test_services import panel_of

    consolidated = ConsolidatedKloeFactory(
        panel=panel_of(world["review"]), updated_by=world["users"]["chair"]
    )
    return CarriedRecommendationFactory(consolidated=consolidated, owner="Ward manager")


def test_only_the_owner_accepts_ticking_within_my_remit(world):
    recommendation = sent_plan(world)
    commissioner = world["users"]["commissioner"]
    assert not commissioner.has_perm("recommendations.respond_to_recommendation", recommendation)
    assert world["users"]["provider"].has_perm(
        "recommendations.respond_to_recommendation", recommendation
    )


def test_a_dispute_goes_back_to_the_chair_who_keeps_it_with_a_reason(world):
    recommendation = sent_plan(world)
    chair = world["users"]["chair"]
    services.recommendation_dispute(
        actor=world["users"]["provider"], recommendation=recommendation, reason="Not our ward"
    )
    assert recommendation.state == State.DISPUTED
    assert len(notices_to(chair.email, "disputed")) == 1
    body = " ".join(notices_to(chair.email, "disputed")[0].context["paragraphs"])
    assert "Not our ward" not in body  # the reason is behind sign-in
    services.recommendation_resolve(
        actor=chair, recommendation=recommendation, outcome="resend", note="It is the ward's"
    )
    assert (recommendation.state, recommendation.accept_by is not None) == (
        State.AWAITING_OWNER,
        True,
    )
    assert kinds(recommendation)[-2:] == ["disputed", "resolved"]


def test_done_is_claimed_then_confirmed_by_the_commissioner(world):
    recommendation = claimed(world)
    commissioner = world["users"]["commissioner"]
    assert recommendation.state == State.DONE_CLAIMED
    assert not recommendation.is_open and not recommendation.is_closed
    assert list(Recommendation.objects.done_to_check()) == [recommendation]
    assert len(notices_to(commissioner.email, "check the evidence")) == 1
    assert not Reminder.objects.filter(kind=Reminder.Kind.FAMILY_DONE).exists()
    services.recommendation_done_confirm(actor=commissioner, recommendation=recommendation)
    assert recommendation.state == State.DONE and recommendation.closed_at
    assert kinds(recommendation)[-2:] == ["done_claimed", "done"]
    assert audits(recommendation, "transition") == 4  # sent, accepted, claimed, confirmed
    assert Reminder.objects.filter(kind=Reminder.Kind.FAMILY_DONE, state="sent").exists()


def test_the_commissioner_sends_a_done_back_with_a_reason(world):
    recommendation = claimed(world)
    owner = world["users"]["provider"]
    with pytest.raises(RecommendationError) as refused:
        services.recommendation_done_send_back(
            actor=world["users"]["commissioner"], recommendation=recommendation, reason=" "
        )
    assert refused.value.errors == {"reason": "Enter why it is not done yet"}
    services.recommendation_done_send_back(
        actor=world["users"]["commissioner"],
        recommendation=recommendation,
        reason="The report is not attached",
    )
    assert recommendation.state == State.IN_PROGRESS
    assert recommendation.updates.last().note == "The report is not attached"
    assert len(notices_to(owner.email, "sent back")) == 1
    with pytest.raises(RecommendationError, match="Someone else changed"):
        services.recommendation_done_confirm(
            actor=world["users"]["commissioner"], recommendation=recommendation
        )


def test_a_confirmed_recommendation_is_reopened_with_a_reason(world):
    recommendation = claimed(world)
    services.recommendation_done_confirm(
        actor=world["users"]["commissioner"], recommendation=recommendation
    )
    with pytest.raises(RecommendationError):
        services.recommendation_reopen(
            actor=world["users"]["chair"], recommendation=recommendation, reason=""
        )
    services.recommendation_reopen(
        actor=world["users"]["chair"], recommendation=recommendation, reason="The plan lapsed"
    )
    recommendation.refresh_from_db()
    assert (recommendation.state, recommendation.closed_at) == (State.IN_PROGRESS, None)
    assert kinds(recommendation)[-1] == "reopened"
    assert len(notices_to(world["users"]["provider"].email, "reopened")) == 1
    assert audits(recommendation, "transition") == 5


def test_evidence_not_for_the_family_is_hidden_from_them_only(world):
    recommendation = claimed(
        world,
        evidence=SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
        not_for_family=True,
    )
    evidence = EvidenceFile.objects.get(recommendation=recommendation)
    assert evidence.not_for_family
    users = world["users"]
    for role, sees in (
        ("provider", True),
        ("commissioner", True),
        ("chair", True),
        ("family_carer", False),
        ("person", False),
    ):
        found = queries.evidence_file_of(users[role], recommendation, evidence.pk)
        assert (found is not None) == sees, role
        files = [
            f for u in queries.history(users[role], recommendation) for f in u.evidence_files.all()
        ]
        assert (evidence in files) == sees, role
    plan = queries.plan_with_history(world["review"], for_family=True)
    assert not [f for r in plan for u in r.updates.all() for f in u.evidence_files.all()]


def test_an_owner_who_has_not_answered_is_reminded_weekly_and_the_commissioner_told_once(world):
    """The accept-by date is chased on the one deadline mechanism: the owner the day after it
    and weekly, the commissioner once; answering stops it, and a rerun sends nothing twice."""
    owner = world["users"]["provider"]
    recommendation = sent_plan(world)
    accept_by = recommendation.accept_by
    commissioner = world["users"]["commissioner"].email

    def chase(day):
        return services.recommendations_sweep(today=day).sent

    chase(accept_by)
    assert not notices_to(owner.email, "waiting for your answer")
    chase(accept_by + datetime.timedelta(days=1))
    chase(accept_by + datetime.timedelta(days=1))  # a second sweep the same day
    assert len(notices_to(owner.email, "waiting for your answer")) == 1
    chase(accept_by + datetime.timedelta(days=3))
    assert len(notices_to(commissioner, "has not answered")) == 1
    chase(accept_by + datetime.timedelta(days=8))
    chase(accept_by + datetime.timedelta(days=10))
    assert len(notices_to(owner.email, "waiting for your answer")) == 2
    assert len(notices_to(commissioner, "has not answered")) == 1

    services.recommendation_accept(actor=owner, recommendation=recommendation, remit_confirmed=True)
    chase(accept_by + datetime.timedelta(days=15))
    assert len(notices_to(owner.email, "waiting for your answer")) == 2


def test_an_owner_without_an_account_is_chased_with_a_link_to_answer(world):
    recommendation = sent_plan(
        world,
        owner=None,
        owner_name="Jo Bloggs",
        owner_organisation="Housing team",
        owner_email="jo.bloggs@example.org",
    )
    services.recommendations_sweep(today=recommendation.accept_by + datetime.timedelta(days=1))
    services.recommendations_sweep(today=recommendation.accept_by + datetime.timedelta(days=1))
    [notice] = notices_to("jo.bloggs@example.org", "waiting for your answer")
    assert "/l/" in notice.context["link"]
    assert "You do not need an account" in notice.context["paragraphs"][1]
    assert "Sign in" not in " ".join(notice.context["paragraphs"])
    from ctr_portal.models import ActionLink

    # One link for the one notice, however often the sweep runs.
    assert ActionLink.objects.filter(purpose="respond").count() == 2  # the plan's, the chase's
