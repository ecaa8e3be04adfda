from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self):
        """Connect what `recommendations` adds to the header, reviews and the demo (ADR 0008)."""
        from ctr_portal import signals as shared
        from reviews import event_kinds, signals

        from . import demo, extensions, services

        event_kinds.register(services.EVENT_KINDS)
        shared.nav_items.connect(extensions.nav_items, dispatch_uid="recommendations.nav_items")
        shared.demo_seed.connect(
            demo.seed_recommendations, dispatch_uid="recommendations.demo_seed"
        )
        signals.review_links.connect(
            extensions.review_links, dispatch_uid="recommendations.review_links"
        )
        signals.transition_checks.connect(
            extensions.transition_checks, dispatch_uid="recommendations.transition_checks"
        )
        # After documents' receiver has made the pack (apps are ready in INSTALLED_APPS order).
        signals.review_scheduled.connect(
            extensions.previous_report, dispatch_uid="recommendations.review_scheduled"
        )
        from portal.signals import portal_sections

        portal_sections.connect(
            extensions.portal_sections, dispatch_uid="recommendations.portal_sections"
        )
