from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "oversight"
    verbose_name = "Oversight visits and national data returns"

    def ready(self):
        """Connect what oversight adds to the dashboard, the person's page and
        timeline, and the demo (ADR 0008)."""
        from ctr_portal.signals import dashboard_cards, demo_seed
        from reviews import signals

        from . import demo, extensions

        dashboard_cards.connect(
            extensions.dashboard_cards, dispatch_uid="oversight.dashboard_cards"
        )
        signals.person_links.connect(extensions.person_links, dispatch_uid="oversight.person_links")
        signals.person_timeline_entries.connect(
            extensions.person_timeline_entries, dispatch_uid="oversight.person_timeline_entries"
        )
        demo_seed.connect(demo.seed_oversight, dispatch_uid="oversight.demo_seed")
