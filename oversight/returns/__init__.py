"""The national data returns: each extract's fields are data, in a specification file beside
this module (assuring_transformation.toml, mhsds.toml), and this module turns the records a
query gives into the rows the page shows and the CSV holds, and a validation report.

The page and the CSV are made from the same `Extract.rows`, so they cannot disagree.
"""

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from ctr_portal.exports import csv_text

FILES = {"at": "assuring_transformation.toml", "mhsds": "mhsds.toml"}
FORMATS = ("nhs_number", "code", "text", "date", "yes_no", "integer")


@dataclass(frozen=True)
class ReturnField:
    order: int
    key: str
    name: str
    source: str
    format: str
    mandatory: bool
    missing: str
    national_item: str = ""
    confirmed: bool = False

    def formatted(self, value) -> str:
        """The value as the CSV holds it; "" when there is none."""
        if value is None or value == "":
            return ""
        if self.format == "date":
            return value.isoformat()
        if self.format == "yes_no":
            return "Y" if value else "N"
        if self.format == "integer":
            return str(int(value))
        return str(value)


@dataclass(frozen=True)
class ReturnSpec:
    code: str
    name: str
    national_specification: str
    confirmed: bool
    fields: tuple[ReturnField, ...]

    @property
    def unconfirmed(self) -> list[ReturnField]:
        return [f for f in self.fields if not f.confirmed]


@cache
def spec(code: str) -> ReturnSpec:
    """The specification of the return `code` ("at" or "mhsds"), read from its file."""
    data = tomllib.loads((Path(__file__).parent / FILES[code]).read_text())
    fields = tuple(sorted((ReturnField(**f) for f in data["field"]), key=lambda f: f.order))
    for f in fields:
        if f.format not in FORMATS:
            raise ValueError(f"{FILES[code]}: {f.key} has an unknown format {f.format!r}")
    if [f.order for f in fields] != list(range(1, len(fields) + 1)):
        raise ValueError(f"{FILES[code]}: the fields' order must run 1, 2, 3 ...")
    return ReturnSpec(fields=fields, **data["return"])


@dataclass(frozen=True)
class Problem:
    """A row missing a mandatory item, and why."""

    row: int
    label: str
    item: str
    why: str

    def __str__(self):
        return f"Row {self.row} ({self.label}): {self.item} is missing. {self.why}."


@dataclass
class Extract:
    spec: ReturnSpec
    organisation: object
    month: date
    rows: list[list[str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [f.key for f in self.spec.fields]

    @property
    def head(self) -> list[str]:
        return [f.name for f in self.spec.fields]

    @property
    def filename(self) -> str:
        org = self.organisation.ods_code or f"organisation-{self.organisation.pk}"
        return f"{self.spec.code}-{org}-{self.month:%Y-%m}.csv"

    def csv_text(self) -> str:
        """The CSV file: the project's one writer, so a value a spreadsheet would run (a local
        patient id typed as `=cmd|...`) reaches the other organisation as text."""
        return csv_text([self.columns, *self.rows])

    def report_lines(self) -> list[str]:
        """The validation report, as plain sentences."""
        lines = [
            f"{self.spec.name} for {self.organisation.name}, {self.month:%B %Y}: "
            f"{len(self.rows)} row{'s' if len(self.rows) != 1 else ''}."
        ]
        if self.problems:
            lines.append(f"{len(self.problems)} mandatory item(s) missing:")
            lines += [f"  {problem}" for problem in self.problems]
        else:
            lines.append("No row is missing a mandatory item.")
        unconfirmed = self.spec.unconfirmed
        if unconfirmed:
            lines.append(
                f"Not confirmed against the current national specification "
                f"({self.spec.national_specification}): "
                + ", ".join(f.name for f in unconfirmed)
                + "."
            )
        return lines


def _label(record: dict) -> str:
    n = record.get("nhs_number") or ""
    return f"NHS number {n[:3]} {n[3:6]} {n[6:]}" if n else "no NHS number"


def extract_build(code: str, *, organisation, month: date, records: list[dict]) -> Extract:
    """The extract of `records` (dicts keyed by the specification's keys) for the page, the
    CSV and the validation report."""
    return_spec = spec(code)
    extract = Extract(return_spec, organisation, month)
    for number, record in enumerate(records, start=1):
        row = [f.formatted(record.get(f.key)) for f in return_spec.fields]
        extract.rows.append(row)
        extract.problems += [
            Problem(number, _label(record), f.name, f.missing)
            for f, value in zip(return_spec.fields, row, strict=True)
            if f.mandatory and value == ""
        ]
    return extract


def extract_for(code: str, *, organisation, month: date) -> Extract:
    """The extract `code` for the organisation and month. The caller has checked that the user
    (or the command's operator) may take it for `organisation`."""
    from .. import queries

    records = {"at": queries.at_records, "mhsds": queries.mhsds_records}[code]
    return extract_build(
        code, organisation=organisation, month=month, records=records(organisation, month)
    )
