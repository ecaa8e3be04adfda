"""Every page tried by every role (issue 9).

On the demo data, each demo persona signs in and walks every page it can reach from its home
page, breadth first: same-origin links, and the GET forms' targets with their default values.
POST forms are never submitted and sign-out is never followed. Every page must answer without a
server error (downloads too: their status is checked, they are not opened), and the pages are
checked by axe-core in Chromium: findings of serious or critical impact fail. Each page axe
checks is then narrowed to 320 px, where nothing may make it scroll sideways (WCAG 1.4.10,
reflow): every shape of every route any role reaches, not a chosen few pages. (Opening every page
of every role at 320 px as well tripled the walk's time, for no fault this way does not find.)

Bounds, so that ten roles fit in about two minutes on two cores:
- a route (one URL pattern with the same query keys) is walked at most PAGES_PER_ROUTE times per
  role (ADMIN_PAGES_PER_ROUTE in Django's admin), with at most QUERIES_PER_ROUTE sets of query
  keys, and list pages no further than page LAST_LIST_PAGE. Links are taken spread out, the
  first link of each route on every page before the second of any, so a capped route's pages
  come from all of its parents (every review's pack, not only the first's);
- pages are fetched in process with the role's signed-in test client; a page is opened in
  Chromium for axe when its markup has a shape not yet checked on that route by any role (the
  set of its elements with their classes, roles, types and attribute names, and whether those
  that need a name have text: axe's findings follow from that shape, not from the words), on
  at most AXE_SHAPES_PER_ROUTE pages of a route per role; in Django's admin, one page of each
  kind (list, add, change, history, delete).

The demo data takes a while to make (its document packs are real PDFs), so it is made once, all
the selected roles walk it, and it is then emptied as the transactional tests do; each role is
still its own test.
"""

import heapq
import time
from collections import Counter, defaultdict
from html.parser import HTMLParser
from io import StringIO
from itertools import count
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from ctr_portal.demo import PERSONAS
from ctr_portal.models import User
from tests.conftest import sign_in

from .conftest import AXE, axe_violations

# The walk of every role is built once, in the first test's setup: minutes on a busy machine.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(1500)]

PAGES_PER_ROUTE = 5
ADMIN_PAGES_PER_ROUTE = 1
QUERIES_PER_ROUTE = 3
LAST_LIST_PAGE = 2
AXE_SHAPES_PER_ROUTE = 1
NEVER_FOLLOWED = {"logout"}  # URL names: signing out, ours and the admin's
NAMED = {"a", "button", "label", "legend", "h1", "h2", "h3", "h4", "h5", "h6", "th", "title"}

# Django's own admin markup, not ours: its breadcrumb links differ from the text around them by
# colour only (admin/css/base.css), and its filter_horizontal widget puts aria-label on a plain
# span (admin/js/SelectFilter2.js).
DJANGO_ADMIN_UPSTREAM = (
    ("link-in-text-block", ".breadcrumbs > a"),
    ("aria-prohibited-attr", ".search-label-icon"),
)


class PageReader(HTMLParser):
    """The links of a page, its GET forms' default submissions, and the shape of its markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []
        self.shape = set()
        self._open = []  # [tag, has text] of the NAMED elements open now
        self._form = None  # [action, fields] of the GET form open now
        self._select = None  # [name, first value, selected value] of the select open now

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.shape.add(
            (tag, attrs.get("class"), attrs.get("type"), attrs.get("role"), tuple(sorted(attrs)))
        )
        if tag in NAMED:
            self._open.append([tag, False])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            get = (attrs.get("method") or "get").lower() == "get"
            self._form = [attrs.get("action") or "", []] if get else None
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in attrs:
                self._select[2] = value
        elif self._form is not None and attrs.get("name") and "disabled" not in attrs:
            self._field(tag, attrs)

    def _field(self, tag, attrs):
        name, fields = attrs["name"], self._form[1]
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "image", "file", "reset"):
                fields.append((name, attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = [name, None, None]
        elif tag == "textarea":
            fields.append((name, ""))

    def handle_data(self, data):
        if data.strip():
            for entry in self._open:
                entry[1] = True

    def handle_endtag(self, tag):
        if tag in NAMED:
            for i in range(len(self._open) - 1, -1, -1):
                if self._open[i][0] == tag:
                    self.shape.add((tag, "has text", self._open.pop(i)[1]))
                    break
        if tag == "select" and self._select is not None and self._form is not None:
            name, first, selected = self._select
            self._form[1].append((name, selected if selected is not None else first or ""))
            self._select = None
        elif tag == "form" and self._form is not None:
            action, fields = self._form
            self.links.append(urljoin(action, "?" + urlencode(fields)))
            self._form = None


def read_page(html):
    reader = PageReader()
    reader.feed(html)
    reader.close()
    return reader


class Crawl:
    """One role's walk: `client` fetches, `page` (Chromium) runs axe."""

    def __init__(self, client, page, origin, checked_shapes):
        self.client = client
        self.page = page
        self.origin = origin
        self.checked_shapes = checked_shapes  # shared by the roles
        self.seen = set()
        self.queue = []
        self.order = count()
        self.per_route = Counter()
        self.queries = defaultdict(set)  # route: the sets of query keys walked
        self.shapes = Counter()  # route: shapes checked by axe for this role
        self.failures = []
        self.opened = 0
        self.js_errors = []
        page.on("pageerror", lambda exc: self.js_errors.append(str(exc)))

    @property
    def walked(self):
        return sum(self.per_route.values())

    def run(self, start="/"):
        self.add_all([start], start)
        while self.queue:
            _, _, url, route_key, kind = heapq.heappop(self.queue)
            route, keys = route_key
            if self.per_route[route_key] >= (ADMIN_PAGES_PER_ROUTE if kind else PAGES_PER_ROUTE):
                continue
            queries = self.queries[route]
            if keys not in queries and len(queries) >= QUERIES_PER_ROUTE:
                continue
            self.per_route[route_key] += 1
            queries.add(keys)
            self.visit(url, route_key, kind)

    def add_all(self, hrefs, base):
        siblings = Counter()
        for href in hrefs:
            found = self._target(href, base)
            if found and found[0] not in self.seen:
                url, route_key, kind = found
                self.seen.add(url)
                rank = siblings[route_key]
                siblings[route_key] += 1
                heapq.heappush(self.queue, (rank, next(self.order), url, route_key, kind))

    def _target(self, href, base):
        parts = urlsplit(urljoin(base, href))
        if parts.scheme or parts.netloc:  # the app's own links are all relative
            return None
        if parts.path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
            return None
        query = sorted(parse_qsl(parts.query, keep_blank_values=True))
        if any(k in ("page", "p") and v.isdigit() and int(v) > LAST_LIST_PAGE for k, v in query):
            return None
        try:
            match = resolve(parts.path)
        except Resolver404:
            route, kind = parts.path, None
        else:
            if match.url_name in NEVER_FOLLOWED:
                return None
            route = match.route
            kind = match.url_name.rsplit("_", 1)[-1] if match.namespace == "admin" else None
        url = parts.path + (f"?{urlencode(query)}" if query else "")
        return url, (route, tuple(sorted({k for k, _ in query}))), kind

    def visit(self, url, route_key, kind):
        try:
            response = self.client.get(url, follow=True)
        except Exception as exc:  # the test client raises what the view raised
            self.failures.append(f"{url}: server error, {type(exc).__name__}: {exc}")
            return
        if response.status_code >= 500:
            self.failures.append(f"{url}: answered {response.status_code}")
        if response.streaming:  # a download: its status is all we check
            response.close()
            return
        if response.status_code >= 500 or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            return
        final = response.wsgi_request.get_full_path()
        page = read_page(response.content.decode())
        self.add_all(page.links, final)
        shape = ("admin", kind) if kind else (route_key, frozenset(page.shape))
        if not kind and self.shapes[route_key] >= AXE_SHAPES_PER_ROUTE:
            return
        if shape not in self.checked_shapes:
            self.checked_shapes.add(shape)
            self.shapes[route_key] += 1
            self.check(url, final, response, admin=bool(kind))

    def check(self, url, final, response, admin):
        """Open the page in Chromium, answered with the response already fetched (its styles
        and scripts come from the live server), run axe, then narrow it to 320 px: nothing may
        make it scroll sideways there (WCAG 1.4.10, reflow)."""
        address = self.origin + final
        self.page.route(
            lambda u: u == address,
            lambda route: route.fulfill(
                status=response.status_code, headers=dict(response.items()), body=response.content
            ),
        )
        try:
            self.page.goto(address)
        finally:
            self.page.unroute_all()
        self.opened += 1
        self.page.set_viewport_size(NARROW_VIEWPORT)
        try:
            wide = self.page.evaluate(WIDEST)
        finally:
            self.page.set_viewport_size(WIDE_VIEWPORT)
        if wide:
            self.failures.append(f"{url}: scrolls sideways at {NARROW}px: {wide}")
        for violation in axe_violations(self.page):
            if admin and any(
                violation.startswith(rule) and target in violation
                for rule, target in DJANGO_ADMIN_UPSTREAM
            ):
                continue
            self.failures.append(f"{url}: axe {violation}")
        for error in self.js_errors:
            self.failures.append(f"{url}: JavaScript error: {error}")
        self.js_errors.clear()


NARROW = 320
NARROW_VIEWPORT = {"width": NARROW, "height": 640}
WIDE_VIEWPORT = {"width": 1024, "height": 800}
# The page's width beyond the screen's, and the deepest element that sticks out (for the message).
WIDEST = """async () => {
    // After the page's own scripts have answered the resize (the header's menu, for one).
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return "";
    let widest = null;
    for (const el of document.body.querySelectorAll("*")) {
        const right = el.getBoundingClientRect().right;
        if (right > width + 1 && (!widest || !el.contains(widest))) widest = el;
    }
    const name = widest ? widest.tagName.toLowerCase() + (widest.className && typeof
        widest.className === "string" ? "." + widest.className.trim().split(/\\s+/).join(".") : "")
        : "?";
    return `${document.documentElement.scrollWidth}px wide, ${name}`;
}"""


def crawl_as(browser, origin, persona, checked_shapes, starts=("/",)):
    """Walk as `persona` (None: someone without an account, from the `starts` given)."""
    client = Client()
    if persona is not None:
        client = sign_in(client, User.objects.get(email=persona.email))
    context = browser.new_context(base_url=origin, bypass_csp=True, viewport=WIDE_VIEWPORT)
    context.add_init_script(path=str(AXE))  # quicker than adding it to each page after load
    if persona is not None:
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": origin}]
        )
    crawl = Crawl(client, context.new_page(), origin, checked_shapes)
    started = time.monotonic()
    try:
        crawl.add_all(list(starts[1:]), "/")
        crawl.run(starts[0])
    finally:
        context.close()
    crawl.seconds = time.monotonic() - started
    return crawl


def single_purpose_links() -> list[str]:
    """A link of each purpose on the demo data, made afresh (only hashes are kept): what someone
    without an account opens from an email or a letter."""
    from ctr_portal.links import Purpose, link_issue
    from recommendations.models import Recommendation, State
    from reviews.models import InvitedThrough, Participant

    objects = [
        (
            Purpose.RESPOND,
            Recommendation.objects.filter(owner__isnull=True, state=State.AWAITING_OWNER),
        ),
        (
            Purpose.UPDATE,
            Recommendation.objects.filter(
                owner__isnull=True, state__in=(State.AGREED, State.IN_PROGRESS)
            ),
        ),
        (
            Purpose.READ_REPORT,
            Participant.objects.filter(user__isnull=True, invited_through=InvitedThrough.PAPER),
        ),
    ]
    starts = []
    for purpose, found in objects:
        obj = found.order_by("pk").first()
        if obj is not None:
            _link, token = link_issue(purpose=purpose, obj=obj)
            starts.append(f"/l/{token}/")
    return starts


# The walk is split in WALK_GROUPS groups of roles, so that pytest-xdist (`make test`) walks
# them on as many processes at once (each group is an xdist_group). A process walks a group the
# first time one of its tests asks, over its own load of the demo data, and keeps the result
# for the session: another file's tests may come between two of this file's.
WALK_GROUPS = 2


def walk_group(n: int):
    return pytest.mark.xdist_group(f"every-page-walk-{n % WALK_GROUPS}")


def _group_of(item) -> str:
    marker = item.get_closest_marker("xdist_group")
    return (
        marker.args[0]
        if marker and marker.args
        else (marker.kwargs.get("name", "") if marker else "")
    )


def _walker_of(item) -> str:
    return item.callspec.params["persona"].key if hasattr(item, "callspec") else LINK_HOLDER


class Walks:
    def __init__(self, session, browser, live_server, django_db_blocker):
        self.session, self.browser = session, browser
        self.live_server, self.blocker = live_server, django_db_blocker
        self.done = {}

    def of(self, node, key):
        if key not in self.done:
            group = _group_of(node)
            self.walk(
                {
                    _walker_of(item)
                    for item in self.session.items
                    if item.module.__name__ == __name__ and _group_of(item) == group
                }
                | {key}
            )
        return self.done[key]

    def walk(self, selected):
        """The walk of these roles over one load of the demo data (in demo mode), emptied
        afterwards as the transactional tests do."""
        browser, live_server, checked_shapes = self.browser, self.live_server, set()
        with self.blocker.unblock(), override_settings(DEMO_MODE=True, **SIGN_IN_PROVIDERS_ON):
            try:
                started = time.monotonic()
                call_command("seed_demo", stdout=StringIO())
                print(f"\nDemo data made in {time.monotonic() - started:.1f}s")
                if LINK_HOLDER in selected:
                    starts = single_purpose_links()
                    assert len(starts) == 3, "the demo has a link of each purpose to walk"
                    starts += SIGN_IN_PAGES
                    crawl = self.done[LINK_HOLDER] = crawl_as(
                        browser, live_server.url, None, checked_shapes, starts=starts
                    )
                    print(f"{LINK_HOLDER}: {crawl.walked} pages, {crawl.opened} checked by axe")
                for persona in PERSONAS:
                    if persona.key in selected:
                        crawl = self.done[persona.key] = crawl_as(
                            browser, live_server.url, persona, checked_shapes
                        )
                        print(
                            f"{persona.key}: {crawl.walked} pages on {len(crawl.per_route)} "
                            f"routes, {crawl.opened} checked by axe and at {NARROW}px, "
                            f"in {crawl.seconds:.1f}s"
                        )
            finally:
                call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="session")
def crawls(request, browser, django_db_setup, live_server, django_db_blocker):
    return Walks(request.session, browser, live_server, django_db_blocker)


@pytest.mark.parametrize(
    "persona",
    [pytest.param(p, id=p.key, marks=walk_group(n)) for n, p in enumerate(PERSONAS)],
)
def test_every_page_a_role_can_reach_answers_and_passes_axe(request, crawls, persona):
    failures = crawls.of(request.node, persona.key).failures
    assert not failures, f"{persona.role}: {len(failures)} faults\n" + "\n".join(failures)


LINK_HOLDER = "link_holder"
# CIS2 and NHS login switched on, pointing nowhere: the sign-in page shows their buttons, and
# following one ends on the refusal page ("not working at the moment"), which is walked too.
SIGN_IN_PROVIDERS_ON = {
    "CIS2_ISSUER": "http://127.0.0.1:9/cis2",
    "CIS2_CLIENT_ID": "ctr-portal",
    "NHS_LOGIN_ISSUER": "http://127.0.0.1:9/nhs-login",
    "NHS_LOGIN_CLIENT_ID": "ctr-portal",
    "SIGN_IN_HTTP_TIMEOUT_SECONDS": 2,
}
SIGN_IN_PAGES = ["/account/sign-in/", "/account/sign-in/refused/?reason=role"]


@walk_group(len(PERSONAS))
def test_every_page_a_single_purpose_link_opens_answers_and_passes_axe(request, crawls):
    """Someone with no account, from the links in their emails and letters (accept or dispute,
    update, read the report and follow the plan) and every page those link to."""
    walk = crawls.of(request.node, LINK_HOLDER)
    failures = walk.failures
    assert not failures, f"without an account: {len(failures)} faults\n" + "\n".join(failures)
    # The sign-in page with CIS2 and NHS login on, their buttons, and the refusal page.
    walked = {route for route, _ in walk.per_route}
    assert {
        "account/sign-in/",
        "account/sign-in/<slug:provider>/",
        "account/sign-in/refused/",
    } <= walked, walked
