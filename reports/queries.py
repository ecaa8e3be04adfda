"""Reads for the report. Each function takes a review the caller found through
`reviews.queries.review_for_user` (so the user has a part in it and the consent gate was read on
this request), or the user, and makes a fixed number of queries however many KLOEs, quotes,
recommendations or versions there are.

`report_content` is the one place the report's data is gathered: the page's preview, the
worker's PDF, the easy read version and an issued version's frozen HTML are all drawn from it,
so a change in the data shows in the next draft and nothing is retyped.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from ctr_portal.formatting import nhs_date
from documents.models import ItemStatus
from documents.queries import EHC_PLAN_CODE, pack_for_report, pack_made
from panels.models import QuoteFrom, Rating
from panels.queries import panel_for_review, report_parts, workbooks_of_panel
from recommendations.models import Recommendation
from recommendations.models import State as RecommendationState
from recommendations.plain import PLAIN_STATE, plain_progress
from reviews import policy
from reviews.models import (
    PANEL_ROLES,
    MentalHealthActStatus,
    ParticipantRole,
    Review,
    ReviewKind,
)
from reviews.queries import (
    previous_held_annotations,
    previous_held_review,
    restrictive_practices_for_person,
)

from .models import (
    KEY_QUESTIONS,
    PdfKind,
    ReportComment,
    ReportDraft,
    ReportPdf,
    ReportVersion,
    section_label,
)
from .policy import DUE_DAYS
from .rules import report_open_to


@dataclass
class Finding:
    kloe: object
    consolidated: object  # panels ConsolidatedKloe, or None before the chair writes it
    quotes: list = field(default_factory=list)  # panels Evidence marked as own words
    documents: list = field(default_factory=list)  # pack Documents the members' evidence cites

    @property
    def rating_label(self) -> str:
        c = self.consolidated
        return c.get_rating_display() if c is not None and c.rating else "Not yet agreed"


@dataclass
class ReportContent:
    review: object
    person: object
    draft: ReportDraft
    review_date: date | None
    panel_members: list
    others: list
    consent: object  # the latest ConsentRecord, or None
    receivers: list  # names of those who may receive the report
    findings: list  # Finding, in KLOE order
    recommendations: list
    next_review_due: date | None
    next_review_basis: str
    drafted_on: date
    # What the person told the panel in their planner: (heading, answer) for each answer given,
    # and who helped, or that it was typed in from paper.
    planner: list = field(default_factory=list)
    planner_helped_by: str = ""
    # About the person, from their record: (label, value) rows that apply to them.
    record: list = field(default_factory=list)
    # A C(E)TR's education and local authority: (label, value) rows the data holds.
    education: list = field(default_factory=list)
    # The pack: None when none was made; the documents the panel had, and the items missing.
    pack_made: bool = False
    documents_read: list = field(default_factory=list)  # Document, with .item
    documents_missing: list = field(default_factory=list)  # PackItem
    family_said: list = field(default_factory=list)  # panels Evidence in the family's words
    concerns: list = field(default_factory=list)  # panels Concern, with answer and KLOE
    # The previous review's recommendations: (Recommendation, where it stands in plain words).
    previous_recommendations: list = field(default_factory=list)
    # What changed since the person's previous held review, or None when this is their first.
    since_last_review: "SinceLastReview | None" = None

    @property
    def is_child(self) -> bool:
        return self.review.is_child_review

    @property
    def in_hospital(self) -> bool:
        return self.review.is_hospital_review

    @property
    def key_questions(self) -> list[tuple[str, str]]:
        child = self.review.is_child_review
        return [(section_label(s, child=child), self.draft.text(s)) for s in KEY_QUESTIONS]

    @property
    def header(self) -> str:
        """The running header: the person's name and the review date."""
        when = nhs_date(self.review_date) if self.review_date else "date not set"
        return f"{self.person.full_name} · {self.review.type_label} held {when}"


# What the report's pages load with the review, in its one query: the person's planner, the
# chair's draft, and (`review_annotations`) the key, date and kind of the person's previous
# held review and whether a document pack was made.
REVIEW_WITH = ("planner", "report_draft")


def review_annotations() -> dict:
    return {
        **previous_held_annotations(),
        "report_pack_made": Exists(pack_made(OuterRef("pk"))),
    }


def _previous(review):
    """The person's previous held review: from the annotations the report's pages load with the
    review (an unsaved stand-in with its key, date and kind), or else one query."""
    if not hasattr(review, "previous_held_pk"):
        return previous_held_review(review)
    if review.previous_held_pk is None:
        return None
    return Review(
        pk=review.previous_held_pk,
        person=review.person,
        held_on=review.previous_held_on,
        kind=review.previous_held_kind,
    )


def draft_for(review) -> ReportDraft:
    """The chair's narrative, or an unsaved empty one until the first save: loaded with the
    review where its page asked (REVIEW_WITH), else one query."""
    if "report_draft" in review._state.fields_cache:
        return review._state.fields_cache["report_draft"] or ReportDraft(review=review)
    return ReportDraft.objects.filter(review=review).first() or ReportDraft(review=review)


def members_key_questions(review) -> dict[str, str]:
    """The panel members' own answers to the four key questions, section by section, each
    with who wrote it: the chair's draft starts from them, to edit into the panel's answer (as
    the consolidation starts from the members' findings)."""
    panel = panel_for_review(review)
    if panel is None:
        return {}
    said: dict[str, list] = {}
    for workbook in workbooks_of_panel(panel):
        member = workbook.participant
        who = f"{member.name} ({member.get_role_display().lower()})"
        for section in KEY_QUESTIONS:
            answer = getattr(workbook, section.value).strip()
            if answer:
                said.setdefault(section.value, []).append(f"{who}: {answer}")
    return {section: "\n\n".join(answers) for section, answers in said.items()}


def _next_review(review, review_date):
    person = review.person
    if not person.in_hospital or review_date is None:
        return None, "When it is needed: the person lives in the community"
    due = policy.due_date_for(
        person=person, kind=ReviewKind.INPATIENT_REPEAT, today=review_date, last_held=review_date
    )
    return due.date, due.basis


def _panel_parts(review, previous) -> dict:
    """The findings KLOE by KLOE (with the quotes and the pack documents the members' evidence
    used), the family's own words, and the serious concerns: four queries."""
    parts = report_parts(review, previous=previous)
    quotes: dict[int, list] = {}
    family = []
    cited: dict[int, dict] = {}
    seen = set()
    for evidence in parts.evidence:
        kloe_id = evidence.answer.kloe_id
        if evidence.document_id and evidence.document.deleted_at is None:
            cited.setdefault(kloe_id, {})[evidence.document_id] = evidence.document
        if not evidence.quote_from:
            continue
        said = (kloe_id, evidence.quote_from, " ".join(evidence.shows.split()))
        if said not in seen:  # members often write down the same words
            seen.add(said)
            quotes.setdefault(kloe_id, []).append(evidence)
            if evidence.quote_from == QuoteFrom.FAMILY:
                family.append(evidence)
    findings = [
        Finding(kloe, consolidated, quotes.get(kloe.pk, []), list(cited.get(kloe.pk, {}).values()))
        for kloe, consolidated in parts.findings
    ]
    return {
        "findings": findings,
        "family_said": family,
        "concerns": parts.concerns,
        "then": parts.then,
    }


def length_of_stay(admitted: date, on: date) -> str:
    """ "120 days", or "2 years and 3 months (820 days)"."""
    days = (on - admitted).days
    months = (on.year - admitted.year) * 12 + on.month - admitted.month - (on.day < admitted.day)
    if months < 12:
        return f"{days} day{'s' if days != 1 else ''}"
    years, months = divmod(months, 12)
    said = f"{years} year{'s' if years != 1 else ''}"
    if months:
        said += f" and {months} month{'s' if months != 1 else ''}"
    return f"{said} ({days} days)"


def _record(review, review_date) -> list[tuple[str, str]]:
    """About the person, from their record: what applies to them (no admission for someone in
    the community)."""
    person = review.person
    rows = []
    if person.in_hospital:
        rows.append(("Mental Health Act status", person.get_mha_status_display()))
        if person.admission_date:
            rows.append(("Admitted on", nhs_date(person.admission_date)))
            on = review_date or timezone.localdate()
            rows.append(("Length of stay", length_of_stay(person.admission_date, on)))
        if person.ward:
            where = person.ward + (f", {person.provider.name}" if person.provider else "")
            rows.append(("Ward", where))
        elif person.provider:
            rows.append(("Hospital", person.provider.name))
        rows.append(("Setting and secure level", person.get_setting_display()))
        if person.planned_discharge_date:
            rows.append(("Planned discharge date", nhs_date(person.planned_discharge_date)))
    else:
        rows.append(("Where they live", person.get_setting_display()))
        if person.mha_status != MentalHealthActStatus.NOT_DETAINED:
            rows.append(("Mental Health Act status", person.get_mha_status_display()))
        if person.provider:
            rows.append(("Community service", person.provider.name))
    rows.append(
        (
            "Dynamic Support Register rating",
            person.get_dsr_rating_display() if person.dsr_rating else "Not rated",
        )
    )
    if person.responsible_clinician:
        rows.append(("Responsible clinician", person.responsible_clinician))
    if person.care_coordinator:
        rows.append(("Care coordinator", person.care_coordinator))
    if person.keyworker_name:
        rows.append(("Keyworker", person.keyworker_name))
    providers = [p.name for p in review.participants.all() if p.role == ParticipantRole.PROVIDER]
    if providers:
        rows.append(("Contact at the care provider", ", ".join(providers)))
    return rows


def _education(review, pack_items) -> list[tuple[str, str]]:
    """A C(E)TR's education and local authority, as the data holds them: the local authority,
    its representatives at the review, and whether the EHC plan is in the pack."""
    person = review.person
    rows = []
    if person.local_authority:
        rows.append(("Local authority", person.local_authority.name))
    represented = [
        p.name for p in review.participants.all() if p.role == ParticipantRole.LOCAL_AUTHORITY
    ]
    rows.append(
        (
            "The local authority's representative",
            ", ".join(represented) if represented else "Nobody from the local authority took part",
        )
    )
    for item in pack_items or []:
        if item.source_code == EHC_PLAN_CODE:
            if item.current_documents:
                state = "In the pack"
            elif item.reason:
                state = f"{item.get_status_display()} ({item.reason})"
            else:
                state = item.get_status_display()
            rows.append(("Education, health and care (EHC) plan", state))
    return rows


def _pack(review) -> dict:
    items = pack_for_report(review, made=getattr(review, "report_pack_made", None))
    if items is None:
        return {"pack_made": False, "pack_items": None}
    read = []
    for item in items:
        for document in item.current_documents:
            document.item = item
            read.append(document)
    missing = [i for i in items if i.status in (ItemStatus.OUTSTANDING, ItemStatus.NOT_HELD)]
    missing = [i for i in missing if not i.current_documents]
    return {
        "pack_made": True,
        "pack_items": items,
        "documents_read": read,
        "documents_missing": missing,
    }


def _recommendations(review, previous) -> dict:
    """This review's recommendations (`report_recommendations`), the previous review's with
    where each stands in plain words, and those of the person's previous held review (what
    "since the last review" follows up), in one query and its KLOEs'."""
    from recommendations.queries import previous_review_filter

    also = previous_review_filter(review)
    if previous is not None:
        also |= Q(review_id=previous.pk) & ~Q(state=RecommendationState.DRAFT)
    rows = report_recommendations(review, also=also)
    earlier = [r for r in rows if r.review_id != review.pk]
    held = previous.pk if previous is not None else None
    # The previous review with recommendations is the later of the two when both are read.
    reviews = {r.review_id for r in earlier}
    last = (reviews - {held}) or reviews
    return {
        "recommendations": [r for r in rows if r.review_id == review.pk],
        "previous_recommendations": [
            (r, PLAIN_STATE[r.state][0]) for r in earlier if r.review_id in last
        ],
        "held_recommendations": [r for r in earlier if r.review_id == held],
    }


def report_content(review, *, draft: ReportDraft | None = None) -> ReportContent:
    """Everything the report says, from the data as it stands now (about ten queries)."""
    participants = list(review.participants.all())
    # Who took part: everyone invited, less those recorded as not there on the day.
    took_part = [p for p in participants if p.attended is not False]
    consent = getattr(review, "latest_consent", None)
    review_date = review.held_on or (
        timezone.localdate(review.starts_at) if review.starts_at else None
    )
    receivers = [p for p in participants if report_open_to(p, review)]
    next_due, basis = _next_review(review, review_date)
    draft = draft if draft is not None else draft_for(review)
    pack = _pack(review)
    pack_items = pack.pop("pack_items")
    previous = _previous(review)
    recommendations = _recommendations(review, previous)
    held_recommendations = recommendations.pop("held_recommendations")
    parts = _panel_parts(review, previous)
    then = parts.pop("then")
    return ReportContent(
        review=review,
        person=review.person,
        draft=draft,
        review_date=review_date,
        panel_members=[p for p in took_part if p.role in PANEL_ROLES],
        others=[p for p in took_part if p.role not in PANEL_ROLES],
        consent=consent,
        receivers=[
            f"{p.name} ({p.get_role_display().lower()})"
            if p.role != ParticipantRole.PERSON
            else f"{p.name} (the person)"
            for p in receivers
        ],
        next_review_due=next_due,
        next_review_basis=basis,
        drafted_on=timezone.localdate(),
        record=_record(review, review_date),
        education=_education(review, pack_items) if review.is_child_review else [],
        **recommendations,
        **pack,
        **parts,
        since_last_review=since_last_review(
            review,
            previous=previous,
            then=then,
            recommendations=held_recommendations,
            findings=parts["findings"],
            review_date=review_date,
        ),
        **_planner(review),
    )


def _planner(review) -> dict:
    from portal.models import PLANNER_QUESTIONS, Planner
    from portal.queries import planner_of

    if "planner" in review._state.fields_cache:  # loaded with the review (REVIEW_WITH)
        planner = review._state.fields_cache["planner"] or Planner(review=review)
    else:
        planner = planner_of(review)
    answers = []
    for question in PLANNER_QUESTIONS:
        answer = (
            planner.get_take_part_display()
            if question.field == "take_part"
            else getattr(planner, question.field)
        )
        if answer:
            answers.append((question.heading, answer))
    return {"planner": answers, "planner_helped_by": planner.helped_by}


# --- Comments, PDFs and versions ------------------------------------------------------------


def comments_for(review) -> list[ReportComment]:
    return list(ReportComment.objects.filter(review=review).select_related("author", "resolved_by"))


def comment_of_review(review, pk) -> ReportComment | None:
    return (
        ReportComment.objects.filter(review=review, pk=pk)
        .select_related("author", "resolved_by")
        .first()
    )


def open_comment_count(review) -> int:
    return ReportComment.objects.filter(review=review, resolved_at__isnull=True).count()


def latest_draft_pdfs(review) -> dict[str, ReportPdf]:
    """The newest draft PDF of each kind, by kind ("full", "easy_read")."""
    latest = {}
    for pdf in ReportPdf.objects.filter(review=review, version__isnull=True).order_by(
        "-created_at", "-pk"
    )[:20]:
        latest.setdefault(pdf.kind, pdf)
    return latest


def pdf_of_review(review, pk) -> ReportPdf | None:
    return ReportPdf.objects.select_related("version").filter(review=review, pk=pk).first()


def versions_for(review, *, with_pdfs: bool = True) -> list[ReportVersion]:
    """Every issued version, newest first, with its PDFs (two queries; one `with_pdfs=False`,
    for a page that only links to each version)."""
    versions = ReportVersion.objects.filter(review=review).select_related("issued_by")
    if with_pdfs:
        versions = versions.prefetch_related("pdfs")
    return list(versions.order_by("-number"))


def version_of_review(review, number) -> ReportVersion | None:
    return (
        ReportVersion.objects.filter(review=review, number=number)
        .select_related("issued_by")
        .prefetch_related("pdfs")
        .first()
    )


def pdfs_of_version(version) -> dict[str, ReportPdf]:
    return {pdf.kind: pdf for pdf in version.pdfs.all()}


# --- For a portal ------------------------------------------------------------------------------


def easy_read_first(user, review) -> bool:
    """The person sees the easy read version first, and so does anyone who reads easy read."""
    from reviews.rules import participant_for

    if getattr(user, "reading_format", "") == "easy_read":
        return True
    participant = participant_for(user, review)
    return participant is not None and participant.role == ParticipantRole.PERSON


def large_print_wanted(review) -> bool:
    """The person's communication needs, as their latest consent record states the format they
    want their report in, ask for large print: the large print PDF is made and offered."""
    from reviews.models import ConsentRecord
    from reviews.rules import latest_consent

    record = latest_consent(review)
    return record is not None and record.report_format == ConsentRecord.Format.LARGE_PRINT


def pdf_kinds_for(review) -> list:
    """The PDFs offered of this review's report: the full and easy read always, large print
    where the person's communication needs ask for it."""
    kinds = [PdfKind.FULL, PdfKind.EASY_READ]
    if large_print_wanted(review):
        kinds.append(PdfKind.LARGE_PRINT)
    return kinds


# --- Deadlines ------------------------------------------------------------------------------


@dataclass
class LateReports:
    """Late reports of a period (`late_reports`): those still not issued after their due day,
    those issued after it, and the oldest few still not issued."""

    not_issued: int
    issued_late: int
    reviews: list

    @property
    def count(self) -> int:
        return self.not_issued + self.issued_late


def reports_due_in(org_ids, *, start: date, end: date, today: date):
    """The one definition of a report on time or late, for the service measure ("Reports issued
    within 14 days") and the dashboard's late reports card alike: reviews of `org_ids` held from
    `start` to `end` (not cancelled) whose report is issued or past its due day, annotated
    `period_day` (the day held), `report_issued_at` (the first version's), `report_due` (DUE_DAYS
    after the day held) and `met`: issued on or before that day. A late report is a row not
    `met`: issued after its due day, or still not issued when the day has passed. Callers have
    checked the user may see `org_ids`."""
    first = ReportVersion.objects.filter(review=OuterRef("pk")).order_by("number")
    due = ExpressionWrapper(
        F("held_on") + timedelta(days=DUE_DAYS.value()), output_field=DateField()
    )
    on_time = Q(report_issued_on__isnull=False, report_issued_on__lte=F("report_due"))
    return (
        Review.objects.commissioned_by(org_ids)
        .held_between(start, end)
        .select_related("person")
        .annotate(
            period_day=F("held_on"),
            report_issued_at=Subquery(first.values("issued_at")[:1]),
            report_due=due,
        )
        .annotate(report_issued_on=TruncDate("report_issued_at"))
        .filter(Q(report_issued_at__isnull=False) | Q(report_due__lt=today))
        .annotate(met=ExpressionWrapper(on_time, output_field=BooleanField()))
    )


def late_reports(org_ids, *, start: date, end: date, today: date, limit=5) -> LateReports:
    """The late reports among `reports_due_in`: how many are still not issued, how many were
    issued late, and the oldest few still not issued (one query: the counts ride on each row,
    and the rows still not issued come first)."""
    from django.db.models import F, Q, Window

    not_issued = Q(report_issued_at__isnull=True)
    rows = list(
        reports_due_in(org_ids, start=start, end=end, today=today)
        .filter(met=False)
        .annotate(n_late=Window(Count("pk")), n_not_issued=Window(Count("pk", filter=not_issued)))
        .order_by(F("report_issued_at").asc(nulls_first=True), "held_on", "pk")[:limit]
    )
    late, waiting = (rows[0].n_late, rows[0].n_not_issued) if rows else (0, 0)
    return LateReports(
        not_issued=waiting,
        issued_late=late - waiting,
        reviews=[r for r in rows if r.report_issued_at is None],
    )


# --- Recommendations, as the report gives them ---------------------------------------------


def report_recommendations(review, *, also: Q | None = None) -> list:
    """The review's recommendations as the report's SMART table gives them (action, named owner,
    measure, due date), in number order, with their KLOEs; superseded ones are left out. Two
    queries however many rows. `also`: other recommendations to read in the same query (the
    previous review's), after this review's."""
    wanted = Q(review_id=review.pk) & ~Q(state=RecommendationState.SUPERSEDED)
    if also is not None:
        wanted |= also
    rows = (
        Recommendation.objects.filter(wanted)
        .select_related("owner")
        .prefetch_related("kloes")
        .order_by("number")
    )
    return sorted(rows, key=lambda r: r.review_id != review.pk)


# --- Since the last review ------------------------------------------------------------------

# Better or worse, from one agreed rating to the next ("not able to assess" compares with none).
_CONCERN = {Rating.NO_CONCERNS: 0, Rating.SOME_CONCERNS: 1, Rating.SERIOUS_CONCERNS: 2}


@dataclass
class RatingThenNow:
    label: str  # "KLOE 7: Restrictive practice", in this review's wording where it asks it
    then: str
    now: str
    change: str  # "Better", "Worse", "The same", or "" when either is not a concern rating


@dataclass
class RecommendationOutcome:
    number: int
    action: str
    owner: str
    status: str  # PLAIN_STATE's label, or "Late"
    sentence: str


@dataclass
class SinceLastReview:
    previous: object  # the person's previous held review
    ratings: list  # RatingThenNow, in KLOE order
    recommendations: list  # RecommendationOutcome, in number order
    restrictive_practices: list  # reviews.RestrictivePractice since the previous review
    segregation: str  # long-term segregation since the previous review, in words, or ""

    @property
    def previous_held_on(self):
        return self.previous.held_on


def _rating_change(then: str, now: str) -> str:
    if then not in _CONCERN or now not in _CONCERN:
        return ""
    if _CONCERN[now] == _CONCERN[then]:
        return "The same"
    return "Better" if _CONCERN[now] < _CONCERN[then] else "Worse"


def _ratings_then_and_now(then_rows, findings) -> list[RatingThenNow]:
    """Each KLOE's agreed rating at the previous review and at this one, matched by its number
    (a child's and an adult's set number them alike)."""
    then = {c.kloe.number: c for c in then_rows if c.rating}
    rows = []
    for finding in findings:
        before = then.pop(finding.kloe.number, None)
        now = finding.consolidated.rating if finding.consolidated is not None else ""
        rows.append(
            RatingThenNow(
                label=f"{finding.kloe.label}: {finding.kloe.title}",
                then=before.get_rating_display() if before else "Not rated",
                now=finding.rating_label,
                change=_rating_change(before.rating if before else "", now),
            )
        )
    for number in sorted(then):  # asked then, not in this review's set
        before = then[number]
        rows.append(
            RatingThenNow(
                label=f"{before.kloe.label}: {before.kloe.title}",
                then=before.get_rating_display(),
                now="Not asked at this review",
                change="",
            )
        )
    return rows


def _segregation_since(person, after: date, until: date) -> str:
    started, ended = person.segregation_started_on, person.segregation_ended_on
    if started is None or started > until or (ended is not None and ended <= after):
        return ""
    text = f"In long-term segregation from {nhs_date(started)}"
    return f"{text} to {nhs_date(ended)}" if ended else f"{text}, and still in it"


def since_last_review(
    review, *, previous, then, recommendations, findings, review_date
) -> SinceLastReview | None:
    """What changed since the person's previous held review (`previous`, with its agreed rows
    `then` and its `recommendations`): each KLOE's rating then and now, where each
    recommendation stands, and restraint and segregation recorded since (one query); None for
    a first review."""
    if previous is None:
        return None
    until = review_date or timezone.localdate()
    today = timezone.localdate()
    outcomes = []
    for made in recommendations:
        status, sentence, _colour = plain_progress(made, today)
        outcomes.append(
            RecommendationOutcome(made.number, made.action, made.owner_display, status, sentence)
        )
    person = review.person
    return SinceLastReview(
        previous=previous,
        ratings=_ratings_then_and_now(then, findings),
        recommendations=outcomes,
        restrictive_practices=restrictive_practices_for_person(
            person, after=previous.held_on, until=until
        ),
        segregation=_segregation_since(person, previous.held_on, until),
    )
