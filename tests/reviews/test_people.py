"""The register of people: the list and its search, registering a person, their page, and the
changes recorded from it. Asserts what a commissioner would see."""

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ctr_portal.models import Organisation
from reviews.models import DsrRatingChange, Person, Review, SettingChange
from reviews.views.people import SEARCH_SESSION_KEY
from tests.factories import OrganisationFactory
from tests.reviews.factories import (
    LaepMeetingFactory,
    PersonFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db

VALID_NHS_NUMBER = "9434765919"  # 943 476 5919


# --- Helpers -------------------------------------------------------------------------------


class _UrlCollector(HTMLParser):
    """Every URL a page hands the browser: links, form actions, sources."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value and (name in ("href", "action", "src", "formaction") or "url" in name):
                self.urls.append(value)


def urls_in(html: str) -> list[str]:
    parser = _UrlCollector()
    parser.feed(html)
    return parser.urls


def split_date(name, day: date) -> dict:
    return {
        f"{name}[day]": str(day.day),
        f"{name}[month]": str(day.month),
        f"{name}[year]": str(day.year),
    }


def page_text(response) -> str:
    return response.content.decode()


@pytest.fixture
def commissioner(client_for):
    return client_for("commissioner")


@pytest.fixture
def icb(organisations):
    return organisations["icb"]


def person_in(organisation, **kwargs):
    return PersonFactory(responsible_commissioner=organisation, **kwargs)


def register_data(organisations, **changes):
    """A complete, valid registration of someone admitted to hospital ten days ago."""
    data = {
        "given_name": "Amira",
        "family_name": "Hussain",
        "preferred_name": "Mira",
        "pronouns": "she/her",
        "nhs_number": "943 476 5919",
        **split_date("date_of_birth", date(1998, 4, 3)),
        "diagnosis": ["autism"],
        "location": "hospital",
        "hospital_setting": "non_secure",
        "provider": str(organisations["provider"].pk),
        "ward": "Cedar ward",
        **split_date("admission_date", timezone.localdate() - timedelta(days=10)),
        "mha_status": "s3",
        "communication": "Give me time to answer. I use pictures.",
        "reasonable_adjustments": "A quiet room",
        "responsible_commissioner": str(organisations["icb"].pk),
        "host_commissioner": "",
        "local_authority": str(organisations["local_authority"].pk),
        "keyworker_name": "",
        "keyworker_contact": "",
        "dsr_rating": "",
        "dsr_reason": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- The list ------------------------------------------------------------------------------


def test_people_list_shows_each_person_with_their_details(commissioner, icb, organisations):
    person = person_in(
        icb,
        given_name="Amira",
        family_name="Hussain",
        nhs_number=VALID_NHS_NUMBER,
        date_of_birth=date(1998, 4, 3),
        setting="medium_secure",
        provider=organisations["provider"],
        dsr_rating="amber",
    )
    ReviewFactory(person=person, due_date=date(2027, 1, 5))

    page = page_text(commissioner.get(reverse("reviews:person_list")))

    assert f'href="{reverse("reviews:person_detail", args=[person.pk])}">Amira Hussain' in page
    assert "943 476 5919" in page
    assert "3 April 1998 (aged" in page
    assert "Hospital, medium secure, Riverside Hospital" in page
    assert '<strong class="nhsuk-tag nhsuk-tag--orange">Amber</strong>' in page
    assert "5 January 2027" in page
    assert "1 person" in page
    assert "Add a person" in page


def test_people_list_says_when_nobody_is_registered(commissioner):
    page = page_text(commissioner.get(reverse("reviews:person_list")))
    assert "No people registered yet" in page


def test_search_by_nhs_number_with_spaces_finds_the_person(commissioner, icb):
    person_in(icb, given_name="Amira", family_name="Hussain", nhs_number=VALID_NHS_NUMBER)
    person_in(icb, given_name="Brian", family_name="Okafor")

    response = commissioner.post(reverse("reviews:person_list"), {"q": "943 476 5919"}, follow=True)

    page = page_text(response)
    assert "Amira Hussain" in page and "Brian Okafor" not in page


def test_no_url_the_app_generates_holds_a_searched_nhs_number(commissioner, icb):
    for n in range(30):
        person_in(icb, family_name="Smith", given_name=f"Sam{n:02d}")
    person_in(icb, family_name="Hussain", nhs_number=VALID_NHS_NUMBER)
    url = reverse("reviews:person_list")

    searched = commissioner.post(url, {"q": "943 476 5919", "action": "search"})
    page_one = commissioner.get(url)
    commissioner.post(url, {"q": "Smith"})
    page_two = commissioner.get(url, {"page": 2})

    assert searched.status_code == 302 and searched.url == url
    assert "943 476 5919" in page_text(page_one)  # shown on the page, and in the search box
    for response in (page_one, page_two):
        for link in urls_in(page_text(response)):
            assert not any(
                form in link for form in ("9434765919", "943 476", "943+476", "943%20476")
            )
    assert f"{url}?page=2" not in page_text(page_one)
    assert "?page=1" in page_text(page_two) and "Smith" in page_text(page_two)


def test_search_by_name_matches_any_part_of_first_last_or_preferred_name(commissioner, icb):
    person_in(icb, given_name="Amira", family_name="Hussain")
    person_in(icb, given_name="Robert", family_name="Hughes", preferred_name="Bobby")
    person_in(icb, given_name="Clare", family_name="Moss")

    commissioner.post(reverse("reviews:person_list"), {"q": "bob"})
    page = page_text(commissioner.get(reverse("reviews:person_list")))

    assert "Robert Hughes" in page
    assert "Amira Hussain" not in page and "Clare Moss" not in page


def test_filters_narrow_the_list_by_setting_rating_and_provider(commissioner, icb, organisations):
    riverside = organisations["provider"]
    hilltop = OrganisationFactory(name="Hilltop Hospital", kind=Organisation.Kind.PROVIDER)
    person_in(icb, given_name="Amira", family_name="Home", dsr_rating="red")
    person_in(
        icb,
        given_name="Bea",
        family_name="Ward",
        setting="non_secure",
        provider=riverside,
        dsr_rating="blue",
    )
    person_in(
        icb,
        given_name="Cal",
        family_name="Secure",
        setting="high_secure",
        provider=hilltop,
        dsr_rating="blue",
    )
    url = reverse("reviews:person_list")

    def names_after(filters):
        commissioner.post(
            url, {"q": "", "organisation": "", "setting": "", "dsr_rating": "", **filters}
        )
        page = page_text(commissioner.get(url))
        return {name for name in ("Amira Home", "Bea Ward", "Cal Secure") if name in page}

    assert names_after({"setting": "community"}) == {"Amira Home"}
    assert names_after({"setting": "hospital"}) == {"Bea Ward", "Cal Secure"}
    assert names_after({"setting": "high_secure"}) == {"Cal Secure"}
    assert names_after({"dsr_rating": "red"}) == {"Amira Home"}
    assert names_after({"organisation": str(hilltop.pk)}) == {"Cal Secure"}
    assert names_after({"organisation": str(icb.pk), "dsr_rating": "blue"}) == {
        "Bea Ward",
        "Cal Secure",
    }


def test_clearing_the_search_shows_everyone_again(commissioner, icb):
    person_in(icb, given_name="Amira", family_name="Hussain")
    person_in(icb, given_name="Brian", family_name="Okafor")
    url = reverse("reviews:person_list")
    commissioner.post(url, {"q": "Amira"})

    response = commissioner.post(url, {"q": "Amira", "action": "clear"})

    assert response.status_code == 302
    assert SEARCH_SESSION_KEY not in commissioner.session
    page = page_text(commissioner.get(url))
    assert "Amira Hussain" in page and "Brian Okafor" in page


def test_a_filter_the_user_cannot_choose_is_refused_with_a_message(commissioner, organisations):
    other_icb = organisations["icb_other"]

    response = commissioner.post(
        reverse("reviews:person_list"), {"organisation": str(other_icb.pk)}
    )

    page = page_text(response)
    assert response.status_code == 200
    assert "<title>Error: People" in page
    assert "Select an organisation from the list" in page
    assert SEARCH_SESSION_KEY not in commissioner.session


def test_search_never_returns_another_icbs_people(commissioner, organisations):
    person_in(
        organisations["icb_other"],
        given_name="Amira",
        family_name="Hussain",
        nhs_number=VALID_NHS_NUMBER,
    )
    url = reverse("reviews:person_list")

    commissioner.post(url, {"q": "943 476 5919"})
    by_number = page_text(commissioner.get(url))
    commissioner.post(url, {"q": "Hussain"})
    by_name = page_text(commissioner.get(url))

    for page in (by_number, by_name):
        assert "Amira Hussain" not in page and "No people match your search" in page


def test_the_list_is_paginated_25_a_page(commissioner, icb):
    for n in range(27):
        person_in(icb, family_name=f"Person{n:02d}", given_name="Test")

    first = page_text(commissioner.get(reverse("reviews:person_list")))
    second = page_text(commissioner.get(reverse("reviews:person_list"), {"page": 2}))

    assert "Test Person24" in first and "Test Person25" not in first
    assert "Test Person25" in second and "Test Person26" in second
    assert "27 people (page 2 of 2)" in second


def test_the_list_makes_as_many_queries_for_25_people_as_for_1(
    commissioner, icb, organisations, django_assert_max_num_queries
):
    url = reverse("reviews:person_list")
    first = person_in(icb, setting="non_secure", provider=organisations["provider"])
    ReviewFactory(person=first)
    commissioner.post(url, {"q": "", "setting": "hospital"})
    commissioner.get(url)  # warm up: session, permissions
    with CaptureQueriesContext(connection) as one_row:
        assert "1 person" in page_text(commissioner.get(url))

    for _ in range(24):
        person = person_in(
            icb, setting="non_secure", provider=OrganisationFactory(kind=Organisation.Kind.PROVIDER)
        )
        ReviewFactory(person=person)
        ReviewFactory(person=person, state="held")
    with django_assert_max_num_queries(len(one_row)):
        assert "25 people" in page_text(commissioner.get(url))


# --- Registering a person ------------------------------------------------------------------


def test_register_page_offers_only_the_users_own_organisations_as_responsible(
    commissioner, organisations
):
    page = page_text(commissioner.get(reverse("reviews:person_create")))
    responsible = page.split('name="responsible_commissioner"')[1].split("</select>")[0]
    assert "NHS North Shore ICB" in responsible and "NHS South Vale ICB" not in responsible
    host = page.split('name="host_commissioner"')[1].split("</select>")[0]
    assert "NHS South Vale ICB" in host


def test_registering_someone_in_hospital_starts_their_post_admission_clock(
    commissioner, organisations
):
    admitted = timezone.localdate() - timedelta(days=10)

    response = commissioner.post(reverse("reviews:person_create"), register_data(organisations))

    person = Person.objects.get(nhs_number=VALID_NHS_NUMBER)
    assert response.status_code == 302
    assert response.url == reverse("reviews:person_detail", args=[person.pk])
    assert (person.full_name, person.setting, person.provider, person.ward) == (
        "Amira Hussain",
        "non_secure",
        organisations["provider"],
        "Cedar ward",
    )
    assert (person.has_autism, person.has_learning_disability, person.dsr_rating) == (
        True,
        False,
        "blue",
    )
    assert person.admission_date == admitted
    assert person.setting_history.get().kind == SettingChange.Kind.REGISTERED
    assert person.dsr_history.get().rating == "blue"
    due = admitted + timedelta(days=28)
    page = page_text(commissioner.get(response.url))
    assert "Amira Hussain has been registered." in page
    assert f"A post-admission review is due by {due:%-d %B %Y}." in page


def test_registering_someone_in_the_community_keeps_their_rating_and_reason(
    commissioner, organisations
):
    data = register_data(
        organisations,
        location="community",
        hospital_setting="",
        provider="",
        ward="Ignored",
        dsr_rating="red",
        dsr_reason="Placement breaking down",
    )

    commissioner.post(reverse("reviews:person_create"), data)

    person = Person.objects.get(nhs_number=VALID_NHS_NUMBER)
    assert (person.setting, person.provider, person.ward, person.admission_date) == (
        "community",
        None,
        "",
        None,
    )
    change = person.dsr_history.get()
    assert (change.rating, change.reason) == ("red", "Placement breaking down")
    assert not person.reviews.exists()


def _refused(response):
    """The form came back with its errors, and nothing was saved."""
    page = page_text(response)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "nhsuk-error-summary" in page
    return page


def test_an_invalid_nhs_number_is_refused_and_what_was_typed_is_kept(commissioner, organisations):
    data = register_data(organisations, nhs_number="943 476 5918")

    page = _refused(commissioner.post(reverse("reviews:person_create"), data))

    assert (
        page.count("Enter a valid NHS number. Check you have typed all 10 digits correctly") == 2
    )  # in the summary and beside the field
    assert 'href="#id_nhs_number"' in page
    assert 'value="943 476 5918"' in page and 'value="Amira"' in page
    assert 'value="Cedar ward"' in page and "Give me time to answer." in page
    assert not Person.objects.exists()


def test_a_duplicate_nhs_number_is_refused_without_saying_whose_it_is(commissioner, organisations):
    person_in(
        organisations["icb_other"],
        given_name="Zara",
        family_name="Quinn",
        nhs_number=VALID_NHS_NUMBER,
    )

    page = _refused(
        commissioner.post(reverse("reviews:person_create"), register_data(organisations))
    )

    assert "This NHS number cannot be registered. If this person has moved to your area" in page
    assert "Zara" not in page and "Quinn" not in page
    assert "NHS South Vale ICB</option>" in page  # only among the commissioners to choose
    assert "NHS South Vale ICB" not in re.sub(r"<option[^>]*>[^<]*</option>", "", page)
    assert 'href="/transfers/new/"' in page  # the way on: request a transfer
    assert Person.objects.count() == 1


def test_a_date_of_birth_in_the_future_is_refused(commissioner, organisations):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = register_data(organisations, **split_date("date_of_birth", tomorrow))

    page = _refused(commissioner.post(reverse("reviews:person_create"), data))

    assert "Date of birth must be in the past" in page
    assert 'href="#id_date_of_birth-day"' in page
    assert not Person.objects.exists()


def test_an_empty_registration_says_what_to_enter(commissioner):
    page = _refused(commissioner.post(reverse("reviews:person_create"), {}))

    for message in (
        "Enter their first name",
        "Enter their last name",
        "Enter their NHS number",
        "Enter their date of birth",
        "Select learning disability, autism or both",
        "Select where they are now",
        "Select the responsible commissioner",
        "Select their Mental Health Act status",
    ):
        assert message in page
    assert not Person.objects.exists()


def test_someone_in_hospital_needs_a_hospital_a_security_level_and_an_admission_date(
    commissioner, organisations
):
    data = register_data(
        organisations,
        hospital_setting="",
        provider="",
        **{"admission_date[day]": "", "admission_date[month]": "", "admission_date[year]": ""},
    )

    page = _refused(commissioner.post(reverse("reviews:person_create"), data))

    assert "Select the hospital" in page
    assert "Select the security level" in page
    assert "Enter the date they were admitted" in page
    assert not Person.objects.exists()


def test_an_admission_date_in_the_future_is_refused(commissioner, organisations):
    data = register_data(
        organisations, **split_date("admission_date", timezone.localdate() + timedelta(days=3))
    )

    page = _refused(commissioner.post(reverse("reviews:person_create"), data))

    assert "Date admitted must be today or in the past" in page


def test_text_that_is_too_long_is_refused_with_its_limit(commissioner, organisations):
    data = register_data(organisations, given_name="A" * 101)

    page = _refused(commissioner.post(reverse("reviews:person_create"), data))

    assert "First name must be 100 characters or fewer" in page
    assert not Person.objects.exists()


def test_a_commissioner_cannot_register_someone_for_another_organisation(
    commissioner, organisations
):
    data = register_data(organisations, responsible_commissioner=str(organisations["icb_other"].pk))

    page = _refused(commissioner.post(reverse("reviews:person_create"), data))

    assert "Select one of your organisations" in page
    assert not Person.objects.exists()


# --- The person's page ---------------------------------------------------------------------


def test_person_page_shows_who_they_are_how_to_talk_with_them_and_their_history(
    commissioner, review_world, users
):
    person = review_world["person"]
    LaepMeetingFactory(
        person=person,
        recorded_by=users["commissioner"],
        held_on=timezone.localdate() - timedelta(days=30),
        outcome="Crisis support at home for a week",
    )

    page = page_text(commissioner.get(reverse("reviews:person_detail", args=[person.pk])))

    assert "<h1" in page and "Daniel Clarke" in page
    assert "How to talk with me" in page
    talk = page.split("How to talk with me")[1].split("</section>")[0]
    assert "nhsuk-inset-text" in talk and "Speak slowly; I like to see things written" in talk
    assert person.nhs_number_display in page
    assert "Hospital, non-secure" in page and "Riverside Hospital" in page
    assert "Willow ward" in page and "North Shore Council" in page
    assert "Maureen Clarke" in page and "family@example.com" in page
    assert '<strong class="nhsuk-tag nhsuk-tag--blue">Blue</strong>' in page
    review = review_world["review"]
    assert f'href="{reverse("reviews:review_detail", args=[review.pk])}">CTR' in page
    assert "Post-admission" in page
    assert "Local Area Emergency Protocol meeting" in page
    assert "Crisis support at home for a week" in page
    for name in (
        "person_edit",
        "person_contact_create",
        "person_dsr",
        "person_setting",
        "person_laep",
        "person_segregation",
        "review_plan",
    ):
        assert reverse(f"reviews:{name}", args=[person.pk]) in page


def test_an_overdue_review_is_marked_on_the_persons_page(commissioner, icb):
    person = person_in(icb)
    ReviewFactory(person=person, due_date=timezone.localdate() - timedelta(days=3))

    page = page_text(commissioner.get(reverse("reviews:person_detail", args=[person.pk])))

    assert "nhsuk-tag--red" in page and "Overdue: due" in page


def test_a_host_commissioner_sees_the_person_but_no_change_links(client_for, organisations):
    person = PersonFactory(
        responsible_commissioner=organisations["icb_other"], host_commissioner=organisations["icb"]
    )
    client = client_for("commissioner")

    page = page_text(client.get(reverse("reviews:person_detail", args=[person.pk])))

    assert person.full_name in page
    assert reverse("reviews:person_edit", args=[person.pk]) not in page
    assert "Change rating" not in page and "Plan a review" not in page
    assert client.get(reverse("reviews:person_edit", args=[person.pk])).status_code == 403


def test_another_organisations_commissioner_gets_404_and_changes_nothing(client_for, review_world):
    person = review_world["person"]
    client = client_for("commissioner_other_org")

    assert client.get(reverse("reviews:person_detail", args=[person.pk])).status_code == 404
    response = client.post(
        reverse("reviews:person_dsr", args=[person.pk]), {"rating": "blue", "reason": "Trying"}
    )
    assert response.status_code == 404
    assert not DsrRatingChange.objects.filter(reason="Trying").exists()


PERSON_CHANGE_PAGES = [
    "person_edit",
    "person_segregation",
    "person_contact_create",
    "person_dsr",
    "person_setting",
    "person_laep",
    "person_diagnosis_removed",
    "person_root_cause",
    "person_restrictive_practice",
    "review_plan",
]


@pytest.mark.parametrize("url_name", PERSON_CHANGE_PAGES)
def test_another_icbs_commissioner_finds_no_person_they_cannot_see(
    client_for, review_world, url_name
):
    """404, as for an id nobody has (the person's existence stays hidden), for GET and POST;
    nothing changes."""
    person = review_world["person"]
    client = client_for("commissioner_other_org")
    url = reverse(f"reviews:{url_name}", args=[person.pk])
    before = Person.objects.values().get(pk=person.pk)

    assert client.get(url).status_code == 404
    assert client.post(url, {"given_name": "Changed", "started_on[day]": "1"}).status_code == 404
    missing = reverse(f"reviews:{url_name}", args=[person.pk + 100_000])
    assert client.get(missing).status_code == 404
    assert Person.objects.values().get(pk=person.pk) == before


@pytest.mark.parametrize("url_name", PERSON_CHANGE_PAGES)
def test_a_host_commissioner_who_sees_the_person_may_not_change_them(
    client_for, organisations, url_name
):
    """The host ICB sees the person's page, so the change pages answer 403 (a party without
    the right), not 404."""
    person = PersonFactory(
        responsible_commissioner=organisations["icb_other"], host_commissioner=organisations["icb"]
    )
    client = client_for("commissioner")
    url = reverse(f"reviews:{url_name}", args=[person.pk])

    assert client.get(reverse("reviews:person_detail", args=[person.pk])).status_code == 200
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [
        ("person_edit", "Change their details"),
        ("person_contact_create", "Add a contact"),
        ("person_dsr", "Change their Dynamic Support Register rating"),
        ("person_setting", "Record an admission, discharge or move"),
        ("person_laep", "Record a blue light (LAEP) meeting"),
        ("person_segregation", "Record long-term segregation"),
        ("person_restrictive_practice", "Record restraint, seclusion or segregation"),
    ],
)
def test_each_form_page_renders_for_the_commissioner(commissioner, review_world, url_name, heading):
    response = commissioner.get(reverse(f"reviews:{url_name}", args=[review_world["person"].pk]))
    page = page_text(response)
    assert response.status_code == 200
    assert heading in page and "Daniel Clarke" in page and "novalidate" in page


# --- Changing their details ----------------------------------------------------------------


def test_editing_keeps_the_answers_and_saves_the_change(commissioner, review_world):
    person = review_world["person"]
    url = reverse("reviews:person_edit", args=[person.pk])
    page = page_text(commissioner.get(url))
    assert f'value="{person.nhs_number_display}"' in page and 'value="Daniel"' in page

    data = {
        "given_name": "Daniel",
        "family_name": "Clarke",
        "preferred_name": "Dan",
        "pronouns": "he/him",
        "nhs_number": "943-476-5919",
        **split_date("date_of_birth", person.date_of_birth),
        "diagnosis": ["learning_disability", "autism"],
        "mha_status": "s3",
        "communication": "Short sentences",
        "reasonable_adjustments": "",
        "responsible_commissioner": str(person.responsible_commissioner_id),
        "host_commissioner": "",
        "local_authority": str(person.local_authority_id),
        "keyworker_name": "",
        "keyworker_contact": "",
        "responsible_clinician": "Dr Amir Khan, consultant psychiatrist",
        "care_coordinator": "",
        "ward": "Ash ward",
    }
    response = commissioner.post(url, data)

    person.refresh_from_db()
    assert response.status_code == 302
    assert person.responsible_clinician == "Dr Amir Khan, consultant psychiatrist"
    assert (person.preferred_name, person.nhs_number, person.ward) == (
        "Dan",
        VALID_NHS_NUMBER,
        "Ash ward",
    )
    assert person.has_autism and person.mha_status == "s3"
    assert "Daniel Clarke&#x27;s details have been saved." in page_text(
        commissioner.get(response.url)
    )


def test_editing_to_a_duplicate_nhs_number_is_refused(commissioner, review_world, icb):
    person = review_world["person"]
    person_in(icb, nhs_number=VALID_NHS_NUMBER)
    data = {
        "given_name": "Renamed",
        "family_name": "Clarke",
        "nhs_number": VALID_NHS_NUMBER,
        **split_date("date_of_birth", person.date_of_birth),
        "diagnosis": ["autism"],
        "mha_status": "s3",
        "responsible_commissioner": str(icb.pk),
    }

    page = _refused(commissioner.post(reverse("reviews:person_edit", args=[person.pk]), data))

    assert "A person with this NHS number is already registered" in page
    assert "Daniel Clarke" in page  # the heading still names them as they are
    person.refresh_from_db()
    assert person.given_name == "Daniel" and person.nhs_number != VALID_NHS_NUMBER


def test_someone_in_the_community_can_be_edited_and_has_no_ward_to_give(commissioner, icb):
    person = person_in(icb, given_name="Grace", family_name="Oduya")
    url = reverse("reviews:person_edit", args=[person.pk])

    response = commissioner.get(url)
    assert response.status_code == 200
    assert 'value="Grace"' in page_text(response) and 'name="ward"' not in page_text(response)

    data = {
        "given_name": "Grace",
        "family_name": "Oduya",
        "preferred_name": "Gracie",
        "nhs_number": person.nhs_number,
        **split_date("date_of_birth", person.date_of_birth),
        "diagnosis": ["learning_disability"],
        "mha_status": "not_detained",
        "responsible_commissioner": str(icb.pk),
        "ward": "Ash ward",  # not asked, so not kept
    }
    response = commissioner.post(url, data)

    person.refresh_from_db()
    assert response.status_code == 302
    assert (person.preferred_name, person.ward) == ("Gracie", "")


# --- Contacts ------------------------------------------------------------------------------


def test_adding_a_contact_lists_them_on_the_persons_page(commissioner, review_world):
    person = review_world["person"]
    response = commissioner.post(
        reverse("reviews:person_contact_create", args=[person.pk]),
        {
            "name": "Priya Shah",
            "relationship": "advocate",
            "relationship_detail": "IMHA",
            "email": "Priya@Example.org",
            "phone": "01632 960001",
        },
    )

    contact = person.contacts.get(name="Priya Shah")
    assert contact.email == "priya@example.org"
    page = page_text(commissioner.get(response.url))
    assert "Priya Shah has been added as a contact." in page
    assert "Advocate (IMHA)" in page and "01632 960001" in page


def test_a_contact_needs_a_name_a_relationship_and_a_real_email_address(commissioner, review_world):
    person = review_world["person"]
    page = _refused(
        commissioner.post(
            reverse("reviews:person_contact_create", args=[person.pk]),
            {"name": "", "email": "not-an-email"},
        )
    )

    assert "Enter their full name" in page
    assert "Select who they are to the person" in page
    assert "Enter an email address in the correct format, like name@example.com" in page
    assert 'value="not-an-email"' in page
    assert person.contacts.count() == 1


# --- The Dynamic Support Register rating ---------------------------------------------------


def test_changing_the_rating_records_who_why_and_shows_it_in_the_history(commissioner, icb, users):
    person = person_in(icb, dsr_rating="green")

    response = commissioner.post(
        reverse("reviews:person_dsr", args=[person.pk]),
        {"rating": "amber", "reason": "Carer in hospital"},
    )

    person.refresh_from_db()
    change = person.dsr_history.get()
    assert person.dsr_rating == "amber"
    assert (change.rating, change.reason, change.recorded_by) == (
        "amber",
        "Carer in hospital",
        users["commissioner"],
    )
    page = page_text(commissioner.get(response.url))
    assert "Dynamic Support Register rating changed to Amber." in page
    assert "Dynamic Support Register: Amber" in page and "Carer in hospital" in page


def test_a_rating_needs_a_reason(commissioner, icb):
    person = person_in(icb, dsr_rating="green")

    page = _refused(
        commissioner.post(
            reverse("reviews:person_dsr", args=[person.pk]), {"rating": "red", "reason": "  "}
        )
    )

    assert "Enter why the rating is changing" in page
    assert not person.dsr_history.exists()


def test_blue_is_only_for_someone_in_hospital(commissioner, icb):
    person = person_in(icb, dsr_rating="green")

    page = _refused(
        commissioner.post(
            reverse("reviews:person_dsr", args=[person.pk]),
            {"rating": "blue", "reason": "Admitted"},
        )
    )

    assert "Blue is for someone in hospital. Record their admission instead" in page


# --- Admissions, discharges and moves ------------------------------------------------------


@time_machine.travel(date(2026, 11, 10), tick=False)
def test_recording_an_admission_says_when_the_post_admission_review_is_due(
    commissioner, icb, organisations
):
    person = person_in(icb, dsr_rating="red")

    response = commissioner.post(
        reverse("reviews:person_setting", args=[person.pk]),
        {
            "kind": "admission",
            **split_date("effective_date", date(2026, 11, 7)),
            "location": "hospital",
            "hospital_setting": "low_secure",
            "provider": str(organisations["provider"].pk),
            "ward": "Birch ward",
            "bed_commissioner_kind": "icb",
            "bed_icb": str(icb.pk),
            "note": "",
        },
    )

    person.refresh_from_db()
    assert person.bed_commissioner == icb
    assert (person.setting, person.provider, person.ward, person.dsr_rating) == (
        "low_secure",
        organisations["provider"],
        "Birch ward",
        "blue",
    )
    assert person.setting_history.get().kind == SettingChange.Kind.ADMISSION
    review = person.reviews.get()
    assert (review.kind, review.due_date) == ("post_admission", date(2026, 12, 5))
    page = page_text(commissioner.get(response.url))
    assert (
        "Admission to hospital recorded. A post-admission review is now due by 5 December 2026."
    ) in page
    assert "Admitted to hospital" in page  # the history


def test_recording_a_discharge_moves_them_to_the_community(commissioner, review_world):
    person = review_world["person"]

    response = commissioner.post(
        reverse("reviews:person_setting", args=[person.pk]),
        {
            "kind": "discharge",
            **split_date("effective_date", timezone.localdate()),
            "location": "community",
        },
    )

    person.refresh_from_db()
    assert person.setting == "community" and person.admission_date is None
    page = page_text(commissioner.get(response.url))
    assert "Discharge recorded." in page and "Discharged to the community" in page


def test_a_move_needs_a_different_hospital(commissioner, review_world, organisations):
    person = review_world["person"]

    page = _refused(
        commissioner.post(
            reverse("reviews:person_setting", args=[person.pk]),
            {
                "kind": "move",
                **split_date("effective_date", timezone.localdate()),
                "location": "hospital",
                "hospital_setting": "non_secure",
                "provider": str(organisations["provider"].pk),
            },
        )
    )

    assert "Select the hospital they moved to. Daniel is already at Riverside Hospital" in page
    assert not person.setting_history.exists()


def test_a_setting_change_refuses_a_future_date_and_a_hospital_without_a_name(commissioner, icb):
    person = person_in(icb)

    page = _refused(
        commissioner.post(
            reverse("reviews:person_setting", args=[person.pk]),
            {
                "kind": "admission",
                **split_date("effective_date", timezone.localdate() + timedelta(days=1)),
                "location": "hospital",
                "hospital_setting": "non_secure",
                "provider": "",
            },
        )
    )

    assert "Date it happened must be today or in the past" in page
    assert "Select the hospital" in page
    person.refresh_from_db()
    assert person.setting == "community" and not person.setting_history.exists()
    assert not Review.objects.filter(person=person).exists()


def test_someone_already_in_hospital_cannot_be_admitted_again(
    commissioner, review_world, organisations
):
    person = review_world["person"]

    page = _refused(
        commissioner.post(
            reverse("reviews:person_setting", args=[person.pk]),
            {
                "kind": "admission",
                **split_date("effective_date", timezone.localdate()),
                "location": "hospital",
                "hospital_setting": "non_secure",
                "provider": str(organisations["provider"].pk),
            },
        )
    )

    assert "Daniel is already in hospital" in page


# --- Blue light meetings -------------------------------------------------------------------


def test_recording_a_blue_light_meeting_puts_it_on_the_timeline(commissioner, icb):
    person = person_in(icb, dsr_rating="red")
    held = timezone.localdate() - timedelta(days=2)

    response = commissioner.post(
        reverse("reviews:person_laep", args=[person.pk]),
        {
            **split_date("held_on", held),
            "outcome": "Extra support at home; admission avoided",
        },
    )

    meeting = person.laep_meetings.get()
    assert (meeting.held_on, meeting.outcome) == (held, "Extra support at home; admission avoided")
    page = page_text(commissioner.get(response.url))
    assert f"Blue light (LAEP) meeting on {held:%-d %B %Y} recorded." in page
    assert "Local Area Emergency Protocol meeting" in page


def test_a_blue_light_meeting_cannot_be_in_the_future(commissioner, icb):
    person = person_in(icb)

    page = _refused(
        commissioner.post(
            reverse("reviews:person_laep", args=[person.pk]),
            {
                **split_date("held_on", timezone.localdate() + timedelta(days=1)),
                "outcome": "",
            },
        )
    )

    assert "Date of the meeting must be today or in the past" in page
    assert "Enter what was agreed" in page
    assert not person.laep_meetings.exists()


# --- Long-term segregation and the Independent C(E)TR --------------------------------------


@pytest.mark.django_db
def test_long_term_segregation_is_recorded_on_the_person_and_offers_an_independent_review(
    commissioner, review_world, time_machine
):
    time_machine.move_to(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    person = review_world["person"]
    plan_url = reverse("reviews:review_plan", args=[person.pk])
    assert 'value="independent"' not in page_text(commissioner.get(plan_url))

    response = commissioner.post(
        reverse("reviews:person_segregation", args=[person.pk]),
        {**split_date("started_on", date(2026, 3, 2)), "ward": "Cedar suite", "icetr_held": "no"},
    )

    person.refresh_from_db()
    assert (person.segregation_started_on, person.segregation_ward) == (
        date(2026, 3, 2),
        "Cedar suite",
    )
    assert not person.segregation_icetr_held and person.in_segregation
    page = page_text(commissioner.get(response.url))
    assert "Since 2 March 2026, Cedar suite, Independent C(E)TR not held yet" in page
    assert 'value="independent"' in page_text(commissioner.get(plan_url))


@pytest.mark.django_db
def test_segregation_cannot_end_before_it_started(commissioner, review_world):
    person = review_world["person"]

    page = _refused(
        commissioner.post(
            reverse("reviews:person_segregation", args=[person.pk]),
            {
                **split_date("started_on", date(2026, 3, 2)),
                **split_date("ended_on", date(2026, 3, 1)),
                "ward": "Cedar suite",
                "icetr_held": "yes",
            },
        )
    )

    assert "The date it ended must be the same as or after the date it started" in page
    assert 'value="Cedar suite"' in page
    person.refresh_from_db()
    assert person.segregation_started_on is None


@pytest.mark.parametrize(
    ("form_path", "field", "message"),
    [
        ("DsrRatingForm", "reason", "Enter why the rating is changing"),
        ("LaepMeetingForm", "outcome", "Enter what was agreed"),
        ("RootCauseForm", "why_no_community_review", "Enter why there was no community C(E)TR"),
    ],
)
def test_a_note_of_only_spaces_is_asked_for_again(form_path, field, message):
    """The field strips what was typed, so spaces alone are as good as nothing."""
    from reviews.forms import people as forms

    form_class = getattr(forms, form_path)
    kwargs = {"person": PersonFactory()} if form_path == "DsrRatingForm" else {}
    form = form_class(data={field: "  \n  "}, **kwargs)

    assert not form.is_valid()
    assert form.errors[field] == [message]
