"""Evidence cites a document of the review's pack, picked from those the member may open; free
text stays for anything not in the pack (issue 23)."""

from html import unescape

import pytest

from panels.models import EvidenceSource
from tests.documents.factories import DocumentFactory, DocumentPackFactory, PackItemFactory

from .factories import make_on_the_day
from .test_views import answer_data, kloe_url, saved_answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(review_world, users, organisations):
    review = make_on_the_day(review_world["review"])  # the pack is open to the panel
    pack = DocumentPackFactory(review=review)
    plan = DocumentFactory(
        item=PackItemFactory(
            pack=pack, title="Care and treatment plan", organisation=organisations["provider"]
        )
    )
    elsewhere = DocumentFactory(item=PackItemFactory(title="Someone else's care plan"))
    return {**review_world, "users": users, "plan": plan, "elsewhere": elsewhere}


def evidence(document_id, **more):
    return answer_data(
        action="save",
        **{
            "evidence-0-source_kind": EvidenceSource.DOCUMENT,
            "evidence-0-document_id": str(document_id),
            "evidence-0-shows": "Not reviewed since restraint began",
            **more,
        },
    )


def test_the_member_picks_the_document_from_the_reviews_pack(world, client_for):
    client = client_for("clinical_expert")
    page = unescape(client.get(kloe_url(world, 3)).content.decode())

    assert "Which document in the pack" in page
    assert f'<option value="{world["plan"].pk}">Care and treatment plan' in page
    assert "Someone else's care plan" not in page

    response = client.post(kloe_url(world, 3), evidence(world["plan"].pk))
    assert response.status_code == 302
    saved = saved_answer(world, 3).evidence.get()
    assert saved.document == world["plan"] and saved.source == ""


def test_a_document_of_another_pack_is_refused(world, client_for):
    response = client_for("clinical_expert").post(
        kloe_url(world, 3), evidence(world["elsewhere"].pk)
    )

    assert response.status_code == 200
    assert "Select a document from this review&#x27;s pack" in response.content.decode()
    assert saved_answer(world, 3) is None


def test_free_text_stays_for_what_is_not_in_the_pack(world, client_for):
    response = client_for("clinical_expert").post(
        kloe_url(world, 3), evidence("", **{"evidence-0-source": "GP letter brought on the day"})
    )

    assert response.status_code == 302
    saved = saved_answer(world, 3).evidence.get()
    assert saved.document is None and saved.source == "GP letter brought on the day"
