"""The project's one CSV writer: a cell a spreadsheet would run is written as text, and every
cell is quoted, so a reader splitting on `;` keeps it whole."""

import csv
import io

import pytest

from ctr_portal.exports import CsvWriter, csv_cell, csv_text

PAYLOADS = [
    "=cmd|'/C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1",
    "\r=1",
    "\n=1",
    "\uff1d1+1",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_is_written_as_text(payload):
    [row] = list(csv.reader(io.StringIO(csv_text([[payload, "plain"]]))))
    assert row == [f"'{payload}", "plain"]


def test_plain_values_are_written_as_they_are():
    assert [csv_cell(v) for v in ("RM1-001", 2026, None, "", "a=b")] == [
        "RM1-001",
        "2026",
        "",
        "",
        "a=b",
    ]


def test_a_semicolon_stays_inside_its_cell_for_a_semicolon_reader():
    out = io.StringIO()
    CsvWriter(out).writerows([["local_patient_id", "nhs_number"], ["RM1;=1+1", "4000630075"]])
    assert out.getvalue() == '"local_patient_id","nhs_number"\n"RM1;=1+1","4000630075"\n'
    # A spreadsheet set to split on `;` sees one cell, not a second one starting `=1+1`.
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert [len(row) for row in rows] == [1, 1]
    assert rows[1][0].startswith("RM1;=1+1")
