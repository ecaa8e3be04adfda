"""seed_demo gives the held reviews' panels filled workbooks, and changes nothing the second
time."""

import pytest
from django.core.management import call_command

from panels import queries, services
from panels.models import Concern, KloeAnswer, Panel, Workbook

# Each test seeds the whole demo (twice to show it is idempotent).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_fills_the_held_reviews_workbooks_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    everyone = list(Panel.objects.select_related("review"))
    panels = {p.review.state: p for p in everyone if p.review.state != "closed"}
    assert set(panels) == {"held", "report_drafting", "report_issued"}
    # The review before each of those has the chair's agreed ratings (no workbooks): what
    # the person's page and the report's "since the last review" compare with.
    earlier = [p for p in everyone if p.review.state == "closed"]
    assert len(earlier) == 3
    for panel in earlier:
        assert panel.is_finished and not panel.workbooks.exists()
        assert panel.consolidated.exclude(rating="").count() == 11
    # Three members' workbooks for each: Noah's, Sophie's, Liam's and Daniel's reviews
    assert Workbook.objects.count() == 3 * (len(everyone) - len(earlier)) == 12
    ratings = set(KloeAnswer.objects.values_list("rating", flat=True))
    assert {"no_concerns", "some_concerns", "serious_concerns"} <= ratings
    assert len(set(KloeAnswer.objects.values_list("findings", flat=True))) > 30
    for answer in KloeAnswer.objects.filter(rating="serious_concerns"):
        assert answer.concern.is_open or answer.concern.action_by  # raised, once
    held = panels["held"]
    assert not held.is_finished and panels["report_drafting"].is_finished
    assert Concern.objects.filter(panel=held, resolved_at__isnull=True).count() == 2
    assert queries.quotes_for_panel(held)
    finished = queries.consolidation_for(panels["report_issued"])
    assert services.consolidation_problems(finished) == []
    counts = (Panel.objects.count(), KloeAnswer.objects.count(), Concern.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Panel.objects.count(), KloeAnswer.objects.count(), Concern.objects.count()) == counts
