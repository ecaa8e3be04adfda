"""How much a person may type, and which dates they may enter: the limits every form shares.

Text: every CharField and TextField, in the models and in the forms, has a `max_length`; these
are the sizes the free-text fields share. A textarea with a `max_length` renders as the NHS.UK
character count, and text that is too long is refused with "<Field> must be N characters or
fewer" (`ctr_portal.nhsuk.NHSUKFormMixin`).

Dates: every date a person types is a `SplitDateField(bounds=...)` with one of the bounds
below, so a review cannot be set for 2126, nor a birth for next week. The messages follow the
NHS service manual ("Date of birth must be in the past").

`tests/test_form_limits.py` walks every form and model of the project's apps and fails on a
text field without a maximum length, a date field without bounds, or an integer field without
both a minimum and a maximum (an id is 1 to `INTEGER_MAX`).
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

# --- Text -------------------------------------------------------------------------------------

NOTE = 2_000  # a reason, a note, how to talk with someone: a paragraph or two
LONG_NOTE = 5_000  # what was agreed at a meeting, what the person said in their own words
WORKBOOK_TEXT = 20_000  # a panel's findings, evidence and suggested recommendations
FILE_REASON = 500  # why a document is not held, or was deleted
PASSWORD = 128  # long enough for any passphrase or password manager; bounds the hashing work


def too_long_message(subject: str, limit: int) -> str:
    """'Reason must be 2,000 characters or fewer' (the NHS service manual's wording)."""
    return f"{subject} must be {limit:,} characters or fewer"


def too_long(subject: str, limit: int) -> dict:
    """A field's `error_messages` for text over its limit, for a field whose label does not
    read well in the message (a question): `error_messages=too_long("Reason", NOTE)`. Other
    fields get "<Label> must be N characters or fewer" from NHSUKFormMixin."""
    return {"max_length": too_long_message(subject, limit)}


# --- Numbers ----------------------------------------------------------------------------------

# The largest integer the database takes: ids are BigAutoField, a signed 64-bit integer on
# PostgreSQL (bigint) and on SQLite (INTEGER) alike. A larger number typed into a query string
# reaches the driver as an error (OverflowError on SQLite), so every integer a form reads from a
# request is bounded by it: an id is 1 to INTEGER_MAX, and anything past it is the form's error
# (the filter ignored, as any bad value is), not a 500.
INTEGER_MAX = 2**63 - 1


# --- Dates ------------------------------------------------------------------------------------

PAST = "past"
TODAY_OR_PAST = "today or past"
TODAY_OR_FUTURE = "today or future"


def _years_from(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (or earlier, when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class DateBounds:
    """The dates a field accepts, relative to today (the local date).

    when: PAST (before today), TODAY_OR_PAST or TODAY_OR_FUTURE.
    after: the value must be after this date (a floor for dates long ago, like a birth).
    years: how far back (a past date) or ahead (a future date) the value may be, inclusive of
        the same day that many years away.
    """

    when: str
    after: datetime.date | None = None
    years: int | None = None

    def __post_init__(self):
        if self.when not in (PAST, TODAY_OR_PAST, TODAY_OR_FUTURE):
            raise ValueError(f"when must be PAST, TODAY_OR_PAST or TODAY_OR_FUTURE: {self.when}")

    def problem(self, value: datetime.date, today: datetime.date | None = None) -> str | None:
        """The message for a date out of bounds, with %(label)s for what the date is; or None."""
        today = today or timezone.localdate()
        future = self.when == TODAY_OR_FUTURE
        if self.when == PAST and value >= today:
            return "%(label)s must be in the past"
        if self.when == TODAY_OR_PAST and value > today:
            return "%(label)s must be today or in the past"
        if future and value < today:
            return "%(label)s must be today or in the future"
        if self.after and value <= self.after:
            return f"%(label)s must be after {self.after:%-d %B %Y}"
        if self.years:
            span = "year" if self.years == 1 else f"{self.years} years"
            if future and value > _years_from(today, self.years):
                return f"%(label)s must be within the next {span}"
            if not future and value < _years_from(today, -self.years):
                return f"%(label)s must be within the last {span}"
        return None


EARLIEST_BIRTH = datetime.date(1900, 1, 1)
# Nobody in hospital now was admitted before this; it catches 1926 typed for 2026.
EARLIEST_ADMISSION = datetime.date(1950, 1, 1)

# A date of birth.
BIRTH = DateBounds(PAST, after=EARLIEST_BIRTH)
# Where someone lives and was treated: admissions, discharges and moves, however long ago.
CARE_HISTORY = DateBounds(TODAY_OR_PAST, after=EARLIEST_ADMISSION)
# Something that happened lately and is being acted on: the event a review answers, a consent
# decision for a review, a blue light (LAEP) meeting.
RECENT_EVENT = DateBounds(TODAY_OR_PAST, years=2)
# A date being planned: the day of a review.
PLANNED = DateBounds(TODAY_OR_FUTURE, years=2)
