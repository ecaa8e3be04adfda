"""The service measures (ADR 0014). Each is one function of rows.py, reading through the
querysets of the app that owns the data, returning the rows it counts, each annotated
`period_day` and `met`. Where a dashboard card shows the same figure, the card and the measure
call the one definition in the owning app (late reports: `reports.queries.reports_due_in`;
overdue reviews: `Review.objects.overdue`), so they cannot disagree (tested).
The figure, the monthly chart and the drill-down page all come from that one queryset: the
figure is the rows grouped by month in one query, the drill-down lists the same rows, so the two
cannot disagree (tested)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from reports import queries as reports_queries

from . import rows as measure_rows
from .periods import Period

REVIEW, RECOMMENDATION, FEEDBACK, VISIT = "review", "recommendation", "feedback", "visit"


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    numerator: str  # what a row in the numerator is, after "N of M …"
    denominator: str  # what a row is
    period_by: str  # which date puts a row in the period
    rows: Callable  # (org_ids, period, today) -> queryset
    row_kind: str = REVIEW
    snapshot: bool = False  # a count of rows now, not a share over the period
    chart: bool = False


def _held(org_ids, period):
    return measure_rows.reviews_held(org_ids, start=period.start, end=period.end)


MEASURES = [
    Measure(
        "reviews-on-time",
        "Reviews held by their due date",
        "held on or before the due date",
        "reviews due in the period that were held, or whose due date has passed",
        "the due date",
        lambda org_ids, period, today: measure_rows.reviews_due(
            org_ids, start=period.start, end=period.end, today=today
        ),
        chart=True,
    ),
    Measure(
        "post-admission",
        "Post-admission reviews within 28 days (adults) or the children's timescale",
        "held on or before the due date",
        "post-admission reviews due in the period that were held, or whose due date has passed",
        "the due date",
        lambda org_ids, period, today: measure_rows.reviews_due(
            org_ids,
            start=period.start,
            end=period.end,
            today=today,
            rules=measure_rows.POST_ADMISSION_RULES,
        ),
    ),
    Measure(
        "reviews-overdue",
        "Reviews overdue now",
        "",
        "reviews not held whose due date has passed",
        "today (not the period)",
        lambda org_ids, period, today: measure_rows.reviews_overdue(org_ids, today=today),
        snapshot=True,
    ),
    Measure(
        "packs-complete",
        "Document packs complete by the 24-hour deadline",
        "had every core document settled by the deadline",
        "reviews held in the period that had a date and a document pack",
        "the day the review was held",
        lambda org_ids, period, today: measure_rows.packs_on_time(_held(org_ids, period)),
    ),
    Measure(
        "reports-on-time",
        "Reports issued within 14 days",
        "had the report issued within the time allowed",
        "reviews held in the period whose report was issued, or is past its due date",
        "the day the review was held",
        lambda org_ids, period, today: reports_queries.reports_due_in(
            org_ids, start=period.start, end=period.end, today=today
        ),
        chart=True,
    ),
    Measure(
        "recommendations-on-time",
        "Recommendations done by their due date",
        "marked done on or before the due date",
        "recommendations due in the period that were closed, or whose due date has passed",
        "the due date",
        lambda org_ids, period, today: measure_rows.recommendations_due(
            org_ids, start=period.start, end=period.end, today=today
        ),
        row_kind=RECOMMENDATION,
        chart=True,
    ),
    Measure(
        "recommendations-overdue",
        "Recommendations overdue now",
        "",
        "open recommendations past their due date today",
        "today (not the period)",
        lambda org_ids, period, today: measure_rows.recommendations_overdue(org_ids, today=today),
        row_kind=RECOMMENDATION,
        snapshot=True,
    ),
    Measure(
        "recommendations-escalated",
        "Recommendations escalated and still open",
        "",
        "open recommendations escalated to an oversight panel",
        "today (not the period)",
        lambda org_ids, period, today: measure_rows.recommendations_escalated_open(org_ids),
        row_kind=RECOMMENDATION,
        snapshot=True,
    ),
    Measure(
        "families-involved",
        "Families involved",
        "had a family carer or advocate taking part",
        "reviews held in the period",
        "the day the review was held",
        lambda org_ids, period, today: measure_rows.reviews_with_family(
            org_ids, start=period.start, end=period.end
        ),
    ),
    Measure(
        "feedback-involved",
        "Feedback: felt involved",
        "answered “Mostly” or “Completely”",
        "feedback answers on reviews held in the period",
        "the day the review was held",
        lambda org_ids, period, today: measure_rows.feedback(
            org_ids, start=period.start, end=period.end, question="involved"
        ),
        row_kind=FEEDBACK,
    ),
    Measure(
        "feedback-clear",
        "Feedback: information was clear",
        "answered “Mostly” or “Completely”",
        "feedback answers on reviews held in the period",
        "the day the review was held",
        lambda org_ids, period, today: measure_rows.feedback(
            org_ids, start=period.start, end=period.end, question="clear"
        ),
        row_kind=FEEDBACK,
    ),
    Measure(
        "visits-on-time",
        "Oversight visits on time",
        "made within 8 weeks (adults) or 6 weeks (children) of the last visit or admission",
        "oversight visits made in the period",
        "the day of the visit",
        lambda org_ids, period, today: measure_rows.visits(
            org_ids, start=period.start, end=period.end
        ),
        row_kind=VISIT,
    ),
]
BY_KEY = {m.key: m for m in MEASURES}


@dataclass
class Month:
    first: date
    total: int = 0
    met: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.total) if self.total else None


@dataclass
class Figure:
    measure: Measure
    total: int = 0
    met: int = 0
    months: list[Month] = field(default_factory=list)

    @property
    def percent(self) -> int | None:
        return round(100 * self.met / self.total) if self.total else None


def rows(measure: Measure, org_ids, period: Period, today: date):
    """The rows behind a figure, in the order the drill-down lists them."""
    return measure.rows(org_ids, period, today).order_by("period_day", "pk")


def figure(measure: Measure, org_ids, period: Period, today: date) -> Figure:
    """The measure's figure for the period: one query over the same rows the drill-down lists
    (grouped by month for a share; counted for a snapshot)."""
    qs = measure.rows(org_ids, period, today)
    if measure.snapshot:
        return Figure(measure, total=qs.count())
    grouped = (
        qs.order_by()
        .annotate(month=TruncMonth("period_day"))
        .values("month")
        .annotate(n=Count("pk"), n_met=Count("pk", filter=Q(met=True)))
    )
    by_month = {g["month"]: g for g in grouped}
    months = []
    for first in period.months():
        g = by_month.get(first, {"n": 0, "n_met": 0})
        months.append(Month(first, g["n"], g["n_met"]))
    return Figure(
        measure,
        total=sum(m.total for m in months),
        met=sum(m.met for m in months),
        months=months,
    )


def figures(org_ids, period: Period, today: date) -> list[Figure]:
    return [figure(m, org_ids, period, today) for m in MEASURES]
