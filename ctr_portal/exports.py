"""The one CSV writer of the project: the tracker's download, both national returns and any
other export go through it.

Every cell is quoted, so a reader that splits on `;` (or `,`, or a tab) keeps a cell whole, and
a cell a spreadsheet would run as a formula is written as text: it gets a leading `'`. The
characters are OWASP's for CSV injection (ASVS 1.2.10: = + - @ tab NUL), with CR and LF, and the
full-width = + - @ that some spreadsheets read as their ASCII twins.
"""

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\0",
    "\r",
    "\n",
    "\uff1d",
    "\uff0b",
    "\uff0d",
    "\uff20",
)


def csv_cell(value) -> str:
    """`value` as a CSV cell: "" for None, and a leading `'` if a spreadsheet would run it."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class CsvWriter:
    """`csv.writer`'s `writerow`/`writerows` onto `out` (a file, a StringIO, an HttpResponse),
    with every cell neutralised and quoted."""

    def __init__(self, out):
        self._writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable]) -> str:
    """`rows` (the header first) as the text of a CSV file."""
    out = io.StringIO()
    CsvWriter(out).writerows(rows)
    return out.getvalue()
