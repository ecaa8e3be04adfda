"""Signing in and out, two-factor, password reset and the session keep-alive."""

import base64
import time
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView
from django_otp import devices_for_user

from .. import services
from ..audit import Action, audit_record
from ..forms import LOCKED_OUT_ERROR, CodeForm, PasswordResetForm, SetPasswordForm, SignInForm
from ..middleware import SESSION_RENEWED_KEY
from ..queries import demo_persona, demo_personas, memberships_for_user


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
        if form.non_field_errors():
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
        return JsonResponse({"idle_seconds": settings.SESSION_COOKIE_AGE})


class AccountView(TemplateView):
    template_name = "registration/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.update(
            memberships=memberships_for_user(user),
            has_two_factor=any(devices_for_user(user, confirmed=True)),
        )
        return super().get_context_data(**kwargs)
