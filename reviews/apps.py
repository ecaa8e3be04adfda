from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        """Connect what `reviews` adds to the shared layer and answers itself (ADR 0008)."""
        from ctr_portal import signals as shared

        from . import demo, event_kinds, extensions, services, signals
        from .models import ReviewEvent

        event_kinds.register(ReviewEvent.Kind)
        event_kinds.register(services.transfers.EVENT_KINDS)
        shared.nav_items.connect(extensions.nav_items, dispatch_uid="reviews.nav_items")
        shared.dashboard_cards.connect(
            extensions.dashboard_cards, dispatch_uid="reviews.dashboard_cards"
        )
        shared.email_attachments.connect(
            services.ics_attachments, dispatch_uid="reviews.email_attachments"
        )
        shared.notice_undeliverable.connect(
            lambda notification, **kwargs: services.participant_unreachable(
                notification=notification
            ),
            dispatch_uid="reviews.notice_undeliverable",
            weak=False,
        )
        shared.demo_seed.connect(demo.seed_people_and_reviews, dispatch_uid="reviews.demo_seed")
        shared.nhs_login_link.connect(
            services.participants.nhs_login_link, dispatch_uid="reviews.nhs_login_link"
        )
        signals.readiness_checks.connect(
            extensions.readiness_checks, dispatch_uid="reviews.readiness_checks"
        )
