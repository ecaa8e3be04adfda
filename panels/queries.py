"""Reads of question sets, workbooks, concerns and the consolidation. Every function takes a
review the caller found through `reviews.queries.review_for_user` (so the user has a part in it
and the consent gate was read on this request) and makes a fixed number of queries, whatever the
number of members, KLOEs, evidence or suggestions (the consolidation page's count is tested)."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, Value
from django.db.models.functions import Concat

from reviews.rules import participant_for

from .models import (
    PROVIDER_KLOE_NUMBERS,
    PROVIDER_PACK_CODES,
    CarriedRecommendation,
    Concern,
    ConsolidatedKloe,
    Evidence,
    Kloe,
    KloeAnswer,
    KloePrompt,
    KloeSet,
    Panel,
    PromptScope,
    ProviderPart,
    Workbook,
    workbook_kind_for,
)


def current_kloe_set() -> KloeSet | None:
    return KloeSet.objects.current()


def panel_for_review(review) -> Panel | None:
    return Panel.objects.select_related("kloe_set").filter(review=review).first()


def panel_or_unformed(review) -> Panel:
    """The review's panel, or, before it is formed, the panel it would be now (unsaved): pages
    show it without writing anything, and the first save forms it (`services.panel_form`)."""
    panel = panel_for_review(review)
    if panel is None:
        panel = Panel(
            review=review,
            kloe_set=current_kloe_set(),
            workbook_kind=workbook_kind_for(review),
        )
    return panel


def workbook_or_unstarted(user, review) -> Workbook:
    """The user's workbook for the review, or an unsaved empty one until their first save
    (`services.workbook_open`). Asked only of a panel member (the view's permission)."""
    panel = panel_or_unformed(review)
    participant = participant_for(user, review)
    workbook = workbook_for_participant(panel, participant) if panel.pk else None
    if workbook is None:
        workbook = Workbook(panel=panel, participant=participant)
    return workbook


def kloes_for_panel(panel: Panel, *, prompts=False, provider=False) -> list[Kloe]:
    """The panel's KLOEs in order; with `prompts`, each with the prompts of its workbook
    (`kloe.prompts.all()`), or with `provider`, the provider's prompts."""
    kloes = Kloe.objects.filter(kloe_set_id=panel.kloe_set_id, audience=panel.audience)
    if prompts or provider:
        scopes = (PromptScope.PROVIDER,) if provider else panel.prompt_scopes
        kloes = kloes.prefetch_related(
            Prefetch("prompts", queryset=KloePrompt.objects.filter(scope__in=scopes))
        )
    return list(kloes.order_by("number"))


def prompts_for(panel: Panel, kloe: Kloe) -> list[KloePrompt]:
    return list(KloePrompt.objects.filter(kloe=kloe, scope__in=panel.prompt_scopes))


def kloe_for_panel(panel: Panel, number: int) -> Kloe | None:
    return Kloe.objects.filter(
        kloe_set_id=panel.kloe_set_id, audience=panel.audience, number=number
    ).first()


def workbook_for_participant(panel: Panel, participant) -> Workbook | None:
    return Workbook.objects.filter(panel=panel, participant=participant).first()


def workbook_of_review(review, pk) -> Workbook | None:
    """One workbook of this review (for the chair), or None."""
    return (
        Workbook.objects.select_related("participant", "panel")
        .filter(panel__review=review, pk=pk)
        .first()
    )


def _answers_queryset():
    return KloeAnswer.objects.prefetch_related("evidence", "suggestions").select_related("concern")


def answers_by_kloe(workbook: Workbook) -> dict[int, KloeAnswer]:
    """The workbook's answers keyed by KLOE id, with their evidence and suggestions."""
    return {a.kloe_id: a for a in _answers_queryset().filter(workbook_id=workbook.pk)}


def answer_for(workbook: Workbook, kloe: Kloe) -> KloeAnswer | None:
    return _answers_queryset().filter(workbook_id=workbook.pk, kloe=kloe).first()


def provider_parts_by_kloe(panel: Panel) -> dict[int, ProviderPart]:
    if not panel.is_hospital:
        return {}
    return {
        p.kloe_id: p
        for p in ProviderPart.objects.filter(panel_id=panel.pk).select_related("kloe", "updated_by")
    }


def provider_part_for(panel: Panel, kloe: Kloe) -> ProviderPart | None:
    """The provider's part beside KLOE 5 or 6 of a hospital review, or None."""
    if not panel.is_hospital or kloe.number not in PROVIDER_KLOE_NUMBERS:
        return None
    return (
        ProviderPart.objects.filter(panel_id=panel.pk, kloe=kloe)
        .select_related("updated_by")
        .first()
    )


def provider_section_in_pack(panel: Panel, kloe: Kloe) -> bool:
    """Whether the provider gave KLOE 5's or 6's section as a file in the pack (the other route
    to the online part): the workbook counts it as given, as the pack counts the online one."""
    from documents.models import ItemStatus, PackItem

    code = PROVIDER_PACK_CODES.get(kloe.number)
    if not panel.is_hospital or code is None:
        return False
    return PackItem.objects.filter(
        pack__review_id=panel.review_id, source__code=code, status=ItemStatus.PROVIDED
    ).exists()


def provider_kloes(panel: Panel) -> list[Kloe]:
    return [k for k in kloes_for_panel(panel, provider=True) if k.number in PROVIDER_KLOE_NUMBERS]


# --- The chair's view of every workbook ----------------------------------------------------


@dataclass
class MemberColumn:
    workbook: Workbook
    answers: dict = field(default_factory=dict)  # kloe id -> KloeAnswer


@dataclass
class Consolidation:
    panel: Panel
    kloes: list
    members: list  # MemberColumn, in role order
    consolidated: dict  # kloe id -> ConsolidatedKloe

    def answers_for(self, kloe) -> list:
        """(workbook, answer or None) for each member, in column order."""
        return [(m.workbook, m.answers.get(kloe.pk)) for m in self.members]


def consolidation_for(panel: Panel, *, details=True, number: int | None = None) -> Consolidation:
    """Everything the chair's pages need, in a fixed number of queries however many members
    and KLOEs (seven; four without `details`: evidence, suggestions and carried
    recommendations). With `number`, the answers and the panel's rows of that KLOE only (one
    KLOE's page), every KLOE still listed."""
    workbooks = list(
        Workbook.objects.filter(panel_id=panel.pk)
        .select_related("participant")
        .order_by("participant__role", "participant__name", "pk")
    )
    kloes = kloes_for_panel(panel)
    columns = {w.pk: MemberColumn(w) for w in workbooks}
    answers = _answers_queryset() if details else KloeAnswer.objects.select_related("concern")
    answers = answers.filter(workbook__panel_id=panel.pk)
    consolidated_rows = ConsolidatedKloe.objects.filter(panel_id=panel.pk)
    if number is not None:
        wanted = [k.pk for k in kloes if k.number == number]
        answers = answers.filter(kloe_id__in=wanted)
        consolidated_rows = consolidated_rows.filter(kloe_id__in=wanted)
    for answer in answers:
        columns[answer.workbook_id].answers[answer.kloe_id] = answer
    if details:
        consolidated_rows = consolidated_rows.prefetch_related(
            Prefetch("carried", queryset=CarriedRecommendation.objects.order_by("pk"))
        )
    consolidated = {c.kloe_id: c for c in consolidated_rows}
    return Consolidation(
        panel=panel,
        kloes=kloes,
        members=list(columns.values()),
        consolidated=consolidated,
    )


def consolidated_findings(panel: Panel) -> list[tuple[Kloe, ConsolidatedKloe | None]]:
    consolidated = {
        c.kloe_id: c
        for c in ConsolidatedKloe.objects.filter(panel_id=panel.pk).prefetch_related("carried")
    }
    return [(kloe, consolidated.get(kloe.pk)) for kloe in kloes_for_panel(panel)]


# --- Concerns ------------------------------------------------------------------------------


def concerns_for_panel(panel: Panel) -> list[Concern]:
    return list(
        Concern.objects.filter(panel_id=panel.pk)
        .select_related(
            "answer",
            "answer__kloe",
            "answer__workbook__participant",
            "raised_by",
            "resolved_by",
        )
        .order_by("resolved_at", "-raised_at", "-pk")
    )


def concern_of_review(review, pk) -> Concern | None:
    return (
        Concern.objects.select_related(
            "answer", "answer__kloe", "answer__workbook__participant", "raised_by", "resolved_by"
        )
        .filter(panel__review=review, pk=pk)
        .first()
    )


def open_concern_count(review) -> int:
    return Concern.objects.filter(panel__review=review, resolved_at__isnull=True).count()


# --- For the report and the recommendations app ---------------------------------------------


def quotes_for_panel(panel: Panel) -> list[Evidence]:
    """Evidence marked as the person's or their family's own words, for the report to give as
    they said it: each with its answer's KLOE and member loaded, in KLOE order."""
    return list(
        Evidence.objects.filter(answer__workbook__panel_id=panel.pk)
        .exclude(quote_from="")
        .select_related("answer__kloe", "answer__workbook__participant")
        .order_by("answer__kloe__number", "answer__workbook_id", "position")
    )


def workbooks_of_panel(panel: Panel) -> list[Workbook]:
    """The members' workbooks with who wrote them, in role order: their answers to the key
    questions start the chair's report (one query)."""
    return list(
        Workbook.objects.filter(panel_id=panel.pk)
        .select_related("participant")
        .order_by("participant__role", "participant__name", "pk")
    )


@dataclass
class ReportParts:
    """What the report takes from the panel (`report_parts`)."""

    findings: list  # (Kloe, ConsolidatedKloe or None), in KLOE order
    evidence: list  # Evidence: quotes, and evidence citing a pack document
    concerns: list  # Concern, with its answer's KLOE
    then: list = field(default_factory=list)  # the previous review's agreed rows, with KLOEs


def report_parts(review, *, previous=None) -> ReportParts:
    """The panel's part of the report, found by the review (four queries, none when no panel
    is formed, however many KLOEs, quotes, documents or concerns): each KLOE of the panel's set
    and audience with the agreed row; the evidence the report gives, quotes in the person's or
    their family's own words and evidence citing a document of the pack (not one since
    deleted), with the document and its item; and the serious concerns. With `previous` (the
    person's previous held review), its agreed rows too, read with this review's."""
    panel_of_set = Panel.objects.filter(
        review_id=review.pk,
        kloe_set_id=OuterRef("kloe_set_id"),
        workbook_kind__startswith=Concat(OuterRef("audience"), Value("_")),
    )
    kloes = list(Kloe.objects.filter(Exists(panel_of_set)).order_by("number"))
    ids = [review.pk, *([previous.pk] if previous is not None else [])]
    rows = consolidated_for_reviews(ids) if kloes or previous is not None else []
    then = [c for c in rows if c.panel.review_id != review.pk]
    if not kloes:
        return ReportParts([], [], [], then)
    consolidated = {c.kloe_id: c for c in rows if c.panel.review_id == review.pk}
    cites = Q(document__isnull=False, document__deleted_at__isnull=True)
    evidence = list(
        Evidence.objects.filter(answer__workbook__panel__review_id=review.pk)
        .filter(~Q(quote_from="") | cites)
        .select_related("answer__kloe", "answer__workbook__participant", "document__item__pack")
        .order_by("answer__kloe__number", "answer__workbook_id", "position")
    )
    concerns = list(
        Concern.objects.filter(panel__review_id=review.pk)
        .select_related("answer__kloe")
        .order_by("answer__kloe__number", "raised_at", "pk")
    )
    return ReportParts(
        findings=[(kloe, consolidated.get(kloe.pk)) for kloe in kloes],
        evidence=evidence,
        concerns=concerns,
        then=then,
    )


def carried_recommendations(panel: Panel) -> list[CarriedRecommendation]:
    """The suggestions the chair carried forward, KLOE by KLOE: the recommendations app turns
    them into draft recommendations."""
    return list(
        CarriedRecommendation.objects.filter(consolidated__panel_id=panel.pk)
        .select_related("consolidated__kloe")
        .order_by("consolidated__kloe__number", "pk")
    )


def consolidated_ratings(reviews) -> list[ConsolidatedKloe]:
    """The chair's agreed ratings at each of `reviews` (rated ones only), oldest review first,
    with their KLOE and panel: one query however many reviews."""
    return list(
        ConsolidatedKloe.objects.filter(panel__review__in=reviews)
        .exclude(rating="")
        .select_related("kloe", "panel")
        .order_by("panel__review__held_on", "panel__review_id", "kloe__number")
    )


def consolidated_for_reviews(review_ids) -> list[ConsolidatedKloe]:
    """The chair's agreed rows (finding, rating, reasoning) at each of the reviews, with their
    KLOE and panel: one query however many reviews (the report reads this review's and the
    previous one's together)."""
    return list(
        ConsolidatedKloe.objects.filter(panel__review_id__in=review_ids)
        .select_related("kloe", "panel")
        .order_by("panel_id", "kloe__number")
    )
