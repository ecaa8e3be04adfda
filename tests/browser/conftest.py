"""Browser journeys: Playwright driving Debian's Chromium (never a downloaded browser), with
axe-core from node_modules run on every page.

Skipped with a clear message when Chromium is missing; under CI a missing browser fails.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"Browser tests need Chromium at {CHROMIUM}; CI must install it.")
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    # bypass_csp lets the test inject axe-core; the app's own pages still send their policy.
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": 1024, "height": 800}
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def axe_violations(page, impacts=("serious", "critical")):
    """Run axe-core (WCAG 2.0–2.2 A and AA rules) and return the violations of those impacts."""
    if not page.evaluate("typeof axe !== 'undefined'"):  # or a context init script put it there
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {resultTypes: ['violations'], runOnly: {
            type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"""
    )
    found = []
    for v in result["violations"]:
        nodes = [n for n in v["nodes"] if not _upstream(v["id"], n["html"])]
        if v["impact"] in impacts and nodes:
            found.append(f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in nodes]}")
    return found


def _upstream(rule, html):
    """Findings caused by nhsuk-frontend's own JavaScript, not by our markup (our server markup
    matches nhsuk-frontend's, tests/ctr_portal/test_nhsuk_forms.py):
    - the file upload's enhanced button is named by aria-labelledby="<label> <comma> <itself>".
      Chromium's computed name, "<label>, No files chosen, Choose files or drop files", holds the
      visible text; axe does not follow the button's reference to itself and reports a
      mismatch."""
    if rule == "label-content-name-mismatch":
        return "nhsuk-file-upload" in html
    return False


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def become(page, live_server, user):
    """Sign the browser in as `user` (password and second factor passed), as the role
    fixtures do for the test client."""
    from django.test import Client

    from tests.conftest import sign_in

    client = sign_in(Client(), user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
