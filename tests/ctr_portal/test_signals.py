"""The one extension mechanism (ADR 0008): apps answer signals; tests connect and disconnect."""

import pytest
from django.urls import reverse

from ctr_portal import signals
from ctr_portal.navigation import NavItem
from ctr_portal.permissions import Perm


def test_collect_spreads_lists_and_skips_nothing_answers():
    signal = signals.Signal()

    def one(sender, **kwargs):
        return "a"

    def many(sender, **kwargs):
        return ["b", "c"]

    def none(sender, **kwargs):
        return None

    for receiver in (one, many, none):
        signal.connect(receiver, weak=False)

    assert signals.collect(signal) == ["a", "b", "c"]


def test_every_app_connects_its_receivers_once_with_a_dispatch_uid():
    from portal import signals as portal_signals
    from reviews import signals as review_signals

    expected = {
        signals.nav_items: {
            "ctr_portal.nav_items",
            "reviews.nav_items",
            "portal.nav_items",
            "recommendations.nav_items",
            "metrics.nav_items",
        },
        signals.dashboard_cards: {
            "ctr_portal.dashboard_cards",
            "reviews.dashboard_cards",
            "portal.dashboard_cards",
            "reports.dashboard_cards",
            "oversight.dashboard_cards",
        },
        signals.email_attachments: {"reviews.email_attachments"},
        signals.demo_seed: {
            "ctr_portal.demo_seed",
            "reviews.demo_seed",
            "panels.demo_seed",
            "documents.demo_seed",
            "portal.demo_seed",
            "reports.demo_seed",
            "recommendations.demo_seed",
            "oversight.demo_seed",
            "metrics.demo_seed",
        },
        review_signals.readiness_checks: {
            "reviews.readiness_checks",
            "documents.readiness_checks",
        },
        review_signals.review_links: {
            "panels.review_links",
            "documents.review_links",
            "portal.review_links",
            "reports.review_links",
            "recommendations.review_links",
        },
        review_signals.person_timeline_entries: {
            "portal.person_timeline_entries",
            "oversight.person_timeline_entries",
        },
        review_signals.person_links: {"oversight.person_links"},
        review_signals.person_reviews_compared: {"panels.person_reviews_compared"},
        portal_signals.portal_sections: {
            "reports.portal_sections",
            "recommendations.portal_sections",
        },
        review_signals.review_scheduled: {
            "panels.review_scheduled",
            "documents.review_scheduled",
            "recommendations.review_scheduled",
        },
        review_signals.transition_checks: {"recommendations.transition_checks"},
        review_signals.invitation_asks: {"documents.invitation_asks"},
    }
    for signal, uids in expected.items():
        connected = {entry[0][0] for entry in signal.receivers}
        assert uids <= connected
        assert len(signal.receivers) == len(connected)


def test_seeders_run_in_the_order_of_installed_apps():
    uids = [entry[0][0] for entry in signals.demo_seed.receivers]
    assert uids[:4] == [
        "ctr_portal.demo_seed",
        "reviews.demo_seed",
        "panels.demo_seed",
        "documents.demo_seed",
    ]


@pytest.fixture
def extra_nav_item():
    def receiver(sender, **kwargs):
        return NavItem("Help with this service", "accessibility", Perm.VIEW_DASHBOARD, order=50)

    signals.nav_items.connect(receiver, dispatch_uid="tests.nav_items")
    yield
    signals.nav_items.disconnect(dispatch_uid="tests.nav_items")


def test_a_connected_nav_item_shows_in_the_header_and_goes_when_disconnected(
    client_for, extra_nav_item
):
    client = client_for("commissioner")
    assert "Help with this service" in client.get(reverse("dashboard")).content.decode()

    signals.nav_items.disconnect(dispatch_uid="tests.nav_items")

    assert "Help with this service" not in client.get(reverse("dashboard")).content.decode()
