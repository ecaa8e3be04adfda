"""The consent gate (domain.md §5): until consent or a best-interests decision is recorded, a panel
member sees nothing about the person beyond their name and the review date; a family member sees
it only while the latest consent invites them. Checked on every review page, at every request.
"""

import pytest
from django.urls import reverse

from ctr_portal.permissions import Perm
from reviews import queries
from reviews import urls as review_urls
from reviews.models import ConsentRecord

from .factories import ConsentRecordFactory

pytestmark = pytest.mark.django_db

COMMUNICATION = "Speak slowly; I like to see things written down."


def review_route_names():
    """Every page of one review: all of reviews/urls.py under reviews/<pk>/."""
    return sorted(
        f"reviews:{p.name}"
        for p in review_urls.urlpatterns
        if str(p.pattern).startswith("reviews/<int:pk>/")
    )


def test_the_gate_is_checked_on_every_review_page():
    assert set(review_route_names()) >= {
        "reviews:review_detail",
        "reviews:review_calendar",
        "reviews:review_schedule",
        "reviews:review_agenda",
        "reviews:review_transition",
        "reviews:review_consent",
        "reviews:review_consent_form",
        "reviews:review_participant_add",
        "reviews:review_independence",
    }


def details_of(person):
    """What must not reach someone the gate keeps out: everything but the name and the date."""
    dob = person.date_of_birth
    return [
        f"{dob.day} {dob:%B %Y}",
        f"{dob.day} {dob:%b %Y}",
        f"{dob:%d/%m/%Y}",
        dob.isoformat(),
        person.nhs_number,
        person.nhs_number_display,
        COMMUNICATION,
        person.ward,
        person.get_setting_display(),
        *[c.name for c in person.contacts.all()],
        *[c.email for c in person.contacts.all()],
    ]


def set_latest_consent(world, users, state):
    review = world["review"]
    if state == "none":
        ConsentRecord.objects.filter(review=review).delete()
    elif state == "not_invited":  # consented, but nobody in the family invited
        ConsentRecordFactory(review=review, recorded_by=users["commissioner"])
    elif state != "consented":
        ConsentRecordFactory(review=review, recorded_by=users["commissioner"], **{state: True})


def assert_nothing_but_name_and_date(client, world):
    person, review = world["person"], world["review"]
    forbidden = [*details_of(person), review.venue, review.type_long]
    for name in review_route_names():
        url = reverse(name, args=[review.pk])
        response = client.get(url)
        assert response.status_code in (200, 403, 404), f"{name}: {response.status_code}"
        if response.status_code != 200:
            continue
        body = response.content.decode()
        if response["Content-Type"].startswith("text/html"):
            assert person.full_name in body, name
        leaked = [detail for detail in forbidden if detail and detail in body]
        assert not leaked, f"{name} shows {leaked}"


@pytest.mark.parametrize(
    "role, consent",
    [
        ("clinical_expert", "none"),
        ("clinical_expert", "declined"),
        ("clinical_expert", "withdrawn"),
        ("family_carer", "none"),
        ("family_carer", "declined"),
        ("family_carer", "withdrawn"),
        ("family_carer", "not_invited"),
        ("expert_by_experience", "consented"),  # has not declared independence
    ],
)
def test_someone_the_gate_keeps_out_sees_only_the_name_and_the_date(
    role, consent, client_for, users, review_world
):
    set_latest_consent(review_world, users, consent)
    review = queries.review_for_user(users[role], review_world["review"].pk)
    assert not users[role].has_perm(Perm.VIEW_REVIEW_DETAILS, review)
    assert_nothing_but_name_and_date(client_for(role), review_world)


@pytest.mark.parametrize("decision", ["consented", "best_interests"])
def test_the_independent_panel_member_sees_the_details_once_a_decision_is_recorded(
    decision, client_for, users, review_world
):
    set_latest_consent(review_world, users, "declined")
    review = review_world["review"]
    detail = reverse("reviews:review_detail", args=[review.pk])
    expert, undeclared = client_for("clinical_expert"), client_for("expert_by_experience")
    assert COMMUNICATION not in expert.get(detail).content.decode()

    ConsentRecordFactory(
        review=review,
        recorded_by=users["commissioner"],
        **({"best_interests": True} if decision == "best_interests" else {}),
    )

    assert users["clinical_expert"].has_perm(
        Perm.VIEW_REVIEW_DETAILS, queries.review_for_user(users["clinical_expert"], review.pk)
    )
    assert COMMUNICATION in expert.get(detail).content.decode()
    assert not users["expert_by_experience"].has_perm(
        Perm.VIEW_REVIEW_DETAILS,
        queries.review_for_user(users["expert_by_experience"], review.pk),
    )
    assert_nothing_but_name_and_date(undeclared, review_world)


def test_the_independence_page_shows_the_name_and_the_date_only(client_for, review_world):
    set_latest_consent(review_world, None, "none")
    url = reverse("reviews:review_independence", args=[review_world["review"].pk])
    page = client_for("expert_by_experience").get(url).content.decode()
    assert "Daniel Clarke" in page and "The review is on " in page
    assert not [d for d in details_of(review_world["person"]) if d and d in page]


def test_those_the_gate_lets_in_see_the_details_so_a_leak_would_be_caught(client_for, review_world):
    detail = reverse("reviews:review_detail", args=[review_world["review"].pk])
    for role in ("commissioner", "clinical_expert", "family_carer"):
        page = client_for(role).get(detail).content.decode()
        shown = [d for d in details_of(review_world["person"]) if d and d in page]
        assert COMMUNICATION in shown and review_world["person"].nhs_number_display in shown


@pytest.mark.parametrize(
    "role, consent",
    [("expert_by_experience", "consented"), ("family_carer", "withdrawn")],
)
def test_the_calendar_file_and_the_home_page_hide_what_the_review_page_hides(
    role, consent, client_for, users, review_world
):
    set_latest_consent(review_world, users, consent)
    review = review_world["review"]
    client = client_for(role)

    calendar = client.get(reverse("reviews:review_calendar", args=[review.pk]))
    home = client.get(reverse("dashboard")).content.decode()

    assert calendar.status_code == 403
    assert "Daniel Clarke" in home
    assert review.type_long not in home and review.venue not in home


def test_the_home_page_names_the_kind_of_review_once_the_gate_is_open(client_for, review_world):
    home = client_for("clinical_expert").get(reverse("dashboard")).content.decode()
    assert f"{review_world['review'].type_long} for Daniel Clarke" in home


def test_an_invitation_to_a_panel_expert_says_only_the_role_and_the_date(
    users, review_world, django_capture_on_commit_callbacks, mailoutbox
):
    from reviews import services

    review = review_world["review"]
    review.venue = "Willow ward, Riverside Hospital"
    review.save(update_fields=["venue"])
    with django_capture_on_commit_callbacks(execute=True):
        services.participant_add(
            actor=users["commissioner"],
            review=review,
            role="panel_member",
            name="Sam Adebayo",
            email="sam.adebayo@example.org",
        )

    (email,) = [m for m in mailoutbox if "sam.adebayo@example.org" in m.to]
    text = email.subject + email.body
    assert review.type_long not in text and "Willow ward" not in text
    assert not email.attachments
    assert "Your role: Other panel member" in email.body
