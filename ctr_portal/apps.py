from django.apps import AppConfig


class CtrPortalConfig(AppConfig):
    name = "ctr_portal"
    verbose_name = "CTR Portal"

    def ready(self):
        from . import checks, dashboard  # noqa: F401  (registers checks and the core cards)

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
