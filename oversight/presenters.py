"""What the oversight pages show, as plain values for their templates. A value that needs
markup (a tag, a list) is a `Partial` naming the partial that draws it
(oversight/templates/oversight/_*.html); no HTML here."""

from ctr_portal.formatting import nhs_date
from ctr_portal.partials import Partial, tag

from . import queries

STATUS_TAGS = {
    queries.OVERDUE: ("Overdue", "red"),
    queries.DUE_SOON: ("Due soon", "yellow"),
    queries.NOT_DUE: ("Not due yet", "grey"),
}


def due_text(placement) -> str:
    if placement.due is None:
        return "Now: no admission date or visit recorded"
    return nhs_date(placement.due)


def status_tag(placement, today) -> Partial:
    return tag(*STATUS_TAGS[placement.status(today)])


def next_visit_due(placement, today) -> Partial:
    """When the next visit is due, and its status as a tag."""
    return Partial(
        "oversight/_next_visit_due.html",
        {"due": due_text(placement), "status": status_tag(placement, today)},
    )


def extract_problems(extract) -> Partial:
    """A return's rows missing a mandatory item, as a bulleted list."""
    return Partial("oversight/_extract_problems.html", {"problems": extract.problems})
