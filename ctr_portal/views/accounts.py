"""Signing in and out, two-factor, password reset and the session keep-alive."""

import base64
import time
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView, TemplateView
from django_otp import devices_for_user

from .. import oidc, services
from ..audit import Action, audit_record
from ..forms import (
    LOCKED_OUT_ERROR,
    CodeForm,
    PasswordResetForm,
    ReadingFormatForm,
    SetPasswordForm,
    SignInForm,
)
from ..middleware import SESSION_RENEWED_KEY, session_idle_limit, usual_idle_seconds
from ..queries import (
    READING_COOKIE,
    demo_persona,
    demo_personas,
    memberships_for_user,
    reading_format_of,
)


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse_lazy(settings.LOGIN_REDIRECT_URL)


def _render_sign_in(request, form, status=200):
    return render(
        request,
        "registration/login.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next") or "",
            "expired": request.GET.get("expired") == "1",
            "personas": demo_personas() if settings.DEMO_MODE else [],
            "cis2": oidc.provider(oidc.CIS2),
            "nhs_login": oidc.provider(oidc.NHS_LOGIN),
        },
        status=status,
    )


@method_decorator(login_not_required, name="dispatch")
class LoginView(View):
    def get(self, request):
        if request.user.is_authenticated:
            return redirect(_safe_next(request))
        return _render_sign_in(request, SignInForm(request=request))

    def post(self, request):
        form = SignInForm(request.POST, request=request)
        if form.is_valid():
            services.session_sign_in(request=request, user=form.user)
            return redirect(_safe_next(request))
        if form.password_off:
            services.sign_in_refused(
                request=request, action=Action.SIGN_IN_REFUSED_PASSWORD, user=form.password_off
            )
        elif form.non_field_errors():
            services.sign_in_failed(
                request=request,
                email=form.cleaned_data.get("username", ""),
                locked_out=form.locked_out,
            )
        return _render_sign_in(request, form, status=429 if form.locked_out else 200)


def locked_out(request, original_response=None, credentials=None):
    """django-axes calls this when an email address is locked. The page is the sign-in page
    with the same message whether or not an account exists for that address."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    form = SignInForm(initial={"username": request.POST.get("username", "")}, request=request)
    form.add_error(None, LOCKED_OUT_ERROR)
    return _render_sign_in(request, form, status=429)


@method_decorator(login_not_required, name="dispatch")
class DemoSignInView(View):
    """One-click sign-in as a demo persona, only while DEMO_MODE is on (never in production)."""

    def post(self, request):
        if not settings.DEMO_MODE:
            raise Http404("Not found")
        user = demo_persona(request.POST.get("user"))
        if user is None:
            raise Http404("Not found")
        services.session_sign_in(request=request, user=user)
        return redirect(settings.LOGIN_REDIRECT_URL)


class LogoutView(View):
    """Signing out is a POST (a link could be followed by a prefetcher)."""

    def get(self, request):
        return render(request, "registration/logout_confirm.html")

    def post(self, request):
        services.session_sign_out(request=request)
        return render(request, "registration/logged_out.html")


class TwoFactorSetupView(FormView):
    template_name = "registration/two_factor_setup.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        # Someone who already has an authenticator must use it before changing it: a password
        # alone never replaces the second factor.
        has_device = any(devices_for_user(request.user, confirmed=True))
        if has_device and not request.user.is_verified():
            return redirect("accounts:two_factor_verify")
        self.device = services.two_factor_device_for_setup(user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        secret = base64.b32encode(self.device.bin_key).decode().rstrip("=")
        image = qrcode.make(self.device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
        buffer = BytesIO()
        image.save(buffer)
        kwargs.update(
            qr_svg=buffer.getvalue().decode(),
            secret_groups=[secret[i : i + 4] for i in range(0, len(secret), 4)],
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        if services.two_factor_confirm(
            request=self.request, device=self.device, token=form.cleaned_data["token"]
        ):
            return redirect(settings.LOGIN_REDIRECT_URL)
        form.add_error(
            "token", "The security code is not right. Enter the newest code from your app"
        )
        return self.form_invalid(form)


class TwoFactorVerifyView(FormView):
    template_name = "registration/two_factor_verify.html"
    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        if not any(devices_for_user(request.user, confirmed=True)):
            return redirect("accounts:two_factor_setup")
        if request.user.is_verified():
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        if services.two_factor_verify(request=self.request, token=form.cleaned_data["token"]):
            return redirect(_safe_next(self.request))
        form.add_error(
            "token", "The security code is not right. Enter the newest code from your app"
        )
        return self.form_invalid(form)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        audit_record(action=Action.PASSWORD_RESET_REQUESTED, request=self.request)
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(
            action=Action.PASSWORD_CHANGED, actor=form.user, obj=form.user, request=self.request
        )
        return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class SessionKeepAliveView(View):
    """Renews the idle timer now; called by the warning."""

    def post(self, request):
        # Saved (so its cookie is sent again with a fresh age), renewed from now.
        request.session[SESSION_RENEWED_KEY] = time.time()
        return JsonResponse({"idle_seconds": session_idle_limit(request.session)})


class AccountView(TemplateView):
    template_name = "registration/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.update(
            memberships=memberships_for_user(user),
            has_two_factor=any(devices_for_user(user, confirmed=True)),
        )
        return super().get_context_data(**kwargs)


@method_decorator(login_not_required, name="dispatch")
class ReadingFormatView(FormView):
    """How someone likes to read the service: standard, easy read or large print. It sticks: on
    their account when they are signed in, and in a cookie for the sign-in pages."""

    template_name = "registration/reading_format.html"
    form_class = ReadingFormatForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        user = self.request.user
        kwargs["signed_in"] = user.is_authenticated
        if user.is_authenticated and user.kind == user.Kind.PUBLIC:
            kwargs["usual_idle_minutes"] = usual_idle_seconds(self.request.session) // 60
        return kwargs

    def get_initial(self):
        user = self.request.user
        if user.is_authenticated:
            return {
                "reading_format": user.reading_format,
                "communication_support": user.communication_support,
                "idle_minutes": user.idle_minutes or 0,
            }
        return {"reading_format": reading_format_of(self.request)}

    def form_valid(self, form):
        chosen = form.cleaned_data["reading_format"]
        if self.request.user.is_authenticated:
            services.reading_format_set(
                user=self.request.user,
                reading_format=chosen,
                communication_support=form.cleaned_data.get("communication_support", ""),
            )
            if form.cleaned_data.get("idle_minutes") is not None:  # 0: the usual time
                services.idle_minutes_set(
                    user=self.request.user, minutes=form.cleaned_data["idle_minutes"] or None
                )
        target = self.request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            target = reverse("dashboard")
        messages.success(self.request, "Saved: how you like to read things")
        response = redirect(target)
        response.set_cookie(
            READING_COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            secure=self.request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
        return response

    def get_context_data(self, **kwargs):
        kwargs["next"] = self.request.GET.get("next", self.request.POST.get("next", ""))
        return super().get_context_data(**kwargs)


# --- NHS CIS2 and NHS login (ADR 0023) ------------------------------------------------------

PENDING_KEY = "_sign_in_pending"


def _provider_or_404(name):
    found = oidc.provider(name)
    if found is None:
        raise Http404("Not found")
    return found


def _callback_uri(request, name):
    return request.build_absolute_uri(reverse("accounts:oidc_callback", args=[name]))


@method_decorator(login_not_required, name="dispatch")
class ProviderSignInStartView(View):
    """Sends the browser to CIS2 or NHS login, remembering what will prove the answer is ours."""

    def get(self, request, provider):
        found = _provider_or_404(provider)
        try:
            url, pending = oidc.authorization_start(
                found,
                redirect_uri=_callback_uri(request, found.name),
                login_hint=request.GET.get("login_hint", "")[:100],
            )
        except oidc.Refused as refused:
            return _refuse(request, refused)
        pending["next"] = str(_safe_next(request))
        if found.name == oidc.NHS_LOGIN:
            # The invitation link followed here: family are linked only through it.
            pending["invitation"] = request.GET.get("invitation", "")[:100]
        request.session[PENDING_KEY] = pending
        return redirect(url)


@method_decorator(login_not_required, name="dispatch")
class ProviderSignInCallbackView(View):
    """Where CIS2 or NHS login sends the browser back: every check, then the account."""

    def get(self, request, provider):
        found = _provider_or_404(provider)
        pending = request.session.pop(PENDING_KEY, None) or {}
        try:
            if pending.get("provider") != found.name:
                raise oidc.Refused(Action.SIGN_IN_REFUSED_TOKEN, "expired", "nothing pending")
            answer = oidc.authorization_finish(
                found,
                redirect_uri=_callback_uri(request, found.name),
                params=request.GET,
                pending=pending,
            )
            if found.name == oidc.CIS2:
                user = services.cis2_account(request=request, answer=answer)
            else:
                user = services.nhs_login_account(
                    request=request, answer=answer, invitation_token=pending.get("invitation", "")
                )
        except oidc.Refused as refused:
            return _refuse(request, refused, provider=found.name)
        services.session_sign_in_with_provider(request=request, user=user, provider=found.name)
        target = pending.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = reverse(settings.LOGIN_REDIRECT_URL)
        return redirect(target)


def _refuse(request, refused, provider=""):
    services.sign_in_refused(request=request, action=refused.action, user=refused.user)
    url = reverse("accounts:sign_in_refused") + f"?reason={refused.reason}"
    if provider:
        url += f"&provider={provider}"
    return redirect(url)


# What the refusal page says, by reason: what happened, and what to do or whom to ask.
REFUSALS = {
    "assurance": (
        "Your sign-in was not strong enough for this service",
        "This service holds sensitive information about people, so it needs you to sign in "
        "with a smartcard, Windows Hello or the NHS CIS2 Authenticator app, and your identity "
        "to have been checked in person. Ask your organisation's registration authority.",
    ),
    "stale": (
        "Your sign-in took too long",
        "For your security you need to sign in again, and finish within 5 minutes.",
    ),
    "untrusted": (
        "We could not check your sign-in",
        "The answer from the sign-in service could not be trusted, so you have not been signed "
        "in. Try again. If this keeps happening, contact the service desk.",
    ),
    "provider_refused": (
        "We could not finish signing you in",
        "The sign-in service did not accept this service's request. Try again later. If this "
        "keeps happening, contact the service desk.",
    ),
    "unavailable": (
        "Signing in is not working at the moment",
        "Try again later, or sign in with your email address and password if you have one.",
    ),
    "expired": (
        "Your sign-in has expired",
        "Start again from the sign-in page.",
    ),
    "cancelled": (
        "You did not finish signing in",
        "Start again from the sign-in page when you are ready.",
    ),
    "role": (
        "Your role cannot be used with this service",
        "The role you chose when you signed in is not one this service lets in. Sign in again "
        "and choose another role, or ask the CTR Portal administrator in your organisation to "
        "add your role. They can see that you tried.",
    ),
    "organisation": (
        "Your organisation does not use this service yet",
        "The organisation of the role you chose is not set up here. Sign in again and choose a "
        "role in another organisation, or ask the commissioner you work with to ask the CTR "
        "Portal administrator to add your organisation. They can see that you tried.",
    ),
    "identity": (
        "NHS login needs to check who you are first",
        "To see information about a review you need to have proved who you are to NHS login, "
        "with photo ID. Sign in to the NHS App or NHS login to do this, then try again. If "
        "you cannot, ask the person who invited you about other ways to take part.",
    ),
    "invitation": (
        "This invitation link has expired or has already been used",
        "Ask the person who invited you to send a new invitation.",
    ),
    "not_linked": (
        "We could not find your account",
        "Your sign-in worked but is not linked to an account here. Ask the person who invited "
        "you to send the invitation again, and use the link in it.",
    ),
}


@method_decorator(login_not_required, name="dispatch")
class SignInRefusedView(View):
    def get(self, request):
        heading, advice = REFUSALS.get(request.GET.get("reason", ""), REFUSALS["untrusted"])
        return render(
            request,
            "registration/sign_in_refused.html",
            {"heading": heading, "advice": advice},
            status=403,
        )


@method_decorator(login_not_required, name="dispatch")
class JwksView(View):
    """The service's public keys: CIS2 and NHS login check its client assertions with them."""

    def get(self, request):
        try:
            keys = oidc.public_jwks()
        except oidc.Refused:  # the key file cannot be read: say so, not "no keys"
            return JsonResponse({"error": "unavailable"}, status=503)
        response = JsonResponse(keys)
        response["Cache-Control"] = "public, max-age=3600"
        return response


@method_decorator([login_not_required, csrf_exempt], name="dispatch")
class BackchannelLogoutView(View):
    """CIS2 tells the service that someone signed out there: every session of theirs ends at once
    (OpenID Connect Back-Channel Logout 1.0). The provider posts a signed logout token, with no
    cookie and no CSRF token, so the token's signature is the only thing trusted."""

    def post(self, request):
        found = _provider_or_404(oidc.CIS2)
        token = request.POST.get("logout_token", "")
        try:
            if not token:
                raise oidc.Refused(Action.SIGN_IN_REFUSED_TOKEN, "untrusted", "no logout token")
            claims = oidc.logout_token_claims(found, token)
        except oidc.Refused as refused:
            services.sign_in_refused(request=request, action=refused.action)
            response = JsonResponse({"error": "invalid_request"}, status=400)
        else:
            user = services.account_for_identity(provider=found.name, subject=claims["sub"])
            if user is not None:
                services.sessions_end_everywhere(user=user, request=request)
            response = HttpResponse(status=200)
        response["Cache-Control"] = "no-store"
        return response
