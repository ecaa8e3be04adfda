"""Reads for oversight visits and the national returns. People and reviews come through
reviews.queries and the reviews querysets; organisations through ctr_portal.queries. Each list
makes a fixed number of queries whatever its length (tested)."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce, TruncDate

from ctr_portal.models import Organisation
from ctr_portal.queries import memberships_for_user
from reviews import queries as reviews_queries
from reviews.models import DsrRating, DsrRatingChange, Review, ReviewKind, ReviewState

from . import policy
from .models import HomeArea, OversightVisit, home_icb_id, visit_interval

# --- Where the person is placed, and when a visit is due -------------------------------------

OVERDUE = "overdue"
DUE_SOON = "due_soon"
NOT_DUE = "not_due"


@dataclass
class Placement:
    """A person in hospital, their home area and the hospital's, and their oversight visits."""

    person: object
    home: Organisation | None
    host: Organisation | None
    last_visit: date | None

    @property
    def out_of_area(self) -> bool | None:
        """True when placed outside their home area, None when either area is not known."""
        if not self.person.in_hospital:
            return False
        if self.home is None or self.host is None:
            return None
        return self.home.pk != self.host.pk

    @property
    def counts_from(self) -> date | None:
        return self.last_visit or self.person.admission_date

    @property
    def due(self) -> date | None:
        """The last visit (or the admission) plus the interval; None with neither recorded."""
        start = self.counts_from
        return start + visit_interval(self.person, start) if start else None

    def status(self, today: date) -> str:
        due = self.due
        if due is None or due < today:
            return OVERDUE
        if due <= today + timedelta(days=policy.VISIT_DUE_SOON_DAYS):
            return DUE_SOON
        return NOT_DUE


def _home(person, home_area):
    if home_area is not None:
        return home_area.icb
    return person.responsible_commissioner if home_icb_id(person, None) else None


def placement_for(person) -> Placement:
    """The person's placement, in two queries (their recorded home area, their last visit)."""
    home_area = HomeArea.objects.select_related("icb").filter(person=person).first()
    last = (
        OversightVisit.objects.filter(person=person)
        .order_by("-visited_on")
        .values_list("visited_on", flat=True)
        .first()
    )
    return Placement(person, _home(person, home_area), person.host_commissioner, last)


def out_of_area_placements(org_ids) -> list[Placement]:
    """People in hospital commissioned by `org_ids` whose home area is known and is not the
    hospital's host commissioner, soonest visit due first. One query."""
    last_visit = (
        OversightVisit.objects.filter(person=OuterRef("pk"))
        .order_by("-visited_on")
        .values("visited_on")[:1]
    )
    home = Coalesce(
        F("oversight_home_area__icb_id"),
        Case(
            When(
                responsible_commissioner__kind=Organisation.Kind.ICB,
                then=F("responsible_commissioner_id"),
            )
        ),
    )
    people = (
        reviews_queries.people_in_hospital_commissioned_by(org_ids)
        .select_related("oversight_home_area__icb")
        .annotate(home_icb=home, last_visit=Subquery(last_visit))
        .filter(host_commissioner__isnull=False, home_icb__isnull=False)
        .exclude(home_icb=F("host_commissioner_id"))
    )
    placements = [
        Placement(
            p,
            _home(p, getattr(p, "oversight_home_area", None)),
            p.host_commissioner,
            p.last_visit,
        )
        for p in people
    ]
    return sorted(placements, key=lambda pl: (pl.due or date.min, pl.person.pk))


def visits_due_for_user(user) -> list[Placement]:
    """Out-of-area placements of the user's commissioning organisations."""
    org_ids = reviews_queries.commissioning_org_ids(user)
    return out_of_area_placements(org_ids) if org_ids else []


def visits_for_person(person) -> list[OversightVisit]:
    return list(OversightVisit.objects.filter(person=person).select_related("recorded_by"))


def icb_choices():
    """Every integrated care board, by name: a person's home area may be any of them."""
    from ctr_portal.queries import organisations_of_kinds

    return organisations_of_kinds([Organisation.Kind.ICB])


# --- The national returns ----------------------------------------------------------------


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def at_organisations(user) -> list[Organisation]:
    """The commissioning organisations the user may take the Assuring Transformation return
    for: their own."""
    return reviews_queries.commissioning_organisations(user)


def mhsds_organisations(user) -> list[Organisation]:
    """The providers the user may take the MHSDS return for: their own."""
    return [
        m.organisation
        for m in memberships_for_user(user)
        if m.organisation.kind == Organisation.Kind.PROVIDER
    ]


def _post_admission_on_time(person, end: date) -> bool | None:
    due, held = person.post_admission_due, person.post_admission_held
    if due is None:
        return None
    if held is not None and held <= end:
        return held <= due
    if due <= end:
        return False
    return None


def _people_in_the_at_return(org_ids, *, until: date):
    """`reviews.queries.people_in_hospital_commissioned_by`, admitted on or before `until` (or
    with no admission date), each annotated with what the Assuring Transformation return reads
    from reviews: `on_register_before_admission` (rated red, amber or green before the
    admission date), `last_review_held` (on or before `until`), and the first post-admission
    review since the admission (`post_admission_due`, `post_admission_held`). One query."""
    before_admission = (
        DsrRatingChange.objects.filter(
            person=OuterRef("pk"),
            rating__in=[DsrRating.RED, DsrRating.AMBER, DsrRating.GREEN],
        )
        .annotate(day=TruncDate("recorded_at"))
        .filter(day__lt=OuterRef("admission_date"))
    )
    post_admission = (
        Review.objects.filter(
            person=OuterRef("pk"),
            kind=ReviewKind.POST_ADMISSION,
            due_date__gte=OuterRef("admission_date"),
        )
        .exclude(state=ReviewState.CANCELLED)
        .order_by("due_date", "pk")
    )
    held = Review.objects.filter(person=OuterRef("pk"), held_on__lte=until).exclude(
        state=ReviewState.CANCELLED
    )
    return (
        reviews_queries.people_in_hospital_commissioned_by(org_ids)
        .filter(Q(admission_date__lte=until) | Q(admission_date__isnull=True))
        .annotate(
            on_register_before_admission=Exists(before_admission),
            last_review_held=Subquery(
                held.order_by().values("person").annotate(last=Max("held_on")).values("last")
            ),
            post_admission_due=Subquery(post_admission.values("due_date")[:1]),
            post_admission_held=Subquery(post_admission.values("held_on")[:1]),
        )
        .order_by("family_name", "given_name", "pk")
    )


def at_records(organisation: Organisation, month: date) -> list[dict]:
    """The Assuring Transformation rows for the organisation and month, keyed as
    returns/assuring_transformation.toml names them. Two queries whatever the rows."""
    start, end = month_bounds(month)
    people = list(_people_in_the_at_return([organisation.pk], until=end))
    visits = {
        row["person"]: row
        for row in OversightVisit.objects.filter(person__in=[p.pk for p in people])
        .order_by()
        .values("person")
        .annotate(
            in_month=Count("pk", filter=Q(visited_on__gte=start, visited_on__lte=end)),
            last=Max("visited_on", filter=Q(visited_on__lte=end)),
        )
    }
    records = []
    for p in people:
        visit = visits.get(p.pk, {})
        records.append(
            {
                "nhs_number": p.nhs_number,
                "commissioner_ods_code": p.responsible_commissioner.ods_code,
                "hospital_ods_code": p.provider.ods_code if p.provider else "",
                "admission_date": p.admission_date,
                "setting": p.setting,
                "on_dsr_before_admission": (
                    p.on_register_before_admission if p.admission_date else None
                ),
                "last_review_date": p.last_review_held,
                "post_admission_on_time": _post_admission_on_time(p, end),
                "planned_discharge_date": p.planned_discharge_date,
                "oversight_visits_in_month": visit.get("in_month", 0),
                "last_oversight_visit_date": visit.get("last"),
            }
        )
    return records


def mhsds_records(organisation: Organisation, month: date) -> list[dict]:
    """The MHSDS rows for the provider and month, keyed as returns/mhsds.toml names them. One
    query whatever the rows."""
    start, end = month_bounds(month)
    return [
        {
            "local_patient_id": r.person.local_patient_id,
            "nhs_number": r.person.nhs_number,
            "provider_ods_code": r.provider.ods_code,
            "review_date": r.held_on,
            "review_type": "CETR" if r.is_child_review else "CTR",
            "review_kind": r.kind,
            "setting": r.setting,
            "activity_code": "",
        }
        for r in reviews_queries.reviews_held_for_providers([organisation.pk], start=start, end=end)
    ]
