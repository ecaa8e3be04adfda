"""What must be true before a review is "ready": every app answers the `readiness_checks`
signal (reviews.signals). `reviews` answers with consent, invitations and the core panel;
`documents` with the pack. A receiver must make a fixed number of queries (the review page's
query count is tested) and may rely on what `review_for_user` prefetches.
"""

from dataclasses import dataclass

from ctr_portal.signals import collect

from .signals import readiness_checks


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    label: str
    done: bool
    detail: str = ""
    order: int = 100
    # Something worth knowing that does not stop the review (documents that may come on the
    # day, a community pack still gathering): shown beside a done item, never blocking.
    warning: str = ""


def readiness_for(review) -> list[ReadinessItem]:
    return sorted(collect(readiness_checks, review=review), key=lambda item: item.order)


def missing_before_ready(review) -> list[ReadinessItem]:
    return [item for item in readiness_for(review) if not item.done]
