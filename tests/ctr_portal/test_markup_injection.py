"""Markup typed by a user never comes back as markup (security issue 19).

A clinical expert typed a ``<meta http-equiv="refresh">`` and a ``<button formaction=...>`` as
a workbook suggestion's owner; the chair's "Make a draft from this suggestion" put it in the
owner field's hint, printed unescaped, inside the chair's form with the chair's CSRF token.
The content security policy stops scripts, not a refresh or a same-origin form button: the
fix is escaping, and these tests look for the payload's elements in the pages' parsed HTML.

The first test follows that attack through the real pages. The second walks the demo data as
every role, fills every text box of every form it finds with markup, posts it, and reads every
page again: no element the payload makes may appear anywhere.
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.html import escape

MARK = "inj-"


def payload(tag: str, max_length: int | None = None) -> str:
    """Markup for one field, each element marked with `tag`; shorter where the box is short."""
    full = (
        f'<meta http-equiv="refresh" content="0;url=/{MARK}{tag}">'
        f'<button formaction="/{MARK}{tag}/">x</button><img src="{MARK}{tag}">'
        f'<b id="{MARK}{tag}">x</b>'
    )
    for text in (full, f"<b id={MARK}{tag}>x</b>", f"<b id={MARK}{tag}>"):
        if max_length is None or len(text) <= max_length:
            return text
    return ""


class InjectedElements(HTMLParser):
    """The elements a payload made: a refresh, a form button or image, or a marked element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        marked = [
            attrs.get("id", "").startswith(MARK),
            tag == "meta" and "http-equiv" in attrs and MARK in attrs.get("content", ""),
            "formaction" in attrs,
            tag == "img" and attrs.get("src", "").startswith(MARK),
        ]
        if any(marked):
            self.found.append(f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs.items())}>")

    handle_startendtag = handle_starttag


def injected(html: str) -> list[str]:
    parser = InjectedElements()
    parser.feed(html)
    parser.close()
    return parser.found


def test_the_finder_sees_each_element_of_the_payload_and_not_escaped_text():
    raw = payload("owner")
    assert len(injected(raw)) == 4
    assert not injected(f'<p>{escape(raw)}</p><input value="{escape(raw)}">')
    assert not injected(f'<textarea>{escape(raw)}</textarea><a href="?q={escape(raw)}">q</a>')


# --- The reported attack, through the pages --------------------------------------------------


@pytest.fixture
def world(review_world, users):
    from tests.panels.factories import ensure_kloe_sets

    ensure_kloe_sets()
    return {**review_world, "users": users}


def post_form_in(client, page_url, action_url):
    """Post the form of `page_url` whose action is `action_url`, as its button would."""
    html = client.get(page_url).content.decode()
    assert f'action="{action_url}"' in html, f"no form posting to {action_url} on {page_url}"
    return client.post(action_url, follow=True)


def test_a_workbook_suggestion_typed_as_markup_stays_text_in_the_chairs_draft(world, client_for):
    """The reported attack: the expert's suggested owner and timescale, carried forward by the
    chair's consolidation, reach the hint of the chair's recommendation form as text."""
    from panels.models import SuggestedRecommendation
    from recommendations.models import Recommendation
    from tests.panels.factories import make_held

    review = world["review"]
    make_held(review)
    kloe_page = reverse("panels:workbook_kloe", args=[review.pk, 7])
    owner = (
        f'<meta http-equiv="refresh" content="2;url=http://127.0.0.1:18102/{MARK}phished">'
        f'<button formaction="/reports/reviews/{review.pk}/issue/">Save</button>'
    )
    expert = client_for("clinical_expert")
    response = expert.post(
        kloe_page,
        {
            "findings": "",
            "rating": "",
            "concern_detail": "",
            "version": "0",
            "action": "save",
            **{f"evidence-{k}": v for k, v in (("TOTAL_FORMS", "1"), ("INITIAL_FORMS", "0"))},
            **{f"suggestion-{k}": v for k, v in (("TOTAL_FORMS", "1"), ("INITIAL_FORMS", "0"))},
            "suggestion-0-text": payload("text"),
            "suggestion-0-owner": owner,
            "suggestion-0-timescale": payload("timescale", 100),
        },
    )
    assert response.status_code in (200, 302)
    suggestion = SuggestedRecommendation.objects.get(answer__workbook__panel__review=review)
    assert suggestion.owner == owner  # stored as typed: it is escaped where it is shown

    chair = client_for("chair")
    consolidate = reverse("panels:consolidation_kloe", args=[review.pk, 7])
    assert not injected(chair.get(consolidate).content.decode())
    response = chair.post(
        consolidate,
        {
            "finding": "Agreed",
            "rating": "no_concerns",
            "reasoning": "",
            "version": "0",
            "action": "save",
        }
        | {"carry": [str(suggestion.pk)]},
    )
    assert response.status_code == 302, re.findall(
        r"nhsuk-error-message[^<]*<[^<]*<[^<]*", response.content.decode()
    )

    listing = reverse("recommendations:review", args=[review.pk])
    page = chair.get(listing).content.decode()
    assert "Make a draft<span" in page
    assert not injected(page)
    action = re.search(r'action="([^"]*/from-suggestion/\d+/)"', page).group(1)
    response = post_form_in(chair, listing, action)
    recommendation = Recommendation.objects.get(review=review)
    assert response.redirect_chain[-1][0] == reverse(
        "recommendations:edit", args=[recommendation.pk]
    )
    html = response.content.decode()
    assert "The panel suggested:" in html
    assert not injected(html), injected(html)
    assert "&lt;meta http-equiv=&quot;refresh&quot;" in html
