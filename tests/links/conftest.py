import pytest

from tests.panels.factories import ensure_kloe_sets


@pytest.fixture(autouse=True)
def kloe_sets(db):
    ensure_kloe_sets()


@pytest.fixture
def world(review_world, users, organisations):
    return {**review_world, "users": users, "organisations": organisations}
