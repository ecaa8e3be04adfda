from django.conf import settings

from .navigation import nav_items_for


def service(request):
    # An NHS login session idles for longer (ADR 0020): the warning comes as long before its end.
    idle = settings.SESSION_COOKIE_AGE
    session = getattr(request, "session", None)
    if session is not None and session.get("_session_expiry"):
        idle = session.get_expiry_age()
    return {
        "service_name": settings.SERVICE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "session_warning_seconds": idle
        - (settings.SESSION_COOKIE_AGE - settings.SESSION_WARNING_SECONDS),
        "session_idle_seconds": idle,
        "nav_items": nav_items_for(request),
    }
