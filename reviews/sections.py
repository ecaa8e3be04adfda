"""Links that later apps add to the review page (the document pack, workbooks, the report),
each shown only to users with its permission on the review. Apps answer the `review_links` signal
(reviews.signals) from their AppConfig.ready(); `reviews` never imports them."""

from dataclasses import dataclass, field

from django.urls import reverse

from ctr_portal.formatting import nhs_date
from ctr_portal.signals import collect

from .models import ReviewState
from .signals import person_links, person_reviews_compared, review_links


@dataclass(frozen=True)
class ReviewLink:
    text: str
    url_name: str  # takes the review's pk as its one argument
    permission: str
    order: int = 100
    description: str = ""


def review_links_for(user, review) -> list[dict]:
    return [
        {
            "text": link.text,
            "href": reverse(link.url_name, args=[review.pk]),
            "description": link.description,
        }
        for link in sorted(collect(review_links), key=lambda item: item.order)
        if user.has_perm(link.permission, review)
    ]


@dataclass(frozen=True)
class PersonLink:
    text: str
    url_name: str  # takes the person's pk as its one argument
    permission: str
    order: int = 100
    description: str = ""


def person_links_for(user, person) -> list[dict]:
    return [
        {
            "text": link.text,
            "href": reverse(link.url_name, args=[person.pk]),
            "description": link.description,
        }
        for link in sorted(collect(person_links), key=lambda item: item.order)
        if user.has_perm(link.permission, person)
    ]


@dataclass(frozen=True)
class ComparedLine:
    """One line of the person's reviews side by side: its label, and what it was at each review
    (by the review's pk; a review missing from `values` shows `missing`)."""

    label: str
    values: dict = field(default_factory=dict)
    order: int = 100
    missing: str = "Not rated"


# The person's page sets this many of their latest held reviews side by side.
REVIEWS_COMPARED = 4


def reviews_compared(person, reviews) -> dict | None:
    """The person's latest held reviews (of `reviews`, which the user may see) side by side:
    the table's head (one column per review, oldest first) and its rows, one per line the apps
    add; None when no review has been held."""
    every = sorted(
        (r for r in reviews if r.held_on is not None and r.state != ReviewState.CANCELLED),
        key=lambda r: (r.held_on, r.pk),
    )
    held = every[-REVIEWS_COMPARED:]
    if not held:
        return None
    lines = sorted(
        collect(person_reviews_compared, person=person, reviews=held),
        key=lambda line: (line.order, line.label),
    )
    head = ["What the panel looked at"] + [
        f"{nhs_date(r.held_on)}: {r.type_label}, {r.get_kind_display().lower()}" for r in held
    ]
    rows = [[line.label] + [line.values.get(r.pk, line.missing) for r in held] for line in lines]
    return {"head": head, "rows": rows, "reviews": held, "earlier": len(every) - len(held)}
