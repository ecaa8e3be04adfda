"""The panels app's rows of the access matrix (merged by tests/test_access_matrix.py).

The world's review is a scheduled hospital review with consent recorded: the chair and the
clinical expert (declared) have workbooks; the expert by experience has not declared
independence yet, so theirs stays closed (403). The commissioner sees concerns and the panel's
findings, never a member's workbook; the provider only their KLOE 5 and 6 part; the family and
the person none of it. Someone with no part in the review (another ICB, the administrator) gets
404.
"""

from tests.test_access_matrix import ACTS, NO_POST, acting, admin_kwargs_for, only

from .factories import ensure_kloe_sets

PARTICIPANTS = ("clinical_expert", "expert_by_experience", "family_carer", "person")
PARTNERS = ("commissioner", "provider", "local_authority")


def _allowed(allowed: dict):
    """`allowed` for the roles given; every other role with a part in the review 403; no part
    404."""
    return only({**dict.fromkeys((*PARTICIPANTS, *PARTNERS, "chair"), 403), **allowed}, others=404)


def review_kwargs(ctx):
    ensure_kloe_sets()
    return {"pk": ctx["world"]["review"].pk}


def kloe_kwargs(ctx):
    return {**review_kwargs(ctx), "number": 1}


def _open_workbook(ctx, role):
    from panels import services
    from reviews.queries import review_for_user

    user = ctx["world"]["participants"][role].user
    return services.workbook_open(
        actor=user, review=review_for_user(user, ctx["world"]["review"].pk)
    )


def workbook_kwargs(ctx):
    kwargs = review_kwargs(ctx)
    return {**kwargs, "workbook_pk": _open_workbook(ctx, "clinical_expert").pk}


def concern_kwargs(ctx):
    from panels import queries, services
    from panels.models import Concern, Rating

    kwargs = review_kwargs(ctx)
    workbook = _open_workbook(ctx, "clinical_expert")
    concern = Concern.objects.filter(panel=workbook.panel).first()
    if concern is None:
        kloe = queries.kloe_for_panel(workbook.panel, 7)
        answer = queries.answer_for(workbook, kloe)
        services.kloe_answer_save(
            actor=workbook.participant.user,
            workbook=workbook,
            kloe=kloe,
            expected_version=answer.version if answer else 0,
            rating=Rating.SERIOUS_CONCERNS,
            concern_detail="Restraint logged 14 times in 4 weeks.",
        )
        concern = Concern.objects.get(panel=workbook.panel)
    return {**kwargs, "concern_pk": concern.pk}


MEMBERS = _allowed({"chair": 200, "clinical_expert": 200})
CHAIR = _allowed({"chair": 200})
CHAIR_POST_ONLY = _allowed({"chair": 405})  # GET of a page that only takes a POST
CHAIR_ACTS = _allowed({"chair": ACTS})  # and its POST
CONCERN_READERS = _allowed({"chair": 200, "commissioner": 200})
PROVIDER = _allowed({"provider": 200})

MATRIX = {
    "panels:workbook": (review_kwargs, MEMBERS, NO_POST),
    "panels:workbook_kloe": (kloe_kwargs, MEMBERS, acting(MEMBERS)),
    "panels:workbook_key_questions": (review_kwargs, MEMBERS, acting(MEMBERS)),
    "panels:workbook_submit": (review_kwargs, MEMBERS, acting(MEMBERS)),
    "panels:consolidation": (review_kwargs, CHAIR, NO_POST),
    "panels:consolidation_kloe": (kloe_kwargs, CHAIR, acting(CHAIR)),
    "panels:consolidation_finish": (review_kwargs, CHAIR_POST_ONLY, CHAIR_ACTS),
    "panels:workbook_reopen": (workbook_kwargs, CHAIR_POST_ONLY, CHAIR_ACTS),
    "panels:concerns": (review_kwargs, CONCERN_READERS, NO_POST),
    "panels:concern_resolve": (concern_kwargs, CHAIR, acting(CHAIR)),
    "panels:findings": (review_kwargs, CONCERN_READERS, NO_POST),
    "panels:provider_part": (review_kwargs, PROVIDER, acting(PROVIDER)),
}

# The KLOE sets are read-only in the admin: a new version comes by data migration.
for _model in ("kloeset", "kloe", "kloeprompt"):
    for _view in ("add", "delete"):
        _name = f"admin:panels_{_model}_{_view}"
        _refused = only({"administrator": 403}, others=302)
        MATRIX[_name] = (admin_kwargs_for(_name), _refused, _refused)
