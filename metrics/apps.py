from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Service measures for commissioners and the ICS oversight panel"

    def ready(self):
        """Connect the header link and the demo (ADR 0008)."""
        from ctr_portal.signals import demo_seed, nav_items

        from . import demo, extensions

        nav_items.connect(extensions.nav_items, dispatch_uid="metrics.nav_items")
        demo_seed.connect(demo.seed_metrics, dispatch_uid="metrics.demo_seed")
