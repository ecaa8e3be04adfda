"""Links that later apps add to the review page (the document pack, workbooks, the report),
each shown only to users with its permission on the review. Apps register from their
AppConfig.ready(); `reviews` never imports them."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class ReviewLink:
    text: str
    url_name: str  # takes the review's pk as its one argument
    permission: str
    order: int = 100
    description: str = ""


_links: list[ReviewLink] = []


def register_review_link(link: ReviewLink) -> ReviewLink:
    if link not in _links:
        _links.append(link)
        _links.sort(key=lambda item: item.order)
    return link


def review_links_for(user, review) -> list[dict]:
    return [
        {"text": link.text, "href": reverse(link.url_name, args=[review.pk]),
         "description": link.description}
        for link in _links
        if user.has_perm(link.permission, review)
    ]
