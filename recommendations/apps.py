from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Recommendations"

    def ready(self):
        """Connect what `recommendations` listens to (ADR 0008)."""
        from . import receivers, signals

        signals.recommendation_changed.connect(
            receivers.follow_change, dispatch_uid="recommendations.recommendation_changed"
        )
