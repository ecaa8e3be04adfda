"""The national returns: each extract matches its hand-made expected file, the page's rows are
the CSV's, the validation report names every row missing a mandatory item, and each user takes
the return for their own organisations only."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oversight import returns
from tests.conftest import sign_in

from .factories import TODAY, returns_world

pytestmark = pytest.mark.django_db
HERE = Path(__file__).parent
EXPECTED_AT = (HERE / "expected_at_qlk_2026-11.csv").read_text()
EXPECTED_MHSDS = (HERE / "expected_mhsds_rm1_2026-11.csv").read_text()


@pytest.fixture
def world(time_machine):
    time_machine.move_to(TODAY, tick=False)
    return returns_world()


def _get(client, user, name, **query):
    sign_in(client, user)
    return client.get(reverse(name), query)


def _csv_rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_the_assuring_transformation_csv_matches_the_expected_file(world, client):
    lakeside = world["orgs"]["lakeside"]
    response = _get(
        client,
        world["users"]["commissioner"],
        "oversight:at_csv",
        organisation=lakeside.pk,
        month="2026-11",
    )
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="at-QLK-2026-11.csv"' in response["Content-Disposition"]
    assert response.content.decode() == EXPECTED_AT


def test_the_page_shows_the_same_rows_as_the_csv(world, client):
    lakeside = world["orgs"]["lakeside"]
    query = {"organisation": lakeside.pk, "month": "2026-11"}
    page = _get(client, world["users"]["commissioner"], "oversight:at", **query)
    download = client.get(reverse("oversight:at_csv"), query)
    assert page.context["extract"].rows == _csv_rows(download.content.decode())[1:]
    html = page.content.decode()
    for row in page.context["extract"].rows:
        for cell in row:
            assert cell in html
    assert f"{reverse('oversight:at_csv')}?organisation={lakeside.pk}&amp;month=2026-11" in html


def test_the_validation_report_names_every_row_missing_a_mandatory_item(world, client):
    page = _get(
        client,
        world["users"]["commissioner"],
        "oversight:at",
        organisation=world["orgs"]["lakeside"].pk,
        month="2026-11",
    )
    problems = [str(p) for p in page.context["extract"].problems]
    assert problems == [
        "Row 2 (NHS number 400 063 0148): Hospital ODS code is missing. The hospital has no ODS "
        "code recorded (an administrator adds it).",
        "Row 3 (NHS number 400 063 0210): Date admitted is missing. No admission date is "
        "recorded on the person's page.",
        "Row 3 (NHS number 400 063 0210): On the Dynamic Support Register before admission is "
        "missing. No admission date is recorded, so whether the person was on the register "
        "before it cannot be told.",
    ]
    html = page.content.decode()
    assert "Row 2 (NHS number 400 063 0148): Hospital ODS code is missing." in html
    assert "Not confirmed against the current national specification" in html


def test_the_mhsds_csv_matches_the_expected_file_and_names_the_row_without_an_identifier(
    world, client
):
    meadow = world["orgs"]["meadow"]
    query = {"organisation": meadow.pk, "month": "2026-11"}
    page = _get(client, world["users"]["meadow"], "oversight:mhsds", **query)
    download = client.get(reverse("oversight:mhsds_csv"), query)
    assert download.content.decode() == EXPECTED_MHSDS
    assert page.context["extract"].rows == _csv_rows(EXPECTED_MHSDS)[1:]
    assert [str(p) for p in page.context["extract"].problems] == [
        "Row 1 (NHS number 400 063 0350): Local patient identifier is missing. No local patient "
        "identifier is recorded on the person's page (the commissioner records it)."
    ]


def test_a_provider_sees_only_the_reviews_of_its_own_patients(world, client):
    page = _get(client, world["users"]["brook"], "oversight:mhsds")  # their own, last month
    assert page.context["extract"].organisation == world["orgs"]["brook"]
    assert f"{page.context['extract'].month:%Y-%m}" == "2026-11"
    assert page.context["extract"].rows == []


def test_a_commissioner_cannot_take_another_organisations_return(world, client):
    page = _get(
        client,
        world["users"]["hilltop_commissioner"],
        "oversight:at",
        organisation=world["orgs"]["lakeside"].pk,
        month="2026-11",
    )
    assert page.status_code == 200
    assert page.context["extract"] is None
    assert "Select a valid choice" in page.content.decode()
    download = client.get(
        reverse("oversight:at_csv"),
        {"organisation": world["orgs"]["lakeside"].pk, "month": "2026-11"},
    )
    assert download.status_code == 302  # back to the page, which says what is wrong


def test_the_other_icb_return_holds_only_its_own_people(world, client):
    page = _get(
        client,
        world["users"]["hilltop_commissioner"],
        "oversight:at",
        month="2026-11",
        organisation=world["orgs"]["hilltop"].pk,
    )
    assert [row[0] for row in page.context["extract"].rows] == ["4000630350"]


def test_the_command_writes_the_same_csv_and_the_report(world, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "return_extract", "at", organisation="QLK", month="2026-11", stdout=out, stderr=err
    )
    assert out.getvalue() == EXPECTED_AT
    report = err.getvalue()
    assert "3 mandatory item(s) missing" in report
    assert "Row 2 (NHS number 400 063 0148): Hospital ODS code is missing." in report
    assert "Not confirmed against the current national specification" in report

    target = tmp_path / "mhsds.csv"
    call_command(
        "return_extract",
        "mhsds",
        organisation="rm1",
        month="2026-11",
        output=str(target),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert target.read_text() == EXPECTED_MHSDS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("at", "--organisation", "RM1", "--month", "2026-11"), "cannot take the at return"),
        (("mhsds", "--organisation", "NOPE", "--month", "2026-11"), "No organisation"),
        (("at", "--organisation", "QLK", "--month", "2026-13"), "YYYY-MM"),
    ],
)
def test_the_command_refuses_what_it_cannot_do(world, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("return_extract", *args, stdout=io.StringIO(), stderr=io.StringIO())


def test_every_field_of_each_specification_is_described_and_none_is_claimed_confirmed():
    for code in returns.FILES:
        spec = returns.spec(code)
        assert spec.fields
        for field in spec.fields:
            assert field.name and field.source and field.missing
            # Nothing has been checked against the current national specifications yet: a
            # field marked confirmed must name its national item.
            assert not field.confirmed or field.national_item
        assert spec.unconfirmed == list(spec.fields)


def _queries_for_at_page(client, user, org):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("oversight:at"), {"organisation": org.pk, "month": "2026-11"})
    assert response.status_code == 200
    return len(captured), len(response.context["extract"].rows)


def test_the_at_page_makes_as_many_queries_for_25_rows_as_for_1(world, client):
    from tests.reviews.factories import PersonFactory

    hilltop = world["orgs"]["hilltop"]
    sign_in(client, world["users"]["hilltop_commissioner"])
    one, rows = _queries_for_at_page(client, world["users"]["hilltop_commissioner"], hilltop)
    assert rows == 1
    PersonFactory.create_batch(24, in_hospital=True, responsible_commissioner=hilltop)
    many, rows = _queries_for_at_page(client, world["users"]["hilltop_commissioner"], hilltop)
    assert rows == 25
    assert many == one


def test_the_mhsds_page_makes_as_many_queries_for_25_rows_as_for_1(world, client):
    from datetime import date

    from tests.reviews.factories import ReviewFactory

    brook = world["orgs"]["brook"]
    sign_in(client, world["users"]["brook"])
    query = {"organisation": brook.pk, "month": "2026-11"}
    ReviewFactory(provider=brook, held_on=date(2026, 11, 2), state="held")
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(reverse("oversight:mhsds"), query).context["extract"].rows) == 1
    ReviewFactory.create_batch(24, provider=brook, held_on=date(2026, 11, 9), state="held")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(reverse("oversight:mhsds"), query).context["extract"].rows) == 25
    assert len(many) == len(one)


FORMULA = "=cmd|'/C calc'!A0"


def test_a_local_patient_id_typed_as_a_formula_reaches_the_mhsds_download_as_text(world, client):
    from reviews.models import Person

    Person.objects.filter(local_patient_id="RM1-001").update(local_patient_id=FORMULA)
    query = {"organisation": world["orgs"]["meadow"].pk, "month": "2026-11"}
    sign_in(client, world["users"]["meadow"])
    text = client.get(reverse("oversight:mhsds_csv"), query).content.decode()
    assert f'"\'{FORMULA}"' in text
    assert [row[0] for row in _csv_rows(text)[1:]] == ["", f"'{FORMULA}"]
    assert not any(line.startswith(("=", "+", "-", "@")) for line in text.splitlines())


@pytest.mark.parametrize("code", ["at", "mhsds"])
def test_every_text_and_code_field_of_each_return_is_neutralised(world, code):
    fields = returns.spec(code).fields
    payloads = {f.key: "@SUM(1+1)*cmd;x" for f in fields if f.format in ("text", "code")}
    extract = returns.extract_build(
        code, organisation=world["orgs"]["lakeside"], month=TODAY.date(), records=[payloads]
    )
    [row] = _csv_rows(extract.csv_text())[1:]
    assert len(payloads) > 0
    for f, cell in zip(fields, row, strict=True):
        assert cell == ("'@SUM(1+1)*cmd;x" if f.key in payloads else "")
