from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        """Connect what `reports` adds to the review page, the dashboard and the demo (ADR
        0008)."""
        from ctr_portal.signals import dashboard_cards, demo_seed
        from portal.signals import portal_sections
        from reviews import event_kinds
        from reviews.signals import review_links

        from . import demo, extensions, services

        event_kinds.register(services.EVENT_KINDS)
        review_links.connect(extensions.review_links, dispatch_uid="reports.review_links")
        dashboard_cards.connect(extensions.dashboard_cards, dispatch_uid="reports.dashboard_cards")
        demo_seed.connect(demo.seed_reports, dispatch_uid="reports.demo_seed")
        portal_sections.connect(extensions.portal_sections, dispatch_uid="reports.portal_sections")
