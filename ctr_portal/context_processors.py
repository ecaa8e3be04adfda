from functools import partial

from django.conf import settings

from .middleware import session_idle_limit, session_idle_remaining
from .navigation import asides_for, nav_items_for
from .queries import reading_format_of


def service(request):
    # An NHS login session idles for longer (ADR 0023): the warning comes as long before its end.
    session = getattr(request, "session", None)
    idle = session_idle_limit(session) if session is not None else settings.SESSION_COOKIE_AGE
    return {
        "service_name": settings.SERVICE_NAME,
        "demo_mode": settings.DEMO_MODE,
        "session_warning_seconds": idle
        - (settings.SESSION_COOKIE_AGE - settings.SESSION_WARNING_SECONDS),
        "session_idle_seconds": idle,
        "session_renew_seconds": settings.SESSION_RENEW_SECONDS,
        "session_remaining_seconds": (
            session_idle_remaining(request)
            if getattr(request, "user", None) is not None and request.user.is_authenticated
            else 0
        ),
        "nav_items": nav_items_for(request),
        # Called by the template only when it draws them (a page without base.html asks nothing).
        "page_asides": partial(asides_for, request),
        "reading_format": reading_format_of(request),
    }
