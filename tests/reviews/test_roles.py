"""Each role in plain words with its own picture (reviews/roles.py): one mapping, every role."""

import pytest
from django.template.loader import render_to_string

from reviews.models import ParticipantRole
from reviews.roles import ROLE_IN_PLAIN_WORDS


@pytest.mark.parametrize("role", ParticipantRole.values)
def test_every_role_has_plain_words_and_a_picture_with_a_text_alternative(role):
    plain = ROLE_IN_PLAIN_WORDS[role]
    assert plain.words and plain.words[0].islower() and not plain.words.endswith(".")
    svg = render_to_string(plain.picture, {"alt": plain.alt})
    assert f"<title>{plain.alt}</title>" in svg
    assert 'aria-hidden="true"' in svg and 'class="app-symbol"' in svg


def test_a_role_is_drawn_beside_a_name_in_one_partial():
    html = render_to_string(
        "reviews/_role_in_plain_words.html", {"name": "Dr Nia Roberts", "role": "clinical_expert"}
    )
    assert (
        "<strong>Dr Nia Roberts</strong>: a doctor or nurse who does not work at your hospital"
        in html
    )
    assert "<title>A person with a health cross</title>" in html
    no_name = render_to_string("reviews/_role_in_plain_words.html", {"role": "chair"})
    assert "The person who runs the review." in no_name
