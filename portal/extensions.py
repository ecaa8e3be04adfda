"""What the portal answers through the extension signals (ADR 0008)."""

from django.urls import reverse

from ctr_portal.dashboard import Card
from ctr_portal.formatting import nhs_date
from ctr_portal.navigation import NavItem
from ctr_portal.permissions import Perm
from reviews.queries import TimelineEntry
from reviews.sections import ReviewLink


def dashboard_cards(sender, *, request, **kwargs):
    from . import queries

    user = request.user
    cards = []
    if user.has_perm(Perm.USE_PORTAL):
        cards.append(
            Card(
                "Your reviews",
                "portal/cards/_reviews.html",
                {"reviews": queries.portal_reviews(user)},
                order=5,
            )
        )
    if user.has_perm(Perm.LIST_REQUESTS):
        cards.append(
            Card(
                "Requests from people and families",
                "portal/cards/_requests.html",
                queries.open_request_counts(user),
                order=40,
            )
        )
    return cards


def page_asides(sender, *, request, **kwargs):
    """Who to contact about their review, on every page the person and family reach: their
    case manager's name, role and phone (the partial shows the page's own review's, or those
    of the reviews still going on)."""
    from ctr_portal.navigation import Aside
    from reviews.queries import review_contacts_for

    from .rules import PORTAL_ROLES

    user = request.user
    if not user.has_perm(Perm.USE_PORTAL):
        return None
    contacts = review_contacts_for(user, roles=PORTAL_ROLES)
    if not contacts:
        return None
    return Aside("portal/_who_to_contact.html", {"contacts": contacts}, order=10)


def nav_items(sender, **kwargs):
    return [
        NavItem("Your reviews", "portal:home", Perm.USE_PORTAL, order=5, current_for=("portal:",)),
        NavItem(
            "Feedback",
            "portal:feedback_summary",
            Perm.VIEW_FEEDBACK_SUMMARY,
            order=60,
            current_for=("portal:feedback_summary", "portal:review_feedback"),
        ),
    ]


def review_links(sender, **kwargs):
    return [
        ReviewLink(
            "Booklets for the person",
            "portal:booklets",
            Perm.RECORD_BOOKLETS,
            order=14,
            description="Record how and when they had the easy-read booklets about their "
            "review and the planner, or why not",
        ),
        ReviewLink(
            "The person's planner",
            "portal:planner",
            Perm.VIEW_PLANNER,
            order=15,
            description="What they want the panel to know, in their words (My CTR Planner); "
            "type in a paper planner that came back",
        ),
        ReviewLink(
            "Give feedback on this review",
            "portal:feedback",
            Perm.GIVE_FEEDBACK,
            order=80,
            description="How involved you felt, whether the information was clear, and what "
            "to change",
        ),
        ReviewLink(
            "Feedback from everyone who took part",
            "portal:review_feedback",
            Perm.VIEW_FEEDBACK,
            order=81,
        ),
    ]


def person_timeline_entries(sender, *, person, **kwargs):
    from .queries import requests_for_person

    entries = []
    for request in requests_for_person(person):
        urgent = " (urgent: may be about someone's safety)" if request.urgent else ""
        entries.append(
            TimelineEntry(
                f"{request.get_kind_display()} through the portal{urgent}",
                request.made_at,
                request.sender_description,
                request.details,
            )
        )
        if request.answered_at:
            entries.append(
                TimelineEntry(
                    "Commissioner replied to the request",
                    request.answered_at,
                    request.answered_by.display_name,
                    request.answer,
                )
            )
    return entries


def readiness_checks(sender, *, review, **kwargs):
    """The person had the booklets before the review (or the commissioner says why not)."""
    from reviews.readiness import ReadinessItem

    from .models import Booklets

    booklets = Booklets.objects.filter(review=review).first()
    if booklets is None:
        detail = "not recorded yet"
    elif booklets.how == Booklets.How.NOT_GIVEN:
        detail = f"not given: {booklets.reason_not_given}"
    else:
        detail = f"{booklets.get_how_display().lower()}, {nhs_date(booklets.given_on)}"
    return ReadinessItem(
        "booklets",
        "The person had the booklets about their review",
        booklets is not None,
        detail,
        order=25,
    )


def review_trail(sender, *, review, user, **kwargs):
    """The person and family follow a review in the portal: every page about it (the report,
    feedback) leads back there, never to the professional review page."""
    from .rules import follows_in_portal, is_public

    if not (is_public(user) and follows_in_portal(user, review)):
        return None
    return (
        ("Home", reverse("dashboard")),
        ("Your reviews", reverse("portal:home")),
        (f"Review for {review.person.known_as}", reverse("portal:review", args=[review.pk])),
    )
