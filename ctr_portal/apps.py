from django.apps import AppConfig


class CtrPortalConfig(AppConfig):
    name = "ctr_portal"
    verbose_name = "CTR Portal"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save
        from django.utils.module_loading import autodiscover_modules

        from . import (
            checks,  # noqa: F401  (registers the system checks)
            dashboard,
            demo,
            navigation,
            policy,
            signals,
        )
        from .models import LocalPolicySetting

        # Each app's policy.py declares its local choices; every one gets a row after migrate,
        # and a change to one is seen at once (ADR 0016).
        autodiscover_modules("policy")
        post_migrate.connect(policy.local_choices_sync, sender=self)
        for signal in (post_save, post_delete):
            signal.connect(
                policy.policy_values_changed,
                sender=LocalPolicySetting,
                dispatch_uid=f"ctr_portal.policy_values_changed.{signal is post_save}",
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
