"""The portal's rows of the access matrix (merged by tests/test_access_matrix.py).

The portal is the person's and their family's: on the world's review the person and the family
carer (whom the consent invites) see it; everyone else, professionals with a part in the review
included, is not found. Feedback is given on a held review by everyone who took part, and the
provider; the review's commissioners read it. Requests are answered by the commissioners of the
review they were made about.
"""

from tests.test_access_matrix import ACTS, NO_POST, acting, everyone, only

from .factories import held_review_like

PORTAL_USERS = ("family_carer", "person")
PARTIES = (
    "commissioner",
    "chair",
    "clinical_expert",
    "expert_by_experience",
    "provider",
    "local_authority",
    *PORTAL_USERS,
)


def review_kwargs(ctx):
    return {"pk": ctx["world"]["review"].pk}


def held_kwargs(ctx):
    world = ctx["world"]
    if "held_review" not in world:
        world["held_review"] = held_review_like(world)
    return {"pk": world["held_review"].pk}


def request_kwargs(ctx):
    from portal import services
    from reviews.queries import review_for_user

    world = ctx["world"]
    if "request" not in world:
        family = world["participants"]["family_carer"].user
        world["request"] = services.request_make(
            actor=family,
            review=review_for_user(family, world["review"].pk),
            kind="worry",
            details="Nobody has told us when the next ward round is.",
        )
    return {"pk": world["request"].pk}


def no_kwargs(ctx):
    return {}


PUBLIC = only(dict.fromkeys(PORTAL_USERS, 200), others=403)
FOLLOWERS = only(dict.fromkeys(PORTAL_USERS, 200), others=404)
TOOK_PART = only(
    {
        **dict.fromkeys(PARTIES, 200),
        "commissioner": 403,  # organises it, and is asked nothing
        "local_authority": 403,
    },
    others=404,
)
READERS = only({**dict.fromkeys(PARTIES, 403), "commissioner": 200, "chair": 200}, others=404)
COMMISSIONERS = only({"commissioner": 200, "commissioner_other_org": 200, "chair": 200}, others=403)
ANSWERERS = only({"commissioner": 200, "chair": 200}, others=404)

def planner_question_kwargs(ctx):
    return {"pk": ctx["world"]["review"].pk, "slug": "about-me"}


# The person's planner: the person and the family carer the consent invites fill it in, and so
# does the commissioner (typing in a paper one); the panel reads it once the consent gate lets
# them see the person's details (the clinical expert has declared independence, the expert by
# experience not yet); the other professionals of the review may not.
PLANNER_FILLERS = {"person": 200, "family_carer": 200, "commissioner": 200, "chair": 200}
PLANNER_REFUSED = ("expert_by_experience", "provider", "local_authority")
PLANNER_READERS = only(
    {**PLANNER_FILLERS, "clinical_expert": 200, **dict.fromkeys(PLANNER_REFUSED, 403)},
    others=404,
)
PLANNER_WRITERS = only(
    {**PLANNER_FILLERS, "clinical_expert": 403, **dict.fromkeys(PLANNER_REFUSED, 403)},
    others=404,
)

# The booklets are the review's commissioners' to record; the easy-read page is anyone's.
BOOKLETS = only(
    {
        "commissioner": 200,
        "chair": 200,
        **dict.fromkeys(
            (
                "clinical_expert",
                "expert_by_experience",
                "provider",
                "local_authority",
                "family_carer",
                "person",
            ),
            403,
        ),
    },
    others=404,
)

MATRIX = {
    "portal:about_your_review": (no_kwargs, everyone(200), NO_POST),
    "portal:booklets": (review_kwargs, BOOKLETS, acting(BOOKLETS)),
    "portal:planner": (review_kwargs, PLANNER_READERS, NO_POST),
    "portal:planner_pdf": (review_kwargs, PLANNER_READERS, NO_POST),
    "portal:planner_question": (
        planner_question_kwargs,
        PLANNER_WRITERS,
        acting(PLANNER_WRITERS),
    ),
    "portal:home": (no_kwargs, PUBLIC, NO_POST),
    "portal:words": (no_kwargs, PUBLIC, NO_POST),
    "portal:review": (review_kwargs, FOLLOWERS, NO_POST),
    "portal:ask": (review_kwargs, FOLLOWERS, acting(FOLLOWERS)),
    "portal:feedback": (held_kwargs, TOOK_PART, acting(TOOK_PART)),
    "portal:review_feedback": (held_kwargs, READERS, NO_POST),
    "portal:requests": (no_kwargs, COMMISSIONERS, NO_POST),
    "portal:request_detail": (request_kwargs, ANSWERERS, acting(ANSWERERS)),
    "portal:feedback_summary": (no_kwargs, COMMISSIONERS, NO_POST),
}
assert ACTS  # the POST rows above say who may act
