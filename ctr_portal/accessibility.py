"""What the accessibility statement says that changes with the service: when it was prepared,
reviewed and tested, and the problems we know of (the public sector format: the Public Sector
Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018). Change these
with the code that fixes or finds a problem, and move STATEMENT_REVIEWED on."""

from dataclasses import dataclass
from datetime import date

STATEMENT_PREPARED = date(2026, 12, 7)
STATEMENT_REVIEWED = date(2026, 12, 7)
# Every change is checked by axe in headless Chromium, page by page for every role
# (tests/browser/test_every_page.py), and each PDF by the PDF/UA check (tests/pdf_ua.py); a
# person tried the service with a screen reader and at 320 pixels on this day (issue 23).
LAST_TESTED = date(2026, 12, 7)


@dataclass(frozen=True)
class KnownIssue:
    what: str  # what does not work, for whom, in plain words
    criterion: str  # the WCAG 2.2 success criterion it fails
    easy_read: str  # the same, in easy read


KNOWN_ISSUES = (
    KnownIssue(
        "On a screen 320 pixels wide, such as a small phone, the table of recommendations in a "
        "report and a person's record with a long email address are wider than the screen, so "
        "you have to scroll sideways to read them.",
        "1.4.10 Reflow",
        "On a small phone, some pages are too wide. You have to move the page sideways.",
    ),
    KnownIssue(
        "When a panel member types in their workbook, the message saying their answer has been "
        "saved appears far below the box they are typing in, so it is easy to miss.",
        "4.1.3 Status Messages",
        "The message that says your answer is saved is a long way down the page.",
    ),
    KnownIssue(
        "Report PDFs issued before 7 December 2026 do not tell screen readers which table "
        "headings belong to which cells, and their smallest text is 8 point. Ask for a new "
        "copy and we will send one that does, in large print if you need it.",
        "1.3.1 Info and Relationships",
        "Old reports on paper can be hard to read. Ask us and we will send a new one.",
    ),
)
