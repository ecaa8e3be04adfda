from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal for the person and family"

    def ready(self):
        """Connect what the portal adds to the dashboard, the header, the review page, the
        person's timeline and the demo (ADR 0008)."""
        from ctr_portal.signals import dashboard_cards, demo_seed, nav_items, page_asides
        from reviews import event_kinds, signals

        from . import demo, extensions, services

        dashboard_cards.connect(extensions.dashboard_cards, dispatch_uid="portal.dashboard_cards")
        nav_items.connect(extensions.nav_items, dispatch_uid="portal.nav_items")
        page_asides.connect(extensions.page_asides, dispatch_uid="portal.page_asides")
        signals.review_trail.connect(extensions.review_trail, dispatch_uid="portal.review_trail")
        signals.review_links.connect(extensions.review_links, dispatch_uid="portal.review_links")
        signals.person_timeline_entries.connect(
            extensions.person_timeline_entries, dispatch_uid="portal.person_timeline_entries"
        )
        demo_seed.connect(demo.seed_portal, dispatch_uid="portal.demo_seed")
        event_kinds.register(services.EVENT_KINDS)
        signals.readiness_checks.connect(
            extensions.readiness_checks, dispatch_uid="portal.readiness_checks"
        )
