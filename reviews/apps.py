from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Reviews"

    def ready(self):
        from . import extensions  # noqa: F401  (registers readiness checks, cards, nav, ics)
