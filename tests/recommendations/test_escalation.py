"""The ICS C(E)TR assurance and oversight panel acts on an escalation (issue 21): its decision,
actions with owners and dates, and closure, each on the recommendation's history and the
review's timeline, audited and told; the meeting view; who may see and do what."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ctr_portal.models import AuditEvent, Notification, Organisation
from recommendations import services
from recommendations.models import (
    EscalationAction,
    EscalationClosure,
    EscalationDecision,
    RecommendationUpdate,
    State,
)
from recommendations.services import RecommendationError
from reviews.models import ReviewEvent
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.recommendations.factories import RecommendationFactory
from tests.reviews.factories import ReviewFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
DECISION = "Ask the council's director to attend the next meeting with Daniel's housing plan"
ACTION = "Write to the council's director about Daniel's housing assessment"


def escalated(world, review=None, **kwargs):
    recommendation = RecommendationFactory(
        review=review or world["review"],
        state=State.IN_PROGRESS,
        owner=world["users"]["provider"],
        due_date=TODAY + datetime.timedelta(days=30),
        **kwargs,
    )
    services.recommendation_escalate(
        actor=world["users"]["commissioner"],
        recommendation=recommendation,
        panel=world["organisations"]["oversight_panel"],
        reason="Three months overdue, no reply from the council",
    )
    return recommendation


def decide(world, recommendation, **overrides):
    values = {"met_on": TODAY, "decision": DECISION, **overrides}
    return services.escalation_decision_record(
        actor=world["users"]["oversight_panel"], recommendation=recommendation, **values
    )


def add_action(world, recommendation, **overrides):
    values = {
        "action": ACTION,
        "owner_name": "Rita Gomez",
        "owner_organisation": "North Shore Council",
        "owner_email": "rita.gomez@example.gov.uk",
        "due_date": TODAY + datetime.timedelta(days=14),
        **overrides,
    }
    return services.escalation_action_add(
        actor=world["users"]["oversight_panel"], recommendation=recommendation, **values
    )


def audited(obj) -> bool:
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk), action="create"
    ).exists()


def escalation_notices():
    return list(Notification.objects.filter(template="escalation_notice").order_by("pk"))


# --- Services -------------------------------------------------------------------------------


def test_the_decision_is_recorded_audited_on_both_timelines_and_told_without_its_words(world):
    recommendation = escalated(world)
    decision = decide(world, recommendation)

    assert EscalationDecision.objects.get() == decision
    assert audited(decision)
    update = recommendation.updates.get(kind=RecommendationUpdate.Kind.PANEL_DECISION)
    assert DECISION in update.note
    assert update.actor == world["users"]["oversight_panel"]
    assert ReviewEvent.objects.filter(review=world["review"], kind="panel_decision").exists()
    (notice,) = escalation_notices()
    assert notice.recipient == world["users"]["commissioner"].email
    assert "decision" in notice.context["subject"]
    assert "Daniel" not in str(notice.context)
    assert DECISION not in str(notice.context)


def test_an_action_is_recorded_and_its_owner_with_an_email_is_told(world):
    recommendation = escalated(world)
    action = add_action(world, recommendation)

    assert audited(action)
    assert recommendation.updates.filter(kind="panel_action").count() == 1
    assert ReviewEvent.objects.filter(kind="panel_action").count() == 1
    (notice,) = escalation_notices()
    assert notice.recipient == "rita.gomez@example.gov.uk"
    assert "Rita" not in str(notice.context)
    assert "housing" not in str(notice.context)

    add_action(world, recommendation, owner_email="")
    assert EscalationAction.objects.count() == 2
    assert len(escalation_notices()) == 1  # no email, nobody to tell


def test_an_action_without_an_owner_or_a_date_is_refused_beside_each_field_and_not_saved(world):
    recommendation = escalated(world)
    with pytest.raises(RecommendationError) as refused:
        add_action(
            world,
            recommendation,
            action=" ",
            owner_name="the provider",
            owner_organisation="",
            due_date=TODAY,
        )
    assert set(refused.value.errors) == {"action", "owner_name", "owner_organisation", "due_date"}
    assert not EscalationAction.objects.exists()
    assert not recommendation.updates.filter(kind="panel_action").exists()


def test_a_decision_needs_a_past_meeting_date_and_words(world):
    recommendation = escalated(world)
    with pytest.raises(RecommendationError) as refused:
        decide(world, recommendation, met_on=TODAY + datetime.timedelta(days=1), decision="")
    assert set(refused.value.errors) == {"met_on", "decision"}
    assert not EscalationDecision.objects.exists()


def test_closing_needs_a_reason_unless_resolved_and_ends_the_panels_part(world):
    recommendation = escalated(world)
    panel_member = world["users"]["oversight_panel"]
    with pytest.raises(RecommendationError) as refused:
        services.escalation_close(
            actor=panel_member, recommendation=recommendation, outcome="not_resolved", reason=""
        )
    assert "reason" in refused.value.errors
    closure = services.escalation_close(
        actor=panel_member,
        recommendation=recommendation,
        outcome="returned",
        reason="The commissioner is best placed to agree a new date",
    )
    assert audited(closure)
    assert recommendation.updates.filter(kind="escalation_closed").count() == 1
    assert ReviewEvent.objects.filter(kind="escalation_closed").count() == 1
    (notice,) = escalation_notices()
    assert "returned to the commissioner" in notice.context["paragraphs"][0]
    assert "new date" not in str(notice.context)
    for act in (
        lambda: decide(world, recommendation),
        lambda: add_action(world, recommendation),
        lambda: services.escalation_close(
            actor=panel_member, recommendation=recommendation, outcome="resolved"
        ),
    ):
        with pytest.raises(RecommendationError):
            act()
    assert EscalationClosure.objects.count() == 1
    assert not EscalationDecision.objects.exists()


def test_the_panel_cannot_act_on_what_was_not_escalated(world):
    recommendation = RecommendationFactory(review=world["review"], state=State.IN_PROGRESS)
    with pytest.raises(RecommendationError):
        decide(world, recommendation)
    assert not EscalationDecision.objects.exists()


def test_actions_due_for_a_reminder_are_those_due_with_an_email_on_open_escalations(world):
    first, second = escalated(world), escalated(world)
    due = add_action(world, first)
    add_action(world, first, owner_email="")  # nobody to remind
    add_action(world, first, due_date=TODAY + datetime.timedelta(days=60))  # not due yet
    closed = add_action(world, second)
    services.escalation_close(
        actor=world["users"]["oversight_panel"], recommendation=second, outcome="resolved"
    )
    on = TODAY + datetime.timedelta(days=14)
    assert list(EscalationAction.objects.due_for_reminder(on)) == [due]
    assert closed not in EscalationAction.objects.due_for_reminder(on + datetime.timedelta(90))


# --- Pages ----------------------------------------------------------------------------------


def date_fields(name, day):
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


def chased(action):
    return list(
        Notification.objects.filter(
            idempotency_key__startswith=f"esc-action:{action.pk}:"
        ).order_by("pk")
    )


def test_the_panels_action_is_chased_by_the_sweep_once_a_point_until_the_escalation_closes(world):
    """On the one deadline mechanism: a week and a day before, on the day, then weekly once
    overdue, each once however often the sweep runs; closing cancels what is still queued."""
    recommendation = escalated(world)
    action = add_action(world, recommendation, due_date=TODAY + datetime.timedelta(days=14))
    services.recommendations_sweep(today=TODAY)
    assert chased(action) == []  # two weeks ahead: nothing yet
    for day in (7, 7, 13, 14, 21, 21):
        services.recommendations_sweep(today=TODAY + datetime.timedelta(days=day))
    notices = chased(action)
    assert len(notices) == 4  # a week before, the day before, the day, a week overdue
    assert {n.recipient for n in notices} == {"rita.gomez@example.gov.uk"}
    subjects = [n.context["subject"] for n in notices]
    assert subjects.count("An action the oversight panel set is due") == 3
    assert subjects[-1] == "An action the oversight panel set is overdue"
    assert all("Rita" not in " ".join(n.context["paragraphs"]) for n in notices)

    Notification.objects.filter(pk__in=[n.pk for n in notices]).update(
        state=Notification.State.PENDING
    )
    services.escalation_close(
        actor=world["users"]["oversight_panel"], recommendation=recommendation, outcome="resolved"
    )
    assert {n.state for n in chased(action)} == {Notification.State.CANCELLED}
    services.recommendations_sweep(today=TODAY + datetime.timedelta(days=28))
    assert len(chased(action)) == 4  # closed: chased no more


def test_the_panel_member_records_a_decision_adds_an_action_and_closes(world, client_for):
    recommendation = escalated(world)
    client = client_for("oversight_panel")
    detail = client.get(reverse("recommendations:detail", args=[recommendation.pk]))
    html = detail.content.decode()
    for name in ("escalation_decision", "escalation_action", "escalation_close"):
        assert reverse(f"recommendations:{name}", args=[recommendation.pk]) in html

    url = reverse("recommendations:escalation_decision", args=[recommendation.pk])
    response = client.post(url, {"decision": DECISION, **date_fields("met_on", TODAY)})
    assert response.status_code == 302
    url = reverse("recommendations:escalation_action", args=[recommendation.pk])
    response = client.post(
        url,
        {
            "action": ACTION,
            "owner_name": "Rita Gomez",
            "owner_organisation": "North Shore Council",
            **date_fields("due_date", TODAY + datetime.timedelta(days=7)),
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("recommendations:detail", args=[recommendation.pk])).content.decode()
    assert DECISION.replace("'", "&#x27;") in page
    assert "Rita Gomez, North Shore Council" in page

    url = reverse("recommendations:escalation_close", args=[recommendation.pk])
    assert client.post(url, {"outcome": "resolved"}).status_code == 302
    page = client.get(reverse("recommendations:detail", args=[recommendation.pk])).content.decode()
    assert "Escalation closed" in page
    assert url not in page  # nothing more to do


def test_form_errors_show_beside_the_fields_and_nothing_is_saved(world, client_for):
    recommendation = escalated(world)
    client = client_for("oversight_panel")
    url = reverse("recommendations:escalation_action", args=[recommendation.pk])
    response = client.post(
        url,
        {"action": ACTION, "owner_name": "the provider", "owner_organisation": "Council"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in html
    assert "Enter the full name of one person" in html
    assert "Enter the date this will be done by" in html
    assert ACTION.replace("'", "&#x27;") in html  # what was typed is kept
    assert not EscalationAction.objects.exists()

    url = reverse("recommendations:escalation_close", args=[recommendation.pk])
    html = client.post(url, {"outcome": "not_resolved"}).content.decode()
    assert "Enter why it is not resolved" in html
    assert not EscalationClosure.objects.exists()


def test_another_panels_member_finds_nothing(world, client_for):
    recommendation = escalated(world)
    other_panel = OrganisationFactory(
        name="South Vale oversight panel", kind=Organisation.Kind.OVERSIGHT_PANEL
    )
    stranger = UserFactory(email="other.panel@example.nhs.uk")
    MembershipFactory(user=stranger, organisation=other_panel, job_title="Panel member")
    from django.test import Client

    from tests.conftest import sign_in

    client = sign_in(Client(), stranger)
    for name in ("detail", "escalation_decision", "escalation_action", "escalation_close"):
        url = reverse(f"recommendations:{name}", args=[recommendation.pk])
        assert client.get(url).status_code == 404, name
        if name != "detail":
            assert client.post(url, {"outcome": "resolved"}).status_code == 404, name
    assert not EscalationClosure.objects.exists()
    page = client.get(reverse("recommendations:escalated")).content.decode()
    assert "No open escalations" in page


def test_done_and_closed_recommendations_leave_the_escalated_list(world, client_for):
    done, closed, still_open = escalated(world), escalated(world), escalated(world)
    done.state = State.DONE
    done.save(update_fields=["state"])
    services.escalation_close(
        actor=world["users"]["oversight_panel"], recommendation=closed, outcome="resolved"
    )
    page = client_for("oversight_panel").get(reverse("recommendations:escalated"))
    shown = {item["recommendation"].pk for item in page.context["items"]}
    assert shown == {still_open.pk}
    assert page.context["counts"]["open"] == 1


def test_the_meeting_view_is_oldest_first_with_counts(world, client_for):
    first, second = escalated(world), escalated(world)
    type(first).objects.filter(pk=second.pk).update(
        escalated_at=timezone.now() - datetime.timedelta(days=20)
    )
    decide(world, first)
    add_action(world, first)
    page = client_for("oversight_panel").get(reverse("recommendations:escalated"))
    assert [i["recommendation"].pk for i in page.context["items"]] == [second.pk, first.pk]
    assert page.context["counts"] == {
        "open": 2,
        "undecided": 1,
        "overdue": 0,
        "actions_overdue": 0,
    }


def test_the_commissioner_sees_the_escalations_of_their_own_icb_only(
    world, client_for, organisations
):
    ours = escalated(world)
    theirs_review = ReviewFactory(commissioner=organisations["icb_other"])
    theirs = escalated(world, review=theirs_review)

    page = client_for("commissioner").get(reverse("recommendations:escalated"))
    assert page.status_code == 200
    assert [i["recommendation"].pk for i in page.context["items"]] == [ours.pk]
    other = client_for("commissioner_other_org").get(reverse("recommendations:escalated"))
    assert [i["recommendation"].pk for i in other.context["items"]] == [theirs.pk]
    detail = reverse("recommendations:detail", args=[theirs.pk])
    assert client_for("commissioner").get(detail).status_code == 404
    decision = reverse("recommendations:escalation_decision", args=[ours.pk])
    assert client_for("commissioner").get(decision).status_code == 403


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_meeting_view_makes_the_same_queries_for_1_escalation_as_for_25(world, client_for):
    client = client_for("oversight_panel")
    first = escalated(world)
    decide(world, first)
    add_action(world, first)
    one = queries_for(client, reverse("recommendations:escalated"))
    for _ in range(24):
        recommendation = escalated(world)
        decide(world, recommendation)
        add_action(world, recommendation)
    assert queries_for(client, reverse("recommendations:escalated")) == one
