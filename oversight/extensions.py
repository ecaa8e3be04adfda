"""What oversight answers through the extension signals (ADR 0008)."""

from django.urls import reverse
from django.utils import timezone

from ctr_portal.dashboard import Card
from ctr_portal.permissions import Perm
from reviews.queries import TimelineEntry
from reviews.sections import PersonLink

CARD_ROWS = 5


def _visit_rows(placements, today):
    from .views import due_text, status_tag

    return [
        [
            {
                "text": p.person.full_name,
                "href": reverse("oversight:person_visits", args=[p.person.pk]),
            },
            due_text(p),
            status_tag(p, today),
        ]
        for p in placements[:CARD_ROWS]
    ]


def _visits_card(user):
    from . import policy, queries

    today = timezone.localdate()
    placements = queries.visits_due_for_user(user)
    statuses = [p.status(today) for p in placements]
    pressing = [p for p, s in zip(placements, statuses, strict=True) if s != queries.NOT_DUE]
    return Card(
        "Oversight visits",
        "oversight/cards/_visits.html",
        {
            "overdue": statuses.count(queries.OVERDUE),
            "due_soon": statuses.count(queries.DUE_SOON),
            "total": len(placements),
            "soon_days": policy.VISIT_DUE_SOON_DAYS,
            "head": ["Name", "Next visit due", "Status"],
            "rows": _visit_rows(pressing, today),
        },
        order=45,
    )


def dashboard_cards(sender, *, request, **kwargs):
    user = request.user
    cards = []
    if user.has_perm(Perm.LIST_OVERSIGHT_VISITS):
        cards.append(_visits_card(user))
    at, mhsds = user.has_perm(Perm.VIEW_AT_RETURN), user.has_perm(Perm.VIEW_MHSDS_RETURN)
    if at or mhsds:
        cards.append(
            Card(
                "National data returns",
                "oversight/cards/_returns.html",
                {"at": at, "mhsds": mhsds},
                order=85,
            )
        )
    return cards


def person_links(sender, **kwargs):
    return [
        PersonLink(
            "Oversight visits",
            "oversight:person_visits",
            Perm.VIEW_OVERSIGHT_VISITS,
            order=10,
            description="Their home area, visits while placed out of it, and the next one due",
        )
    ]


def person_timeline_entries(sender, *, person, **kwargs):
    from .queries import visits_for_person

    return [
        TimelineEntry(
            f"Oversight visit by {visit.visited_by}",
            visit.visited_on,
            visit.recorded_by.display_name,
            f"Found: {visit.found} Actions: {visit.actions}",
        )
        for visit in visits_for_person(person)
    ]
