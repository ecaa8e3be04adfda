"""The NHS number and details checked with the Personal Demographics Service (ADR 0019), against
the stand-in PDS on loopback (tests/pds_server.py): the client and its signed JWT, each answer
PDS gives, what is kept of a record, the audit trail, and the commissioner's pages."""

import logging
import time
from datetime import date, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ctr_portal.models import AuditEvent
from reviews import pds, services
from reviews.models import Person
from reviews.views.people import PDS_REGISTRATION_KEY
from tests import pds_server as stand_in
from tests.reviews.factories import PersonFactory, nhs_number
from tests.reviews.test_people import VALID_NHS_NUMBER, page_text, register_data, split_date

pytestmark = pytest.mark.django_db

Outcome = pds.Outcome


@pytest.fixture
def commissioner(client_for):
    return client_for("commissioner")


def pds_lookups():
    return list(
        AuditEvent.objects.filter(action__startswith="pds_").values_list(
            "action", "actor__email", "object_type", "object_id"
        )
    )


def patient_reads(server):
    return [path for method, path, _ in server.requests if method == "GET"]


# --- The client: application-restricted access and each answer -----------------------------


def test_a_record_is_read_with_a_signed_jwt_exchanged_for_an_access_token(pds_on):
    pds_on.add_patient(VALID_NHS_NUMBER, given="Amira", family="Hussain")

    lookup = pds.read_patient(VALID_NHS_NUMBER)

    assert lookup.outcome == Outcome.MATCH
    assert lookup.record == pds.Demographics(
        nhs_number=VALID_NHS_NUMBER,
        given_name="Amira",
        family_name="Hussain",
        date_of_birth=date(1998, 4, 3),
        address="1 Trevelyan Square\nBoar Lane\nLeeds\nLS1 6AE",  # home, not the old temporary
        gp_ods_code="Y12345",
        restricted=False,
    )
    (token_call, read) = pds_on.requests
    assert token_call[:2] == ("POST", "/oauth2/token")
    assert read[:2] == ("GET", f"/personal-demographics/FHIR/R4/Patient/{VALID_NHS_NUMBER}")
    assert read[2]["Authorization"].startswith("Bearer ")
    assert read[2]["Accept"] == "application/fhir+json"


def test_the_assertion_is_rs512_with_our_key_id_for_five_minutes_and_used_once(pds_on):
    first, second = pds.client_assertion(), pds.client_assertion()

    header = jwt.get_unverified_header(first)
    claims = jwt.decode(first, pds_on.public_key, algorithms=["RS512"], audience=pds_on.token_url)
    assert (header["alg"], header["kid"]) == ("RS512", stand_in.KEY_ID)
    assert claims["iss"] == claims["sub"] == stand_in.API_KEY
    assert claims["exp"] - claims["iat"] == 300 and claims["exp"] <= time.time() + 300
    assert claims["jti"] != jwt.decode(second, options={"verify_signature": False})["jti"]


def test_the_access_token_is_kept_and_a_new_one_asked_for_when_pds_refuses_it(pds_on):
    pds_on.add_patient(VALID_NHS_NUMBER)
    pds.read_patient(VALID_NHS_NUMBER)
    pds.read_patient(VALID_NHS_NUMBER)
    assert [p for m, p, _ in pds_on.requests if m == "POST"] == ["/oauth2/token"]

    pds_on.revoke_tokens()  # as if it had expired at PDS
    lookup = pds.read_patient(VALID_NHS_NUMBER)

    assert lookup.outcome == Outcome.MATCH
    assert [p for m, p, _ in pds_on.requests if m == "POST"] == ["/oauth2/token"] * 2


@pytest.mark.parametrize(
    ("nhs_number", "outcome", "words"),
    [
        ("9434765918", Outcome.INVALID_NUMBER, "not a valid NHS number"),  # INVALID_RESOURCE_ID
        (VALID_NHS_NUMBER, Outcome.NOT_FOUND, "No one with this NHS number was found"),
        (stand_in.INVALIDATED, Outcome.INVALIDATED, "no longer used"),
        (stand_in.TOO_MANY_MATCHES, Outcome.TOO_MANY_MATCHES, "more than one record"),
        (stand_in.BROKEN, Outcome.UNAVAILABLE, "could not check"),
    ],
)
def test_each_answer_of_pds_is_an_outcome_with_a_plain_english_message(
    pds_on, nhs_number, outcome, words
):
    lookup = pds.read_patient(nhs_number)

    assert (lookup.outcome, lookup.record) == (outcome, None)
    assert words in lookup.message


def _other_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.mark.parametrize(
    "setting",
    [
        {"PDS_PRIVATE_KEY": _other_key()},  # not the key PDS holds for us
        {"PDS_KEY_ID": "not-our-key"},
        {"PDS_API_KEY": "someone-elses-key"},
        {"PDS_PRIVATE_KEY": "not a key"},
        {"PDS_BASE_URL": "http://127.0.0.1:9/personal-demographics/FHIR/R4"},  # nobody there
    ],
    ids=["wrong key", "wrong key id", "wrong API key", "no key", "no answer"],
)
def test_pds_is_unavailable_when_it_refuses_us_or_does_not_answer(pds_on, settings, setting):
    pds_on.add_patient(VALID_NHS_NUMBER)
    for name, value in setting.items():
        setattr(settings, name, value)

    assert pds.read_patient(VALID_NHS_NUMBER).outcome == Outcome.UNAVAILABLE
    assert not patient_reads(pds_on)  # no token, no request for the record


def test_the_private_key_can_be_read_from_a_file(pds_on, settings, tmp_path):
    pds_on.add_patient(VALID_NHS_NUMBER)
    key_file = tmp_path / "pds.pem"
    key_file.write_text(pds_on.private_key_pem)
    settings.PDS_PRIVATE_KEY, settings.PDS_PRIVATE_KEY_PATH = "", str(key_file)

    assert pds.read_patient(VALID_NHS_NUMBER).outcome == Outcome.MATCH


def test_a_restricted_record_gives_no_address_and_no_gp_practice(pds_on):
    pds_on.add_patient(VALID_NHS_NUMBER, restricted=True)

    record = pds.read_patient(VALID_NHS_NUMBER).record

    assert record.restricted
    assert (record.address, record.gp_ods_code) == ("", "")
    assert (record.given_name, record.date_of_birth) == ("Jane", date(1998, 4, 3))


def test_the_name_in_use_is_taken_not_one_that_ended(pds_on):
    pds_on.add_patient(VALID_NHS_NUMBER, old_name=("Janet", "Jones"))

    record = pds.read_patient(VALID_NHS_NUMBER).record

    assert (record.given_name, record.family_name) == ("Jane", "Smith")


def test_log_lines_name_the_outcome_never_the_nhs_number_or_name(pds_on, caplog):
    pds_on.add_patient(VALID_NHS_NUMBER, given="Amira", family="Hussain")
    caplog.set_level(logging.DEBUG)

    for number in (VALID_NHS_NUMBER, "9434765918", stand_in.BROKEN):
        pds.read_patient(number)

    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "PDS look-up: match" in logged and "PDS look-up: unavailable" in logged
    for secret in (VALID_NHS_NUMBER, "9434765918", stand_in.BROKEN, "Amira", "Hussain"):
        assert secret not in logged


# --- What differs -------------------------------------------------------------------------


def test_compare_offers_what_differs_and_fills_in_what_we_lack():
    record = pds.Demographics(
        nhs_number=VALID_NHS_NUMBER,
        given_name="Amina",
        family_name="HUSSAIN",
        date_of_birth=date(1998, 4, 4),
        address="1 Trevelyan Square\nLeeds",
        gp_ods_code="Y12345",
    )
    ours = {
        "nhs_number": VALID_NHS_NUMBER,
        "given_name": "Amira",
        "family_name": " hussain ",  # the same, in other letters and spaces
        "date_of_birth": date(1998, 4, 3),
        "address": "",
    }

    differences, filled = pds.compare(ours, record)

    assert [(d.field, d.ours, d.theirs) for d in differences] == [
        ("given_name", "Amira", "Amina"),
        ("date_of_birth", date(1998, 4, 3), date(1998, 4, 4)),
    ]
    assert filled == {"address": "1 Trevelyan Square\nLeeds", "gp_ods_code": "Y12345"}


def test_compare_never_offers_a_restricted_records_address():
    record = pds.Demographics(nhs_number=VALID_NHS_NUMBER, address="Somewhere", restricted=True)

    assert pds.compare({"nhs_number": VALID_NHS_NUMBER, "address": "Elsewhere"}, record) == ([], {})


# --- The service: audited look-ups, and what is kept ---------------------------------------


def test_each_look_up_is_audited_with_who_which_person_and_outcome_never_the_data(pds_on, users):
    commissioner = users["commissioner"]
    person = PersonFactory(nhs_number=VALID_NHS_NUMBER)
    pds_on.add_patient(VALID_NHS_NUMBER, given="Amira")

    services.person_pds_lookup(actor=commissioner, nhs_number=VALID_NHS_NUMBER, person=person)
    services.person_pds_lookup(actor=commissioner, nhs_number=stand_in.INVALIDATED)

    assert sorted(pds_lookups()) == [
        ("pds_invalidated", commissioner.email, "reviews.person", ""),  # not registered yet
        ("pds_match", commissioner.email, "reviews.person", str(person.pk)),
    ]


def test_pds_is_never_asked_about_a_number_with_a_bad_check_digit(pds_on, users):
    with pytest.raises(ValueError):
        services.person_pds_lookup(actor=users["commissioner"], nhs_number="9434765918")
    assert not pds_on.requests


def test_the_database_keeps_no_address_for_a_restricted_record():
    person = PersonFactory(pds_verified=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(pds_restricted=True)


def test_changing_the_nhs_number_by_hand_unsets_the_check_with_pds(users):
    person = PersonFactory(pds_verified=True)

    person = services.person_update(
        actor=users["commissioner"], person=person, nhs_number=nhs_number(999)
    )

    assert person.pds_verified_at is None
    assert person.gp_ods_code == "Y12345"  # kept until the next check says otherwise


# --- Registering, PDS switched off: as before ---------------------------------------------


def test_switched_off_registering_asks_nobody_and_the_pds_pages_do_not_exist(
    commissioner, organisations, pds_server, settings
):
    assert settings.PDS_BASE_URL == ""
    pds_server.reset()

    response = commissioner.post(reverse("reviews:person_create"), register_data(organisations))

    person = Person.objects.get(nhs_number=VALID_NHS_NUMBER)
    assert person.pds_verified_at is None and not pds_server.requests and not pds_lookups()
    page = page_text(commissioner.get(response.url))
    assert "PDS" not in page
    for url in (
        reverse("reviews:person_pds", args=[person.pk]),
        reverse("reviews:person_register_check"),
    ):
        assert commissioner.get(url).status_code == 404
        assert commissioner.post(url).status_code == 404


# --- Registering, PDS switched on ----------------------------------------------------------


def test_details_that_match_pds_register_at_once_with_its_address_and_gp(
    commissioner, organisations, pds_on
):
    pds_on.add_patient(VALID_NHS_NUMBER, given="Amira", family="Hussain", birth_date="1998-04-03")

    response = commissioner.post(reverse("reviews:person_create"), register_data(organisations))

    person = Person.objects.get(nhs_number=VALID_NHS_NUMBER)
    assert response.url == reverse("reviews:person_detail", args=[person.pk])
    assert person.pds_verified_at is not None and not person.pds_restricted
    assert (person.address, person.gp_ods_code) == (
        "1 Trevelyan Square\nBoar Lane\nLeeds\nLS1 6AE",
        "Y12345",
    )
    page = page_text(commissioner.get(response.url))
    assert "Their details match the Personal Demographics Service (PDS)." in page
    assert f"Yes, on {timezone.localdate():%-d %B %Y}" in page
    assert "1 Trevelyan Square, Boar Lane, Leeds, LS1 6AE" in page and "ODS code Y12345" in page
    assert [a for a, *_ in pds_lookups()] == ["pds_match"]


def test_details_that_differ_are_offered_and_the_commissioner_chooses_what_to_keep(
    commissioner, organisations, pds_on
):
    pds_on.add_patient(VALID_NHS_NUMBER, given="Amina", family="Hussain", birth_date="1998-04-04")
    register = reverse("reviews:person_create")
    check = reverse("reviews:person_register_check")

    response = commissioner.post(register, register_data(organisations))

    assert response.status_code == 302 and response.url == check
    assert not Person.objects.exists()  # nothing saved until the choice is made
    page = page_text(commissioner.get(check))
    assert "holds different details for NHS number 943 476 5919" in page
    assert "What you entered: Amira" in page and "PDS: Amina" in page
    assert "What you entered: 3 April 1998" in page and "PDS: 4 April 1998" in page
    assert "Last name" not in page  # the same on both
    assert "Also from PDS" in page and "ODS code Y12345" in page
    assert VALID_NHS_NUMBER not in "".join(link for link in page.split('href="')[1:])

    # Nothing chosen: asked again beside each question and in the summary.
    page = page_text(commissioner.post(check, {}))
    assert "<title>Error: " in page and "nhsuk-error-summary" in page
    assert page.count("Select which first name to keep") == 2
    assert page.count("Select which date of birth to keep") == 2
    assert 'href="#id_given_name' in page

    # One from PDS, one as typed; and what was typed is still there to change.
    change = page_text(commissioner.get(register + "?change=1"))
    assert 'value="Amira"' in change and 'value="Cedar ward"' in change
    response = commissioner.post(check, {"given_name": "pds", "date_of_birth": "ours"})

    person = Person.objects.get(nhs_number=VALID_NHS_NUMBER)
    assert response.url == reverse("reviews:person_detail", args=[person.pk])
    assert (person.given_name, person.date_of_birth) == ("Amina", date(1998, 4, 3))
    assert (person.preferred_name, person.ward) == ("Mira", "Cedar ward")  # the rest as typed
    assert person.pds_verified_at is not None and person.gp_ods_code == "Y12345"
    assert PDS_REGISTRATION_KEY not in commissioner.session
    assert commissioner.get(check).url == register  # nothing waiting any more


@pytest.mark.parametrize(
    ("nhs_number", "message", "action"),
    [
        ("943 476 5919", "No one with this NHS number was found", "pds_not_found"),
        (stand_in.INVALIDATED, "This NHS number is no longer used", "pds_invalidated"),
        (stand_in.TOO_MANY_MATCHES, "more than one record for this NHS", "pds_too_many_matches"),
    ],
)
def test_a_number_pds_knows_nobody_by_is_refused_beside_the_field_keeping_the_answers(
    commissioner, organisations, pds_on, nhs_number, message, action
):
    data = register_data(organisations, nhs_number=nhs_number)

    response = commissioner.post(reverse("reviews:person_create"), data)

    page = page_text(response)
    assert response.status_code == 200 and "<title>Error: " in page
    assert page.count(message) == 2 and 'href="#id_nhs_number"' in page
    assert f'value="{nhs_number}"' in page and "Give me time to answer." in page
    assert not Person.objects.exists()
    assert [a for a, *_ in pds_lookups()] == [action]


def test_a_mistyped_number_is_refused_by_the_form_and_pds_is_not_asked(
    commissioner, organisations, pds_on
):
    data = register_data(organisations, nhs_number="943 476 5918")

    page = page_text(commissioner.post(reverse("reviews:person_create"), data))

    assert "Check you have typed all 10 digits correctly" in page
    assert not pds_on.requests and not pds_lookups()


def test_a_number_already_registered_is_refused_before_pds_is_asked(
    commissioner, organisations, pds_on
):
    PersonFactory(nhs_number=VALID_NHS_NUMBER, responsible_commissioner=organisations["icb"])

    page = page_text(
        commissioner.post(reverse("reviews:person_create"), register_data(organisations))
    )

    assert "This NHS number cannot be registered" in page
    assert not pds_on.requests


def test_when_pds_does_not_answer_the_person_is_registered_unchecked(
    commissioner, organisations, pds_on, settings
):
    settings.PDS_BASE_URL = "http://127.0.0.1:9/personal-demographics/FHIR/R4"

    response = commissioner.post(reverse("reviews:person_create"), register_data(organisations))

    person = Person.objects.get(nhs_number=VALID_NHS_NUMBER)
    assert person.pds_verified_at is None
    page = page_text(commissioner.get(response.url))
    assert "We could not check their details with the Personal Demographics Service" in page
    assert "Not checked" in page
    assert [a for a, *_ in pds_lookups()] == ["pds_unavailable"]


def test_a_restricted_record_registers_with_no_address_kept_or_shown(
    commissioner, organisations, pds_on
):
    pds_on.add_patient(VALID_NHS_NUMBER, given="Amira", family="Hussain", restricted=True)

    response = commissioner.post(reverse("reviews:person_create"), register_data(organisations))

    person = Person.objects.get(nhs_number=VALID_NHS_NUMBER)
    assert person.pds_restricted and (person.address, person.gp_ods_code) == ("", "")
    page = page_text(commissioner.get(response.url))
    assert "Not kept: their record on PDS is restricted" in page
    assert "Trevelyan" not in page and "Y12345" not in page


# --- A registered person checked again, from their page -----------------------------------


def test_a_registered_person_is_checked_from_their_page_and_the_choice_saved(
    commissioner, organisations, pds_on
):
    person = PersonFactory(
        nhs_number=VALID_NHS_NUMBER,
        given_name="Amira",
        family_name="Husain",
        date_of_birth=date(1998, 4, 3),
        address="2 Old Road\nLeeds",
        responsible_commissioner=organisations["icb"],
    )
    pds_on.add_patient(VALID_NHS_NUMBER, given="Amira", family="Hussain")
    url = reverse("reviews:person_pds", args=[person.pk])

    detail = page_text(commissioner.get(reverse("reviews:person_detail", args=[person.pk])))
    assert f'href="{url}"' in detail and "Not checked" in detail
    start = page_text(commissioner.get(url))
    assert "Not checked with PDS yet." in start and "Check with PDS" in start

    response = commissioner.post(url, {"action": "lookup"})
    assert response.url == url
    page = page_text(commissioner.get(url))
    assert "What we hold: Husain" in page and "PDS: Hussain" in page
    assert "What we hold: 2 Old Road, Leeds" in page
    assert "First name" not in page

    response = commissioner.post(url, {"family_name": "pds", "address": "ours"})

    person.refresh_from_db()
    assert response.url == reverse("reviews:person_detail", args=[person.pk])
    assert (person.family_name, person.address, person.gp_ods_code) == (
        "Hussain",
        "2 Old Road\nLeeds",
        "Y12345",
    )
    assert person.pds_verified_at is not None
    assert [(a, o) for a, _, _, o in pds_lookups()] == [("pds_match", str(person.pk))]


def test_a_check_that_finds_nobody_says_so_on_the_page(commissioner, organisations, pds_on):
    person = PersonFactory(responsible_commissioner=organisations["icb"])
    url = reverse("reviews:person_pds", args=[person.pk])

    page = page_text(commissioner.post(url, {"action": "lookup"}))

    assert "<title>Error: " in page and "nhsuk-error-summary" in page
    assert "No one with this NHS number was found" in page
    person.refresh_from_db()
    assert person.pds_verified_at is None


def test_a_record_that_became_restricted_loses_the_address_held(
    commissioner, organisations, pds_on
):
    person = PersonFactory(
        pds_verified=True,
        nhs_number=VALID_NHS_NUMBER,
        given_name="Jane",
        family_name="Smith",
        date_of_birth=date(1998, 4, 3),
        responsible_commissioner=organisations["icb"],
    )
    pds_on.add_patient(VALID_NHS_NUMBER, restricted=True)

    response = commissioner.post(
        reverse("reviews:person_pds", args=[person.pk]), {"action": "lookup"}
    )

    person.refresh_from_db()
    assert response.status_code == 302
    assert person.pds_restricted and (person.address, person.gp_ods_code) == ("", "")


def test_the_check_is_refused_to_those_who_may_not_change_the_person(
    client_for, review_world, pds_on
):
    person = review_world["person"]
    url = reverse("reviews:person_pds", args=[person.pk])

    assert client_for("commissioner_other_org").post(url, {"action": "lookup"}).status_code == 404
    assert client_for("clinical_expert").post(url, {"action": "lookup"}).status_code == 404
    assert not pds_on.requests


def test_the_check_page_says_when_they_were_last_checked(commissioner, organisations, pds_on):
    person = PersonFactory(
        pds_verified_at=timezone.now() - timedelta(days=400),
        responsible_commissioner=organisations["icb"],
    )
    checked = timezone.localdate() - timedelta(days=400)

    page = page_text(commissioner.get(reverse("reviews:person_pds", args=[person.pk])))

    assert f"Last checked: {checked:%-d %B %Y}." in page


def test_changing_the_nhs_number_on_the_edit_page_asks_for_a_new_check(
    commissioner, review_world, pds_on
):
    person = review_world["person"]
    data = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "nhs_number": VALID_NHS_NUMBER,
        **split_date("date_of_birth", person.date_of_birth),
        "diagnosis": ["learning_disability"],
        "mha_status": person.mha_status,
        "responsible_commissioner": str(person.responsible_commissioner_id),
        "ward": person.ward,
    }

    response = commissioner.post(reverse("reviews:person_edit", args=[person.pk]), data)

    assert response.status_code == 302
    page = page_text(commissioner.get(response.url))
    assert "Their NHS number changed: check their details with PDS." in page
    assert not pds_on.requests  # asked only when the commissioner checks


# --- Deployment ------------------------------------------------------------------------------


def test_production_settings_refuse_pds_half_configured():
    from tests.ctr_portal.test_security import PRODUCTION, run_manage

    half = {"PDS_BASE_URL": "https://int.api.service.nhs.uk/personal-demographics/FHIR/R4"}
    result = run_manage("check", **PRODUCTION, **half, PDS_API_KEY="key")

    assert result.returncode != 0
    assert "PDS is half configured: set PDS_KEY_ID, PDS_PRIVATE_KEY or" in result.stderr
