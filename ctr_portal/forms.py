"""Account forms. Fields render through the NHS.UK crispy pack (`ctr_portal.nhsuk`)."""

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth import forms as auth_forms
from django.core.validators import MaxLengthValidator
from django.urls import reverse

from . import limits
from .models import normalise_email
from .nhsuk import Field, Layout, NHSUKFormMixin, Submit, text_area
from .queries import account_for_email

SIGN_IN_ERROR = "Enter a correct email address and password"
LOCKED_OUT_ERROR = (
    "There have been too many failed attempts to sign in with this email address. "
    "Wait 15 minutes, then try again, or reset your password."
)


class AccountEmailField(forms.EmailField):
    """An email address as typed, in its one normal form (`normalise_email`), for the forms that
    look an account up by it (sign-in, password reset). Invitations take the same form in
    `reviews.services.participant_add`, the one way a participant's address is saved."""

    def to_python(self, value):
        return normalise_email(super().to_python(value))


def _with_password_limit(field: forms.CharField) -> forms.CharField:
    """Django builds its password fields without a maximum length; give one ours."""
    field.max_length = limits.PASSWORD
    field.validators.append(MaxLengthValidator(limits.PASSWORD))
    field.widget.attrs.update(field.widget_attrs(field.widget))
    return field


def new_password_fields(label1, label2):
    """Django's two new-password fields (new password, and again), with our maximum length."""
    fields = auth_forms.SetPasswordMixin.create_password_fields(label1, label2)
    return tuple(_with_password_limit(field) for field in fields)


PASSWORD_OFF_ERROR = (
    "Your organisation signs in with NHS CIS2, not a password. Use Sign in with NHS CIS2"
)


class SignInForm(NHSUKFormMixin, forms.Form):
    submit_label = "Sign in"

    username = AccountEmailField(
        label="Email address",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=limits.PASSWORD,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.user = None
        self.locked_out = False
        self.password_off = None  # the account, when its organisation signs in with CIS2 only
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        email, password = cleaned.get("username"), cleaned.get("password")
        if email and password:
            self.user = authenticate(self.request, username=email, password=password)
            if getattr(self.request, "axes_locked_out", False):
                self.locked_out = True
                self.user = None
                raise forms.ValidationError(LOCKED_OUT_ERROR, code="locked_out")
            if self.user is None or not self.user.is_active:
                self.user = None
                raise forms.ValidationError(SIGN_IN_ERROR, code="invalid_login")
            if self.user.memberships.filter(organisation__password_sign_in=False).exists():
                self.password_off, self.user = self.user, None
                raise forms.ValidationError(PASSWORD_OFF_ERROR, code="password_off")
        return cleaned


class CodeForm(NHSUKFormMixin, forms.Form):
    submit_label = "Continue"

    token = forms.RegexField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app",
        regex=r"^\s*\d{6}\s*$",
        max_length=20,
        error_messages={
            "required": "Enter the 6-digit security code",
            "invalid": "Security code must be 6 digits",
            "max_length": "Security code must be 6 digits",
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "nhsuk-input--width-10",
            }
        ),
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip()


class PasswordResetForm(NHSUKFormMixin, auth_forms.PasswordResetForm):
    submit_label = "Send reset link"

    email = AccountEmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.nhs.uk",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def get_users(self, email):
        """The active account with this address in its normal form (Django's own matches
        case-insensitively in the database, which on PostgreSQL folds look-alikes)."""
        user = account_for_email(email)
        if user is not None and user.is_active and user.has_usable_password():
            yield user

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """Leave through the outbox like every other message."""
        from .services import notification_enqueue

        user = context["user"]
        # The link is built from SITE_URL, never from the request's Host header.
        link = settings.SITE_URL + reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        # The key names the request by the token's hash; the link itself is a secret the
        # outbox keeps only until it is sent, and no admin page shows.
        digest = hashlib.sha256(context["token"].encode()).hexdigest()[:16]
        notification_enqueue(
            key=f"password-reset:{user.pk}:{digest}",
            recipient=to_email,
            template="password_reset",
            context={"display_name": user.display_name, "reading_format": user.reading_format},
            secret_context={"reset_url": link},
        )


class SetPasswordForm(NHSUKFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Save password"

    new_password1, new_password2 = new_password_fields("New password", "New password confirmation")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = (
            "At least 12 characters. A few unrelated words make a strong password that is easy "
            "to remember."
        )
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"


class ReadingFormatForm(NHSUKFormMixin, forms.Form):
    """How someone likes to read the service."""

    submit_label = "Save"

    reading_format = forms.ChoiceField(
        label="How do you like to read things?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how you like to read things",
            "invalid_choice": "Choose how you like to read things",
        },
    )
    communication_support = text_area(
        "What helps you? (optional)",
        limits.NOTE,
        subject="What helps you",
        help_text="For example, someone to read things with you, or a phone call first.",
    )

    idle_minutes = forms.TypedChoiceField(
        label="How long can you leave the service before we sign you out?",
        help_text="If you do nothing for this long, we sign you out to keep your information "
        "safe. Choose a longer time if you need more time to read or type.",
        widget=forms.RadioSelect,
        coerce=int,
        required=False,  # not answered: left as it was
        empty_value=None,
        error_messages={"invalid_choice": "Choose how long we wait before signing you out"},
    )

    # The longer times offered, in minutes: those over the usual time and within the service's
    # maximum (SESSION_IDLE_MAX_MINUTES).
    LONGER_IDLE_MINUTES = (30, 45, 60, 90, 120)

    def __init__(self, *args, signed_in=False, usual_idle_minutes=None, **kwargs):
        """`usual_idle_minutes`: offer the person or family a longer idle time than this (None:
        no choice, for staff and anyone not signed in)."""
        from .models import ReadingFormat

        self.signed_in = signed_in
        longer = [
            m
            for m in self.LONGER_IDLE_MINUTES
            if usual_idle_minutes is not None
            and usual_idle_minutes < m <= settings.SESSION_IDLE_MAX_MINUTES
        ]
        self.offers_idle_time = bool(longer)
        super().__init__(*args, **kwargs)
        self.fields["reading_format"].choices = ReadingFormat.choices
        if not signed_in:
            del self.fields["communication_support"]
        if longer:
            self.fields["idle_minutes"].choices = [
                (0, f"The usual time ({usual_idle_minutes} minutes)"),
                *((m, f"{m} minutes") for m in longer),
            ]
        else:
            del self.fields["idle_minutes"]

    def get_layout(self):
        fields = [
            Field(
                "reading_format",
                legend_size="l",
                legend_is_page_heading=True,
                choice_hints={
                    "easy_read": "Short sentences, pictures, bigger writing",
                    "large_print": "Bigger writing on every page, email and letter",
                },
            )
        ]
        if self.signed_in:
            fields.append(Field("communication_support", rows=3))
        if self.offers_idle_time:
            fields.append(Field("idle_minutes", legend_size="m"))
        return Layout(*fields, Submit("submit", self.submit_label))
