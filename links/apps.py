from django.apps import AppConfig


class LinksConfig(AppConfig):
    """The pages a single-purpose link opens for someone without an account, and the
    commissioner's pages that hand links out and revoke them (ctr_portal.links holds the
    mechanism; this app the uses the other apps' objects are put to)."""

    name = "links"
    verbose_name = "Single-purpose links"
