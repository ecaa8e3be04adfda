"""What metrics answers through the extension signals (ADR 0008)."""

from ctr_portal.navigation import NavItem
from ctr_portal.permissions import Perm


def nav_items(sender, **kwargs):
    return [
        NavItem(
            "Service measures",
            "metrics:index",
            Perm.VIEW_METRICS,
            order=60,
            current_for=("metrics:",),
        )
    ]
