import pytest

from .factories import ensure_kloe_sets


@pytest.fixture(autouse=True)
def kloe_sets(db):
    """The KLOE sets the data migration loads (again, if a transactional test flushed them)."""
    ensure_kloe_sets()
