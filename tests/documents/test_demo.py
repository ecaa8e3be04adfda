"""seed_demo gives the demo reviews packs at every stage of completeness, with real PDFs, and
changes nothing the second time."""

import pytest
from django.core.management import call_command

from documents.models import Document, DocumentPack, ItemStatus, PackItem

# Each test seeds the whole demo (twice to show it is idempotent).
pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_fills_packs_at_every_stage_and_is_idempotent():
    call_command("seed_demo", verbosity=0)
    packs = list(DocumentPack.objects.all())
    assert len(packs) >= 3
    settled = {
        p.pk: PackItem.objects.filter(pack=p).exclude(status=ItemStatus.OUTSTANDING).count()
        for p in packs
    }
    totals = {p.pk: PackItem.objects.filter(pack=p).count() for p in packs}
    assert 0 in settled.values()  # an empty pack
    assert any(0 < settled[k] < totals[k] for k in settled)  # a part-filled one
    assert any(settled[k] == totals[k] for k in settled)  # a complete one
    document = Document.objects.first()
    with document.file.open("rb") as f:
        assert f.read(5) == b"%PDF-"
    counts = (Document.objects.count(), PackItem.objects.exclude(status="outstanding").count())
    call_command("seed_demo", verbosity=0)
    assert (Document.objects.count(), PackItem.objects.exclude(status="outstanding").count()) == (
        counts
    )
