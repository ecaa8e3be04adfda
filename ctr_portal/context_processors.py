from django.conf import settings

from .navigation import nav_items_for


def service(request):
    return {
        "service_name": settings.SERVICE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "nav_items": nav_items_for(request),
    }
