"""The pack's dates: its two deadlines, its reminder points and the panel's reading window.

- Core items: no later than CORE_HOURS_BEFORE (24) hours before the review (NHS England policy).
- Everything else: by a target date, TARGET_WORKING_DAYS working days before the day (a local
  choice, ADR 0016; working days are Monday to Friday less England's bank holidays,
  ctr_portal/working_days.py).
- Short notice: a pack made too late for a deadline gives SHORT_NOTICE_WORKING_DAYS working days
  from when it was made (capped by the review itself): "as soon as possible, and by" that date,
  never a deadline passed the moment the pack exists.
- Reminders: REMINDER_DAYS days before each deadline, and on it.
- The panel reads from the day the review is ready, or PANEL_OPENS_DAYS_BEFORE days before the
  day if sooner, to PANEL_CLOSES_DAYS_AFTER days after it, inclusive.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ctr_portal.deadlines import Series
from ctr_portal.formatting import nhs_datetime
from ctr_portal.policy import LocalChoice
from ctr_portal.working_days import working_days_after, working_days_before
from reviews.models import ReviewState

# NHS England policy (the C(E)TR policy's timescales, domain.md §3): core documents reach the
# panel no later than 24 hours before the review; other documents may come on the day.
CORE_HOURS_BEFORE = 24
TARGET_WORKING_DAYS = LocalChoice(
    "documents.target_working_days",
    "Other pack documents: due this many working days before the review",
    default=5,
    source=(
        "Local choice, not NHS policy: the policy lets other documents come on the day; a "
        "working week before gives the panel time to read them."
    ),
    unit="working days",
)
SHORT_NOTICE_WORKING_DAYS = LocalChoice(
    "documents.short_notice_working_days",
    "Short notice: the least time, in working days from when the pack is made, given for it",
    default=2,
    source=(
        "Local choice, not NHS policy: a review arranged at short notice still goes ahead "
        "(domain.md §3 asks for 14 days' notice, ideally); two working days is the least time "
        "in which a provider can gather and share its documents."
    ),
    unit="working days",
)
# Local choice: those who still owe items are reminded a week, three days and a day before each
# deadline (and on it): early enough to act, not so often that it is ignored.
REMINDER_DAYS = (7, 3, 1)
# Local choice: the panel reads the pack from a week before the day (or once the review is
# ready) to two weeks after it, the time the report is written in (reports/policy.py).
PANEL_OPENS_DAYS_BEFORE = 7
PANEL_CLOSES_DAYS_AFTER = 14

TARGET_TIME = time(17, 0)  # the target date ends at close of business
# A panel never reads the pack of a review that is not going ahead.
WINDOW_SHUT_STATES = (ReviewState.PLANNED, ReviewState.POSTPONED, ReviewState.CANCELLED)
READY_OR_LATER = (
    ReviewState.READY,
    ReviewState.HELD,
    ReviewState.REPORT_DRAFTING,
    ReviewState.REPORT_ISSUED,
    ReviewState.FOLLOW_UP,
    ReviewState.CLOSED,
)


@dataclass(frozen=True)
class Deadline:
    key: str  # "core" or "target"
    label: str
    due_at: datetime
    # The pack was made too late for the usual deadline: this one is later, and asked for
    # "as soon as possible".
    short_notice: bool = False

    def passed(self, now=None) -> bool:
        return (now or timezone.now()) >= self.due_at

    @property
    def due_on(self) -> date:
        return timezone.localdate(self.due_at)

    @property
    def wording(self) -> str:
        """ "3 March 2026 at 5pm", or "As soon as possible, and by 3 March 2026 at 5pm"."""
        when = nhs_datetime(self.due_at)
        return f"As soon as possible, and by {when}" if self.short_notice else when


def review_day(review) -> date | None:
    if review.held_on:
        return review.held_on
    if review.starts_at:
        return timezone.localdate(review.starts_at)
    return None


_UNKNOWN = object()


def deadlines(review, *, pack_made_at=_UNKNOWN) -> dict[str, Deadline]:
    """{"core": ..., "target": ...}, or {} while the review has no date. `pack_made_at` is when
    the pack was made (looked up when not given; None while there is none): a deadline it
    leaves too little time for moves to SHORT_NOTICE_WORKING_DAYS working days after it,
    no later than the start of the review day for core items and the core deadline for the
    rest."""
    if not review.starts_at:
        return {}
    if pack_made_at is _UNKNOWN:
        pack_made_at = _pack_made_at(review)
    day = timezone.localdate(review.starts_at)
    core = review.starts_at - timedelta(hours=CORE_HOURS_BEFORE)
    target_day = working_days_before(day, TARGET_WORKING_DAYS.value())
    target = min(timezone.make_aware(datetime.combine(target_day, TARGET_TIME)), core)
    if pack_made_at is None or timezone.localdate(pack_made_at) >= day:
        floor = None  # no pack yet, or one made for a review recorded after it happened
    else:
        floor_day = working_days_after(
            timezone.localdate(pack_made_at), SHORT_NOTICE_WORKING_DAYS.value()
        )
        floor = timezone.make_aware(datetime.combine(floor_day, TARGET_TIME))
    review_day_starts = timezone.make_aware(datetime.combine(day, time(0)))
    core_due, core_short = _later(core, floor, cap=max(review_day_starts, core))
    target_due, target_short = _later(target, floor, cap=max(core_due, target))
    return {
        "core": Deadline("core", "Core documents", core_due, core_short),
        "target": Deadline("target", "Other documents", target_due, target_short),
    }


OWERS = "owers"
COMMISSIONER = "commissioner"


def notice_series() -> tuple[Series, ...]:
    """When each deadline's notices go (ctr_portal.deadlines): to whoever still owes its items
    REMINDER_DAYS days before it and on it (the latest of those that has come); to the
    commissioner once it has passed with items owed."""
    before = sorted({-d for d in REMINDER_DAYS} | {0})
    return (
        Series("reminder", OWERS, days=tuple(before)),
        Series("passed", COMMISSIONER, days=(0,)),
    )


def _later(due: datetime, floor: datetime | None, *, cap: datetime) -> tuple[datetime, bool]:
    """(`due`, or `floor` if that is later but never after `cap`; whether it moved)."""
    if floor is None or floor <= due:
        return due, False
    moved = min(floor, cap)
    return moved, moved > due


def _pack_made_at(review) -> datetime | None:
    from .models import DocumentPack

    return DocumentPack.objects.filter(review=review).values_list("created_at", flat=True).first()


@dataclass(frozen=True)
class PanelWindow:
    opens_on: date | None
    closes_on: date | None
    is_open: bool

    @property
    def has_closed(self) -> bool:
        return self.closes_on is not None and timezone.localdate() > self.closes_on


def panel_window(review, today=None) -> PanelWindow:
    today = today or timezone.localdate()
    day = review_day(review)
    if day is None or review.state in WINDOW_SHUT_STATES:
        return PanelWindow(None, None, False)
    opens_on = day - timedelta(days=PANEL_OPENS_DAYS_BEFORE)
    closes_on = day + timedelta(days=PANEL_CLOSES_DAYS_AFTER)
    if review.state in READY_OR_LATER:
        opens_on = min(opens_on, today)
    return PanelWindow(opens_on, closes_on, opens_on <= today <= closes_on)


# --- What the panel's viewer can show: the limits of a PDF (security issue 19) ----------------
# Every page of a PDF a panel member opens is watermarked inside the request (watermark.py), so
# the pages a PDF may have bound the time a view takes. Checked when a PDF is uploaded
# (sniff.pdf_limits_problem) and when LibreOffice makes the PDF of an office document (a
# rendition over them fails as any failed conversion does).

# Local choice: the watermark takes one render (about half a second) and then 1 to 2 ms a page
# (6,000 pages of text in 10 s on a loaded development machine; bench: "Watermarking"), so a
# view of the largest PDF stays well inside the web worker's 30-second time-out; no pack
# document a panel reads comes near 2,000 pages.
MAX_PDF_PAGES = 2000
# Local choice: a real document has a handful of page sizes (counted to the whole point, as
# shown); hundreds mark a crafted file. The watermark's cost no longer depends on them; the
# limit keeps any future work per page size bounded.
MAX_PDF_PAGE_SIZES = 200
