"""The pages `make bench` measures.

Each page is a `BenchPage`: a name for the table, a function that builds the path from the
context the data builder made (`bench/data.py`), and the role whose user signs in to ask for it.

To add a page, append to `PAGES` below (keep "floor" first: every other page is compared with
it). If the page needs data or a user the builder does not make yet, add a step to
`bench/data.py` that puts what you need into the context, e.g.:

    BenchPage("review", url("reviews:review_detail", ("reviews", "big")), role="commissioner"),
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

ANONYMOUS = "anonymous"

# The two floors. The anonymous one: /healthz, one indexed query, no session. The signed-in
# one: a page that only extends the base layout (the privacy notice, read by a signed-in
# commissioner), so it pays what every signed-in page pays before its view runs: the session,
# the user, the second factor, the session's save and the base template. Each page's p95 is
# reported as a multiple of the signed-in floor's, and that floor's as a multiple of the
# anonymous one's.
FLOOR = "floor"
SIGNED_IN_FLOOR = "signed-in floor (privacy, commissioner)"


@dataclass(frozen=True)
class BenchPage:
    """One page to time.

    `url_builder(context)` returns the path to request; `role` is a key of `context["users"]`
    (the user who signs in) or "anonymous". `status` is the answer the page must give: the
    bench stops rather than time a redirect to the sign-in page or a 404.
    """

    name: str
    url_builder: Callable[[dict], str]
    role: str = ANONYMOUS
    status: int = 200


def url(name: str, *args, query: str = "") -> Callable[[dict], str]:
    """A url builder: `reverse(name)` with `args`, each a literal or a ("group", "key") pair
    looked up in the context (e.g. ("reviews", "big_icb_open")), then `query` appended."""

    def build(context: dict) -> str:
        looked_up = [context[a[0]][a[1]] if isinstance(a, tuple) else a for a in args]
        return reverse(name, args=looked_up or None) + query

    return build


BIG_ICB = ("organisations", "big_icb")
OPEN_REVIEW = ("reviews", "big_icb_open")
HELD_REVIEW = ("reviews", "big_icb_held")

PAGES: list[BenchPage] = [
    BenchPage(FLOOR, url("healthz"), role=ANONYMOUS),
    BenchPage(SIGNED_IN_FLOOR, url("privacy"), role="commissioner"),
    BenchPage("dashboard (commissioner)", url("dashboard"), role="commissioner"),
    BenchPage("dashboard (administrator)", url("dashboard"), role="administrator"),
    BenchPage("organisation (big ICB, member)", url("organisation", BIG_ICB), role="commissioner"),
    # Issue 4: people and reviews.
    BenchPage("people list (big ICB)", url("reviews:person_list"), role="commissioner"),
    BenchPage("review list (commissioner)", url("reviews:review_list"), role="commissioner"),
    BenchPage(
        "review page (commissioner)",
        url("reviews:review_detail", OPEN_REVIEW),
        role="commissioner",
    ),
    BenchPage(
        "review page (clinical expert)",
        url("reviews:review_detail", OPEN_REVIEW),
        role="review_clinical_expert",
    ),
    # Issue 5: document packs.
    BenchPage(
        "document pack (commissioner)", url("documents:pack", OPEN_REVIEW), role="commissioner"
    ),
    # Issue 6: panels. The bench commissioner chairs every review.
    BenchPage(
        "KLOE workbook page (clinical expert)",
        url("panels:workbook_kloe", OPEN_REVIEW, 3),
        role="review_clinical_expert",
    ),
    BenchPage(
        "panel workbooks (chair)", url("panels:consolidation", OPEN_REVIEW), role="commissioner"
    ),
    BenchPage(
        "KLOE consolidation (chair)",
        url("panels:consolidation_kloe", OPEN_REVIEW, 3),
        role="commissioner",
    ),
    # Issue 12: the portal for the person and family, and feedback.
    BenchPage("portal (family carer)", url("portal:home"), role="family_carer"),
    BenchPage(
        "portal review (family carer)", url("portal:review", OPEN_REVIEW), role="family_carer"
    ),
    BenchPage(
        "report page, held review (commissioner)",
        url("reports:report", HELD_REVIEW),
        role="commissioner",
    ),
    BenchPage(
        "portal review, held (family carer)",
        url("portal:review", HELD_REVIEW),
        role="family_carer",
    ),
    BenchPage("requests from families (commissioner)", url("portal:requests"), role="commissioner"),
    BenchPage(
        "feedback summary (commissioner)", url("portal:feedback_summary"), role="commissioner"
    ),
    # Issue 11: recommendations.
    BenchPage(
        "recommendations tracker (commissioner)",
        url("recommendations:tracker"),
        role="commissioner",
    ),
    BenchPage(
        "recommendations tracker, overdue (commissioner)",
        url("recommendations:tracker", query="?overdue=on"),
        role="commissioner",
    ),
    BenchPage("my actions (provider)", url("recommendations:my_actions"), role="provider"),
    # Issue 13: oversight visits and the national returns.
    BenchPage(
        "oversight visits due (commissioner)", url("oversight:visits_due"), role="commissioner"
    ),
    BenchPage(
        "person's oversight visits (commissioner)",
        url("oversight:person_visits", ("people", "out_of_area")),
        role="commissioner",
    ),
    BenchPage(
        "AT extract (commissioner)",
        lambda ctx: (
            reverse("oversight:at")
            + f"?organisation={ctx['organisations']['big_icb']}&month={ctx['returns']['at_month']}"
        ),
        role="commissioner",
    ),
    BenchPage(
        "MHSDS extract (provider)",
        lambda ctx: (
            reverse("oversight:mhsds")
            + f"?organisation={ctx['organisations']['provider'][0]}"
            + f"&month={ctx['returns']['mhsds_month']}"
        ),
        role="provider",
    ),
    BenchPage(
        "service measures (commissioner)",
        url("metrics:organisation", BIG_ICB),
        role="commissioner",
    ),
    # Issue 21: the oversight panel's meeting view (every open escalation, one page).
    BenchPage(
        "oversight panel meeting (panel member)",
        lambda ctx: reverse("recommendations:escalated"),
        role="oversight_panel",
    ),
    # Issue 21: the action plan, and what someone without an account reads.
    BenchPage(
        "action plan of a held review (commissioner)",
        url("recommendations:review", HELD_REVIEW),
        role="commissioner",
    ),
    BenchPage(
        "people without an account (commissioner)",
        url("links:review_letters", HELD_REVIEW),
        role="commissioner",
    ),
    BenchPage(
        "report and plan from a single-purpose link (no account)",
        url("links:use", ("links", "read_report")),
    ),
    # Issues 22 and 23: the person over time (their reviews side by side, restraint recorded).
    BenchPage(
        "person's record, reviews side by side (commissioner)",
        lambda ctx: reverse("reviews:person_detail", args=[_person_of(ctx, HELD_REVIEW)]),
        role="commissioner",
    ),
    BenchPage(
        "record restraint (commissioner)",
        lambda ctx: reverse(
            "reviews:person_restrictive_practice", args=[_person_of(ctx, HELD_REVIEW)]
        ),
        role="commissioner",
    ),
    # Later issues: add your pages here.
]


def _person_of(ctx, review) -> int:
    """The person of a review of the bench data (looked up once, before the page is timed)."""
    from reviews.models import Review

    return Review.objects.values_list("person_id", flat=True).get(pk=ctx[review[0]][review[1]])


def register(page: BenchPage) -> BenchPage:
    """Add a page from elsewhere (e.g. a local experiment); most pages belong in PAGES above."""
    if any(existing.name == page.name for existing in PAGES):
        raise ValueError(f"A bench page is already called {page.name!r}.")
    PAGES.append(page)
    return page
