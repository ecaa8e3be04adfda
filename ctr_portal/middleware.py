"""Request-wide concerns: request ids, session lifetime, two-factor, and no caching of
signed-in pages."""

import contextvars
import logging
import re
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import resolve, reverse
from django.utils.cache import add_never_cache_headers
from django_otp import devices_for_user

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,36}$")


class RequestIdMiddleware:
    """Gives every request an id (or keeps a well-formed one from the proxy) for logs and the
    audit trail, and returns it in the X-Request-ID header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _REQUEST_ID.match(incoming) else str(uuid.uuid4())
        token = current_request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id.get() or "-"
        return True


SESSION_STARTED_KEY = "_session_started_at"
SESSION_RENEWED_KEY = "_session_renewed_at"
# "cis2" or "nhs_login" when the session began there (ADR 0023); absent for a password.
SIGNED_IN_WITH_KEY = "_signed_in_with"


def session_idle_limit(session) -> int:
    """How long this session may idle: SESSION_COOKIE_AGE, or its own expiry when sign-in set
    one (NHS login's 30 minutes, ADR 0023)."""
    expiry = session.get("_session_expiry")
    return expiry if isinstance(expiry, int) else settings.SESSION_COOKIE_AGE


def usual_idle_seconds(session) -> int:
    """The idle limit a sign-in gives: 30 minutes for NHS login (ADR 0023), else 15."""
    if session.get(SIGNED_IN_WITH_KEY) == "nhs_login":
        return settings.NHS_LOGIN_SESSION_IDLE_SECONDS
    return settings.SESSION_COOKIE_AGE


def idle_seconds_for(user, session) -> int:
    """How long `user`'s session may idle: the usual time, or the longer one the person or
    family chose (`User.idle_minutes`), never more than SESSION_IDLE_MAX_MINUTES. Staff always
    have the usual time."""
    usual = usual_idle_seconds(session)
    if user.kind != user.Kind.PUBLIC or not user.idle_minutes:
        return usual
    return max(usual, min(user.idle_minutes, settings.SESSION_IDLE_MAX_MINUTES) * 60)


def session_idle_remaining(request) -> int:
    """Seconds before a signed-in session ends if nothing renews it: what the time-out warning
    counts down from (static/js/session-timeout.js)."""
    session = getattr(request, "session", None)
    if session is None:
        return settings.SESSION_COOKIE_AGE
    renewed = session.get(SESSION_RENEWED_KEY, time.time())
    return max(0, round(session_idle_limit(session) - (time.time() - renewed)))


class SessionLifetimeMiddleware:
    """Ends a session 12 hours after sign-in, however active, or once the provider has ended
    all the user's sessions (a back-channel logout, `User.sessions_ended_at`), and renews the
    idle limit (the cookie's age and the stored session's expiry: 15 minutes, 30 for NHS login)
    when a request comes more than SESSION_RENEW_SECONDS after the last renewal: one write a
    minute, not one per page. The idle limit is the one `idle_seconds_for` gives (the person's
    and family's own longer choice), set on the session as soon as it differs. Every signed-in
    response says how long the session has left (X-Session-Idle-Remaining), so an autosave's
    answer resets the page's warning."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            ended = request.user.sessions_ended_at
            if started is None:
                request.session[SESSION_STARTED_KEY] = time.time()
            elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS or (
                ended is not None and started <= ended.timestamp()
            ):
                logout(request)
                return redirect(f"{resolve_login_url()}?expired=1")
            wanted = idle_seconds_for(request.user, request.session)
            if wanted != session_idle_limit(request.session):
                # The person's own choice (or a return to the usual): the stored session's
                # expiry and the cookie's age follow it from this answer on.
                usual = wanted == settings.SESSION_COOKIE_AGE
                request.session.set_expiry(None if usual else wanted)
            now = time.time()
            if now - request.session.get(SESSION_RENEWED_KEY, 0) > settings.SESSION_RENEW_SECONDS:
                request.session[SESSION_RENEWED_KEY] = now
        response = self.get_response(request)
        if request.user.is_authenticated:
            response["X-Session-Idle-Remaining"] = str(session_idle_remaining(request))
        return response


def resolve_login_url():
    from django.urls import reverse

    return reverse(settings.LOGIN_URL)


# Pages a signed-in professional may reach before passing the second factor.
TWO_FACTOR_EXEMPT = {
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    "accounts:logout",
    "accounts:session_keepalive",
    "healthz",
}


class TwoFactorRequiredMiddleware:
    """A professional signed in with a password only is sent to set up or enter their code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and user.needs_two_factor
            and not user.is_verified()
            and request.session.get(SIGNED_IN_WITH_KEY) != "cis2"  # CIS2 checked two factors
        ):
            match = _resolve(request.path_info)
            if match is not None and match.view_name not in TWO_FACTOR_EXEMPT:
                has_device = any(devices_for_user(user, confirmed=True))
                target = "two_factor_verify" if has_device else "two_factor_setup"
                url = reverse(f"accounts:{target}")
                home = reverse(settings.LOGIN_REDIRECT_URL)
                if has_device and request.method == "GET" and request.path != home:
                    # Back to the page asked for (a link in an email) once the code is entered.
                    url += "?" + urlencode({"next": request.get_full_path()})
                return redirect(url)
        return self.get_response(request)


def _resolve(path):
    from django.urls import Resolver404

    try:
        return resolve(path)
    except Resolver404:
        return None


class NoStoreForSignedInMiddleware:
    """Pages shown to a signed-in user may hold personal data: no browser or proxy keeps them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return response
