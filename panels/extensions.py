"""What `panels` answers through the extension signals of `reviews`: links on the review page,
each shown only to those with its permission on the review. PanelsConfig.ready() connects the
receiver (ADR 0008)."""

from ctr_portal.permissions import Perm
from reviews.sections import ReviewLink

LINKS = [
    ReviewLink(
        "Serious concerns raised by the panel",
        "panels:concerns",
        Perm.SEE_OPEN_CONCERNS,
        order=5,
        description="A panel member has raised a serious concern. It stays open until the chair "
        "records what was done and by whom.",
    ),
    ReviewLink(
        "Your KLOE workbook",
        "panels:workbook",
        Perm.FILL_WORKBOOK,
        order=40,
        description="Your findings, evidence, ratings and suggested recommendations for each key "
        "line of enquiry.",
    ),
    ReviewLink(
        "Panel workbooks and consolidation",
        "panels:consolidation",
        Perm.CONSOLIDATE,
        order=45,
        description="Every member's workbook side by side, and the panel's agreed findings.",
    ),
    ReviewLink(
        "The panel's findings",
        "panels:findings",
        Perm.VIEW_FINDINGS,
        order=50,
        description="The panel's agreed finding, rating and reasoning for each key line of "
        "enquiry.",
    ),
    ReviewLink(
        "Physical health and medication (KLOE 5 and 6)",
        "panels:provider_part",
        Perm.COMPLETE_PROVIDER_PART,
        order=60,
        description="The provider completes these before the review; the panel sees them beside "
        "those KLOEs.",
    ),
]


def review_links(sender, **kwargs):
    return LINKS


def form_panel(sender, *, review, **kwargs):
    """A review that is scheduled has its panel formed, with the KLOE set current then."""
    from .services import panel_form

    panel_form(review=review)


def person_reviews_compared(sender, *, person, reviews, **kwargs):
    """Each key line of enquiry's agreed rating at each of the person's held reviews, matched
    across reviews by its number (a child's and an adult's set number them alike); one query."""
    from ctr_portal.partials import tag
    from reviews.sections import ComparedLine

    from .models import Rating
    from .queries import consolidated_ratings

    by_number: dict[int, dict] = {}
    titles: dict[int, str] = {}
    for consolidated in consolidated_ratings(reviews):
        kloe = consolidated.kloe
        titles[kloe.number] = f"{kloe.label}: {kloe.title}"  # the latest review's wording
        rating = Rating(consolidated.rating)
        by_number.setdefault(kloe.number, {})[consolidated.panel.review_id] = tag(
            rating.label, rating.tag_colour
        )
    return [
        ComparedLine(titles[number], values, order=number)
        for number, values in sorted(by_number.items())
    ]
