"""The rows each service measure counts (ADR 0014), read through the querysets of the apps that
own the data (the metrics app writes nothing). Each returns a queryset annotated `period_day`
(the date that puts the row in a period) and `met` (whether it counts towards the numerator);
measures.py takes the figure and the drill-down from the same queryset. Callers have checked
that the user may see `org_ids`."""

from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from documents.models import SETTLED_STATUSES, DocumentPack, PackItem
from documents.policy import CORE_HOURS_BEFORE
from oversight import policy as oversight_policy
from oversight.models import OversightVisit
from portal.models import Feedback
from recommendations.models import Recommendation, State
from reviews.models import Review, ReviewState

POST_ADMISSION_RULES = ("post_admission_adult", "post_admission_child")
FEEDBACK_GOOD = 3  # "Mostly" or "Completely" (our choice of threshold)
EIGHTEEN_YEARS = timedelta(days=6575)


def _met(q: Q) -> ExpressionWrapper:
    return ExpressionWrapper(q, output_field=BooleanField())


# --- Reviews ---------------------------------------------------------------------------------


def reviews_due(org_ids, *, start: date, end: date, today: date, rules=None):
    """Reviews of `org_ids` (not cancelled) due from `start` to `end` whose outcome is known:
    held, or due before `today`. `met`: held on or before the due date."""
    qs = Review.objects.commissioned_by(org_ids).due_between(start, end).outcome_known(today)
    if rules is not None:
        qs = qs.filter(due_rule__in=rules)
    return qs.annotate(
        period_day=F("due_date"),
        met=_met(Q(held_on__isnull=False, held_on__lte=F("due_date"))),
    ).select_related("person")


def reviews_overdue(org_ids, *, today: date):
    """Reviews of `org_ids` overdue today (`Review.objects.overdue`, the overdue reviews the
    commissioner's dashboard counts); `period_day` is the due date, `met` is never true."""
    return (
        Review.objects.commissioned_by(org_ids)
        .overdue(today)
        .annotate(period_day=F("due_date"), met=_met(Q(pk__isnull=True)))
        .select_related("person")
    )


def reviews_held(org_ids, *, start: date, end: date):
    """Reviews of `org_ids` (not cancelled) held from `start` to `end`; `period_day` is the day
    held. The measures below annotate `met` on these."""
    return (
        Review.objects.commissioned_by(org_ids)
        .held_between(start, end)
        .annotate(period_day=F("held_on"))
        .select_related("person")
    )


def reviews_with_family(org_ids, *, start: date, end: date):
    """`reviews_held`; `met`: a family carer or advocate took part."""
    return reviews_held(org_ids, start=start, end=end).with_family().annotate(met=F("has_family"))


def packs_on_time(reviews):
    """Held `reviews` (from `reviews_held`) that had a date and a document pack, with `met`:
    every core item settled (provided, not applicable or not held) no later than
    CORE_HOURS_BEFORE hours before the review started. `pack_late_core`: how many core items
    were late or are still outstanding."""
    deadline = ExpressionWrapper(
        OuterRef("starts_at") - timedelta(hours=CORE_HOURS_BEFORE),
        output_field=DateTimeField(),
    )
    late = PackItem.objects.filter(pack__review=OuterRef("pk"), core=True).filter(
        ~Q(status__in=SETTLED_STATUSES) | Q(settled_at__isnull=True) | Q(settled_at__gt=deadline)
    )
    late_count = late.order_by().values("pack__review").annotate(n=Count("pk")).values("n")
    return (
        reviews.filter(starts_at__isnull=False)
        .filter(Exists(DocumentPack.objects.filter(review=OuterRef("pk"))))
        .annotate(met=~Exists(late), pack_late_core=Coalesce(Subquery(late_count), 0))
    )  # one query: the count rides on each row


# --- Recommendations ---------------------------------------------------------------------------
# Of reviews whose commissioner is among `org_ids`. Drafts and superseded ones are not counted.


def _recommendations(org_ids):
    return (
        Recommendation.objects.filter(review__commissioner_id__in=org_ids)
        .exclude(state__in=(State.DRAFT, State.SUPERSEDED))
        .select_related("review__person", "owner")
    )


def recommendations_due(org_ids, *, start: date, end: date, today: date):
    """Due from `start` to `end`, and done, not achieved, or due before `today`; `met`: marked
    done on or before the due date."""
    return (
        _recommendations(org_ids)
        .filter(due_date__gte=start, due_date__lte=end)
        .filter(Q(state__in=(State.DONE, State.NOT_ACHIEVED)) | Q(due_date__lt=today))
        .annotate(period_day=F("due_date"), closed_on=TruncDate("closed_at"))
        .annotate(met=_met(Q(state=State.DONE, closed_on__lte=F("due_date"))))
    )


def recommendations_overdue(org_ids, *, today: date):
    """Open now and past their due date."""
    return _recommendations(org_ids).overdue(today).annotate(period_day=F("due_date"))


def recommendations_escalated_open(org_ids):
    """Escalated to an oversight panel and still open."""
    return (
        _recommendations(org_ids)
        .open()
        .filter(escalated_to__isnull=False)
        .annotate(period_day=TruncDate("escalated_at"))
        .select_related("escalated_to")
    )


# --- Feedback and oversight visits -------------------------------------------------------------


def feedback(org_ids, *, start: date, end: date, question: str):
    """Feedback on reviews of `org_ids` held from `start` to `end`; `met`: the answer to
    `question` ("involved" or "clear") was "Mostly" or "Completely"."""
    return (
        Feedback.objects.filter(
            review__commissioner_id__in=org_ids,
            review__held_on__gte=start,
            review__held_on__lte=end,
        )
        .exclude(review__state=ReviewState.CANCELLED)
        .annotate(
            period_day=F("review__held_on"),
            met=_met(Q(**{f"{question}__gte": FEEDBACK_GOOD})),
        )
        .select_related("review__person")
    )


def visits(org_ids, *, start: date, end: date):
    """Oversight visits from `start` to `end` to people whose responsible commissioner is among
    `org_ids`, annotated `counted_from` (the previous visit since the admission, else the
    admission), `visit_due` (that plus 6 weeks for a child, 8 for an adult, by age on that day;
    a year is taken as 365.25 days) and `met`: made on or before `visit_due`. Visits with
    nothing to count from are left out."""
    previous = (
        OversightVisit.objects.filter(
            person=OuterRef("person"),
            visited_on__lt=OuterRef("visited_on"),
            visited_on__gte=OuterRef("person__admission_date"),
        )
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )

    def plus(weeks):
        return ExpressionWrapper(
            F("counted_from") + timedelta(weeks=weeks), output_field=DateField()
        )

    eighteen = ExpressionWrapper(F("counted_from") - EIGHTEEN_YEARS, output_field=DateField())
    child = When(person__date_of_birth__gt=eighteen, then=plus(oversight_policy.VISIT_WEEKS_CHILD))
    return (
        OversightVisit.objects.filter(
            person__responsible_commissioner_id__in=org_ids,
            visited_on__gte=start,
            visited_on__lte=end,
        )
        .annotate(counted_from=Coalesce(Subquery(previous), F("person__admission_date")))
        .filter(counted_from__isnull=False)
        .annotate(
            period_day=F("visited_on"),
            visit_due=Case(
                child, default=plus(oversight_policy.VISIT_WEEKS_ADULT), output_field=DateField()
            ),
        )
        .annotate(met=_met(Q(visited_on__lte=F("visit_due"))))
        .select_related("person")
    )
