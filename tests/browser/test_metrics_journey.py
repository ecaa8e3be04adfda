"""The commissioner opens the service measures from the header on a 320 px wide screen, reads a
chart and its table, and follows a figure to the reviews behind it."""

import pytest
import time_machine

from tests.metrics.test_measures import TODAY, at, build

from .conftest import assert_accessible, become, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_commissioner_reads_the_measures_on_a_small_screen(
    page, live_server, users, organisations
):
    icb = organisations["icb"]
    with time_machine.travel(at(TODAY, 12), tick=False):
        build(icb, organisations["icb_other"])
    page.set_viewport_size({"width": 320, "height": 640})
    with time_machine.travel(at(TODAY, 12)):
        become(page, live_server, users["commissioner"])
        page.goto("/")
        assert page.locator('header a[href="/measures/"]').count()  # in the header's menu
        page.goto("/measures/")
        page.get_by_role("link", name=icb.name).click()
        page.wait_for_load_state("load")  # the stylesheet too: it is what makes the table fit
        main = page.locator("main")
        assert "2 of 4 held on or before the due date" in main.inner_text()
        assert page.get_by_role("img", name="Reviews held by their due date, percentage by month")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page)
        screenshot(page, "metrics-organisation-320")

        page.get_by_role("link", name="50% reviews held by their due date").click()
        page.wait_for_url("**/reviews-on-time/**")
        assert page.locator("main tbody tr").count() == 4
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page)
        screenshot(page, "metrics-rows-320")
