"""Recommendations: reads that cross relations or depend on the user; each takes the user."""


# --- Report


def recommendations_for_report(review) -> list:
    """The review's recommendations as the report's SMART table gives them (action, named owner,
    measure, due date), in number order, with their KLOEs; superseded ones are left out. Three
    queries however many rows."""
    from .models import Recommendation, State

    return list(
        Recommendation.objects.filter(review=review)
        .exclude(state=State.SUPERSEDED)
        .select_related("owner")
        .prefetch_related("kloes")
        .order_by("number")
    )
