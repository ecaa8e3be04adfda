"""Moving a person's record to another commissioner (issue 21, item 8; ADR 0018): the request
that answers the same whether or not it matched anyone, the current commissioner's decision,
what acceptance moves, who sees what afterwards, and the bed commissioner question."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ctr_portal.models import AuditEvent, Notification, Organisation
from recommendations.queries import recommendation_for_user
from reviews import services
from reviews.models import Person, ReviewEvent, TransferRequest
from reviews.queries import person_timeline, transfer_requests_for_user
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.recommendations.factories import RecommendationFactory
from tests.reviews.factories import PersonFactory, ReviewFactory

from .test_people import register_data, split_date

pytestmark = pytest.mark.django_db

SENT = "Request sent"
CANNOT_REGISTER = (
    "This NHS number cannot be registered. If this person has moved to your area, request a "
    "transfer of their record"
)


@pytest.fixture
def person(review_world):
    return review_world["person"]


def _ask(user, organisation, person, **changes):
    details = {
        "nhs_number": person.nhs_number,
        "date_of_birth": person.date_of_birth,
        "family_name": person.family_name,
        **changes,
    }
    return services.transfer_request(actor=user, to_organisation=organisation, **details)


@pytest.fixture
def pending(users, organisations, person):
    return _ask(users["commissioner_other_org"], organisations["icb_other"], person)


# --- The request -------------------------------------------------------------------------


def test_a_request_matching_all_three_details_is_kept_for_the_current_commissioner(
    pending, person, organisations, users
):
    assert pending.state == TransferRequest.State.PENDING
    assert pending.from_organisation == organisations["icb"]
    assert pending.to_organisation == organisations["icb_other"]
    assert list(transfer_requests_for_user(users["commissioner"])) == [pending]
    assert not transfer_requests_for_user(users["commissioner_other_org"]).exists()
    assert AuditEvent.objects.filter(
        action="create", object_type="reviews.transferrequest", object_id=str(pending.pk)
    ).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"date_of_birth": date(1960, 1, 1)},
        {"family_name": "Someone-Else"},
        {"nhs_number": "9434765919"},
    ],
)
def test_a_request_that_does_not_match_keeps_nothing_but_the_audit_entry(
    users, organisations, person, changes
):
    request = _ask(users["commissioner_other_org"], organisations["icb_other"], person, **changes)

    assert request is None
    assert not TransferRequest.objects.exists()
    assert AuditEvent.objects.filter(
        action="create", object_type="reviews.transferrequest", object_id=""
    ).exists()


def test_the_last_name_matches_whatever_its_case(users, organisations, person):
    request = _ask(
        users["commissioner_other_org"],
        organisations["icb_other"],
        person,
        family_name=f"  {person.family_name.upper()} ",
    )
    assert request is not None


def test_asking_twice_keeps_one_pending_request(pending, users, organisations, person):
    again = _ask(users["commissioner_other_org"], organisations["icb_other"], person)
    assert again == pending
    assert TransferRequest.objects.count() == 1


def test_the_request_page_answers_the_same_whether_or_not_the_details_match(
    client_for, organisations, person
):
    client = client_for("commissioner_other_org")
    pages = []
    for family_name in (person.family_name, "Nobody"):
        response = client.post(
            reverse("reviews:transfer_request"),
            {
                "organisation": str(organisations["icb_other"].pk),
                "nhs_number": person.nhs_number,
                **split_date("date_of_birth", person.date_of_birth),
                "family_name": family_name,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("reviews:transfer_sent")
        page = client.get(response["Location"]).content.decode()
        # Only the CSRF token and the script nonce differ from one response to the next.
        page = re.sub(r'nonce="[^"]*"', "", re.sub(r"[A-Za-z0-9]{64}", "", page))
        pages.append(page)

    assert pages[0] == pages[1]
    assert SENT in pages[0]
    assert "North Shore" not in pages[0] and person.family_name not in pages[0]
    assert TransferRequest.objects.count() == 1


def test_the_request_form_shows_its_errors_beside_the_fields(client_for):
    response = client_for("commissioner_other_org").post(reverse("reviews:transfer_request"), {})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Enter their NHS number") == 2  # in the summary and beside the field
    assert page.count("Enter their last name") == 2
    assert "<title>Error: " in page
    assert not TransferRequest.objects.exists()


# --- Registering a known number ------------------------------------------------------------


def test_registering_a_known_number_says_only_to_request_a_transfer(
    client_for, organisations, users
):
    known = PersonFactory(
        given_name="Zara",
        family_name="Quinn",
        nhs_number="9434765919",
        responsible_commissioner=organisations["icb"],
    )

    response = client_for("commissioner_other_org").post(
        reverse("reviews:person_create"),
        register_data(organisations, responsible_commissioner=str(organisations["icb_other"].pk)),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert CANNOT_REGISTER in page
    assert f'href="{reverse("reviews:transfer_request")}"' in page
    assert "Request a transfer" in page
    without_choices = re.sub(r"<option[^>]*>[^<]*</option>", "", page)
    assert "North Shore" not in without_choices  # the ICB that holds the record
    assert known.given_name not in page and known.family_name not in page
    assert Person.objects.count() == 1
    assert not TransferRequest.objects.exists()
    assert AuditEvent.objects.filter(
        action="permission_denied",
        object_type="reviews.person",
        actor=users["commissioner_other_org"],
    ).exists()


# --- The decision --------------------------------------------------------------------------


def test_accepting_moves_the_person_and_their_open_reviews(pending, person, organisations, users):
    review = person.reviews.get()
    held = ReviewFactory(person=person, kind="inpatient_repeat", state="held")

    services.transfer_accept(actor=users["commissioner"], request=pending)

    person.refresh_from_db()
    review.refresh_from_db()
    held.refresh_from_db()
    pending.refresh_from_db()
    assert pending.state == TransferRequest.State.ACCEPTED
    assert pending.decided_by == users["commissioner"]
    assert person.responsible_commissioner == organisations["icb_other"]
    assert review.commissioner == organisations["icb_other"]
    assert held.commissioner != organisations["icb_other"]  # history stays as it was
    event = review.events.get(kind="commissioner")
    assert event.summary == "Now commissioned by NHS South Vale ICB"
    assert ReviewEvent.objects.filter(review=held, kind="commissioner").count() == 0
    audited = AuditEvent.objects.filter(action="update")
    assert audited.filter(object_type="reviews.transferrequest", object_id=str(pending.pk))
    assert audited.filter(object_type="reviews.person", object_id=str(person.pk))
    assert audited.filter(object_type="reviews.review", object_id=str(review.pk))


def test_the_person_timeline_says_the_record_was_transferred(pending, person, users):
    services.transfer_accept(actor=users["commissioner"], request=pending)

    entries = [e for e in person_timeline(person) if "transferred" in e.heading]
    assert len(entries) == 1
    assert entries[0].description == "From NHS North Shore ICB to NHS South Vale ICB"
    assert entries[0].actor == users["commissioner"].display_name


def test_recommendations_keep_their_owner_and_the_new_commissioner_sees_them(
    pending, person, users
):
    recommendation = RecommendationFactory(review=person.reviews.get())
    owner = recommendation.owner
    assert recommendation_for_user(users["commissioner_other_org"], recommendation.pk) is None

    services.transfer_accept(actor=users["commissioner"], request=pending)

    recommendation.refresh_from_db()
    assert recommendation.owner == owner
    assert recommendation_for_user(users["commissioner_other_org"], recommendation.pk)
    assert recommendation_for_user(users["commissioner"], recommendation.pk) is None


def test_accepting_refuses_the_other_pending_requests(pending, person, users):
    third = OrganisationFactory(name="NHS East Fen ICB", kind=Organisation.Kind.ICB)
    asker = UserFactory(email="east@example.nhs.uk")
    MembershipFactory(user=asker, organisation=third)
    other = _ask(asker, third, person)

    services.transfer_accept(actor=users["commissioner"], request=pending)

    other.refresh_from_db()
    assert other.state == TransferRequest.State.REFUSED
    assert Notification.objects.filter(recipient=asker.email, template="transfer_refused")


def test_a_decided_request_cannot_be_decided_again(pending, users):
    services.transfer_refuse(actor=users["commissioner"], request=pending, reason="Not moved")
    with pytest.raises(ValidationError):
        services.transfer_accept(actor=users["commissioner"], request=pending)


def test_refusing_keeps_the_person_and_tells_the_requester_without_names(
    pending, person, organisations, users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        services.transfer_refuse(
            actor=users["commissioner"], request=pending, reason="Still lives in North Shore"
        )

    person.refresh_from_db()
    pending.refresh_from_db()
    assert person.responsible_commissioner == organisations["icb"]
    assert pending.state == TransferRequest.State.REFUSED
    assert pending.refusal_reason == "Still lives in North Shore"
    notice = Notification.objects.get(template="transfer_refused")
    assert notice.recipient == users["commissioner_other_org"].email
    text = str(notice.context)
    assert person.family_name not in text and "North Shore" not in text
    assert person.nhs_number not in text
    assert AuditEvent.objects.filter(
        action="update", object_type="reviews.transferrequest", object_id=str(pending.pk)
    ).exists()


def test_refusing_needs_a_reason(pending, users):
    with pytest.raises(ValidationError):
        services.transfer_refuse(actor=users["commissioner"], request=pending, reason="  ")


# --- Pages and access ----------------------------------------------------------------------


def test_the_old_commissioner_loses_the_person_and_review_at_the_next_request(
    client_for, pending, person
):
    old, new = client_for("commissioner"), client_for("commissioner_other_org")
    review = person.reviews.get()
    person_url = reverse("reviews:person_detail", args=[person.pk])
    review_url = reverse("reviews:review_detail", args=[review.pk])
    assert old.get(person_url).status_code == 200
    assert new.get(person_url).status_code == 404

    response = old.post(
        reverse("reviews:transfer_decide", args=[pending.pk]), {"decision": "accept"}
    )

    assert response.status_code == 302
    assert old.get(person_url).status_code == 404
    assert old.get(review_url).status_code == 404
    assert new.get(person_url).status_code == 200
    assert new.get(review_url).status_code == 200


def test_the_decision_page_asks_for_a_reason_to_refuse_beside_the_field(client_for, pending):
    response = client_for("commissioner").post(
        reverse("reviews:transfer_decide", args=[pending.pk]), {"decision": "refuse"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Enter why you are refusing the transfer") == 2
    pending.refresh_from_db()
    assert pending.state == TransferRequest.State.PENDING


def test_the_person_page_and_dashboard_show_the_pending_request(client_for, pending, person):
    client = client_for("commissioner")
    decide = reverse("reviews:transfer_decide", args=[pending.pk])

    person_page = client.get(reverse("reviews:person_detail", args=[person.pk])).content.decode()
    dashboard = client.get(reverse("dashboard")).content.decode()

    assert decide in person_page and "NHS South Vale ICB asked for this record" in person_page
    assert "Transfer requests to decide" in dashboard and decide in dashboard
    other = client_for("commissioner_other_org").get(reverse("dashboard")).content.decode()
    assert "Transfer requests to decide" not in other


def test_the_dashboard_card_makes_as_many_queries_for_25_requests_as_for_1(
    client_for, organisations, users, django_assert_max_num_queries
):
    client = client_for("commissioner")

    def ask_for(n):
        for _ in range(n):
            person = PersonFactory(responsible_commissioner=organisations["icb"])
            _ask(users["commissioner_other_org"], organisations["icb_other"], person)

    ask_for(1)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("dashboard"))
    ask_for(24)
    with django_assert_max_num_queries(len(one)):
        page = client.get(reverse("dashboard")).content.decode()
    assert page.count('href="/transfers/') == 25


# --- Who commissions the bed ---------------------------------------------------------------

BED_QUESTION = "Who commissions the bed?"


def _child_in_hospital(organisations, **changes):
    born = timezone.localdate() - timedelta(days=16 * 365 + 30)
    return register_data(organisations, **split_date("date_of_birth", born), **changes)


def test_registering_a_child_in_hospital_asks_who_commissions_the_bed(client_for, organisations):
    response = client_for("commissioner").post(
        reverse("reviews:person_create"), _child_in_hospital(organisations)
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Select who commissions the bed") == 2
    assert 'href="#id_bed_commissioner_kind' in page
    assert not Person.objects.exists()


def test_registering_someone_in_a_secure_bed_asks_who_commissions_it(client_for, organisations):
    response = client_for("commissioner").post(
        reverse("reviews:person_create"),
        register_data(organisations, hospital_setting="medium_secure"),
    )

    assert response.content.decode().count("Select who commissions the bed") == 2


def test_an_adult_in_a_non_secure_bed_is_not_made_to_answer(client_for, organisations):
    response = client_for("commissioner").post(
        reverse("reviews:person_create"), register_data(organisations)
    )

    assert response.status_code == 302
    assert Person.objects.get().bed_commissioner is None


def test_the_organisation_chosen_must_be_given_for_the_kind_chosen(client_for, organisations):
    response = client_for("commissioner").post(
        reverse("reviews:person_create"),
        _child_in_hospital(organisations, bed_commissioner_kind="specialised"),
    )

    page = response.content.decode()
    assert page.count("Select the organisation that commissions the bed") == 2
    assert 'href="#id_bed_specialised"' in page


def test_the_bed_commissioner_is_recorded_on_the_person(client_for, organisations):
    collaborative = OrganisationFactory(
        name="North Provider Collaborative", kind=Organisation.Kind.COLLABORATIVE
    )
    client = client_for("commissioner")

    form = client.get(reverse("reviews:person_create")).content.decode()
    response = client.post(
        reverse("reviews:person_create"),
        _child_in_hospital(
            organisations,
            bed_commissioner_kind="collaborative",
            bed_collaborative=str(collaborative.pk),
        ),
    )

    assert BED_QUESTION in form and "A provider collaborative" in form
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.bed_commissioner == collaborative
    page = client.get(response["Location"]).content.decode()
    assert "North Provider Collaborative (Provider collaborative)" in page


def test_admitting_someone_to_a_secure_bed_asks_who_commissions_it(
    client_for, organisations, users
):
    person = PersonFactory(responsible_commissioner=organisations["icb"], dsr_rating="red")
    url = reverse("reviews:person_setting", args=[person.pk])
    client = client_for("commissioner")
    data = {
        "kind": "admission",
        **split_date("effective_date", timezone.localdate() - timedelta(days=1)),
        "location": "hospital",
        "hospital_setting": "high_secure",
        "provider": str(organisations["provider"].pk),
    }

    refused = client.post(url, data).content.decode()
    response = client.post(
        url, {**data, "bed_commissioner_kind": "icb", "bed_icb": str(organisations["icb"].pk)}
    )

    assert refused.count("Select who commissions the bed") == 2
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.setting == "high_secure"
    assert person.bed_commissioner == organisations["icb"]


def test_discharge_clears_the_bed_commissioner(organisations, users):
    person = PersonFactory(
        secure=True,
        responsible_commissioner=organisations["icb"],
        bed_commissioner=organisations["icb"],
    )

    services.person_change_setting(
        actor=users["commissioner"],
        person=person,
        kind="discharge",
        effective_date=timezone.localdate(),
        setting="community",
    )

    person.refresh_from_db()
    assert person.bed_commissioner is None


@pytest.mark.parametrize(
    ("typed", "nhs_number_errors"),
    [
        ("943 476 5919", None),
        ("943-476-5919", None),
        ("9434765918", ["Enter a valid NHS number. Check you have typed all 10 digits correctly"]),
        ("94347659", ["NHS number must be 10 digits"]),
        ("9" * 21, ["NHS number must be 10 digits"]),
    ],
)
def test_the_request_and_the_register_read_an_nhs_number_the_same_way(typed, nhs_number_errors):
    from reviews.forms.people import PersonRegisterForm
    from reviews.forms.transfers import TransferRequestForm

    for form_class in (TransferRequestForm, PersonRegisterForm):
        form = form_class(data={"nhs_number": typed})
        form.is_valid()
        if nhs_number_errors is None:
            assert "nhs_number" not in form.errors
            assert form.cleaned_data["nhs_number"] == "9434765919"
        else:
            assert form.errors["nhs_number"] == nhs_number_errors


def test_a_refusal_reason_that_is_too_long_is_not_also_asked_for():
    from ctr_portal import limits
    from reviews.forms.transfers import REFUSE, TransferDecisionForm

    too_long = TransferDecisionForm(data={"decision": REFUSE, "reason": "x" * (limits.NOTE + 1)})
    blank = TransferDecisionForm(data={"decision": REFUSE, "reason": "   "})

    assert not too_long.is_valid() and not blank.is_valid()
    assert too_long.errors["reason"] == [
        f"Why you are refusing must be {limits.NOTE:,} characters or fewer"
    ]
    assert blank.errors["reason"] == ["Enter why you are refusing the transfer"]
