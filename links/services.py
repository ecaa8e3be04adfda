"""What the holder of a link does, each in one transaction with the link's use: a refused
change (the recommendation moved on a moment ago) leaves the link unspent. The actions are the
recommendations app's own services, with no actor (the holder has no account); the link's use
is audited against the link."""

from django.db import transaction

from ctr_portal.links import link_issue, link_use
from ctr_portal.models import ActionLink
from recommendations import services as recommendation_services
from recommendations.services import RecommendationError

Purpose = ActionLink.Purpose


class LinkSpent(Exception):
    """The link was used (or revoked, or expired) between the page and the answer."""


def link_respond(
    *, link, recommendation, response: str, remit_confirmed: bool, reason: str, request=None
):
    """The owner accepts or disputes the recommendation, through its RESPOND link."""
    with transaction.atomic():
        if not link_use(link=link, request=request):
            raise LinkSpent
        if response == "accept":
            return recommendation_services.recommendation_accept(
                actor=None, recommendation=recommendation, remit_confirmed=remit_confirmed
            )
        return recommendation_services.recommendation_dispute(
            actor=None, recommendation=recommendation, reason=reason
        )


def link_update(*, link, recommendation, note: str, request=None):
    """The owner posts one progress update, through an UPDATE link."""
    with transaction.atomic():
        if not link_use(link=link, request=request):
            raise LinkSpent
        return recommendation_services.recommendation_progress(
            actor=None, recommendation=recommendation, note=note
        )


def recommendation_link_issue(*, actor, recommendation) -> tuple[ActionLink, str]:
    """A new link for a recommendation's owner who has no account: to accept or dispute it
    while it waits for them, to post an update once agreed."""
    from recommendations.models import State

    purpose = Purpose.RESPOND if recommendation.state == State.AWAITING_OWNER else Purpose.UPDATE
    with transaction.atomic():
        return link_issue(purpose=purpose, obj=recommendation, actor=actor)


__all__ = ["LinkSpent", "RecommendationError", "link_respond", "link_update"]
