"""The dashboard is assembled from cards. Each app registers a function that returns its cards
for a user (or nothing), from its AppConfig.ready(); the dashboard never imports the apps.

A card provider is `provider(request) -> list[Card]`. It must make a fixed number of queries,
whatever the number of rows behind it (the dashboard's query count is tested).
"""

from dataclasses import dataclass, field


@dataclass
class Card:
    heading: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    # "card" draws an NHS.UK card; "section" a plain section with an h2, for a page's main work.
    style: str = "card"


_providers = []


def register_card_provider(provider):
    if provider not in _providers:
        _providers.append(provider)


def cards_for(request) -> list[Card]:
    cards = []
    for provider in _providers:
        cards.extend(provider(request) or [])
    return sorted(cards, key=lambda c: c.order)


def _core_cards(request):
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


register_card_provider(_core_cards)
