"""The dashboard is assembled from cards. Each app answers the `dashboard_cards` signal with its
cards for the user (or nothing), connected in its AppConfig.ready(); the dashboard never imports
the apps. A receiver must make a fixed number of queries, whatever the number of rows behind it
(the dashboard's query count is tested).
"""

from dataclasses import dataclass, field
from datetime import date

from .signals import collect, dashboard_cards


@dataclass
class Card:
    heading: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    # "card" draws an NHS.UK card; "section" a plain section with an h2, for a page's main work.
    style: str = "card"


# How a card that counts over a period names it; `last_12_months` gives its days.
PERIOD_LABEL = "the last 12 months"


def last_12_months(today: date) -> tuple[date, date]:
    """The period a card counts over (from the first of the month 11 months ago to today). It is
    the service measures' default period too (metrics.periods), so that a card and the measure
    of the same figure count the same rows."""
    months = today.year * 12 + today.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), today


def cards_for(request) -> list[Card]:
    return sorted(collect(dashboard_cards, request=request), key=lambda c: c.order)


def core_cards(sender, *, request, **kwargs):
    from .queries import memberships_for_user
    from .rules import is_administrator

    user = request.user
    cards = []
    memberships = list(memberships_for_user(user))
    if memberships:
        cards.append(
            Card(
                "Your organisations",
                "ctr_portal/cards/_organisations.html",
                {"memberships": memberships},
                order=800,
            )
        )
    if is_administrator(user):
        cards.append(Card("Administration", "ctr_portal/cards/_administration.html", order=900))
    return cards
