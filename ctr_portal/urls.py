from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .views import accounts, errors, pages, receipts

accounts_patterns = [
    path("sign-in/", accounts.LoginView.as_view(), name="login"),
    path("sign-in/demo/", accounts.DemoSignInView.as_view(), name="demo_sign_in"),
    path("sign-in/jwks.json", accounts.JwksView.as_view(), name="oidc_jwks"),
    path("sign-in/refused/", accounts.SignInRefusedView.as_view(), name="sign_in_refused"),
    path(
        "sign-in/cis2/backchannel-logout/",
        accounts.BackchannelLogoutView.as_view(),
        name="cis2_backchannel_logout",
    ),
    path("sign-in/<slug:provider>/", accounts.ProviderSignInStartView.as_view(), name="oidc_start"),
    path(
        "sign-in/<slug:provider>/callback/",
        accounts.ProviderSignInCallbackView.as_view(),
        name="oidc_callback",
    ),
    path("sign-out/", accounts.LogoutView.as_view(), name="logout"),
    path("two-factor/set-up/", accounts.TwoFactorSetupView.as_view(), name="two_factor_setup"),
    path("two-factor/", accounts.TwoFactorVerifyView.as_view(), name="two_factor_verify"),
    path("password-reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/", accounts.PasswordResetDoneView.as_view(), name="password_reset_done"
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("session/keep-alive/", accounts.SessionKeepAliveView.as_view(), name="session_keepalive"),
    path("reading/", accounts.ReadingFormatView.as_view(), name="reading_format"),
    path("", accounts.AccountView.as_view(), name="account"),
]

urlpatterns = [
    path("", pages.DashboardView.as_view(), name="dashboard"),
    path("healthz", pages.health, name="healthz"),
    path("accessibility/", pages.AccessibilityView.as_view(), name="accessibility"),
    path(
        "accessibility/easy-read/",
        pages.AccessibilityEasyReadView.as_view(),
        name="accessibility_easy_read",
    ),
    path("privacy/", pages.PrivacyView.as_view(), name="privacy"),
    path("notify/receipts/", receipts.notify_receipt, name="notify_receipt"),
    path("organisations/<int:pk>/", pages.OrganisationView.as_view(), name="organisation"),
    path("account/", include((accounts_patterns, "accounts"))),
    path("", include("reviews.urls")),
    path("panels/", include("panels.urls")),
    path("documents/", include("documents.urls")),
    path("recommendations/", include("recommendations.urls")),
    path("portal/", include("portal.urls")),
    path("reports/", include("reports.urls")),
    path("oversight/", include("oversight.urls")),
    path("measures/", include("metrics.urls")),
    path("", include("links.urls")),
    # The admin signs in through our page, with throttling and two-factor.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
]

handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
