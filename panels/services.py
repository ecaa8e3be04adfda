"""Every write of the panels app: forming a review's panel, workbooks and their answers, serious
concerns, the provider's part, the chair's consolidation. Each function owns its transaction and
its audit entry; messages leave through the outbox after commit.

Saves of a KLOE answer, of the key questions and of a consolidated KLOE carry the version the
editor started from: a save based on an older version raises `EditConflict` and changes nothing,
so two tabs or devices never silently overwrite each other.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.formatting import nhs_date
from ctr_portal.services import notification_enqueue
from documents.services import pack_item_provided_in_portal
from reviews.models import (
    ParticipantRole,
    ReviewState,
    TransitionError,
)
from reviews.queries import commissioner_contacts, participants_for_review
from reviews.rules import (
    consent_gate_open,
    has_declared_independence,
    is_panel_member,
    is_review_chair,
    participant_for,
)
from reviews.services import review_event_record, review_transition

from .models import (
    PROVIDER_PACK_CODES,
    SAFETY_KLOE_NUMBER,
    CarriedRecommendation,
    Concern,
    ConsolidatedKloe,
    Evidence,
    Kloe,
    KloeAnswer,
    KloeSet,
    Panel,
    ProviderPart,
    Rating,
    SuggestedRecommendation,
    Workbook,
    workbook_kind_for,
)

# Timeline entries of this app (reviews.ReviewEvent.kind), registered in apps.py.
EVENT_WORKBOOK = "workbook"
EVENT_CONCERN = "concern"
EVENT_CONSOLIDATION = "consolidation"
EVENT_KINDS = [
    (EVENT_WORKBOOK, "Workbook"),
    (EVENT_CONCERN, "Serious concern"),
    (EVENT_CONSOLIDATION, "Panel findings"),
]

# States in which the chair may consolidate on the day of the review, before it is recorded as
# held (finishing records it as held first).
BEFORE_HELD_STATES = (ReviewState.SCHEDULED, ReviewState.PREPARING, ReviewState.READY)


class EditConflict(Exception):
    """The save was based on an older version. Nothing was saved; `current` is what is saved
    now, for the editor to compare with their own text."""

    def __init__(self, current):
        self.current = current
        super().__init__("Someone changed this since you opened it")


def _event_and_audit(*, actor, review, kind, summary, obj, action=Action.UPDATE):
    """A change to the panel's work: an entry on the review's timeline and in the audit trail."""
    review_event_record(review=review, kind=kind, summary=summary, actor=actor)
    audit_record(action=action, actor=actor, obj=obj)


# --- The panel -----------------------------------------------------------------------------


def panel_form(*, review) -> Panel:
    """The review's panel record, formed on first use with the KLOE set current then and the
    workbook its type and setting call for. A later version of the set never changes it."""
    panel = Panel.objects.select_related("kloe_set").filter(review=review).first()
    if panel is not None:
        return panel
    kloe_set = KloeSet.objects.current()
    if kloe_set is None:
        raise ValidationError("No KLOE set is loaded: run the migrations")
    with transaction.atomic():
        panel, created = Panel.objects.get_or_create(
            review=review,
            defaults={"kloe_set": kloe_set, "workbook_kind": workbook_kind_for(review)},
        )
        if created:
            audit_record(action=Action.CREATE, obj=panel)
    return panel


def consolidation_is_open(review, panel: Panel | None, *, today=None) -> bool:
    """Open once the review is held, or from its day; closed again once finished."""
    if panel is not None and panel.is_finished:
        return False
    if review.state == ReviewState.HELD:
        return True
    today = today or timezone.localdate()
    return (
        review.state in BEFORE_HELD_STATES
        and review.starts_at is not None
        and timezone.localdate(review.starts_at) <= today
    )


# --- Workbooks -----------------------------------------------------------------------------


def workbook_open(*, actor, review) -> Workbook:
    """The actor's own workbook for the review, made on first use. Only a panel member whose
    independence declaration is in, and only while the consent gate is open."""
    if not is_panel_member(actor, review):
        raise ValidationError("Only the review's panel members have a workbook")
    if not has_declared_independence(actor, review):
        raise ValidationError("Declare your independence before you open your workbook")
    if not consent_gate_open(actor, review):
        raise ValidationError("The person's consent or a best-interests decision is not recorded")
    participant = participant_for(actor, review)
    existing = (
        Workbook.objects.filter(panel__review=review, participant=participant)
        .select_related("panel__kloe_set")
        .first()
    )
    if existing is not None:
        return existing
    panel = panel_form(review=review)
    with transaction.atomic():
        workbook, created = Workbook.objects.get_or_create(panel=panel, participant=participant)
        if created:
            audit_record(action=Action.CREATE, actor=actor, obj=workbook)
    return workbook


def _check_member_may_edit(actor, workbook: Workbook):
    if workbook.participant.user_id != actor.pk:
        raise ValidationError("You can change only your own workbook")
    if workbook.panel.is_finished:
        raise ValidationError(
            "The chair has finished consolidating: workbooks can no longer change"
        )
    if workbook.is_submitted:
        raise ValidationError("You have submitted this workbook. Ask the chair to reopen it")


def _locked_workbook(workbook: Workbook) -> Workbook:
    """The workbook, locked, with its panel read afresh after the lock is granted: finishing the
    consolidation locks every workbook, so a save waits for it and then sees the panel closed."""
    locked = (
        Workbook.objects.select_for_update(of=("self",))
        .select_related("participant", "participant__user")
        .get(pk=workbook.pk)
    )
    locked.panel = Panel.objects.select_related("review", "kloe_set").get(pk=locked.panel_id)
    return locked


@dataclass
class AnswerSaved:
    answer: KloeAnswer
    concern_raised: bool = False
    # Rated "serious concerns" (or an immediate safety concern) with no description yet.
    needs_concern_detail: bool = False


EVIDENCE_FIELDS = ("source_kind", "document_id", "source", "shows", "quote_from")
SUGGESTION_FIELDS = ("text", "owner", "timescale")


def _clean_rows(rows, fields) -> tuple:
    """The non-empty rows, stripped, as tuples in `fields` order (a document's id as text, as
    `_row_of` reads it back)."""
    cleaned = (tuple(str(row.get(f) or "").strip() for f in fields) for row in rows)
    return tuple(row for row in cleaned if any(row))


def _row_of(obj, fields) -> tuple:
    return tuple(str(getattr(obj, f) or "") for f in fields)


def _check_evidence_documents(workbook: Workbook, rows: tuple) -> None:
    """Each document named is a current document of this review's pack."""
    from documents.queries import current_document_ids_of_review

    at = EVIDENCE_FIELDS.index("document_id")
    named = {int(row[at]) for row in rows if row[at]}
    if named - current_document_ids_of_review(workbook.panel.review_id, named):
        raise ValidationError("Select a document from this review's pack")


def _answer_content(answer: KloeAnswer) -> tuple:
    return (
        answer.findings,
        answer.rating,
        answer.immediate_safety_concern,
        answer.concern_detail,
        tuple(_row_of(e, EVIDENCE_FIELDS) for e in answer.evidence.all()),
        tuple(_row_of(s, SUGGESTION_FIELDS) for s in answer.suggestions.all()),
    )


def _answer_content_save(answer: KloeAnswer, content: tuple) -> None:
    """Write `content` (in `_answer_content` order) to the answer as its next version."""
    findings, rating, immediate_safety_concern, concern_detail, evidence, suggestions = content
    answer.findings = findings
    answer.rating = rating
    answer.immediate_safety_concern = immediate_safety_concern
    answer.concern_detail = concern_detail
    answer.version += 1
    answer.updated_at = timezone.now()
    answer.save()
    _sync_rows(Evidence, answer, evidence, EVIDENCE_FIELDS)
    _sync_rows(SuggestedRecommendation, answer, suggestions, SUGGESTION_FIELDS)


def _sync_rows(model, answer, rows, fields):
    """Make the answer's rows of `model` the given rows (tuples in `fields` order), in order,
    updating in place."""
    existing = list(model.objects.filter(answer=answer).order_by("position"))
    for position, row in enumerate(rows, start=1):
        values = dict(zip(fields, row, strict=True))
        if "document_id" in values:
            values["document_id"] = int(values["document_id"]) if values["document_id"] else None
        if position <= len(existing):
            obj = existing[position - 1]
            if any(getattr(obj, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(obj, f, v)
                obj.save(update_fields=list(fields))
        else:
            model.objects.create(answer=answer, position=position, **values)
    model.objects.filter(answer=answer, position__gt=len(rows)).delete()


def kloe_answer_save(
    *,
    actor,
    workbook: Workbook,
    kloe: Kloe,
    expected_version: int,
    findings: str = "",
    rating: str = "",
    immediate_safety_concern: bool = False,
    concern_detail: str = "",
    evidence: list[dict] | None = None,
    suggestions: list[dict] | None = None,
    complete: bool = False,
) -> AnswerSaved:
    """Save a member's answer to one KLOE: findings, rating, any serious concern, evidence and
    suggested recommendations (the lists replace the saved ones, in order).

    Autosave passes `complete=False` and keeps whatever was typed. A full save
    (`complete=True`) also requires a description of a serious or immediate safety concern.
    A serious rating or an immediate safety concern, once described, is raised with the chair
    and the commissioner at once, once per answer.
    """
    _check_answer_fits(workbook, kloe, rating)
    if kloe.number != SAFETY_KLOE_NUMBER:
        immediate_safety_concern = False
    concerned = rating == Rating.SERIOUS_CONCERNS or immediate_safety_concern
    if complete and concerned and not concern_detail.strip():
        raise ValidationError({"concern_detail": "Describe the concern"})

    with transaction.atomic():
        workbook = _locked_workbook(workbook)
        _check_member_may_edit(actor, workbook)
        answer, _ = KloeAnswer.objects.get_or_create(workbook=workbook, kloe=kloe)
        answer = KloeAnswer.objects.select_for_update().get(pk=answer.pk)
        submitted = (
            findings.strip(),
            rating,
            immediate_safety_concern,
            concern_detail.strip(),
            _clean_rows(evidence or [], EVIDENCE_FIELDS),
            _clean_rows(suggestions or [], SUGGESTION_FIELDS),
        )
        _check_evidence_documents(workbook, submitted[4])
        if answer.version != expected_version and submitted != _answer_content(answer):
            # Based on an older version, and different from what is saved now (the same text
            # saved twice, by autosave and a button, is no conflict).
            from .queries import answer_for

            raise EditConflict(answer_for(workbook, kloe))
        _answer_content_save(answer, submitted)
        raised = _concern_raise_once(actor=actor, answer=answer, workbook=workbook, kloe=kloe)
        audit_record(action=Action.UPDATE, actor=actor, obj=answer)
    return AnswerSaved(
        answer=answer,
        concern_raised=raised,
        needs_concern_detail=concerned and not answer.concern_detail,
    )


def _check_answer_fits(workbook: Workbook, kloe: Kloe, rating: str) -> None:
    if kloe.kloe_set_id != workbook.panel.kloe_set_id or kloe.audience != workbook.panel.audience:
        raise ValidationError("This KLOE is not in the workbook")
    if rating and rating not in Rating.values:
        raise ValidationError({"rating": "Select a rating"})


def key_questions_save(
    *,
    actor,
    workbook: Workbook,
    expected_version: int,
    is_safe: str = "",
    good_care_now: str = "",
    future_plans: str = "",
    community_care: str = "",
) -> Workbook:
    with transaction.atomic():
        locked = _locked_workbook(workbook)
        _check_member_may_edit(actor, locked)
        if locked.key_questions_version != expected_version:
            raise EditConflict(locked)
        locked.is_safe = is_safe.strip()
        locked.good_care_now = good_care_now.strip()
        locked.future_plans = future_plans.strip()
        locked.community_care = community_care.strip()
        locked.key_questions_version += 1
        locked.key_questions_updated_at = timezone.now()
        locked.save()
        audit_record(action=Action.UPDATE, actor=actor, obj=locked)
    return locked


def workbook_problems(workbook: Workbook, kloes, answers: dict) -> list[str]:
    """What stops the member submitting: each KLOE needs a rating and findings (findings may be
    left out when "not able to assess"), and a serious concern needs its description."""
    problems = []
    for kloe in kloes:
        answer = answers.get(kloe.pk)
        if answer is None or not answer.rating:
            problems.append(f"{kloe.label}: select a rating")
            continue
        if not answer.findings.strip() and answer.rating != Rating.NOT_ABLE_TO_ASSESS:
            problems.append(f"{kloe.label}: enter your findings")
        concerned = answer.rating == Rating.SERIOUS_CONCERNS or answer.immediate_safety_concern
        if concerned and not answer.concern_detail.strip():
            problems.append(f"{kloe.label}: describe the concern")
    return problems


def workbook_submit(*, actor, workbook: Workbook) -> Workbook:
    """The member's workbook is finished: it becomes read-only for them until the chair
    reopens it."""
    from .queries import answers_by_kloe, kloes_for_panel

    with transaction.atomic():
        locked = _locked_workbook(workbook)
        _check_member_may_edit(actor, locked)
        problems = workbook_problems(locked, kloes_for_panel(locked.panel), answers_by_kloe(locked))
        if problems:
            raise ValidationError(problems)
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["submitted_at"])
        review = locked.panel.review
        _event_and_audit(
            actor=actor,
            review=review,
            kind=EVENT_WORKBOOK,
            summary=f"{locked.participant.get_role_display()} submitted their KLOE workbook",
            obj=locked,
        )
    return locked


def _check_chair(actor, review):
    if not is_review_chair(actor, review):
        raise ValidationError("Only the chair of the review can do this")


def workbook_reopen(*, actor, review, workbook: Workbook) -> Workbook:
    """The chair gives a submitted workbook back to its member for changes, and tells them."""
    _check_chair(actor, review)
    with transaction.atomic():
        locked = _locked_workbook(workbook)
        if locked.panel.review_id != review.pk:
            raise ValidationError("This workbook is not part of the review")
        if locked.panel.is_finished:
            raise ValidationError("Consolidation is finished: workbooks can no longer change")
        if not locked.is_submitted:
            raise ValidationError("This workbook has not been submitted")
        now = timezone.now()
        locked.submitted_at = None
        locked.reopened_at = now
        locked.reopened_by = actor
        locked.save(update_fields=["submitted_at", "reopened_at", "reopened_by"])
        participant = locked.participant
        review_event_record(
            review=review,
            kind=EVENT_WORKBOOK,
            summary=f"The chair reopened the {participant.get_role_display().lower()}'s KLOE "
            "workbook",
            actor=actor,
        )
        notification_enqueue(
            key=f"panels:workbook_reopened:{locked.pk}:{int(now.timestamp())}",
            recipient=participant.user.email if participant.user else participant.email,
            template="panel_workbook_reopened",
            context={
                "review_type": review.type_long,
                "when": nhs_date(review.starts_at),
                "link": settings.SITE_URL + reverse("panels:workbook", args=[review.pk]),
            },
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=locked)
    return locked


# --- Serious concerns ----------------------------------------------------------------------


def _concern_recipients(review, raiser) -> list[str]:
    """The emails of the chair and the commissioner: commissioner participants, or else the
    case manager who planned the review. The raiser is not told of their own concern."""
    chairs = [
        (p.user_id, p.name, p.user.email if p.user else p.email)
        for p in participants_for_review(review)
        if p.role == ParticipantRole.CHAIR
    ]
    people = chairs + commissioner_contacts(review)
    seen, recipients = set(), []
    for user_id, _name, email in people:
        if user_id == raiser.pk or email.lower() in seen:
            continue
        seen.add(email.lower())
        recipients.append(email)
    return recipients


def _concern_raise_once(*, actor, answer: KloeAnswer, workbook: Workbook, kloe: Kloe) -> bool:
    """Raise the answer's concern if it has one and it was not raised before. The outbox key is
    per answer and recipient, so a repeat is a no-op even if this ran twice."""
    if not answer.raises_concern or Concern.objects.filter(answer=answer).exists():
        return False
    panel = workbook.panel
    review = panel.review
    kind = Concern.Kind.SAFETY if answer.immediate_safety_concern else Concern.Kind.SERIOUS
    concern = Concern.objects.create(panel=panel, answer=answer, kind=kind, raised_by=actor)
    link = settings.SITE_URL + reverse("panels:concerns", args=[review.pk])
    for email in _concern_recipients(review, actor):
        digest = hashlib.sha256(email.lower().encode()).hexdigest()[:16]
        # No name (not even the recipient's) and no detail in the email: the link leads to it,
        # behind sign-in.
        notification_enqueue(
            key=f"panels:concern:{answer.pk}:{digest}",
            recipient=email,
            template="panel_concern",
            context={
                "kind": concern.get_kind_display().lower(),
                "kloe": f"{kloe.label}: {kloe.title}",
                "raised_by_role": workbook.participant.get_role_display().lower(),
                "review_type": review.type_long,
                "when": nhs_date(review.starts_at),
                "link": link,
            },
        )
    _event_and_audit(
        actor=actor,
        review=review,
        kind=EVENT_CONCERN,
        summary=f"The {workbook.participant.get_role_display().lower()} raised a "
        f"{concern.get_kind_display().lower()} ({kloe.label})",
        obj=concern,
        action=Action.CREATE,
    )
    return True


def concern_resolve(*, actor, review, concern: Concern, action_taken: str, action_by: str):
    """The chair records what was done about a concern, and by whom; it is then closed."""
    _check_chair(actor, review)
    errors = {}
    if not action_taken.strip():
        errors["action_taken"] = "Enter what was done"
    if not action_by.strip():
        errors["action_by"] = "Enter who did it"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Concern.objects.select_for_update().get(pk=concern.pk)
        if locked.resolved_at is not None:
            raise ValidationError("This concern has already been closed")
        locked.action_taken = action_taken.strip()
        locked.action_by = action_by.strip()
        locked.resolved_at = timezone.now()
        locked.resolved_by = actor
        locked.save()
        _event_and_audit(
            actor=actor,
            review=review,
            kind=EVENT_CONCERN,
            summary=f"The chair recorded what was done about a {locked.get_kind_display().lower()}",
            obj=locked,
        )
    return locked


# --- The provider's part -------------------------------------------------------------------


def provider_part_save(*, actor, review, texts: dict[int, str]) -> list[ProviderPart]:
    """The provider's physical health (KLOE 5) and medication (KLOE 6) sections of a hospital
    review; `texts` maps the KLOE number to the section's text."""
    if not review.is_hospital_review:
        raise ValidationError("Only a hospital review has a provider's part")
    panel = panel_form(review=review)
    from .queries import provider_kloes

    saved = []
    with transaction.atomic():
        for kloe in provider_kloes(panel):
            if kloe.number not in texts:
                continue
            part, _ = ProviderPart.objects.update_or_create(
                panel=panel,
                kloe=kloe,
                defaults={
                    "text": texts[kloe.number].strip(),
                    "updated_by": actor,
                    "updated_at": timezone.now(),
                },
            )
            audit_record(action=Action.UPDATE, actor=actor, obj=part)
            saved.append(part)
            _pack_item_given_online(review, part)
    return saved


def _pack_item_given_online(review, part: ProviderPart) -> None:
    """A section completed online is that pack item given: the pack's completeness, the
    readiness guard and the measures count it as they count an upload."""
    code = PROVIDER_PACK_CODES.get(part.kloe.number)
    if code and part.text and review.starts_at:
        pack_item_provided_in_portal(
            review=review,
            code=code,
            note="Completed online: see Physical health and medication (KLOE 5 and 6)",
        )


# --- The chair's consolidation -------------------------------------------------------------


def member_ratings(consolidation, kloe) -> set[str]:
    return {a.rating for _, a in consolidation.answers_for(kloe) if a is not None and a.rating}


def reasoning_needed(ratings: set[str], agreed: str) -> str:
    """Why the panel's reasoning must be written: it is asked for every KLOE (the report gives
    how the panel decided under each), in words that say why where the ratings differ."""
    if len(ratings) > 1:
        return "Members' ratings differ: enter how or why the panel decided"
    if ratings and agreed and agreed not in ratings:
        return "The panel's rating is not the members' rating: enter how or why the panel decided"
    return "Enter how or why the panel decided"


def consolidated_kloe_save(
    *,
    actor,
    review,
    panel: Panel,
    kloe: Kloe,
    expected_version: int,
    finding: str,
    rating: str,
    reasoning: str = "",
    carry: list[int] | None = None,
    for_you: str | None = None,
) -> ConsolidatedKloe:
    """The chair's agreed finding, rating and reasoning for one KLOE, and which members'
    suggested recommendations to carry forward (copied as they stand)."""
    from .queries import consolidation_for

    _check_chair(actor, review)
    if not consolidation_is_open(review, panel):
        raise ValidationError("Consolidation opens once the review is held, or on the day")
    consolidation = consolidation_for(panel)
    errors = _consolidated_kloe_errors(consolidation, kloe, finding, rating, reasoning)
    if errors:
        raise ValidationError(errors)
    suggestions = {
        s.pk: (workbook, s)
        for workbook, answer in consolidation.answers_for(kloe)
        if answer is not None
        for s in answer.suggestions.all()
    }
    carry = [pk for pk in (carry or []) if pk in suggestions]

    with transaction.atomic():
        locked = Panel.objects.select_for_update().get(pk=panel.pk)
        if locked.is_finished:
            raise ValidationError("Consolidation is finished")
        row = ConsolidatedKloe.objects.select_for_update().filter(panel=panel, kloe=kloe).first()
        current_version = row.version if row else 0
        if current_version != expected_version:
            raise EditConflict(row)
        if row is None:
            row = ConsolidatedKloe(panel=panel, kloe=kloe)
        row.finding = finding.strip()
        row.rating = rating
        row.reasoning = reasoning.strip()
        if for_you is not None:
            row.for_you = for_you.strip()
        row.version = current_version + 1
        row.updated_by = actor
        row.updated_at = timezone.now()
        row.save()
        _carried_sync(row, [suggestions[pk] for pk in carry])
        audit_record(action=Action.UPDATE, actor=actor, obj=row)
    return row


def consolidated_kloe_for_you_save(
    *, actor, review, panel: Panel, kloe: Kloe, expected_version: int, for_you: str
) -> ConsolidatedKloe:
    """After consolidation is finished, what the panel's finding for one KLOE means for the
    person, in plain words, for the easy read report (issue 22); nothing else of the finding
    changes. An issued report keeps what it said: a correction carries the new words."""
    _check_chair(actor, review)
    with transaction.atomic():
        row = ConsolidatedKloe.objects.select_for_update().filter(panel=panel, kloe=kloe).first()
        if row is None or not row.finding.strip():
            raise ValidationError("The panel has no finding for this KLOE")
        if row.version != expected_version:
            raise EditConflict(row)
        row.for_you = for_you.strip()
        row.full_clean()
        row.version += 1
        row.updated_by = actor
        row.updated_at = timezone.now()
        row.save(update_fields=["for_you", "version", "updated_by", "updated_at"])
        audit_record(action=Action.UPDATE, actor=actor, obj=row)
    return row


def _consolidated_kloe_errors(consolidation, kloe, finding, rating, reasoning) -> dict[str, str]:
    errors = {}
    if not finding.strip():
        errors["finding"] = "Enter the panel's agreed finding"
    if not rating or rating not in Rating.values:
        errors["rating"] = "Select the panel's rating"
    why = reasoning_needed(member_ratings(consolidation, kloe), rating)
    if why and not reasoning.strip():
        errors["reasoning"] = why
    return errors


def _carried_sync(row: ConsolidatedKloe, carry: list[tuple[Workbook, SuggestedRecommendation]]):
    """Carry exactly these members' suggestions: drop the others, copy the new ones as they
    stand now (one carried before keeps its copy)."""
    sources = [suggestion.pk for _, suggestion in carry]
    kept = set(row.carried.filter(source_id__in=sources).values_list("source_id", flat=True))
    row.carried.exclude(source_id__in=sources).delete()
    for workbook, suggestion in carry:
        if suggestion.pk in kept:
            continue
        member = workbook.participant
        CarriedRecommendation.objects.create(
            consolidated=row,
            source=suggestion,
            text=suggestion.text,
            owner=suggestion.owner,
            timescale=suggestion.timescale,
            suggested_by=f"{member.name} ({member.get_role_display().lower()})",
        )


def consolidation_problems(consolidation) -> list[str]:
    problems = []
    for kloe in consolidation.kloes:
        row = consolidation.consolidated.get(kloe.pk)
        if row is None or not row.is_done:
            problems.append(f"{kloe.label}: enter the panel's finding and rating")
            continue
        why = reasoning_needed(member_ratings(consolidation, kloe), row.rating)
        if why and not row.reasoning.strip():
            problems.append(f"{kloe.label}: {why[0].lower()}{why[1:]}")
    return problems


def consolidation_finish(*, actor, review, panel: Panel) -> Panel:
    """Close the consolidation and move the review to report drafting. On the day, a review not
    yet recorded as held is recorded as held first. Workbooks can no longer change."""
    from .queries import consolidation_for

    _check_chair(actor, review)
    if not consolidation_is_open(review, panel):
        raise ValidationError("Consolidation opens once the review is held, or on the day")
    problems = consolidation_problems(consolidation_for(panel))
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        locked = Panel.objects.select_for_update().get(pk=panel.pk)
        if locked.is_finished:
            raise ValidationError("Consolidation is already finished")
        # Wait for any member's save in flight, so nothing lands after the panel closes.
        list(Workbook.objects.select_for_update().filter(panel=locked).values_list("pk"))
        try:
            if review.state != ReviewState.HELD:
                review_transition(
                    review=review,
                    to=ReviewState.HELD,
                    actor=actor,
                    reason="Recorded as held when the chair finished consolidating the workbooks",
                )
            review_transition(
                review=review,
                to=ReviewState.REPORT_DRAFTING,
                actor=actor,
                reason="The chair finished consolidating the panel's workbooks",
            )
        except TransitionError as error:
            raise ValidationError(error.problems) from error
        locked.consolidation_finished_at = timezone.now()
        locked.consolidation_finished_by = actor
        locked.save(update_fields=["consolidation_finished_at", "consolidation_finished_by"])
        _event_and_audit(
            actor=actor,
            review=review,
            kind=EVENT_CONSOLIDATION,
            summary="The chair finished consolidating the workbooks",
            obj=locked,
        )
    panel.consolidation_finished_at = locked.consolidation_finished_at
    panel.consolidation_finished_by = actor
    return panel
