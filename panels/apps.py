from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "panels"
    verbose_name = "Panels"

    def ready(self):
        """Connect what `panels` adds to the review page and the demo (ADR 0008)."""
        from ctr_portal.signals import demo_seed
        from reviews import event_kinds
        from reviews.signals import person_reviews_compared, review_links, review_scheduled

        from . import demo, extensions, services

        event_kinds.register(services.EVENT_KINDS)
        review_links.connect(extensions.review_links, dispatch_uid="panels.review_links")
        review_scheduled.connect(extensions.form_panel, dispatch_uid="panels.review_scheduled")
        person_reviews_compared.connect(
            extensions.person_reviews_compared, dispatch_uid="panels.person_reviews_compared"
        )
        demo_seed.connect(demo.seed_workbooks, dispatch_uid="panels.demo_seed")
