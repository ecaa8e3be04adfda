"""Links that later apps add to the review page (the document pack, workbooks, the report),
each shown only to users with its permission on the review. Apps answer the `review_links` signal
(reviews.signals) from their AppConfig.ready(); `reviews` never imports them."""

from dataclasses import dataclass

from django.urls import reverse

from ctr_portal.signals import collect

from .signals import person_links, review_links


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
