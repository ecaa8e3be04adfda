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

import datetime
import heapq
import re
from collections import Counter
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.html import escape

from ctr_portal.demo import PERSONAS
from ctr_portal.models import User
from tests.conftest import sign_in

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


@pytest.mark.django_db
def test_the_content_security_policy_keeps_forms_and_the_base_address_on_our_own_site(client):
    """Defence in depth: an injected form, or a <base> moving relative actions, cannot post
    elsewhere. (No directive stops a <meta http-equiv="refresh">; escaping is the fix for it.)"""
    from tests.factories import UserFactory

    for page in (reverse("accounts:login"), reverse("dashboard")):
        policy = client.get(page)["Content-Security-Policy"]
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives["form-action"] == ["'self'"], policy
        assert directives["base-uri"] == ["'self'"], policy
        sign_in(client, UserFactory(public=True))


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


def expert_suggests(client, review, owner):
    """The clinical expert saves KLOE 7 of their workbook with a suggested recommendation."""
    from panels.models import SuggestedRecommendation

    management = (("TOTAL_FORMS", "1"), ("INITIAL_FORMS", "0"))
    response = client.post(
        reverse("panels:workbook_kloe", args=[review.pk, 7]),
        {
            "findings": "",
            "rating": "",
            "concern_detail": "",
            "version": "0",
            "action": "save",
            **{f"evidence-{k}": v for k, v in management},
            **{f"suggestion-{k}": v for k, v in management},
            "suggestion-0-text": payload("text"),
            "suggestion-0-owner": owner,
            "suggestion-0-timescale": payload("timescale", 100),
        },
    )
    assert response.status_code in (200, 302)
    return SuggestedRecommendation.objects.get(answer__workbook__panel__review=review)


def test_a_workbook_suggestion_typed_as_markup_stays_text_in_the_chairs_draft(world, client_for):
    """The reported attack: the expert's suggested owner and timescale, carried forward by the
    chair's consolidation, reach the hint of the chair's recommendation form as text."""
    from recommendations.models import Recommendation
    from tests.panels.factories import make_held

    review = world["review"]
    make_held(review)
    owner = (
        f'<meta http-equiv="refresh" content="2;url=http://127.0.0.1:18102/{MARK}phished">'
        f'<button formaction="/reports/reviews/{review.pk}/issue/">Save</button>'
    )
    suggestion = expert_suggests(client_for("clinical_expert"), review, owner)
    assert suggestion.owner == owner  # stored as typed: it is escaped where it is shown

    chair = client_for("chair")
    consolidate = reverse("panels:consolidation_kloe", args=[review.pk, 7])
    assert not injected(chair.get(consolidate).content.decode())
    response = chair.post(
        consolidate,
        {
            "finding": "Agreed",
            "rating": "no_concerns",
            "reasoning": "Every member found the same.",
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


# --- Every form of every role ------------------------------------------------------------------

# A route (URL pattern) is read twice per role, or up to READS_PER_ROUTE times until one of its
# pages has a form to fill (a submitted workbook's pages have none), and each form is posted once
# per role: the demo's reviews differ in state, so their pages show the forms of every stage.
PAGES_PER_ROUTE = 2
READS_PER_ROUTE = 5
NEVER = {"logout", "demo_sign_in", "session_keepalive"}  # URL names never read nor posted
NEVER_POSTED = {"account/two-factor/set-up/"}  # its one box is a code, checked, never shown
TYPED = {"text", "search", "tel", "url", ""}  # input types a payload goes in
DATE_PART = re.compile(r"\[(day|month|year)\]$")


class FormReader(HTMLParser):
    """A page's links and forms: each form's method, action, fields and first button."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.forms = [], []
        self._form = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: "" if value is None else value for name, value in attrs}
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action", ""),
                "fields": [],
                "button": None,
            }
            self.forms.append(self._form)
        elif self._form is not None:
            self._field(tag, attrs)

    def _field(self, tag, attrs):
        kind = attrs.get("type", "").lower()
        if (tag == "button" and kind in ("submit", "")) or (tag == "input" and kind == "submit"):
            if self._form["button"] is None and attrs.get("name"):
                self._form["button"] = (attrs["name"], attrs.get("value", ""))
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))
            if "selected" in attrs:
                self._select["value"] = attrs.get("value", "")
        elif tag in ("input", "select", "textarea") and attrs.get("name"):
            field = {"tag": tag, **attrs, "type": kind, "options": []}
            if "disabled" in attrs:
                return
            self._form["fields"].append(field)
            if tag == "select":
                self._select = field
            elif tag == "textarea":
                self._textarea = field

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] = self._textarea.get("value", "") + data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def read_forms(html):
    reader = FormReader()
    reader.feed(html)
    reader.close()
    return reader


def _choice_values(fields, overrides):
    """Every checkbox ticked (the first only once the group was in error), a radio group's
    ticked radio or its first."""
    chosen, groups = [], {}
    for field in fields:
        if field["tag"] == "input" and field["type"] in ("radio", "checkbox"):
            groups.setdefault(field["name"], []).append(field)
    for name, items in groups.items():
        values = [f.get("value", "on") for f in items]
        ticked = [f.get("value", "on") for f in items if "checked" in f]
        if items[0]["type"] == "checkbox" and name not in overrides:
            ticked = values
        chosen += [(name, value) for value in ticked or values[:1]]
    return chosen


# What a box the payload did not fit gets next, by name, and the dates tried in turn.
FITTING = {
    "nhs_number": "9434765919",
    "start_time": "09:30",
    "starts_at": "09:30",
    "video_link": "https://meet.example.nhs.uk/ctr",
}
DAYS = [28, None, -28, -14000]


def _typed_value(field, tags, overrides):
    name, kind, value = field["name"], field["type"], field.get("value", "")
    if DATE_PART.search(name):
        days = DAYS[overrides.get(name, 0)]
        when = timezone.localdate() + datetime.timedelta(days=days or 0)
        return "" if days is None else str(getattr(when, DATE_PART.search(name).group(1)))
    if kind == "hidden":
        return value
    if kind == "email":
        return "inj@example.com"
    if kind == "number":
        return value or "1"
    if name in overrides:
        return value or FITTING.get(name.rsplit("-", 1)[-1], "Plain words")
    tag = str(len(tags))
    tags[tag] = name
    maxlength = field.get("maxlength", "")
    return payload(tag, int(maxlength) if maxlength.isdigit() else None)


def fill(form, tags, overrides):
    """The form's submission with a payload in every text box, `tags` numbering the payloads;
    `overrides` counts the tries of the boxes the payload did not fit."""
    data = _choice_values(form["fields"], overrides)
    for field in form["fields"]:
        if field["tag"] == "select":
            options = [o for o in field["options"] if o] or [""]
            data.append((field["name"], field.get("value") or options[0]))
        elif field["tag"] == "textarea" or field["type"] in {*TYPED, "hidden", "email", "number"}:
            data.append((field["name"], _typed_value(field, tags, overrides)))
    if form["button"]:
        data.append(form["button"])
    return data


def as_post(data):
    post = {}
    for name, value in data:
        post.setdefault(name, []).append(value)
    return post


def fields_in_error(html, form) -> set[str]:
    """The names of the form's fields the page marks in error."""
    bases = set(re.findall(r'id="([^"]+)-error"', html))
    return {
        f["name"]
        for f in form["fields"]
        if f.get("id") and any(f["id"] == b or f["id"].startswith(b + "-") for b in bases)
    }


class Walk:
    """One role's walk: read pages breadth first, post each form target once with a payload in
    its text boxes, and note every payload element found on any page answered."""

    def __init__(self, client, role, found):
        self.client, self.role, self.found = client, role, found
        self.read, self.filled, self.posted, self.tags = Counter(), Counter(), set(), {}
        self.pages, self.queue, self.seen = [], [], set()
        self.attempts = self.accepted = 0
        self.later = {}

    @staticmethod
    def route(url):
        path = urlsplit(url).path
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if match.url_name in NEVER or match.namespace == "admin":
            return None
        return match.route

    def check(self, url, response):
        if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
            html = response.content.decode()
            for element in injected(html):
                self.found.append(f"{self.role} {url}: {element}")
            return html
        return None

    def run(self, start="/"):
        self.queue.append((0, 0, start))
        while self.queue:
            _rank, _order, url = heapq.heappop(self.queue)
            route = self.route(url)
            if route is None or self.read[route] >= READS_PER_ROUTE:
                continue
            if self.read[route] >= PAGES_PER_ROUTE and self.filled[route]:
                continue
            self.read[route] += 1
            html = self.check(url, self.client.get(url))
            if html is None:
                continue
            self.pages.append(url)
            page = read_forms(html)
            self.add(url, page.links)
            self.filled[route] += sum(bool(self.submit(url, form)) for form in page.forms)

    def add(self, url, hrefs):
        """Queue a page's links, the first of each route on every page before the second of
        any, so that a route's pages come from all of its parents (every review's workbook)."""
        siblings = Counter()
        for href in hrefs:
            target = urljoin(url, href).split("#")[0]
            route = self.route(target)
            if route and not urlsplit(target).netloc and target not in self.seen:
                self.seen.add(target)
                heapq.heappush(self.queue, (siblings[route], len(self.seen), target))
                siblings[route] += 1

    def submit(self, url, form):
        """Fill and send a form not sent yet; one with no box to fill (a button: make a draft,
        issue the report) waits for `act`, once everyone has typed. True if it was sent."""
        target = urljoin(url, form["action"] or url)
        route = self.route(target)
        key = (form["method"], route, tuple(sorted({f["name"] for f in form["fields"]})))
        typed = any(f["tag"] == "textarea" or f["type"] in TYPED for f in form["fields"])
        if route is None or route in NEVER_POSTED or key in self.posted:
            return False
        if any(f["type"] == "password" for f in form["fields"]):
            return False
        if not typed:
            if form["method"] == "post":
                self.later.setdefault((urlsplit(target).path, key), (target, form))
            return False
        self.posted.add(key)
        if form["method"] == "get":
            query = urlencode([(n, v) for n, v in fill(form, self.tags, {}) if n])
            self.check(target, self.client.get(f"{urlsplit(target).path}?{query}"))
        else:
            self.post(target, form)
        return True

    def post(self, target, form):
        """Post the form; where a box refuses its payload, try again with a value that fits."""
        overrides = {}
        for _attempt in range(len(DAYS)):
            self.attempts += 1
            response = self.client.post(target, as_post(fill(form, self.tags, overrides)))
            if response.status_code in (301, 302, 303):
                self.accepted += 1
                self.check(response["Location"], self.client.get(response["Location"]))
                return
            html = self.check(target, response)
            if not html:
                return
            wrong = fields_in_error(html, form)
            if not wrong:
                return
            for name in wrong:
                overrides[name] = min(overrides.get(name, 0) + 1, len(DAYS) - 1)

    def act(self):
        for target, form in self.later.values():
            self.post(target, form)

    def reread(self):
        for url in self.pages:
            self.check(url, self.client.get(url))


@pytest.fixture
def demo_world(db, monkeypatch):
    """The demo data, its document packs holding one small PDF made once (the demo draws each
    of its hundred-odd documents, which is most of the time the demo takes to make)."""
    from tests.documents.factories import pdf_bytes

    blank = pdf_bytes(text=None)
    monkeypatch.setattr("documents.demo._pdf", lambda title, review: blank)
    with override_settings(DEMO_MODE=True):
        call_command("seed_demo", stdout=StringIO())


# Every role, every form, every page: minutes on a busy machine, so more than the usual five.
@pytest.mark.timeout(900)
def test_markup_typed_in_any_form_by_any_role_never_comes_back_as_markup(demo_world):
    """Every role fills every form it can reach with markup and posts it; then every role reads
    every page it read before. No element of any payload may appear in any of them."""
    found = []
    # Those who act on what others typed (the chair, the commissioner) post last.
    personas = sorted(PERSONAS, key=lambda p: p.key in ("chair", "commissioner"))
    walks = []
    for persona in personas:
        client = sign_in(Client(), User.objects.get(email=persona.email))
        walk = Walk(client, persona.key, found)
        walk.run()
        walks.append(walk)
    for walk in walks:
        walk.act()
    for walk in walks:
        walk.reread()
    summary = {w.role: (len(w.pages), w.attempts, w.accepted) for w in walks}
    print(f"\npages read, posts tried, posts accepted by role: {summary}")
    assert sum(w.accepted for w in walks) > 20, summary
    assert not found, "\n".join(sorted(set(found)))
