"""The project's own apps: those in INSTALLED_APPS whose package is a folder of the project
(BASE_DIR), in INSTALLED_APPS order. The guards that walk the project's code and tables (form
and model limits, layering, the access matrix's tables) take their apps from here, so a new app
is guarded from its first commit, and none can be left off a hand-kept list."""

from pathlib import Path

from django.apps import apps
from django.conf import settings


def project_apps() -> list[str]:
    root = Path(settings.BASE_DIR).resolve()
    return [
        config.label
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == root
    ]


PROJECT_APPS = project_apps()
