"""Recommendations: reads that cross relations or depend on the user; each takes the user.

Every list is a fixed number of queries whatever its length (tested): rows come with their
review, person and owner joined, and the KLOEs prefetched.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, Subquery
from django.utils import timezone

from ctr_portal.permissions import Perm
from panels.queries import carried_recommendations, kloes_for_panel, panel_or_unformed
from reviews.queries import commissioning_org_ids

from .models import (
    OPEN_STATES,
    EscalationClosure,
    EvidenceFile,
    Recommendation,
    RecommendationUpdate,
    Reminder,
    State,
)
from .rules import oversight_panel_ids, sees_evidence_withheld_from_family

Kind = RecommendationUpdate.Kind

ROW_RELATIONS = ("review", "review__person", "owner", "escalated_to")


def _rows(qs):
    return qs.select_related(*ROW_RELATIONS).prefetch_related("kloes")


# --- One recommendation --------------------------------------------------------------------


def recommendation_for_user(user, pk):
    """One recommendation with what its page and its rules need, or None when the user may not
    see it (the view answers 404: its existence stays hidden)."""
    if not user.is_authenticated:
        return None
    recommendation = (
        Recommendation.objects.select_related(
            "review",
            "review__person",
            "review__commissioner",
            "review__provider",
            "owner",
            "escalated_to",
            "superseded_by",
            "created_by",
        )
        .prefetch_related("kloes", "review__participants")
        .filter(pk=pk)
        .first()
    )
    if recommendation is None or not user.has_perm(Perm.VIEW_RECOMMENDATION, recommendation):
        return None
    return recommendation


def _evidence_for(user, recommendation):
    """The recommendation's evidence files the user may see: the person and family do not see
    those the uploader marked "not for the person and family"."""
    files = EvidenceFile.objects.filter(recommendation=recommendation)
    if not sees_evidence_withheld_from_family(user, recommendation):
        files = files.filter(not_for_family=False)
    return files


def history(user, recommendation) -> list[RecommendationUpdate]:
    """Every step, oldest first, each with the evidence files the user may see."""
    return list(
        recommendation.updates.select_related("actor").prefetch_related(
            Prefetch("evidence_files", queryset=_evidence_for(user, recommendation))
        )
    )


def evidence_file_of(user, recommendation, pk) -> EvidenceFile | None:
    """One evidence file, or None (404) when it is not the recommendation's or not for the user."""
    return _evidence_for(user, recommendation).filter(pk=pk).first()


def other_recommendations(recommendation) -> list[Recommendation]:
    """What may supersede a recommendation: another of the same review, not itself superseded."""
    return list(
        Recommendation.objects.filter(review_id=recommendation.review_id)
        .exclude(pk=recommendation.pk)
        .exclude(state=State.SUPERSEDED)
        .order_by("number")
    )


# --- A review's recommendations ------------------------------------------------------------


def recommendations_for_review(review) -> list[Recommendation]:
    return list(_rows(Recommendation.objects.filter(review=review)).order_by("number"))


def suggestions_to_draft(review) -> list:
    """The chair's carried-forward suggestions not yet turned into a draft."""
    panel = panel_or_unformed(review)
    if not panel.pk:
        return []
    drafted = set(
        Recommendation.objects.filter(review=review, carried__isnull=False).values_list(
            "carried_id", flat=True
        )
    )
    return [c for c in carried_recommendations(panel) if c.pk not in drafted]


def carried_of_review(review, pk):
    panel = panel_or_unformed(review)
    if not panel.pk:
        return None
    return next((c for c in carried_recommendations(panel) if c.pk == pk), None)


def kloes_for_review(review) -> list:
    return kloes_for_panel(panel_or_unformed(review))


def previous_review_recommendations(review) -> list[Recommendation]:
    """The recommendations of the person's review before this one (the latest earlier review
    that made any), with their state: the next review opens with them."""
    earlier = Recommendation.objects.filter(
        review__person_id=review.person_id, review__created_at__lt=review.created_at
    ).exclude(state=State.DRAFT)
    last = earlier.order_by("-review__created_at", "-review_id").values("review_id").first()
    if last is None:
        return []
    return list(_rows(earlier.filter(review_id=last["review_id"])).order_by("number"))


def previous_review_filter(review) -> Q:
    """The recommendations of `previous_review_recommendations`, as a filter (with a subquery
    for the previous review), for a caller reading them with others in one query."""
    earlier = Recommendation.objects.filter(
        review__person_id=review.person_id, review__created_at__lt=review.created_at
    ).exclude(state=State.DRAFT)
    last = earlier.order_by("-review__created_at", "-review_id").values("review_id")[:1]
    return Q(review_id=Subquery(last)) & ~Q(state=State.DRAFT)


def awaiting_answer(review) -> list[Recommendation]:
    """The review's recommendations sent to their owners and not yet accepted or disputed, with
    the date each was to be answered by: the review's page lists who has not answered."""
    return list(
        Recommendation.objects.awaiting_answer()
        .filter(review=review)
        .select_related("owner")
        .order_by("accept_by", "number")
    )


def plan_with_history(review, *, for_family: bool = True) -> list[Recommendation]:
    """The action plan as a living record: every recommendation sent (never a draft), each with
    its steps and their evidence files (for the person and family, only those meant for them);
    four queries however many rows."""
    files = EvidenceFile.objects.all()
    if for_family:
        files = files.filter(not_for_family=False)
    updates = RecommendationUpdate.objects.select_related("actor").prefetch_related(
        Prefetch("evidence_files", queryset=files)
    )
    if for_family:  # the chair's drafting is not part of the plan they follow
        updates = updates.exclude(kind__in=(Kind.CREATED, Kind.EDITED))
    return list(
        Recommendation.objects.filter(review=review)
        .exclude(state=State.DRAFT)
        .select_related("owner")
        .prefetch_related(Prefetch("updates", queryset=updates))
        .order_by("number")
    )


def follow_up_checks(review) -> list:
    return list(review.follow_up_checks.select_related("recorded_by"))


def owner_candidates(review) -> list:
    """Accounts that may be named as owner: the review's participants with an account (not the
    person or family) and the members of its commissioner, provider and local authority."""
    from ctr_portal.queries import organisation_members
    from reviews.models import FAMILY_ROLES, ParticipantRole

    people = {}
    for p in review.participants.all():
        if p.user_id and p.role not in (*FAMILY_ROLES, ParticipantRole.PERSON):
            people[p.user_id] = (p.user, p.get_role_display())
    org_ids = {
        review.commissioner_id,
        review.provider_id,
        review.person.provider_id,
        review.person.local_authority_id,
    } - {None}
    for org_id in sorted(org_ids):
        for m in organisation_members(org_id):
            people.setdefault(m.user_id, (m.user, m.organisation.name))
    return sorted(people.values(), key=lambda pair: pair[0].display_name.lower())


# --- My actions ----------------------------------------------------------------------------


def my_actions(user) -> list[Recommendation]:
    """The user's recommendations across all reviews, still to do, soonest due first."""
    return list(
        _rows(
            Recommendation.objects.filter(owner=user, state__in=(*OPEN_STATES, State.DONE_CLAIMED))
        ).order_by("due_date", "pk")
    )


def my_closed_actions(user, limit=25) -> list[Recommendation]:
    return list(
        _rows(
            Recommendation.objects.filter(owner=user).filter(
                state__in=(State.DONE, State.NOT_ACHIEVED, State.SUPERSEDED)
            )
        ).order_by("-closed_at", "-pk")[:limit]
    )


# --- The commissioner's tracker ------------------------------------------------------------


@dataclass(frozen=True)
class TrackerFilter:
    review: int | None = None
    owner: str = ""
    organisation: str = ""
    state: str = ""
    overdue: bool = False


def tracker_scope(user):
    """Every recommendation of the reviews the user's organisations commission."""
    return Recommendation.objects.filter(review__commissioner_id__in=commissioning_org_ids(user))


def _filtered(user, filters: TrackerFilter, today: date):
    qs = tracker_scope(user)
    if filters.review:
        qs = qs.filter(review_id=filters.review)
    if filters.owner:
        words = filters.owner
        qs = qs.filter(
            Q(owner_name__icontains=words)
            | Q(owner_email__icontains=words)
            | Q(owner__display_name__icontains=words)
            | Q(owner__email__icontains=words)
        )
    if filters.organisation:
        qs = qs.filter(owner_organisation=filters.organisation)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.overdue:
        qs = qs.filter(state__in=OPEN_STATES, due_date__lt=today)
    return qs


def tracker(user, filters: TrackerFilter, today: date | None = None):
    """The tracker's rows, soonest due first (a queryset, for the paginator and the CSV)."""
    today = today or timezone.localdate()
    return _rows(_filtered(user, filters, today)).order_by("due_date", "review_id", "number")


def tracker_ids(user, filters: TrackerFilter, today: date | None = None):
    """The tracker's ids in its order: page these, then load the page's rows
    (`tracker_rows_in_order`), so the database sorts ids, not rows joined to four tables."""
    today = today or timezone.localdate()
    return (
        _filtered(user, filters, today)
        .order_by("due_date", "review_id", "number")
        .values_list("pk", flat=True)
    )


def tracker_rows_in_order(ids) -> list[Recommendation]:
    ids = list(ids)
    found = {r.pk: r for r in _rows(Recommendation.objects.filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found]


def tracker_totals(user, filters: TrackerFilter, today: date | None = None) -> dict:
    """How many of the filtered rows are in each state, and how many overdue: one query."""
    today = today or timezone.localdate()
    counts = {state.value: Count("pk", filter=Q(state=state.value)) for state in State}
    counts["overdue"] = Count("pk", filter=Q(state__in=OPEN_STATES, due_date__lt=today))
    counts["total"] = Count("pk")
    return _filtered(user, filters, today).aggregate(**counts)


def tracker_organisations(user) -> list[str]:
    return list(
        tracker_scope(user)
        .exclude(owner_organisation="")
        .order_by("owner_organisation")
        .values_list("owner_organisation", flat=True)
        .distinct()
    )


def tracker_review(user, pk):
    """The review a tracker is filtered to, if the user's organisations commission it."""
    found = tracker_scope(user).filter(review_id=pk).select_related("review__person").first()
    return found.review if found else None


# --- The oversight panel -------------------------------------------------------------------


def escalation_scope(user):
    """The escalations the user may see in a list: those sent to their oversight panels, and
    those of the reviews their organisations commission."""
    return Recommendation.objects.filter(escalated_to__isnull=False).filter(
        Q(escalated_to_id__in=oversight_panel_ids(user))
        | Q(review__commissioner_id__in=commissioning_org_ids(user))
    )


def escalated_to_user(user) -> list[Recommendation]:
    """The open escalations the user may see, oldest escalated first (the panel's meeting
    agenda): still being worked on and not closed by the panel, each with the panel's decisions
    and actions. Four queries however many."""
    return list(
        _rows(escalation_scope(user).filter(state__in=OPEN_STATES, escalation_closure__isnull=True))
        .prefetch_related("escalation_decisions", "escalation_actions")
        .order_by("escalated_at", "pk")
    )


def escalation_of(recommendation) -> dict:
    """The panel's part in one escalated recommendation: its decisions, actions and closure.
    The caller has checked the user may see the recommendation."""
    if not recommendation.escalated_to_id:
        return {"decisions": [], "actions": [], "closure": None}
    return {
        "decisions": list(recommendation.escalation_decisions.all()),
        "actions": list(recommendation.escalation_actions.all()),
        "closure": EscalationClosure.objects.filter(recommendation=recommendation).first(),
    }


def oversight_panels():
    from ctr_portal.models import Organisation
    from ctr_portal.queries import organisations_of_kinds

    return organisations_of_kinds([Organisation.Kind.OVERSIGHT_PANEL])


# --- Reminders


def reminders_for(recommendation) -> list[Reminder]:
    """The reminders and notices sent for a recommendation, and those still planned, by date
    (cancelled ones left out), for the recommendation's page. The caller has already
    checked the user may see the recommendation. One query."""
    return list(
        recommendation.reminders.exclude(state=Reminder.State.CANCELLED).order_by(
            "send_on", "kind", "recipient_name", "pk"
        )
    )
