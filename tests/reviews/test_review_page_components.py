"""The review page is built from the project's own components (card, summary list, table),
not hand-written copies of their markup."""

from pathlib import Path

import pytest
from django.conf import settings

PAGE = Path(settings.BASE_DIR) / "reviews/templates/reviews/review"


@pytest.mark.parametrize(
    "name", ["_detail_full.html", "_detail_gated.html", "_card_summary.html", "_card_table.html"]
)
def test_the_review_page_writes_no_card_summary_list_or_table_markup_of_its_own(name):
    text = (PAGE / name).read_text()
    for markup in ("nhsuk-card", "nhsuk-summary-list", "nhsuk-table"):
        assert markup not in text, markup
