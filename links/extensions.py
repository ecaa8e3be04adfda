"""What `links` adds to the review page (ADR 0008)."""

from ctr_portal.permissions import Perm
from reviews.sections import ReviewLink


def review_links(sender, **kwargs):
    return ReviewLink(
        "People without an account",
        "links:review_letters",
        Perm.MANAGE_REVIEW,
        order=90,
        description="How each is reached (email, text, through their keyworker, on paper); "
        "their printable letters, and who handed each over.",
    )
