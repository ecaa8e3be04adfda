"""Reminders on the right days, once each: the policy alone, then the sweep over a
recommendation's life with time travel, a due-date change, escalation and a dry run."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from ctr_portal.models import Notification, Organisation
from ctr_portal.services import outbox_dispatch_due
from recommendations.models import Recommendation, RecommendationUpdate, Reminder, State
from recommendations.plain import plain_progress
from recommendations.queries import reminders_for
from recommendations.reminders import Policy, due_points, next_look_on, planned_points
from recommendations.services import _change, recommendations_sweep
from tests.factories import OrganisationFactory
from tests.recommendations.factories import RecommendationFactory

Kind = Reminder.Kind
DUE = date(2026, 6, 1)  # a Monday
POLICY = Policy()


def days(n):
    return timedelta(days=n)


# --- The policy --------------------------------------------------------------------------------


def test_the_owner_is_reminded_14_7_and_1_days_before_and_on_the_day():
    planned = planned_points(DUE, DUE - days(30), POLICY)
    assert [(p.send_on, p.kind) for p in planned] == [
        (DUE - days(14), Kind.DUE_SOON),
        (DUE - days(7), Kind.DUE_SOON),
        (DUE - days(1), Kind.DUE_SOON),
        (DUE, Kind.DUE_TODAY),
    ]
    assert planned_points(DUE, DUE - days(3), POLICY)[0].send_on == DUE - days(1)


def test_only_the_latest_point_of_each_series_is_due():
    assert due_points(DUE, DUE - days(15), POLICY) == []
    assert [p.send_on for p in due_points(DUE, DUE - days(10), POLICY)] == [DUE - days(14)]
    assert [p.kind for p in due_points(DUE, DUE, POLICY)] == [Kind.DUE_TODAY]
    assert [(p.kind, p.send_on) for p in due_points(DUE, DUE + days(3), POLICY)] == [
        (Kind.FAMILY_OVERDUE, DUE + days(1))
    ]  # the person and family: once, in its first week overdue
    late = due_points(DUE, DUE + days(16), POLICY)
    assert {(p.kind, p.send_on, p.audience) for p in late} == {
        (Kind.OVERDUE, DUE + days(14), "owner"),
        (Kind.COMMISSIONER_OVERDUE, DUE + days(14), "commissioner"),
    }


def test_the_sweep_looks_again_on_the_next_day_something_is_due():
    nexts = [next_look_on(DUE, DUE + days(d), POLICY, escalated=False) for d in (-20, -7, 0, 1)]
    assert nexts == [DUE - days(14), DUE - days(1), DUE + days(1), DUE + days(7)]
    assert next_look_on(DUE, DUE + days(27), POLICY, escalated=False) == DUE + days(28)
    assert next_look_on(DUE, DUE + days(28), POLICY, escalated=True) == DUE + days(35)


# --- The sweep over a recommendation's life ----------------------------------------------------


@pytest.fixture
def oversight(organisations, users):
    """The ICS oversight panel of every test world, with its member oversight@example.nhs.uk."""
    return organisations["oversight_panel"]


@pytest.fixture
def recommendation(review_world, users, oversight, time_machine):
    time_machine.move_to("2026-04-01 09:00", tick=False)
    made = RecommendationFactory(
        review=review_world["review"],
        owner=users["provider"],
        due_date=DUE,
        created_by=users["chair"],
        action="Arrange a housing assessment with the local authority",
    )
    _change(actor=users["chair"], recommendation=made, kind="sent", to=State.AWAITING_OWNER)
    _change(actor=users["provider"], recommendation=made, kind="accepted", to=State.AGREED)
    return made


def sweep_on(time_machine, day, **kwargs):
    time_machine.move_to(f"{day} 07:00", tick=False)
    return recommendations_sweep(**kwargs)


def sent(kind=None):
    rows = Reminder.objects.filter(state="sent")
    return rows.filter(kind=kind) if kind else rows


def test_reminders_go_on_the_right_days_over_a_recommendation_s_life(
    recommendation, users, time_machine, django_capture_on_commit_callbacks
):
    asked = sent(Kind.TO_ACCEPT).get()
    assert asked.recipient_email == users["provider"].email
    assert set(Reminder.objects.filter(state="planned").values_list("send_on", flat=True)) == {
        DUE - days(14),
        DUE - days(7),
        DUE - days(1),
        DUE,
    }
    by_day = {}
    day = DUE - days(20)
    while day <= DUE + days(35):
        before = set(sent().values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            sweep_on(time_machine, day)
        new = sent().exclude(pk__in=before)
        by_day[(day - DUE).days] = sorted(new.values_list("kind", "recipient_email"))
        day += days(1)
    owner, commissioner = users["provider"].email, users["commissioner"].email
    family = {users["family_carer"].email, users["person"].email}
    assert {d: r for d, r in by_day.items() if r} == {
        -14: [(Kind.DUE_SOON, owner)],
        -7: [(Kind.DUE_SOON, owner)],
        -1: [(Kind.DUE_SOON, owner)],
        0: [(Kind.DUE_TODAY, owner)],
        1: sorted((Kind.FAMILY_OVERDUE, email) for email in family),
        7: sorted([(Kind.OVERDUE, owner), (Kind.COMMISSIONER_OVERDUE, commissioner)]),
        14: sorted([(Kind.OVERDUE, owner), (Kind.COMMISSIONER_OVERDUE, commissioner)]),
        21: sorted([(Kind.OVERDUE, owner), (Kind.COMMISSIONER_OVERDUE, commissioner)]),
        28: sorted(
            [
                (Kind.OVERDUE, owner),
                (Kind.COMMISSIONER_OVERDUE, commissioner),
                (Kind.ESCALATED, "oversight@example.nhs.uk"),
            ]
        ),
        35: sorted([(Kind.OVERDUE, owner), (Kind.COMMISSIONER_OVERDUE, commissioner)]),
    }
    # Every reminder left as one email, under its own key (and a digest each Monday overdue).
    notices = Notification.objects.exclude(template="recommendation_digest")
    assert {r.key for r in sent()} == set(notices.values_list("idempotency_key", flat=True))
    assert notices.count() == sent().count()
    assert Notification.objects.filter(template="recommendation_digest").count() == 5
    week_before = next(m for m in mail.outbox if "due in 7 days" in m.subject)
    assert "is due in 7 days, on 1 June 2026." in week_before.body
    assert "housing" not in "".join(m.body + m.subject for m in mail.outbox)  # nor the action
    assert "Clarke" not in "".join(m.body + m.subject for m in mail.outbox)  # no name reviewed


def test_escalation_reaches_the_oversight_panel_once(
    recommendation, oversight, users, time_machine
):
    sweep_on(time_machine, DUE + days(28))
    sweep_on(time_machine, DUE + days(29))
    recommendation.refresh_from_db()
    assert recommendation.escalated_to == oversight
    assert "28 days" in recommendation.escalation_reason
    update = RecommendationUpdate.objects.get(recommendation=recommendation, kind="escalated")
    assert update.actor is None
    notice = sent(Kind.ESCALATED).get()
    assert notice.recipient_email == "oversight@example.nhs.uk"
    assert (
        "escalated to North Shore ICS C(E)TR oversight panel"
        in notice.notification.context["paragraphs"][0]
    )


def test_the_commissioner_s_own_oversight_panel_is_chosen_over_the_only_one(
    recommendation, oversight, organisations, time_machine
):
    theirs = OrganisationFactory(name="Their ICS panel", kind=Organisation.Kind.OVERSIGHT_PANEL)
    icb = organisations["icb"]
    icb.oversight_panel = theirs
    icb.save()
    sweep_on(time_machine, DUE + days(30))
    recommendation.refresh_from_db()
    assert recommendation.escalated_to == theirs


def test_a_due_date_change_cancels_what_is_not_sent_and_plans_again(
    recommendation, users, time_machine
):
    sweep_on(time_machine, DUE - days(14))
    outbox_dispatch_due()  # the 14-day reminder leaves
    sweep_on(time_machine, DUE - days(7))  # the 7-day one is queued, and not yet sent
    queued = Notification.objects.get(state="pending")
    moved = DUE + days(30)
    _change(
        actor=users["commissioner"],
        recommendation=recommendation,
        kind="due_date_changed",
        fields={"due_date": moved},
    )
    rows = Reminder.objects.filter(kind__in=[Kind.DUE_SOON, Kind.DUE_TODAY])
    assert sorted(rows.filter(state="sent").values_list("send_on", flat=True)) == [DUE - days(14)]
    assert rows.filter(state="cancelled", due_date=DUE).count() == 3
    queued.refresh_from_db()
    assert queued.state == "cancelled"  # the dispatcher never sends it
    assert rows.get(notification=queued).state == "cancelled"
    assert sorted(rows.filter(state="planned").values_list("send_on", flat=True)) == [
        moved - days(14),
        moved - days(7),
        moved - days(1),
        moved,
    ]
    sweep_on(time_machine, DUE + days(1))  # the old date: nothing is due any more
    assert sent().count() == 2  # asked to accept, and the 14-day reminder
    sweep_on(time_machine, moved - days(14))
    assert sent(Kind.DUE_SOON).filter(due_date=moved).count() == 1


def test_done_tells_the_person_and_family_the_consent_lets_in_and_stops_reminders(
    recommendation, review_world, users, time_machine
):
    _change(
        actor=users["provider"],
        recommendation=recommendation,
        kind="done_claimed",
        to=State.DONE_CLAIMED,
        note="Assessment done",
    )
    assert not sent(Kind.FAMILY_DONE).exists()  # told once the commissioner has checked
    _change(
        actor=users["commissioner"],
        recommendation=recommendation,
        kind="done",
        to=State.DONE,
        note="Checked",
    )
    told = set(sent(Kind.FAMILY_DONE).values_list("recipient_email", flat=True))
    assert told == {users["family_carer"].email, users["person"].email}
    assert not Reminder.objects.filter(state="planned").exists()
    sweep_on(time_machine, DUE + days(10))
    assert not sent(Kind.OVERDUE).exists()


def test_without_consent_to_share_the_family_hears_nothing(
    recommendation, review_world, users, time_machine
):
    review_world["consent"].invitees.all().delete()
    sweep_on(time_machine, DUE + days(2))
    told = set(sent(Kind.FAMILY_OVERDUE).values_list("recipient_email", flat=True))
    assert told == {users["person"].email}


def test_the_sweep_twice_on_one_day_sends_nothing_new(recommendation, time_machine):
    first = sweep_on(time_machine, DUE + days(6))
    again = sweep_on(time_machine, DUE + days(6))
    assert first.sent == 2  # the person and the family carer
    assert again.sent == 0 and again.looked_at == 0


def test_a_missed_day_sends_the_latest_reminder_only(recommendation, time_machine):
    sweep_on(time_machine, DUE - days(3))  # the 14- and 7-day sweeps never ran
    soon = sent(Kind.DUE_SOON).get()
    assert soon.send_on == DUE - days(7)
    assert "due in 3 days" in soon.notification.context["subject"]
    assert Reminder.objects.filter(state="cancelled", send_on=DUE - days(14)).exists()


def test_a_dry_run_prints_what_would_be_sent_and_changes_nothing(recommendation, time_machine):
    time_machine.move_to(f"{DUE + days(28)} 07:00", tick=False)
    counts = (
        Reminder.objects.count(),
        Notification.objects.count(),
        RecommendationUpdate.objects.count(),
    )
    from io import StringIO

    out = StringIO()
    call_command("recommendations_sweep", "--dry-run", stdout=out)
    printed = out.getvalue()
    assert "Overdue to provider" not in printed
    assert "Escalated recommendation" in printed and "Nothing was changed" in printed
    assert "would escalate 1" in printed
    after = (
        Reminder.objects.count(),
        Notification.objects.count(),
        RecommendationUpdate.objects.count(),
    )
    assert after == counts
    recommendation.refresh_from_db()
    assert recommendation.escalated_to is None and recommendation.reminders_next_on is None


def test_the_weekly_digest_lists_what_is_overdue_for_each_commissioner_once(
    recommendation, users, time_machine
):
    monday = DUE + days(14)
    assert monday.weekday() == 0
    sweep_on(time_machine, monday)
    sweep_on(time_machine, monday)
    digest = Notification.objects.get(template="recommendation_digest")
    assert digest.recipient == users["commissioner"].email
    assert digest.context["overdue"] == 1
    assert f"recommendation {recommendation.number}:" in digest.context["items"][0]
    assert "14 days overdue" in digest.context["items"][0]


def test_reminders_for_lists_sent_and_planned_not_cancelled(recommendation, users):
    _change(
        actor=users["commissioner"],
        recommendation=recommendation,
        kind="due_date_changed",
        fields={"due_date": DUE + days(7)},
    )
    listed = reminders_for(Recommendation.objects.get(pk=recommendation.pk))
    assert [r.state for r in listed].count("cancelled") == 0
    assert len(listed) == 1 + 4


def test_a_new_owner_takes_over_the_planned_reminders(recommendation, users):
    _change(
        actor=users["chair"],
        recommendation=recommendation,
        kind="edited",
        fields={"owner": users["local_authority"]},
    )
    planned = Reminder.objects.filter(state="planned")
    assert set(planned.values_list("recipient_email", flat=True)) == {
        users["local_authority"].email
    }
    assert Reminder.objects.filter(state="cancelled").count() == 4


def test_the_person_and_family_read_plain_english_without_the_person_s_details(
    recommendation, review_world, users, time_machine, django_capture_on_commit_callbacks
):
    person = review_world["person"]
    with django_capture_on_commit_callbacks(execute=True):
        sweep_on(time_machine, DUE + days(1))
    message = next(m for m in mail.outbox if m.to == [users["family_carer"].email])
    assert message.subject == "A recommendation from the review is overdue"
    assert f"Recommendation {recommendation.number} from the review on " in message.body
    assert (
        "was due on 1 June 2026 and is not done yet. The person responsible for it has been "
        "reminded." in message.body
    )
    text = message.body + message.alternatives[0][0]
    assert "housing" not in text  # the action's words are behind sign-in too (ADR 0011)
    assert person.nhs_number not in text and person.family_name not in text
    assert "/reviews/" in text or "/recommendations/" in text  # the full text is behind sign-in


def test_someone_who_reads_easy_read_gets_the_easy_read_reminder_in_the_portal_s_words(
    recommendation, review_world, users, time_machine, django_capture_on_commit_callbacks
):
    """Issue 22: the family's reminder (found by the address it goes to) carries how they
    read, so the outbox sends the easy-read version; both versions say where it stands in the
    words the portal uses, naming nobody."""
    carer, person = users["family_carer"], users["person"]
    carer.reading_format = "easy_read"
    carer.save(update_fields=["reading_format"])
    with django_capture_on_commit_callbacks(execute=True):
        sweep_on(time_machine, DUE + days(1))
    overdue = sent(Kind.FAMILY_OVERDUE)
    assert overdue.get(recipient_email=carer.email).notification.context["reading_format"] == (
        "easy_read"
    )
    assert "reading_format" not in overdue.get(recipient_email=person.email).notification.context

    recommendation.refresh_from_db()
    label, sentence, _colour = plain_progress(
        recommendation, DUE + days(1), owner="the person responsible"
    )
    assert label == "Late"
    assert sentence == "It was due by 1 June 2026. The person responsible has agreed to do it."
    easy = next(m for m in mail.outbox if m.to == [carer.email])
    assert easy.subject == "News about your plan"
    assert f"Where it stands: {label}." in easy.body and sentence in easy.body
    standard = next(m for m in mail.outbox if m.to == [person.email])
    assert f"Where it stands: {label}. {sentence}" in standard.body


@pytest.mark.parametrize(
    ("setting", "panels", "expected"),
    [
        ("", ["Only panel"], "Only panel"),
        ("", ["Panel A", "Panel B"], None),  # ambiguous: not escalated by time
        ("OVR2", ["Panel A", "Panel B"], "Panel B"),
    ],
)
def test_the_oversight_panel_is_the_commissioner_s_the_configured_or_the_only_one(
    db, settings, setting, panels, expected
):
    from ctr_portal.queries import oversight_panel_for

    for n, name in enumerate(panels, start=1):
        OrganisationFactory(name=name, kind="oversight_panel", ods_code=f"OVR{n}")
    icb = OrganisationFactory(name="An ICB")
    found = oversight_panel_for(icb, default=setting)
    assert (found.name if found else None) == expected
    icb.oversight_panel = OrganisationFactory(name="Named panel", kind="oversight_panel")
    assert oversight_panel_for(icb, default=setting).name == "Named panel"


def test_without_an_oversight_panel_the_sweep_does_not_escalate(
    recommendation, oversight, time_machine, caplog
):
    OrganisationFactory(name="A second panel", kind="oversight_panel")
    result = sweep_on(time_machine, DUE + days(28))
    assert result.escalated == 0
    recommendation.refresh_from_db()
    assert recommendation.escalated_to is None
    assert "no oversight panel" in caplog.text


def test_the_recommendations_page_lists_its_reminders_by_name_never_by_address(
    recommendation, users, client_for, time_machine
):
    sweep_on(time_machine, DUE - days(7))
    page = client_for("chair").get(reverse("recommendations:detail", args=[recommendation.pk]))
    html = page.content.decode()
    table = html[html.index("Reminders sent and planned") : html.index("</table>")]
    # Asked to accept; the 7-day reminder sent; the 1-day and on-the-day ones planned (the
    # 14-day one, overtaken when that sweep never ran, was cancelled and is not listed).
    assert table.count('<tr class="nhsuk-table__row"') == 1 + 4
    assert "Sam Whitfield" in table and "Due soon" in table and "Sent" in table
    assert "@" not in table
