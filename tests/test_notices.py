"""Every notice the portal sends says what happened and where to look, never who it is about
(ADR 0003, 0011): no name, NHS number, date of birth, address, file name or text of the record.

One world with distinctive details, every notice kind caused through the services that send it,
each rendered as the dispatcher renders it (subject, text and HTML). The kinds are read from the
code (the email templates and the recommendation notices' kinds), so a new kind that no part of
this test causes fails it too."""

import html
import re
from datetime import date, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ctr_portal.models import Notification, User
from ctr_portal.services import _render_email
from documents import libreoffice
from documents import services as documents
from documents.models import DocumentKind, ItemStatus, RenditionStatus
from documents.policy import deadlines
from panels import services as panels
from panels.models import Workbook
from portal import services as portal
from recommendations import services as recommendations
from recommendations.models import Recommendation, Reminder, State
from recommendations.policy import ESCALATE_AFTER_DAYS
from recommendations.services import (
    STEP_NOTICES,
    _change,
    escalation_action_add,
    escalation_close,
    escalation_decision_record,
    recommendations_sweep,
)
from reports import services as reports
from reviews.models import Contact, Participant, ParticipantRole
from reviews.queries import review_for_user
from reviews.services import (
    participant_add,
    review_schedule,
    transfer_refuse,
    transfer_request,
)
from tests.conftest import make_review_world
from tests.documents.factories import DocumentFactory, DocumentRenditionFactory
from tests.factories import UserFactory
from tests.panels.factories import kloe_of, make_held
from tests.recommendations.factories import RecommendationFactory

pytestmark = pytest.mark.django_db

NHS_NUMBER = "9990001235"
BORN = date(1987, 3, 29)
FILE_NAME = "Zebedee 9990001235 care plan.odt"
# What must never be in a notice: the person's and family's names, where they live, the date of
# birth in any form, the file's name. (Every user's and participant's name is added below.)
SECRETS = [
    "Zebedee",
    "Quixotic",
    "Farnsworth",
    "Acacia",
    "care plan.odt",
    "29 March 1987",
    "29/03/1987",
    "1987-03-29",
    "housing needs",
]
NHS_NUMBER_ANYHOW = re.compile(r"999\D{0,3}000\D{0,3}1235")


def notice_kinds_in_code() -> set[str]:
    """Every email template, by the name `notification_enqueue` takes."""
    folder = settings.BASE_DIR / "templates" / "emails"
    return {path.name.removesuffix(".subject.txt") for path in folder.glob("*.subject.txt")}


def _world(organisations, users):
    person = UserFactory(
        email="zebedee@example.com", display_name="Zebedee Quixotic-Farnsworth", public=True
    )
    family = UserFactory(
        email="ysolde@example.com", display_name="Ysolde Quixotic-Farnsworth", public=True
    )
    taking_part = {
        "chair": users["chair"],
        "clinical_expert": users["clinical_expert"],
        "family_carer": family,
        "person": person,
    }
    world = make_review_world(
        organisations,
        commissioner=users["commissioner"],
        taking_part=taking_part,
        person_name=("Zebedee", "Quixotic-Farnsworth"),
        family_name="Ysolde Quixotic-Farnsworth",
    )
    world["person"].nhs_number, world["person"].date_of_birth = NHS_NUMBER, BORN
    world["person"].save(update_fields=["nhs_number", "date_of_birth"])
    world["review"].venue = "Zebedee's home, 12 Acacia Avenue"
    world["review"].save(update_fields=["venue"])
    return {**world, "users": {**users, "person": person, "family_carer": family}}


def _invitations_and_reset(world, client):
    review, users = world["review"], world["users"]
    commissioner = users["commissioner"]
    participant_add(
        actor=commissioner,
        review=review,
        role=ParticipantRole.PROVIDER,
        name=users["provider"].display_name,
        email=users["provider"].email,
    )
    participant_add(
        actor=commissioner,
        review=review,
        role=ParticipantRole.LOCAL_AUTHORITY,
        name="Quentin Quixotic-Farnsworth",
        email="quentin@example.gov.uk",
    )
    client.post(reverse("accounts:password_reset"), {"email": users["person"].email})
    _change_of_date(review, commissioner)


def _change_of_date(review, actor):
    """A new date tells every invitee, with the calendar entry (review_changed)."""
    review_schedule(
        actor=actor,
        review=review,
        starts_at=review.starts_at + timedelta(days=1),
        duration_minutes=review.duration_minutes or 480,
        venue=review.venue,
        video_link=review.video_link,
        late_reason="The family asked for the next day",
    )


def _panel(world):
    users, review = world["users"], world["review"]
    expert, chair = users["clinical_expert"], users["chair"]
    workbook = panels.workbook_open(actor=expert, review=review_for_user(expert, review.pk))
    panels.kloe_answer_save(
        actor=expert,
        workbook=workbook,
        kloe=kloe_of(workbook.panel, 1),
        expected_version=0,
        immediate_safety_concern=True,
        concern_detail="Zebedee's window restrictor is broken.",
    )
    Workbook.objects.filter(pk=workbook.pk).update(submitted_at=timezone.now())
    workbook.refresh_from_db()
    panels.workbook_reopen(actor=chair, review=review_for_user(chair, review.pk), workbook=workbook)


def _pack(world):
    review, provider = world["review"], world["users"]["provider"]
    pack = documents.pack_for_review(review=review)
    target = deadlines(review)["target"].due_at
    documents.pack_reminders_send(now=target - timedelta(days=3) + timedelta(minutes=1))
    documents.pack_reminders_send(now=review.starts_at - timedelta(hours=23))
    items = list(pack.items.order_by("position"))
    for item in items:
        documents.item_settle(
            actor=provider, item=item, status=ItemStatus.NOT_APPLICABLE, reason="None"
        )
    document = DocumentFactory(
        item=items[0], original_name=FILE_NAME, kind=DocumentKind.ODT, uploaded_by=provider
    )
    rendition = DocumentRenditionFactory(
        document=document, status=RenditionStatus.PENDING, file=None
    )
    with (
        mock.patch.object(libreoffice, "available", return_value=True),
        mock.patch.object(
            libreoffice, "convert_to_pdf", side_effect=libreoffice.ConversionFailed("corrupt")
        ),
    ):
        documents.rendition_make(rendition_id=rendition.pk)


def _report_and_portal(world):
    users, review = world["users"], make_held(world["review"], days_ago=1)
    due = reports.report_due_date(review)
    reports.report_deadlines_check(today=due - timedelta(days=3))
    reports.report_deadlines_check(today=due + timedelta(days=1))
    chair, family = users["chair"], users["family_carer"]
    reports.report_issue(actor=chair, review=review_for_user(chair, review.pk))
    request = portal.request_make(
        actor=family,
        review=review_for_user(family, review.pk),
        kind="worry",
        details="Zebedee Quixotic-Farnsworth has not had leave for a month.",
    )
    portal.request_answer(
        actor=users["commissioner"], request=request, answer="Zebedee's leave is restored."
    )
    portal.request_make(
        actor=family,
        review=review_for_user(family, review.pk),
        kind="worry",
        details="Zebedee Quixotic-Farnsworth was hurt on the ward at 12 Acacia Avenue.",
        at_risk=True,
    )
    portal.feedback_invitations_send()


def _recommendation(world, time_machine):
    """From sent to done with no account for its owner (whose name was typed wrongly), through
    every reminder, the weekly digest and the escalation."""
    users = world["users"]
    due = timezone.localdate() + timedelta(days=5)
    made = RecommendationFactory(
        review=world["review"],
        owner=None,
        owner_name="Zebedee Quixotic-Farnsworth (NHS 999 000 1235)",
        owner_organisation="Riverside Hospital",
        owner_email="owner@example.nhs.uk",
        due_date=due,
        created_by=users["chair"],
        action="Arrange a housing needs assessment for Zebedee, NHS 999 000 1235",
    )
    _change(actor=users["chair"], recommendation=made, kind="sent", to=State.AWAITING_OWNER)
    _change(actor=users["chair"], recommendation=made, kind="accepted", to=State.AGREED)
    for day in range(-1, ESCALATE_AFTER_DAYS.value() + 1):
        time_machine.move_to(f"{due + timedelta(days=day)} 07:00", tick=False)
        recommendations_sweep()
    made = Recommendation.objects.get(pk=made.pk)
    _oversight_panel(users, made)
    # Issue 21's steps, each with its notice: marked done, sent back, done again, confirmed,
    # reopened; and a second one disputed.
    note = "Zebedee's assessment is done, NHS 999 000 1235"
    chair, commissioner = users["chair"], users["commissioner"]
    recommendations.recommendation_mark_done(actor=chair, recommendation=made, note=note)
    recommendations.recommendation_done_send_back(
        actor=commissioner, recommendation=made, reason=note
    )
    recommendations.recommendation_mark_done(actor=chair, recommendation=made, note=note)
    recommendations.recommendation_done_confirm(actor=commissioner, recommendation=made)
    recommendations.recommendation_reopen(actor=chair, recommendation=made, reason=note)
    disputed = RecommendationFactory(
        review=world["review"], owner=users["provider"], created_by=chair, due_date=due
    )
    _change(actor=chair, recommendation=disputed, kind="sent", to=State.AWAITING_OWNER)
    recommendations.recommendation_dispute(
        actor=users["provider"], recommendation=disputed, reason=note
    )
    subjects = {
        n.context["subject"]
        for n in Notification.objects.filter(idempotency_key__startswith="rec-step:")
    }
    assert subjects == {subject for subject, _what, _todo in STEP_NOTICES.values()}


def _oversight_panel(users, made):
    """The panel's decision and closure (to the commissioner) and an action (to its owner),
    their words naming the person."""
    panel_member = users["oversight_panel"]
    escalation_decision_record(
        actor=panel_member,
        recommendation=made,
        met_on=timezone.localdate(),
        decision="Zebedee Quixotic-Farnsworth needs housing needs met within a month",
    )
    escalation_action_add(
        actor=panel_member,
        recommendation=made,
        action="Write to the council about Zebedee's housing needs",
        owner_name="Quentin Quixotic-Farnsworth",
        owner_organisation="North Shore Council",
        owner_email="quentin.action@example.gov.uk",
        due_date=timezone.localdate() + timedelta(days=14),
    )
    escalation_close(
        actor=panel_member,
        recommendation=made,
        outcome="not_resolved",
        reason="Zebedee's housing needs are still not met",
    )


def _transfer(world):
    """Another ICB asks for the record; the ICB that holds it refuses, with a reason."""
    users, person = world["users"], world["person"]
    request = transfer_request(
        actor=users["commissioner_other_org"],
        to_organisation=users["commissioner_other_org"].organisations.get(),
        nhs_number=NHS_NUMBER,
        date_of_birth=BORN,
        family_name=person.family_name,
    )
    transfer_refuse(
        actor=users["commissioner"],
        request=request,
        reason="Zebedee still lives at 12 Acacia Avenue (NHS 999 000 1235)",
    )


def _unreachable(world):
    """The family carer asks for text messages; one cannot be delivered: the commissioner is
    told (participant_unreachable)."""
    from ctr_portal.services import notification_enqueue, notification_receipt
    from reviews.services import participant_reach, participant_reach_set

    carer = Participant.objects.get(review=world["review"], role=ParticipantRole.FAMILY_CARER)
    carer = participant_reach_set(
        actor=world["users"]["commissioner"],
        participant=carer,
        invited_through="text",
        phone="07700 900123",
    )
    row = notification_enqueue(
        key="text-to-the-carer",
        recipient=participant_reach(carer),
        template="portal_request_answered",
        context={"link": settings.SITE_URL + reverse("portal:review", args=[carer.review_id])},
    )
    Notification.objects.filter(pk=row.pk).update(
        state="sent", sent_at=timezone.now(), provider_ref="notify-id-1"
    )
    notification_receipt(provider_ref="notify-id-1", status="permanent-failure")


def _leaks(notification, secrets) -> list[str]:
    message = _render_email(notification)
    found = []
    for part in (message.subject, message.body, html.unescape(message.alternatives[0][0])):
        found += [s for s in secrets if s in part] + NHS_NUMBER_ANYHOW.findall(part)
    return [f"{notification.template}: {s}" for s in sorted(set(found))]


def test_no_notice_of_any_kind_names_the_person_or_quotes_the_record(
    organisations, users, client, time_machine
):
    world = _world(organisations, users)
    _invitations_and_reset(world, client)
    _panel(world)
    _pack(world)
    _report_and_portal(world)
    _recommendation(world, time_machine)
    _transfer(world)
    _unreachable(world)

    sent = Notification.objects.exclude(channel="text").order_by("pk")
    assert {n.template for n in sent} == notice_kinds_in_code()
    told = Reminder.objects.filter(notification__isnull=False).values_list("kind", flat=True)
    assert set(told) == set(Reminder.Kind.values)
    names = {u.display_name for u in User.objects.all()}
    names |= set(Participant.objects.values_list("name", flat=True))
    names |= set(Contact.objects.values_list("name", flat=True))
    secrets = SECRETS + sorted(name for name in names if name)
    leaks = {leak for notification in sent for leak in _leaks(notification, secrets)}
    assert not leaks, "Notices carry what they must not:\n" + "\n".join(sorted(leaks))
    _no_account_is_told_to_sign_in(sent)


def _no_account_is_told_to_sign_in(sent):
    """Someone with no account is never told to sign in: the owner and the professional who
    never set one up get a single-purpose link (or an invitation to set up an account); the
    link is in the body only, never in the outbox key."""
    accounts = {email.lower() for email in User.objects.values_list("email", flat=True)}
    to_them = [n for n in sent if n.recipient.lower() not in accounts]
    assert {n.template for n in to_them} >= {"recommendation_notice", "report_issued"}
    for notification in to_them:
        message = _render_email(notification)
        for part in (message.subject, message.body, message.alternatives[0][0]):
            assert "sign in" not in part.lower(), (notification.template, part)
        if notification.template in ("recommendation_notice", "report_issued"):
            token = re.search(r"/l/([A-Za-z0-9_-]{43,})/", message.body)
            assert token, (notification.template, message.body)
            assert token.group(1) not in notification.idempotency_key


def test_every_kind_of_notice_goes_through_notify_when_it_is_the_transport(
    organisations, users, client, time_machine, notify_on
):
    """With GOV.UK Notify as the transport, every notice the service sends leaves through it
    (none by SMTP), and a text message carries no name and no NHS number."""
    from django.core import mail

    from ctr_portal.services import outbox_dispatch_due

    world = _world(organisations, users)
    _invitations_and_reset(world, client)
    _panel(world)
    _pack(world)
    _report_and_portal(world)
    _recommendation(world, time_machine)
    _transfer(world)
    _unreachable(world)
    carer = Participant.objects.get(review=world["review"], role=ParticipantRole.FAMILY_CARER)
    from reviews.services.calendar import POSTPONED, invitees_tell

    invitees_tell(review=world["review"], change=POSTPONED)  # told to the carer by text

    later = timezone.now() + timedelta(days=365)
    while outbox_dispatch_due(now=later):
        pass
    assert not Notification.objects.filter(state="pending").exists()
    through_notify = {m["reference"] for m in notify_on.sent}
    queued = Notification.objects.exclude(state__in=["failed", "cancelled"])
    missing = [
        (n.pk, n.template, n.state, n.channel)
        for n in queued
        if f"ctr-notice-{n.pk}" not in through_notify
    ]
    assert not missing
    assert {n.template for n in queued} == notice_kinds_in_code()
    assert mail.outbox == []
    texts = notify_on.of_type("sms")
    assert {t["to"] for t in texts} == {carer.phone}
    names = {u.display_name for u in User.objects.all()} | {carer.name}
    for text in texts:
        found = [s for s in SECRETS + sorted(names) if s in text["body"]]
        assert not found and not NHS_NUMBER_ANYHOW.findall(text["body"]), text["body"]
