"""seed_demo prints a live link for a one-off recommendation owner and makes a letter for a
person reached on paper; the second run changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from ctr_portal.links import link_for_token
from ctr_portal.models import ActionLink
from links.models import Letter
from reviews.models import InvitedThrough

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_a_live_link_and_makes_a_letter_on_paper(client):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    line = next(x for x in out.getvalue().splitlines() if "who has no account" in x)
    token = line.rstrip("/").rsplit("/", 1)[1]
    assert link_for_token(token).state == "live"
    assert client.get(f"/l/{token}/").status_code == 200
    letter = Letter.objects.get()
    assert letter.state == Letter.State.READY
    assert letter.participant.invited_through == InvitedThrough.PAPER

    call_command("seed_demo", stdout=StringIO())
    assert ActionLink.objects.filter(object_type="recommendations.recommendation").count() == 1
    assert Letter.objects.count() == 1
