from django.apps import AppConfig


class CtrPortalConfig(AppConfig):
    name = "ctr_portal"
    verbose_name = "CTR Portal"

    def ready(self):
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            dashboard,
            demo,
            navigation,
            signals,
        )

        signals.nav_items.connect(navigation.core_nav_items, dispatch_uid="ctr_portal.nav_items")
        signals.dashboard_cards.connect(
            dashboard.core_cards, dispatch_uid="ctr_portal.dashboard_cards"
        )
        signals.demo_seed.connect(demo.seed_accounts, dispatch_uid="ctr_portal.demo_seed")

        broker_dir = self._filesystem_broker_dir()
        if broker_dir:
            for sub in ("queue", "control"):
                (broker_dir / sub).mkdir(parents=True, exist_ok=True)

    @staticmethod
    def _filesystem_broker_dir():
        from django.conf import settings

        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            return settings.CELERY_BROKER_DIR
        return None
