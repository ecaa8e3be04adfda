import pytest

from tests.panels.factories import ensure_kloe_sets

from .factories import report_world


@pytest.fixture(autouse=True)
def kloe_sets(db):
    ensure_kloe_sets()


@pytest.fixture
def held_world(review_world):
    """`review_world`'s review, held yesterday, with the panel's findings and three
    recommendations (see `factories.report_world`)."""
    return report_world(review_world)
