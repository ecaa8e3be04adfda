"""Single-purpose links: someone without an account acts through one, with no sign-in; a link
is refused when expired, spent, revoked, aimed at another object, or after consent is
withdrawn, and every use and refusal is audited."""

import datetime
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal import links
from ctr_portal.models import ActionLink, AuditEvent
from recommendations.models import State
from reviews.models import ConsentDecision
from tests.recommendations.factories import RecommendationFactory
from tests.reviews.factories import ConsentRecordFactory

Purpose = ActionLink.Purpose


@pytest.fixture
def recommendation(world):
    return RecommendationFactory(
        review=world["review"],
        number=1,
        owner=None,
        owner_name="Sam Okafor",
        owner_organisation="Riverside Housing",
        owner_email="sam.okafor@example.org",
        state=State.AWAITING_OWNER,
        created_by=world["users"]["chair"],
        due_date=timezone.localdate() + timedelta(days=60),
    )


def respond_link(recommendation):
    return links.link_issue(purpose=Purpose.RESPOND, obj=recommendation)


def accept(client, token):
    return client.post(
        reverse("links:use", args=[token]), {"response": "accept", "remit_confirmed": "on"}
    )


def test_token_is_long_random_and_only_its_hash_is_kept(recommendation):
    link, token = respond_link(recommendation)
    assert len(token) >= 43  # 32 bytes, base64: 256 bits
    assert token not in link.token_hash
    assert not ActionLink.objects.filter(token_hash=token).exists()
    assert links.link_for_token(token) == link


def test_owner_without_account_accepts_from_the_link_without_signing_in(client, recommendation):
    link, token = respond_link(recommendation)
    page = client.get(reverse("links:use", args=[token]))
    assert page.status_code == 200
    assert recommendation.action in page.content.decode()
    assert "Daniel" not in page.content.decode()  # nothing about the person beyond the action

    response = accept(client, token)

    assert response.status_code == 200
    recommendation.refresh_from_db()
    assert recommendation.state == State.AGREED
    update = recommendation.updates.get(kind="accepted")
    assert update.actor is None
    assert AuditEvent.objects.filter(
        object_type="recommendations.recommendation",
        object_id=str(recommendation.pk),
        action=AuditEvent.Action.TRANSITION,
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="ctr_portal.actionlink", object_id=str(link.pk), action="update"
    ).exists()


def test_owner_disputes_from_the_link(client, recommendation):
    _link, token = respond_link(recommendation)
    client.post(
        reverse("links:use", args=[token]),
        {"response": "dispute", "reason": "Not ours: the council arranges it"},
    )
    recommendation.refresh_from_db()
    assert recommendation.state == State.DISPUTED


def test_link_refused_when_expired(client, recommendation):
    link, token = respond_link(recommendation)
    ActionLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("links:use", args=[token])).status_code == 410
    assert accept(client, token).status_code == 410
    recommendation.refresh_from_db()
    assert recommendation.state == State.AWAITING_OWNER
    assert AuditEvent.objects.filter(
        object_type="ctr_portal.actionlink", object_id=str(link.pk), action="permission_denied"
    ).exists()


def test_link_refused_when_used_again(client, recommendation):
    link, token = respond_link(recommendation)
    accept(client, token)
    again = client.get(reverse("links:use", args=[token]))
    assert again.status_code == 410
    assert "This link has expired or has already been used" in again.content.decode()
    link.refresh_from_db()
    assert link.used_at is not None


def test_a_spent_link_is_refused_even_if_the_recommendation_waits_again(client, recommendation):
    """Reuse is refused by the link itself, not only by the recommendation's state."""
    link, token = respond_link(recommendation)
    accept(client, token)
    type(recommendation).objects.filter(pk=recommendation.pk).update(state=State.AWAITING_OWNER)
    assert accept(client, token).status_code == 410


def test_link_refused_for_another_recommendation(client, recommendation, world):
    """A link names its one object: it answers for that one, and a link whose object is not
    what its purpose works on opens nothing."""
    other = RecommendationFactory(
        review=world["review"],
        number=2,
        owner=None,
        owner_name="Jo Bell",
        owner_organisation="Riverside Housing",
        owner_email="jo.bell@example.org",
        state=State.AWAITING_OWNER,
        created_by=world["users"]["chair"],
    )
    _link, token = respond_link(recommendation)
    accept(client, token)
    other.refresh_from_db()
    assert other.state == State.AWAITING_OWNER
    _wrong, wrong_token = links.link_issue(
        purpose=Purpose.RESPOND, obj=world["participants"]["person"]
    )
    assert accept(client, wrong_token).status_code == 410


def test_link_refused_when_revoked(client, recommendation, world):
    link, token = respond_link(recommendation)
    links.link_revoke(actor=world["users"]["commissioner"], link=link)
    assert accept(client, token).status_code == 410
    recommendation.refresh_from_db()
    assert recommendation.state == State.AWAITING_OWNER


def test_link_refused_after_consent_is_withdrawn(client, recommendation, world):
    _link, token = respond_link(recommendation)
    ConsentRecordFactory(
        review=world["review"],
        decision=ConsentDecision.DECLINED,
        route="",
        shares_information=False,
        recorded_by=world["users"]["commissioner"],
        recorded_at=timezone.now() + timedelta(seconds=1),
    )
    assert client.get(reverse("links:use", args=[token])).status_code == 410
    assert accept(client, token).status_code == 410


def test_unknown_token_answers_not_found_and_is_audited(client, db):
    response = client.get(reverse("links:use", args=["no-such-link"]))
    assert response.status_code == 404
    assert "This link has expired or has already been used" in response.content.decode()
    assert AuditEvent.objects.filter(object_type="ctr_portal.actionlink", action="not_found")


def test_commissioner_makes_a_link_sees_it_once_and_revokes_it(client_for, recommendation, world):
    client = client_for("commissioner")
    url = reverse("links:recommendation", args=[recommendation.pk])
    made = client.post(url)
    assert made.status_code == 200
    link = ActionLink.objects.get(object_id=recommendation.pk)
    shown = made.context["new_url"]
    assert links.link_for_token(shown.rstrip("/").rsplit("/", 1)[1]) == link
    assert shown not in client.get(url).content.decode()

    client.post(url, {"revoke": str(link.pk)})
    link.refresh_from_db()
    assert link.state == "revoked"
    assert AuditEvent.objects.filter(
        object_type="ctr_portal.actionlink",
        object_id=str(link.pk),
        actor=world["users"]["commissioner"],
    ).exists()


def test_update_link_posts_one_progress_update(client, recommendation):
    type(recommendation).objects.filter(pk=recommendation.pk).update(state=State.AGREED)
    _link, token = links.link_issue(purpose=Purpose.UPDATE, obj=recommendation)
    client.post(
        reverse("links:use", args=[token]),
        {"kind": "progress", "note": "Assessment booked for Monday"},
    )
    recommendation.refresh_from_db()
    assert recommendation.state == State.IN_PROGRESS
    again = client.post(reverse("links:use", args=[token]), {"kind": "progress", "note": "Again"})
    assert again.status_code == 410


def test_update_link_says_it_is_done_with_evidence_checked_by_its_content(
    client, recommendation, world
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recommendations.models import EvidenceFile
    from tests.documents.factories import pdf_bytes

    type(recommendation).objects.filter(pk=recommendation.pk).update(state=State.IN_PROGRESS)
    _link, token = links.link_issue(purpose=Purpose.UPDATE, obj=recommendation)
    url = reverse("links:use", args=[token])
    page = client.get(url).content.decode()
    assert "It is done, with evidence" in page and "Who will see it" in page

    fake = SimpleUploadedFile("tenancy.pdf", b"MZ not a pdf at all", "application/pdf")
    refused = client.post(url, {"kind": "done", "note": "Tenancy signed", "evidence": fake})
    assert refused.status_code == 200
    assert refused.context["form"].errors["evidence"]  # checked by content, beside the field
    assert "Tenancy signed" in refused.content.decode()  # what was typed is kept
    recommendation.refresh_from_db()
    assert recommendation.state == State.IN_PROGRESS  # nothing half-done, the link unspent

    real = SimpleUploadedFile("tenancy.pdf", pdf_bytes("Tenancy agreement"), "application/pdf")
    done = client.post(
        url, {"kind": "done", "note": "Tenancy signed", "evidence": real, "not_for_family": "on"}
    )
    assert done.status_code == 200
    recommendation.refresh_from_db()
    assert recommendation.state == State.DONE_CLAIMED
    [evidence] = EvidenceFile.objects.filter(recommendation=recommendation)
    assert evidence.uploaded_by is None and evidence.not_for_family


def test_link_lifetime_comes_from_policy(recommendation):
    from ctr_portal.policy import LINK_LIFETIME_DAYS

    link, _token = respond_link(recommendation)
    lifetime = link.expires_at - link.created_at
    assert abs(lifetime - datetime.timedelta(days=LINK_LIFETIME_DAYS["respond"])) < timedelta(
        seconds=5
    )


def test_report_link_opens_the_issued_report_until_consent_is_withdrawn(client, world):
    from reports import services as reports
    from reports.reader_links import report_links_without_account
    from reviews.models import Participant, ParticipantRole
    from reviews.queries import review_for_user
    from tests.panels.factories import make_held

    chair = world["users"]["chair"]
    review = make_held(world["review"], days_ago=1)
    reports.report_issue(actor=chair, review=review_for_user(chair, review.pk))
    local = Participant.objects.create(
        review=review,
        role=ParticipantRole.LOCAL_AUTHORITY,
        name="Jo Bell",
        email="jo.bell@example.gov.uk",
        added_by=world["users"]["commissioner"],
    )
    url = report_links_without_account(review_for_user(chair, review.pk))[local.pk]["link"]
    path = url.removeprefix("http://testserver").split("://", 1)[-1]
    path = path[path.index("/l/") :]
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200  # read as often as needed until it expires
    assert client.get(path + "?version=full").status_code == 200
    ConsentRecordFactory(
        review=review,
        decision=ConsentDecision.DECLINED,
        route="",
        shares_information=False,
        recorded_by=world["users"]["commissioner"],
        recorded_at=timezone.now() + timedelta(seconds=1),
    )
    assert client.get(path).status_code == 410


def _family_without_account(world, email="amir.clarke@example.com"):
    from reviews.models import ParticipantRole
    from tests.reviews.factories import ConsentInviteeFactory, ContactFactory, ParticipantFactory

    contact = ContactFactory(person=world["person"], name="Amir Clarke", email=email)
    ConsentInviteeFactory(consent=world["consent"], contact=contact)
    return ParticipantFactory(
        review=world["review"],
        role=ParticipantRole.FAMILY_CARER,
        user=None,
        contact=contact,
        email=email,
        name="Amir Clarke",
        added_by=world["users"]["commissioner"],
    )


def _issued(world):
    from reports import services as reports
    from reviews.queries import review_for_user
    from tests.panels.factories import make_held

    chair = world["users"]["chair"]
    review = make_held(world["review"], days_ago=1)
    reports.report_issue(actor=chair, review=review_for_user(chair, review.pk))
    return review


def _path(url):
    return url[url.index("/l/") :]


def test_a_family_carer_without_an_account_follows_the_plan_from_the_notice_link(client, world):
    """Told a recommendation is done, a family carer with no account gets a link (never "sign
    in") that opens the report and the action plan as it stands: each step, the evidence named
    but not downloadable."""
    from ctr_portal.models import Notification
    from recommendations import services

    carer = _family_without_account(world)
    _issued(world)
    recommendation = RecommendationFactory(
        review=world["review"],
        number=1,
        state=State.AGREED,
        owner=world["users"]["provider"],
        created_by=world["users"]["chair"],
        due_date=timezone.localdate() + timedelta(days=60),
    )
    services.recommendation_mark_done(
        actor=world["users"]["provider"], recommendation=recommendation, note="Assessment done"
    )
    services.recommendation_done_confirm(
        actor=world["users"]["commissioner"], recommendation=recommendation
    )
    [notice] = Notification.objects.filter(recipient=carer.email, template="recommendation_notice")
    words = " ".join(notice.context["paragraphs"])
    assert "Sign in" not in words and "You do not need an account" in words
    page = client.get(_path(notice.context["link"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "How each recommendation is going today" in text
    assert recommendation.action in text and "Done" in text
    assert "Marked done" in text  # its steps
    assert "/evidence/" not in text
    assert "Ask for an account" in text


def test_asking_for_an_account_from_a_report_link_emails_one_invitation(client, world):
    from ctr_portal.models import Notification
    from reviews.models import Invitation

    carer = _family_without_account(world)
    _issued(world)
    _link, token = links.link_issue(purpose=Purpose.READ_REPORT, obj=carer)
    url = reverse("links:use", args=[token])
    answer = client.post(url, {"account": "ask"})
    assert "Check your email" in answer.content.decode()
    client.post(url, {"account": "ask"})  # pressed twice: one invitation
    assert Invitation.objects.filter(participant=carer).count() == 1
    [invitation] = Notification.objects.filter(recipient=carer.email, template="review_invitation")
    assert "/invitations/" in invitation.secret_context["link"]
    assert client.get(url).status_code == 200  # the link still works


def test_an_owner_asking_for_an_account_asks_the_commissioner_once(client, recommendation, world):
    from ctr_portal.models import Notification

    _link, token = respond_link(recommendation)
    url = reverse("links:use", args=[token])
    page = client.get(url)
    assert "Ask for an account" in page.content.decode()
    answer = client.post(url, {"account": "ask"})
    assert "We have asked the commissioning team" in answer.content.decode()
    client.post(url, {"account": "ask"})
    commissioner = world["users"]["commissioner"].email
    asked = [
        n
        for n in Notification.objects.filter(recipient=commissioner)
        if "asked for an account" in n.context.get("subject", "")
    ]
    assert len(asked) == 1
    recommendation.refresh_from_db()
    assert recommendation.state == State.AWAITING_OWNER  # nothing else changed
    assert accept(client, token).status_code == 200  # and the link still does its one thing
