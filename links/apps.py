from django.apps import AppConfig


class LinksConfig(AppConfig):
    """The pages a single-purpose link opens for someone without an account, the commissioner's
    pages that hand links out and revoke them, and printable letters (ctr_portal.links holds the
    mechanism; this app the uses the other apps' objects are put to)."""

    name = "links"
    verbose_name = "Single-purpose links and letters"

    def ready(self):
        from ctr_portal import signals as shared
        from reviews import event_kinds, signals

        from . import demo, extensions, services

        shared.demo_seed.connect(demo.seed_links, dispatch_uid="links.demo_seed")
        shared.letter_pdf.connect(services.letter_pdf_for_post, dispatch_uid="links.letter_pdf")
        event_kinds.register(services.EVENT_KINDS)
        signals.review_links.connect(extensions.review_links, dispatch_uid="links.review_links")
