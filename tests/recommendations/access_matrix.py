"""The recommendations app's rows of the access matrix (merged by tests/test_access_matrix.py).

The world's review has one recommendation, in progress, owned by the provider's ward manager
and escalated to the oversight panel, with an evidence file, and one carried-forward suggestion
of the panel. The chair and the commissioner write and manage the review's recommendations; the
owner answers and updates their own; the oversight panel reads what was escalated to it; the
person and the family carer (whom consent invites) read; every other participant of the review
is refused the review's list (403) and does not learn a recommendation exists (404); someone with
no part at all gets 404.
"""

import datetime

from tests.test_access_matrix import ACTS, NO_POST, acting, no_kwargs, only

REVIEW_PARTICIPANTS = (
    "clinical_expert",
    "expert_by_experience",
    "provider",
    "local_authority",
    "family_carer",
    "person",
)


def _review_page(allowed: dict):
    """On a page of the review: `allowed`; every other party to the review 403; no part 404."""
    return only({**dict.fromkeys(REVIEW_PARTICIPANTS, 403), **allowed}, others=404)


def _recommendation_page(allowed: dict, refused=()):
    """On a page of the recommendation: `allowed`; those who may see it but not do this 403;
    everyone else 404."""
    return only({**dict.fromkeys(refused, 403), **allowed}, others=404)


def _world_recommendation(ctx):
    from documents.models import document_storage
    from recommendations.models import EvidenceFile, Recommendation, RecommendationUpdate, State
    from tests.recommendations.factories import RecommendationFactory

    review = ctx["world"]["review"]
    found = Recommendation.objects.filter(review=review).order_by("pk").first()
    if found is not None:
        return found
    users, orgs = ctx["users"], ctx["organisations"]
    recommendation = RecommendationFactory(
        review=review,
        number=1,
        owner=users["provider"],
        owner_name=users["provider"].display_name,
        owner_organisation=orgs["provider"].name,
        state=State.IN_PROGRESS,
        created_by=users["chair"],
        due_date=datetime.date.today() + datetime.timedelta(days=60),
        escalated_to=orgs["oversight_panel"],
        escalated_at=datetime.datetime.now(datetime.UTC),
        escalation_reason="No progress in three months",
    )
    update = RecommendationUpdate.objects.create(
        recommendation=recommendation, kind="progress", actor=users["provider"], note="Started"
    )
    from django.core.files.base import ContentFile

    name = document_storage().save("documents/matrix-evidence", ContentFile(b"%PDF-1.4\n%%EOF"))
    EvidenceFile.objects.create(
        recommendation=recommendation,
        update=update,
        file=name,
        original_name="letter.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=14,
        sha256="0" * 64,
        scan_status="not_scanned",
        uploaded_by=users["provider"],
    )
    return recommendation


def review_kwargs(ctx):
    return {"pk": ctx["world"]["review"].pk}


def suggestion_kwargs(ctx):
    from panels.models import CarriedRecommendation, Panel
    from tests.panels.factories import (
        CarriedRecommendationFactory,
        ConsolidatedKloeFactory,
        PanelFactory,
        ensure_kloe_sets,
    )

    ensure_kloe_sets()
    review = ctx["world"]["review"]
    carried = CarriedRecommendation.objects.filter(consolidated__panel__review=review).first()
    if carried is None:
        panel = Panel.objects.filter(review=review).first() or PanelFactory(review=review)
        consolidated = ConsolidatedKloeFactory(panel=panel, updated_by=ctx["users"]["chair"])
        carried = CarriedRecommendationFactory(consolidated=consolidated, owner="Ward manager")
    return {"pk": review.pk, "carried_pk": carried.pk}


def recommendation_kwargs(ctx):
    return {"pk": _world_recommendation(ctx).pk}


def evidence_kwargs(ctx):
    recommendation = _world_recommendation(ctx)
    return {"pk": recommendation.pk, "file_pk": recommendation.evidence_files.first().pk}


MANAGERS = {"chair": 200, "commissioner": 200}
READERS = {"provider": 200, "oversight_panel": 200, "family_carer": 200, "person": 200}

REVIEW_LIST = _review_page({**MANAGERS, "family_carer": 200, "person": 200})
WRITERS = _review_page(MANAGERS)
WRITERS_POST_ONLY = _review_page({"chair": 405, "commissioner": 405})
WRITERS_ACT = _review_page({"chair": ACTS, "commissioner": ACTS})

VIEW = _recommendation_page({**MANAGERS, **READERS})
MANAGE = _recommendation_page(MANAGERS, refused=READERS)
RESPOND = _recommendation_page(
    {"provider": 200},
    refused=("chair", "commissioner", "oversight_panel", "family_carer", "person"),
)
UPDATE = _recommendation_page(
    {**MANAGERS, "provider": 200}, refused=("oversight_panel", "family_carer", "person")
)
ESCALATE = MANAGE
# The panel's member acts on what was escalated to their panel; the others who may read the
# recommendation are refused (403); another panel's member is tested apart (test_escalation.py).
PANEL_ACT = _recommendation_page(
    {"oversight_panel": 200},
    refused=("chair", "commissioner", "provider", "family_carer", "person"),
)
# Only the review's commissioners check an owner's "done" (the world's chair is a member of the
# commissioning ICB, so checks too); the chair or a commissioner reopens.
CHECK_DONE = _recommendation_page(
    {"commissioner": 200, "chair": 200},
    refused=("provider", "oversight_panel", "family_carer", "person"),
)
REOPEN = MANAGE

PROFESSIONALS = only({"family_carer": 403, "person": 403}, others=200)
COMMISSIONERS = only({"commissioner": 200, "commissioner_other_org": 200, "chair": 200}, others=403)
# The panel's meeting view; a commissioner sees their own reviews' escalations there.
OVERSIGHT = only(
    {"oversight_panel": 200, "commissioner": 200, "commissioner_other_org": 200, "chair": 200},
    others=403,
)

MATRIX = {
    "recommendations:review": (review_kwargs, REVIEW_LIST, NO_POST),
    "recommendations:create": (review_kwargs, WRITERS, acting(WRITERS)),
    "recommendations:draft_from_suggestion": (suggestion_kwargs, WRITERS_POST_ONLY, WRITERS_ACT),
    "recommendations:follow_up": (review_kwargs, WRITERS, acting(WRITERS)),
    "recommendations:detail": (recommendation_kwargs, VIEW, NO_POST),
    "recommendations:edit": (recommendation_kwargs, MANAGE, acting(MANAGE)),
    "recommendations:send": (recommendation_kwargs, MANAGE, acting(MANAGE)),
    "recommendations:respond": (recommendation_kwargs, RESPOND, acting(RESPOND)),
    "recommendations:resolve": (recommendation_kwargs, MANAGE, acting(MANAGE)),
    "recommendations:progress": (recommendation_kwargs, UPDATE, acting(UPDATE)),
    "recommendations:done": (recommendation_kwargs, UPDATE, acting(UPDATE)),
    "recommendations:not_achieved": (recommendation_kwargs, UPDATE, acting(UPDATE)),
    "recommendations:check": (recommendation_kwargs, CHECK_DONE, acting(CHECK_DONE)),
    "recommendations:reopen": (recommendation_kwargs, REOPEN, acting(REOPEN)),
    "recommendations:due_date": (recommendation_kwargs, MANAGE, acting(MANAGE)),
    "recommendations:supersede": (recommendation_kwargs, MANAGE, acting(MANAGE)),
    "recommendations:escalate": (recommendation_kwargs, ESCALATE, acting(ESCALATE)),
    "recommendations:escalation_decision": (recommendation_kwargs, PANEL_ACT, acting(PANEL_ACT)),
    "recommendations:escalation_action": (recommendation_kwargs, PANEL_ACT, acting(PANEL_ACT)),
    "recommendations:escalation_close": (recommendation_kwargs, PANEL_ACT, acting(PANEL_ACT)),
    "recommendations:evidence": (evidence_kwargs, VIEW, NO_POST),
    "recommendations:my_actions": (no_kwargs, PROFESSIONALS, NO_POST),
    "recommendations:tracker": (no_kwargs, COMMISSIONERS, NO_POST),
    "recommendations:tracker_csv": (no_kwargs, COMMISSIONERS, NO_POST),
    "recommendations:escalated": (no_kwargs, OVERSIGHT, NO_POST),
}
