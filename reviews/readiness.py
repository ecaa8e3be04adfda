"""What must be true before a review is "ready": one hook that every app registers with.

`reviews` registers consent, invitations and the core panel; `documents` will register the pack.
A check is `check(review) -> ReadinessItem`; it must make a fixed number of queries (the review
page's query count is tested) and may rely on what `review_for_user` prefetches.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    label: str
    done: bool
    detail: str = ""
    order: int = 100


_checks = []


def register_readiness_check(check):
    if check not in _checks:
        _checks.append(check)
    return check


def readiness_for(review) -> list[ReadinessItem]:
    return sorted((check(review) for check in _checks), key=lambda item: item.order)


def missing_before_ready(review) -> list[ReadinessItem]:
    return [item for item in readiness_for(review) if not item.done]
