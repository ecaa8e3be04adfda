"""What the measures pages show, as plain values for their templates: the cells of the rows
behind a figure, a kind of row each. A cell that needs markup (a tag) is a `Partial`
(ctr_portal/partials.py); no HTML here."""

from django.urls import reverse

from ctr_portal.formatting import nhs_date
from ctr_portal.partials import tag

from . import measures


def counted(row):
    """Whether a row counts in the numerator, as a tag."""
    return tag("Yes", "green") if row.met else tag("No", "grey")


def review_cells(r):
    link = {"text": r.person.full_name, "href": reverse("reviews:review_detail", args=[r.pk])}
    return [link, r.get_kind_display(), nhs_date(r.due_date), nhs_date(r.held_on) or "Not held"]


def recommendation_cells(r):
    link = {
        "text": f"{r.review.person.full_name}, recommendation {r.number}",
        "href": reverse("recommendations:detail", args=[r.pk]),
    }
    return [link, r.get_state_display(), nhs_date(r.due_date), nhs_date(r.closed_at)]


def feedback_cells(r):
    link = {
        "text": r.review.person.full_name,
        "href": reverse("reviews:review_detail", args=[r.review_id]),
    }
    return [
        link,
        nhs_date(r.review.held_on),
        r.get_group_display(),
        r.get_involved_display(),
        r.get_clear_display(),
    ]


def visit_cells(r):
    link = {
        "text": r.person.full_name,
        "href": reverse("oversight:person_visits", args=[r.person_id]),
    }
    return [link, nhs_date(r.counted_from), nhs_date(r.visit_due), nhs_date(r.visited_on)]


COLUMNS = {
    measures.REVIEW: (["Review for", "Kind", "Due", "Held"], review_cells),
    measures.RECOMMENDATION: (["Recommendation", "State", "Due", "Closed"], recommendation_cells),
    measures.FEEDBACK: (
        ["Review for", "Held", "Given by", "Felt involved", "Information clear"],
        feedback_cells,
    ),
    measures.VISIT: (["Person", "Counted from", "Visit due by", "Visited"], visit_cells),
}
