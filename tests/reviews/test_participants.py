"""Adding participants, the invitation email, accepting an invitation, declaring independence."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from ctr_portal import services as services_outbox
from ctr_portal.models import Notification
from reviews import queries, services
from reviews.extensions import invitations_check
from reviews.models import Invitation, Participant, Review, ReviewEvent
from tests.conftest import sign_in
from tests.factories import UserFactory

from .factories import ConsentInviteeFactory, ConsentRecordFactory, ContactFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "correct horse battery staple"


def add_url(review):
    return reverse("reviews:review_participant_add", args=[review.pk])


def add(client, review, **data):
    return client.post(add_url(review), data)


def invitation_path(message):
    return re.search(r"/invitations/[A-Za-z0-9_-]+/", message.body).group(0)


@pytest.fixture
def invited_expert(client_for, review_world, django_capture_on_commit_callbacks, mailoutbox):
    """A clinical expert with no account, added and emailed: the path of their link."""
    with django_capture_on_commit_callbacks(execute=True):
        add(
            client_for("commissioner"),
            review_world["review"],
            role="panel_member",
            name="Priya Shah",
            email="priya.shah@example.org",
        )
    return invitation_path(mailoutbox[-1])


# --- Adding someone ------------------------------------------------------------------------


def test_the_page_lists_everyone_already_taking_part(client_for, review_world):
    page = client_for("commissioner").get(add_url(review_world["review"])).content.decode()
    assert "Add someone to the review" in page
    assert "Expert by experience (independence not declared yet)" in page
    assert review_world["participants"]["chair"].name in page


def test_someone_without_an_account_is_emailed_a_single_use_link(
    client_for, review_world, django_capture_on_commit_callbacks, mailoutbox
):
    review = review_world["review"]
    with django_capture_on_commit_callbacks(execute=True):
        response = add(
            client_for("commissioner"),
            review,
            role="clinical_expert",
            name="Priya Shah",
            email="Priya.Shah@example.org",
        )

    assert response.status_code == 302
    assert response.url == reverse("reviews:review_detail", args=[review.pk])
    participant = Participant.objects.get(review=review, email="priya.shah@example.org")
    assert participant.user is None and participant.invitations.count() == 1
    assert ReviewEvent.objects.filter(review=review, kind="invitation").exists()

    [message] = mailoutbox
    assert message.to == ["priya.shah@example.org"]
    # Until the expert declares independence the email, like the page, says only the role and
    # the date: no kind of review, no place, no calendar file.
    assert message.subject == "You are invited to a review"
    assert "Your role: Clinical expert" in message.body and "/invitations/" in message.body
    assert "The link works once, for 14 days." in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Set up your account</a>" in html
    assert not message.attachments
    person = review_world["person"]
    for secret in (person.given_name, person.family_name, person.nhs_number):
        for part in (message.subject, message.body, html):
            assert secret not in part


def test_someone_who_may_see_the_details_gets_the_calendar_file_without_the_persons_name(
    client_for, users, review_world, django_capture_on_commit_callbacks, mailoutbox
):
    review = review_world["review"]
    with django_capture_on_commit_callbacks(execute=True):
        add(
            client_for("commissioner"),
            review,
            role="local_authority",
            name="Lou Bennett",
            email=users["local_authority"].email,
        )

    [message] = mailoutbox
    assert message.subject == "You are invited to a Care and Treatment Review"
    [(filename, calendar, calendar_type)] = message.attachments
    assert (filename, calendar_type) == ("review.ics", "text/calendar")
    assert "BEGIN:VCALENDAR" in calendar
    person = review_world["person"]
    for secret in (person.given_name, person.family_name, person.nhs_number):
        for part in (message.subject, message.body, calendar):
            assert secret not in part


def test_an_unscheduled_review_sends_no_calendar_file(
    client_for, review_world, django_capture_on_commit_callbacks, mailoutbox
):
    review = review_world["review"]
    Review.objects.filter(pk=review.pk).update(starts_at=None, state="planned")
    with django_capture_on_commit_callbacks(execute=True):
        add(
            client_for("commissioner"),
            review,
            role="panel_member",
            name="Sam Jones",
            email="sam.jones@example.nhs.uk",
        )
    assert mailoutbox[0].attachments == []


def test_someone_with_an_account_finds_the_review_on_their_home_page(
    client_for, review_world, django_capture_on_commit_callbacks, mailoutbox
):
    pharmacist = UserFactory(email="pharmacist@example.nhs.uk")
    review = review_world["review"]
    commissioner = client_for("commissioner")
    with django_capture_on_commit_callbacks(execute=True):
        response = add(
            commissioner,
            review,
            role="panel_member",
            name="Ola Ade",
            email="pharmacist@example.nhs.uk",
        )

    participant = Participant.objects.get(review=review, email="pharmacist@example.nhs.uk")
    assert participant.user == pharmacist and not participant.invitations.exists()
    assert review in queries.reviews_for_participant(pharmacist)
    assert "/invitations/" not in mailoutbox[0].body
    page = commissioner.get(response.url).content.decode()
    assert "Ola Ade (other panel member) has been added. They will find the review" in page


def test_an_address_typed_in_another_case_or_with_spaces_finds_the_account(
    client_for, review_world
):
    pharmacist = UserFactory(email="pharmacist@example.nhs.uk")
    review = review_world["review"]
    add(
        client_for("commissioner"),
        review,
        role="panel_member",
        name="Ola Ade",
        email="  Pharmacist@Example.NHS.uk ",
    )
    participant = Participant.objects.get(review=review, name="Ola Ade")
    assert participant.email == pharmacist.email and participant.user == pharmacist


def test_a_look_alike_address_is_not_taken_for_someone_elses_account(review_world, users):
    # The Kelvin sign looks like K, and Python's lower() turns it into an ASCII k.
    kate = UserFactory(email="kate@example.nhs.uk")
    participant, _ = services.participant_add(
        actor=users["commissioner"],
        review=review_world["review"],
        role="panel_member",
        name="Kate Lowe",
        email="\u212aate@example.nhs.uk",
    )
    assert participant.user is None and participant.user != kate
    assert participant.email == "\u212aate@example.nhs.uk"


def test_the_invitation_link_is_kept_only_until_it_is_sent_and_never_in_the_key(
    client_for, review_world, django_capture_on_commit_callbacks, mailoutbox
):
    review = review_world["review"]
    with django_capture_on_commit_callbacks(execute=False):
        add(
            client_for("commissioner"),
            review,
            role="panel_member",
            name="Priya Shah",
            email="priya.shah@example.org",
        )
    notification = Notification.objects.get(template="review_invitation")
    token = notification.secret_context["link"].rstrip("/").rsplit("/", 1)[-1]
    assert len(token) > 20
    assert token not in notification.idempotency_key and token not in str(notification.context)

    services_outbox.outbox_dispatch_due()
    [message] = mailoutbox
    assert f"/invitations/{token}/" in message.body
    row = Notification.objects.filter(pk=notification.pk).values().get()
    assert row["state"] == "sent" and token not in str(row)


def test_short_notice_is_shown_as_a_warning_after_adding(client_for, review_world):
    review = review_world["review"]
    Review.objects.filter(pk=review.pk).update(starts_at=timezone.now() + timedelta(days=5))
    client = client_for("commissioner")
    response = client.post(
        add_url(review),
        {"role": "panel_member", "name": "Sam Jones", "email": "sam.jones@example.nhs.uk"},
        follow=True,
    )
    page = response.content.decode()
    assert "People should have at least 14 days&#x27; notice" in page
    assert "nhsuk-notification-banner" in page and "Important" in page
    assert "Sam Jones (other panel member) has been added" in page


def test_a_family_carer_the_consent_does_not_include_is_refused_beside_the_contact(
    client_for, review_world
):
    review = review_world["review"]
    sister = ContactFactory(person=review_world["person"], name="Leah Clarke")
    response = add(
        client_for("commissioner"),
        review,
        role="family_carer",
        contact=sister.pk,
        name="",
        email="",
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error: " in page
    assert 'id="id_contact-error"' in page
    assert "Leah Clarke cannot be invited: the person&#x27;s consent does not include them" in page
    assert not Participant.objects.filter(review=review, contact=sister).exists()


def test_a_family_carer_the_consent_includes_is_invited_with_their_contact_details(
    client_for, users, review_world
):
    review = review_world["review"]
    sister = ContactFactory(
        person=review_world["person"], name="Leah Clarke", email="leah@example.com"
    )
    consent = ConsentRecordFactory(review=review, recorded_by=users["commissioner"])
    ConsentInviteeFactory(consent=consent, contact=sister)
    response = add(client_for("commissioner"), review, role="family_carer", contact=sister.pk)
    assert response.status_code == 302
    participant = Participant.objects.get(review=review, contact=sister)
    assert (participant.name, participant.email) == ("Leah Clarke", "leah@example.com")


def test_a_family_carer_must_be_one_of_the_persons_contacts(client_for, review_world):
    page = add(
        client_for("commissioner"),
        review_world["review"],
        role="advocate",
        name="Ann Lee",
        email="ann@example.org",
    ).content.decode()
    assert "Select who this is from the person&#x27;s contacts" in page


def test_missing_answers_are_asked_for_and_what_was_typed_is_kept(client_for, review_world):
    page = add(
        client_for("commissioner"), review_world["review"], name="Sam Jones", email="not-an-email"
    ).content.decode()
    assert "Select their role in the review" in page
    assert "Enter an email address in the correct format, like name@example.com" in page
    assert 'value="Sam Jones"' in page and 'value="not-an-email"' in page

    page = add(
        client_for("commissioner"), review_world["review"], role="panel_member"
    ).content.decode()
    assert "Enter their full name" in page and "Enter their email address" in page


def test_the_person_is_invited_through_their_keyworker_without_an_email_address(
    client_for, review_world, django_capture_on_commit_callbacks, mailoutbox
):
    review = review_world["review"]
    review.participants.filter(role="person").delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = add(
            client_for("commissioner"),
            review,
            role="person",
            name="Daniel Clarke",
            invited_through="keyworker",
        )

    assert response.status_code == 302
    person = review.participants.get(role="person")
    assert (person.email, person.invited_through) == ("", "keyworker")
    assert not mailoutbox and not Invitation.objects.filter(participant=person).exists()
    assert review.events.filter(summary="The person invited through their keyworker").exists()
    page = client_for("commissioner").get(reverse("reviews:review_detail", args=[review.pk]))
    assert "through their keyworker" in page.content.decode()
    assert invitations_check(Review.objects.get(pk=review.pk)).done


def test_only_the_person_may_be_invited_other_than_by_email(client_for, review_world):
    page = add(
        client_for("commissioner"),
        review_world["review"],
        role="panel_member",
        name="Sam Jones",
        invited_through="paper",
    ).content.decode()
    assert "Only the person and their family can be reached other" in page
    assert not Participant.objects.filter(name="Sam Jones").exists()


def test_a_review_has_one_chair(client_for, review_world):
    page = add(
        client_for("commissioner"),
        review_world["review"],
        role="chair",
        name="Jo Bloggs",
        email="jo@example.nhs.uk",
    ).content.decode()
    assert "This review already has a chair" in page


def test_panel_members_cannot_add_people(client_for, review_world):
    response = add(
        client_for("clinical_expert"),
        review_world["review"],
        role="panel_member",
        name="Sam Jones",
        email="sam@example.org",
    )
    assert response.status_code == 403
    assert not Participant.objects.filter(email="sam@example.org").exists()


# --- Accepting an invitation ---------------------------------------------------------------


def test_an_unknown_invitation_is_not_found(client):
    assert client.get(reverse("reviews:invitation_accept", args=["nope"])).status_code == 404


def test_accepting_sets_up_the_account_signs_in_and_opens_the_review(
    client, review_world, invited_expert
):
    page = client.get(invited_expert).content.decode()
    assert "Set up your account" in page and 'value="Priya Shah"' in page
    assert "priya.shah@example.org" in page
    assert review_world["person"].family_name not in page

    response = client.post(
        invited_expert,
        {"display_name": "Dr Priya Shah", "password1": PASSWORD, "password2": PASSWORD},
    )

    review = review_world["review"]
    assert response.status_code == 302
    assert response.url == reverse("reviews:review_detail", args=[review.pk])
    user = User.objects.get(email="priya.shah@example.org")
    assert user.display_name == "Dr Priya Shah" and user.check_password(PASSWORD)
    assert Participant.objects.get(review=review, email=user.email).user == user
    assert int(client.session["_auth_user_id"]) == user.pk
    # A professional is asked to set up two-factor before seeing the review.
    assert client.get(response.url).url == reverse("accounts:two_factor_setup")


def test_an_invitation_works_once(client, invited_expert):
    data = {"display_name": "Priya Shah", "password1": PASSWORD, "password2": PASSWORD}
    client.post(invited_expert, data)
    client.logout()

    response = client.post(invited_expert, data)
    assert response.status_code == 410
    assert "This link has already been used" in response.content.decode()
    assert User.objects.filter(email="priya.shah@example.org").count() == 1


def test_an_expired_invitation_says_whom_to_contact(client, users, invited_expert, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=15))
    response = client.get(invited_expert)
    page = response.content.decode()
    assert response.status_code == 410
    assert "This link has expired" in page
    assert users["commissioner"].display_name in page and "NHS North Shore ICB" in page


def test_a_weak_or_mismatched_password_is_refused(client, invited_expert):
    page = client.post(
        invited_expert, {"display_name": "Priya Shah", "password1": "short1", "password2": "short1"}
    ).content.decode()
    assert "This password is too short. It must contain at least 12 characters." in page
    page = client.post(
        invited_expert,
        {"display_name": "Priya Shah", "password1": PASSWORD, "password2": PASSWORD + "x"},
    ).content.decode()
    assert "The passwords do not match" in page
    assert not User.objects.filter(email="priya.shah@example.org").exists()
    assert Invitation.objects.get().used_at is None


def test_with_an_account_already_the_page_says_to_sign_in_then_join(
    client, review_world, invited_expert
):
    existing = UserFactory(email="priya.shah@example.org", display_name="Priya Shah")
    page = client.get(invited_expert).content.decode()
    assert "You already have an account" in page and "Create a password" not in page
    assert client.post(invited_expert, {"password1": PASSWORD}).status_code == 200
    assert Participant.objects.get(email=existing.email).user is None

    sign_in(client, existing)
    assert "Join the review" in client.get(invited_expert).content.decode()
    response = client.post(invited_expert)
    assert response.url == reverse("reviews:review_detail", args=[review_world["review"].pk])
    assert Participant.objects.get(email=existing.email).user == existing
    assert Invitation.objects.get().used_at is not None


# --- Declaring independence ----------------------------------------------------------------


def independence_url(review):
    return reverse("reviews:review_independence", args=[review.pk])


def test_a_panel_expert_declares_independence_once(client_for, review_world):
    review = review_world["review"]
    client = client_for("expert_by_experience")
    url = independence_url(review)
    page = client.get(url).content.decode()
    assert "Declare your independence" in page
    assert "I have no part in this person&#x27;s care or treatment" in page

    response = client.post(
        url,
        {
            "no_part_in_care": "true",
            "not_employed_by_provider": "true",
            "conflicts": "I met the family at a carers' group in 2019.",
        },
    )
    assert response.url == reverse("reviews:review_detail", args=[review.pk])
    participant = review_world["participants"]["expert_by_experience"]
    participant.refresh_from_db()
    assert participant.independence_declared_at is not None
    assert "not employed by the provider" in participant.independence_statement
    assert participant.conflict_declared == "I met the family at a carers' group in 2019."
    assert ReviewEvent.objects.filter(review=review, kind="independence").exists()

    page = client.get(url).content.decode()
    assert "Your declaration" in page and "carers&#x27; group in 2019" in page
    assert "Make declaration" not in page
    declared_at = participant.independence_declared_at
    client.post(url, {"no_part_in_care": "true", "not_employed_by_provider": "true"})
    participant.refresh_from_db()
    assert participant.independence_declared_at == declared_at


def test_both_confirmations_are_needed(client_for, review_world):
    client = client_for("expert_by_experience")
    page = client.post(
        independence_url(review_world["review"]), {"conflicts": "None"}
    ).content.decode()
    assert "Confirm that you have no part in this person&#x27;s care" in page
    assert "Confirm that you are not employed by their care provider" in page
    participant = review_world["participants"]["expert_by_experience"]
    participant.refresh_from_db()
    assert participant.independence_declared_at is None


def test_only_panel_experts_declare_independence(client_for, review_world):
    for role in ("chair", "commissioner", "family_carer"):
        url = independence_url(review_world["review"])
        assert client_for(role).get(url).status_code == 403


# --- Who took part -------------------------------------------------------------------------


def test_the_person_without_an_email_address_is_recorded_as_taking_part(
    client_for, review_world, users
):
    review = review_world["review"]
    review.participants.filter(role="person").delete()
    services.participant_add(
        actor=users["commissioner"],
        review=review,
        role="person",
        name="Daniel Clarke",
        invited_through="paper",
    )
    Review.objects.filter(pk=review.pk).update(starts_at=timezone.now() - timedelta(hours=2))
    person = review.participants.get(role="person")
    chair = review.participants.get(role="chair")
    client = client_for("commissioner")
    detail = client.get(reverse("reviews:review_detail", args=[review.pk])).content.decode()
    url = reverse("reviews:review_attendance", args=[review.pk])
    assert url in detail

    response = client.post(url, {"attended": [str(person.pk), str(chair.pk)]})

    assert response.status_code == 302
    assert set(review.participants.filter(attended=True)) == {person, chair}
    assert review.participants.filter(attended=False).count() == review.participants.count() - 2
    assert review.events.filter(summary="Attendance recorded: 2 took part").exists()
    page = client.get(response.url).content.decode()
    assert "on paper, by post or by hand; took part" in page


def test_who_took_part_cannot_be_recorded_before_the_day(client_for, review_world):
    review = review_world["review"]
    url = reverse("reviews:review_attendance", args=[review.pk])
    person = review.participants.get(role="person")

    page = client_for("commissioner").post(url, {"attended": [str(person.pk)]}).content.decode()

    assert "Who took part can be recorded on or after the day of the review" in page
    assert not review.participants.filter(attended__isnull=False).exists()
