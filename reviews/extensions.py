"""What `reviews` answers through the extension signals: its readiness checks, dashboard cards
and navigation. ReviewsConfig.ready() connects each receiver (ADR 0008)."""

from ctr_portal.dashboard import Card
from ctr_portal.navigation import NavItem
from ctr_portal.permissions import Perm

from .models import CORE_PANEL_ROLES, ParticipantRole
from .readiness import ReadinessItem
from .rules import latest_consent


def readiness_checks(sender, *, review, **kwargs):
    return [consent_check(review), invitations_check(review), panel_check(review)]


def consent_check(review):
    record = latest_consent(review)
    if record is None:
        detail = "no decision recorded yet"
    elif record.opens_gate:
        detail = record.get_decision_display()
    else:
        detail = f"{record.get_decision_display().lower()} – offer again later"
    return ReadinessItem(
        "consent",
        "Consent or a best-interests decision",
        record is not None and record.opens_gate,
        detail,
        order=10,
    )


def invitations_check(review):
    participants = list(review.participants.all())
    invited_contacts = {p.contact_id for p in participants if p.contact_id}
    record = latest_consent(review)
    wanted = [i for i in record.invitees.all() if i.may_attend] if record else []
    missing = [i.contact.name for i in wanted if i.contact_id not in invited_contacts]
    person_invited = any(p.role == ParticipantRole.PERSON for p in participants)
    problems = ([] if person_invited else ["the person"]) + missing
    detail = ("still to invite: " + ", ".join(problems)) if problems else "everyone invited"
    return ReadinessItem(
        "invitations",
        "Invitations to the person and the people they chose",
        not problems,
        detail,
        order=20,
    )


def panel_check(review):
    by_role = {p.role: p for p in review.participants.all() if p.role in CORE_PANEL_ROLES}
    problems = [ParticipantRole(r).label.lower() for r in CORE_PANEL_ROLES if r not in by_role]
    undeclared = [p.get_role_display().lower() for p in by_role.values() if not p.is_independent]
    detail = (
        "; ".join(
            filter(
                None,
                [
                    ("no " + ", ".join(problems)) if problems else "",
                    ("independence not declared by the " + ", ".join(undeclared))
                    if undeclared
                    else "",
                ],
            )
        )
        or "chair, clinical expert and expert by experience"
    )
    return ReadinessItem(
        "panel", "Core panel, each independent", not problems and not undeclared, detail, order=30
    )


def dashboard_cards(sender, *, request, **kwargs):
    from .forms.reviews import ReviewFilterForm
    from .queries import (
        commissioner_dashboard,
        commissioning_organisations,
        reviews_for_participant,
        reviews_for_partner_organisations,
        transfer_requests_for_user,
    )

    user = request.user
    cards = []
    if user.has_perm(Perm.VIEW_COMMISSIONER_DASHBOARD):
        form = ReviewFilterForm(
            request.GET or None, organisations=commissioning_organisations(user)
        )
        data = commissioner_dashboard(user, form.to_filter())
        cards.append(
            Card(
                "Your organisation's reviews",
                "reviews/cards/_commissioner.html",
                {"data": data, "filter_form": form},
                order=10,
                style="section",
            )
        )
        # Listed only when the dashboard's counts found any (no query otherwise).
        transfers = list(transfer_requests_for_user(user)) if data.counts["transfers"] else []
        if transfers:
            cards.append(
                Card(
                    "Transfer requests to decide",
                    "reviews/cards/_transfers.html",
                    {"transfers": transfers},
                    order=5,
                )
            )
    # The person and their family follow their reviews in the portal, which has its own card.
    mine = [] if user.kind == user.Kind.PUBLIC else reviews_for_participant(user)
    if mine:
        cards.append(
            Card("Your reviews", "reviews/cards/_participant.html", {"reviews": mine}, order=20)
        )
    partner = reviews_for_partner_organisations(user)
    if partner:
        cards.append(
            Card(
                "Reviews coming up for people you support",
                "reviews/cards/_participant.html",
                {"reviews": partner},
                order=30,
            )
        )
    return cards


def nav_items(sender, **kwargs):
    return [
        NavItem(
            "People",
            "reviews:person_list",
            Perm.ADD_PERSON,
            order=10,
            current_for=("reviews:person_",),
        ),
        NavItem(
            "Reviews",
            "reviews:review_list",
            Perm.BROWSE_REVIEWS,
            order=20,
            current_for=("reviews:review_",),
        ),
    ]
