"""Recording consent, the consent history and the easy-read consent form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ctr_portal.audit import Action
from ctr_portal.models import AuditEvent
from ctr_portal.permissions import Perm
from reviews import queries
from reviews.models import ConsentRecord, ReviewEvent

from .factories import (
    ConsentRecordFactory,
    ContactFactory,
    PersonFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def consent_url(review):
    return reverse("reviews:review_consent", args=[review.pk])


def date_parts(name, day):
    return {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}


def consent_data(**overrides):
    data = {
        "decision": "consented",
        "route": "own",
        "shares_information": "yes",
        "report_format": "easy_read",
        "in_own_words": "Yes. I want my mum to come.",
        **date_parts("decided_on", timezone.localdate()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def child_review(users, organisations):
    person = PersonFactory(
        given_name="Amira",
        family_name="Hussain",
        preferred_name="Mira",
        child=True,
        responsible_commissioner=organisations["icb"],
        created_by=users["commissioner"],
    )
    return ReviewFactory(person=person, scheduled=True, created_by=users["commissioner"])


def test_an_adult_is_offered_their_own_consent_or_the_mental_capacity_act(client_for, review_world):
    page = client_for("commissioner").get(consent_url(review_world["review"])).content.decode()
    age = review_world["person"].age_on(timezone.localdate())
    assert "Record consent" in page and f"Daniel is {age}." in page
    assert "Their own consent (they have capacity to decide)" in page
    assert "Mental Capacity Act: they lack capacity to decide" in page
    assert "Who assessed their capacity to make this decision?" in page
    assert "Gillick" not in page
    # One row per contact: who may come, who may receive the report.
    assert page.count("Maureen Clarke (Mother)") == 2


def test_a_child_under_16_is_offered_gillick_or_parental_responsibility(client_for, child_review):
    page = client_for("commissioner").get(consent_url(child_review)).content.decode()
    assert "The child&#x27;s own consent (Gillick competent)" in page
    assert "A person with parental responsibility" in page
    assert "Name of the person with parental responsibility" in page
    assert "Best-interests decision" not in page and "Mental Capacity Act:" not in page


def test_recording_consent_saves_a_new_record_with_whom_to_invite(client_for, review_world):
    review, mother = review_world["review"], review_world["contact"]
    sister = ContactFactory(
        person=review_world["person"], name="Leah Clarke", relationship_detail="Sister"
    )
    data = consent_data(may_attend=[mother.pk], may_receive_report=[mother.pk, sister.pk])

    response = client_for("commissioner").post(consent_url(review), data, follow=True)

    record = ConsentRecord.objects.filter(review=review).latest()
    assert record.pk != review_world["consent"].pk  # a new record; the old one is untouched
    assert (record.decision, record.route, record.report_format) == (
        "consented",
        "own",
        "easy_read",
    )
    assert record.shares_information and record.in_own_words == "Yes. I want my mum to come."
    invitees = {
        i.contact.name: (i.may_attend, i.may_receive_report)
        for i in record.invitees.select_related("contact")
    }
    assert invitees == {"Maureen Clarke": (True, True), "Leah Clarke": (False, True)}
    assert ReviewEvent.objects.filter(review=review, kind="consent").exists()
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(record.pk)).exists()
    page = response.content.decode()
    assert "Decision saved: the person consented" in page
    assert "Latest decision" in page and "Earlier decision" in page
    assert "Yes. I want my mum to come." in page


def test_the_form_starts_from_the_latest_choices(client_for, review_world):
    page = client_for("commissioner").get(consent_url(review_world["review"])).content.decode()
    contact_pk = review_world["contact"].pk
    assert f'name="may_attend" type="checkbox" value="{contact_pk}" checked' in page


def test_nothing_is_saved_without_a_decision_or_a_date(client_for, review_world):
    review = review_world["review"]
    response = client_for("commissioner").post(consent_url(review), {"report_format": "standard"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "Select what they decided" in page and "Enter the date of the decision" in page
    assert ConsentRecord.objects.filter(review=review).count() == 1


def test_a_date_in_the_future_is_refused_and_what_was_typed_is_kept(client_for, review_world):
    data = consent_data(**date_parts("decided_on", timezone.localdate() + timedelta(days=3)))
    page = (
        client_for("commissioner").post(consent_url(review_world["review"]), data).content.decode()
    )
    assert "The date of the decision must be today or in the past" in page
    assert "Yes. I want my mum to come." in page
    assert ConsentRecord.objects.filter(review=review_world["review"]).count() == 1


def test_a_best_interests_decision_needs_who_assessed_decided_and_was_consulted(
    client_for, review_world
):
    data = consent_data(
        decision="best_interests",
        route="best_interests",
        capacity_assessed_by="",
        decision_maker="",
        consulted="",
    )
    page = (
        client_for("commissioner").post(consent_url(review_world["review"]), data).content.decode()
    )
    assert "Enter who assessed the person&#x27;s capacity" in page
    assert "Enter who made the best-interests decision" in page
    assert "Enter who was consulted" in page
    assert ConsentRecord.objects.filter(review=review_world["review"]).count() == 1


def test_a_best_interests_decision_is_recorded_with_its_evidence(client_for, review_world):
    data = consent_data(
        decision="best_interests",
        route="best_interests",
        capacity_assessed_by="Dr A Khan, responsible clinician",
        decision_maker="Asha Patel, case manager",
        consulted="Mother; advocate",
    )
    client_for("commissioner").post(consent_url(review_world["review"]), data)
    record = ConsentRecord.objects.filter(review=review_world["review"]).latest()
    assert record.decision == "best_interests" and record.opens_gate
    assert record.decision_maker == "Asha Patel, case manager"


def test_an_adults_own_consent_cannot_go_by_the_mental_capacity_act(client_for, review_world):
    data = consent_data(decision="consented", route="best_interests")
    page = (
        client_for("commissioner").post(consent_url(review_world["review"]), data).content.decode()
    )
    assert "Select their own consent, or record a best-interests decision" in page


def test_consent_needs_a_route_and_an_answer_about_sharing(client_for, review_world):
    data = consent_data(route=None, shares_information=None)
    page = (
        client_for("commissioner").post(consent_url(review_world["review"]), data).content.decode()
    )
    assert "Select how the decision was made" in page
    assert "Select yes if they agree to their information being shared with the panel" in page


def test_parental_consent_for_a_child_needs_the_parents_name(client_for, child_review):
    data = consent_data(route="parental", given_by="")
    page = client_for("commissioner").post(consent_url(child_review), data).content.decode()
    assert "Enter the name of the person with parental responsibility" in page
    assert not ConsentRecord.objects.filter(review=child_review).exists()

    data["given_by"] = "Samira Hussain"
    client_for("commissioner").post(consent_url(child_review), data)
    record = ConsentRecord.objects.get(review=child_review)
    assert (record.route, record.given_by) == ("parental", "Samira Hussain")


def test_a_declined_decision_keeps_nobody_invited(client_for, review_world):
    data = consent_data(
        decision="declined",
        route=None,
        shares_information=None,
        may_attend=[review_world["contact"].pk],
    )
    client_for("commissioner").post(consent_url(review_world["review"]), data)
    record = ConsentRecord.objects.filter(review=review_world["review"]).latest()
    assert record.decision == "declined" and not record.opens_gate
    assert not record.shares_information and not record.invitees.exists()


def test_only_the_reviews_commissioners_record_consent(client_for, review_world):
    url = consent_url(review_world["review"])
    assert client_for("chair").get(url).status_code == 200  # works at the commissioning ICB
    assert client_for("clinical_expert").post(url, consent_data()).status_code == 403
    assert client_for("commissioner_other_org").get(url).status_code == 404
    assert ConsentRecord.objects.filter(review=review_world["review"]).count() == 1


def test_a_withdrawal_takes_effect_at_the_next_request(client_for, users, review_world):
    review = review_world["review"]
    carer = client_for("family_carer")
    detail = reverse("reviews:review_detail", args=[review.pk])
    communication = "Speak slowly; I like to see things written down."
    assert users["family_carer"].has_perm(
        Perm.VIEW_REVIEW_DETAILS, queries.review_for_user(users["family_carer"], review.pk)
    )
    before = carer.get(detail)

    data = consent_data(decision="withdrawn", route=None, shares_information=None)
    client_for("commissioner").post(consent_url(review), data)

    assert not users["family_carer"].has_perm(
        Perm.VIEW_REVIEW_DETAILS, queries.review_for_user(users["family_carer"], review.pk)
    )
    after = carer.get(detail)
    assert before.status_code == after.status_code == 200
    assert communication in before.content.decode()
    page = after.content.decode()
    assert "Daniel Clarke" in page and communication not in page


# --- The easy-read consent form ------------------------------------------------------------


def form_url(review):
    return reverse("reviews:review_consent_form", args=[review.pk])


def test_the_easy_read_form_asks_one_question_at_a_time_in_ctr_words(client_for, review_world):
    page = client_for("commissioner").get(form_url(review_world["review"])).content.decode()
    assert "Your Care and Treatment Review" in page
    assert "Do you want a CTR?" in page
    assert "Can we share your information with the panel?" in page
    assert "Who do you want to come?" in page and "Maureen Clarke (Mother)" in page
    assert "How do you want your report?" in page
    assert "Easy read with pictures" in page and "Large print" in page
    assert "Signature:" in page and "Date:" in page
    assert "Hello Daniel." in page
    assert review_world["person"].nhs_number not in page


def test_the_easy_read_form_for_a_child_says_cetr_and_uses_their_preferred_name(
    client_for, child_review
):
    page = client_for("commissioner").get(form_url(child_review)).content.decode()
    assert "Your Care, Education and Treatment Review" in page
    assert "Do you want a C(E)TR?" in page and "Hello Mira." in page
    assert "If a parent or carer signs for you" in page


def test_the_person_can_open_their_own_consent_form(client_for, review_world):
    page = client_for("person").get(form_url(review_world["review"])).content.decode()
    assert "Do you want a CTR?" in page
    assert "record their answers" not in page  # that link is for the commissioner


def test_panel_members_cannot_open_the_consent_form(client_for, review_world):
    assert client_for("clinical_expert").get(form_url(review_world["review"])).status_code == 403


def test_a_withdrawn_record_is_kept_in_the_history(client_for, users, review_world):
    ConsentRecordFactory(
        review=review_world["review"], withdrawn=True, recorded_by=users["commissioner"]
    )
    page = client_for("commissioner").get(consent_url(review_world["review"])).content.decode()
    latest, earlier = page.split("Latest decision")[1].split("Earlier decision")
    assert "Consent withdrawn" in latest and "The person consented" in earlier


def test_the_page_warns_when_no_decision_is_recorded_yet(client_for, organisations):
    review = ReviewFactory(person=PersonFactory(responsible_commissioner=organisations["icb"]))
    page = client_for("commissioner").get(consent_url(review)).content.decode()
    assert "No decision recorded yet" in page and "No decisions recorded." in page
