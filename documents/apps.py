from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Documents"

    def ready(self):
        """Connect what `documents` adds to reviews and the demo (ADR 0008)."""
        from ctr_portal.signals import demo_seed
        from reviews import event_kinds, signals

        from . import demo, extensions, services

        event_kinds.register(services.EVENT_KINDS)
        signals.readiness_checks.connect(
            extensions.readiness_checks, dispatch_uid="documents.readiness_checks"
        )
        signals.review_links.connect(extensions.review_links, dispatch_uid="documents.review_links")
        signals.review_scheduled.connect(
            extensions.make_pack, dispatch_uid="documents.review_scheduled"
        )
        signals.invitation_asks.connect(
            extensions.invitation_asks, dispatch_uid="documents.invitation_asks"
        )
        demo_seed.connect(demo.seed_document_packs, dispatch_uid="documents.demo_seed")
