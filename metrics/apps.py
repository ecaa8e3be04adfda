from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Service measures for commissioners and the ICS oversight panel"

    def ready(self):
        """Connect the header link (ADR 0008)."""
        from ctr_portal.signals import nav_items

        from . import extensions

        nav_items.connect(extensions.nav_items, dispatch_uid="metrics.nav_items")
