"""What every part of CTR Portal shares: accounts, organisations, the audit trail, the outbox."""

import string

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from . import limits

_A_TO_Z_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def normalise_email(value) -> str:
    """The one form of an email address that is stored, looked up and counted toward a sign-in
    lock, wherever an address is typed: spaces around it removed and the letters A to Z made
    lower case. Nothing else changes, on purpose: no Unicode folding (lower(), casefold(),
    NFKC), so a look-alike (Cyrillic 'а', fullwidth letters, the Kelvin sign, the dotless ı)
    stays another address, and never reaches a real account or its lock."""
    return (value or "").strip().translate(_A_TO_Z_LOWER)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Equality with the stored form: a case-insensitive database match (iexact) would let
        # PostgreSQL's UPPER() fold look-alikes (ı to I, ſ to S) onto a real address.
        return self.get(email=normalise_email(username))

    @classmethod
    def normalize_email(cls, email):
        return normalise_email(email)

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An account needs an email address.")
        user = self.model(email=normalise_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class ReadingFormat(models.TextChoices):
    """How someone needs to read what the service shows and sends them (the Accessible
    Information Standard): every page, notice and letter they get follows it."""

    STANDARD = "standard", "Standard"
    EASY_READ = "easy_read", "Easy read, with pictures"
    LARGE_PRINT = "large_print", "Large print"


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. Email is the login; roles come from memberships and reviews."""

    class Kind(models.TextChoices):
        PROFESSIONAL = "professional", "Professional (staff, commissioner, panel member)"
        PUBLIC = "public", "The person or their family"

    email = models.EmailField("email address", unique=True)
    display_name = models.CharField("name", max_length=150)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.PROFESSIONAL)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        "administrator", default=False, help_text="Can manage organisations and accounts."
    )
    demo_persona = models.CharField(
        max_length=60,
        blank=True,
        help_text="For demo accounts only: the role it shows, e.g. 'Commissioner'. Demo accounts "
        "sign in without two-factor, and only while DEMO_MODE is on.",
    )
    date_joined = models.DateTimeField(default=timezone.now)
    reading_format = models.CharField(
        "how I like to read things",
        max_length=20,
        choices=ReadingFormat,
        default=ReadingFormat.STANDARD,
    )
    communication_support = models.TextField(
        "what helps me",
        blank=True,
        max_length=limits.NOTE,
        help_text="For example, someone to read things with me, or a phone call first.",
    )
    idle_minutes = models.PositiveSmallIntegerField(
        "minutes before I am signed out when I do nothing",
        null=True,
        blank=True,
        help_text="The person and family may choose a longer time than the usual, up to "
        "SESSION_IDLE_MAX_MINUTES; empty for the usual time. Staff always have the usual time.",
    )
    sessions_ended_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="Every session that began before this was ended (a back-channel logout).",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(models.functions.Lower("email"), name="user_email_ci_unique")
        ]

    def __str__(self):
        return self.display_name or self.email

    @classmethod
    def normalize_username(cls, username):
        """Django's `clean()` (the admin's forms) stores the address in our one form, not NFKC."""
        return normalise_email(username)

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.display_name.split(" ")[0] if self.display_name else self.email

    def has_perm(self, perm, obj=None):
        """Superusers pass Django's model permissions (the admin), but never a `rules`
        permission: administrators manage accounts, they do not read people's reviews.

        The one place this is decided: every view (rules' PermissionRequiredMixin), template
        (`{% has_perm %}`) and menu asks `user.has_perm`, which comes here. A rule's name may be
        a Django model permission's too (`reviews.change_person`): `backends.EmailBackend`
        grants no model permission to anyone, so only the rule answers it."""
        import rules
        from django.contrib.auth.models import _user_has_perm

        if self.is_active and self.is_superuser and not rules.perm_exists(perm):
            return True
        return _user_has_perm(self, perm, obj)

    @property
    def is_demo(self) -> bool:
        return bool(self.demo_persona)

    @property
    def needs_two_factor(self) -> bool:
        """Professionals handle special category data, so they must use a second factor;
        demo personas are let off only while the service runs in demo mode."""
        if settings.DEMO_MODE and self.is_demo:
            return False
        return self.kind == self.Kind.PROFESSIONAL


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ICB = "icb", "Integrated care board"
        SPECIALISED = "specialised", "NHS England specialised commissioning"
        COLLABORATIVE = "collaborative", "Provider collaborative"
        PROVIDER = "provider", "Provider"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        OVERSIGHT_PANEL = "oversight_panel", "ICS C(E)TR assurance and oversight panel"

    COMMISSIONING_KINDS = (Kind.ICB, Kind.SPECIALISED, Kind.COLLABORATIVE)

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind)
    ods_code = models.CharField(
        "ODS code", max_length=10, blank=True, help_text="Organisation Data Service code."
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )
    password_sign_in = models.BooleanField(
        "members may sign in with a password",
        default=True,
        help_text="Untick once everyone here signs in with NHS CIS2: a password and "
        "authenticator app are then refused for its members.",
    )
    oversight_panel = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="overseen",
        limit_choices_to={"kind": "oversight_panel"},
        help_text="For a commissioner: the ICS C(E)TR assurance and oversight panel its stuck "
        "recommendations are escalated to.",
    )
    # Where a person or family is sent for help (portal worries and the easy read's "if you
    # are not happy"): a commissioner's safeguarding, complaints and advocacy routes.
    safeguarding_contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who to call when someone may be being harmed, for example the local "
        "safeguarding team.",
    )
    safeguarding_phone = models.CharField(max_length=30, blank=True)
    complaints_contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="Who takes complaints, for example the Patient Advice and Liaison Service "
        "(PALS) or the complaints team.",
    )
    complaints_phone = models.CharField(max_length=30, blank=True)
    complaints_email = models.EmailField(blank=True)
    advocacy_contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="The advocacy service the organisation pays for (IMHA and community advocacy).",
    )
    advocacy_phone = models.CharField(max_length=30, blank=True)
    # Who to contact about a review, on every portal page: the review's case manager (its
    # commissioner participant) at this number.
    contact_phone = models.CharField(
        "phone number for people and families",
        max_length=30,
        blank=True,
        help_text="The case management team's number: the person and family see it beside "
        "their case manager's name as who to contact about their review.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ods_code"],
                condition=~models.Q(ods_code=""),
                name="organisation_ods_unique",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_commissioner(self) -> bool:
        return self.kind in self.COMMISSIONING_KINDS


class SignInIdentity(models.Model):
    """An account's identity at NHS CIS2 or NHS login: the provider's subject (its `sub`), which
    never changes for that person. Linked once (ADR 0023); found by it at every sign-in after."""

    class Provider(models.TextChoices):
        CIS2 = "cis2", "NHS CIS2"
        NHS_LOGIN = "nhs_login", "NHS login"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_identities"
    )
    provider = models.CharField(max_length=20, choices=Provider)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["provider", "linked_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="identity_unique"),
            models.UniqueConstraint(fields=["provider", "user"], name="identity_one_per_user"),
        ]

    def __str__(self):
        return f"{self.get_provider_display()} identity of {self.user}"


class StaffRole(models.Model):
    """A national RBAC role (the CIS2 role code, like R8000) this service lets in, and the job
    title it records on the member's organisation. What a member may do still comes from their
    organisation's kind and their part in each review (ADR 0023); a role not in this table is
    refused at sign-in."""

    code = models.CharField(
        max_length=10, unique=True, help_text="The national RBAC role code, like R8000."
    )
    national_name = models.CharField(max_length=150)
    job_title = models.CharField(
        max_length=150, help_text="Recorded on the membership of someone new who signs in."
    )

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.national_name}"


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    job_title = models.CharField(max_length=150)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.job_title}, {self.organisation}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One thing that happened, written once and never changed.

    Free text is not allowed: the action is a code and the object is a type and an id, so no
    name or NHS number can leak into the trail. The database refuses updates too (a trigger).
    """

    class Action(models.TextChoices):
        LOGIN = "login", "Signed in"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        LOCKED_OUT = "locked_out", "Locked out"
        LOGOUT = "logout", "Signed out"
        TWO_FACTOR_SETUP = "two_factor_setup", "Set up two-factor"
        TWO_FACTOR_FAILED = "two_factor_failed", "Failed two-factor code"
        PASSWORD_RESET_REQUESTED = "password_reset_requested", "Asked to reset password"
        PASSWORD_CHANGED = "password_changed", "Changed password"
        PERMISSION_DENIED = "permission_denied", "Permission denied"
        NOT_FOUND = "not_found", "Object hidden (not found)"
        VIEW = "view", "Viewed"
        DOWNLOAD = "download", "Downloaded"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        TRANSITION = "transition", "Moved to a new state"
        # A look-up of an NHS number on the Personal Demographics Service, by its outcome
        # (never what it returned): reviews.pds.Outcome.
        PDS_MATCH = "pds_match", "Looked up on PDS: one record"
        PDS_NOT_FOUND = "pds_not_found", "Looked up on PDS: not found"
        PDS_INVALID_NUMBER = "pds_invalid_number", "Looked up on PDS: not a valid NHS number"
        PDS_INVALIDATED = "pds_invalidated", "Looked up on PDS: record invalidated"
        PDS_TOO_MANY_MATCHES = "pds_too_many_matches", "Looked up on PDS: more than one record"
        PDS_UNAVAILABLE = "pds_unavailable", "Looked up on PDS: no answer"
        # Signing in through NHS CIS2 or NHS login (ADR 0023): the object is the account when one
        # is known; a refusal's reason is its action, never what the provider said.
        SIGN_IN_REFUSED_ASSURANCE = "sign_in_refused_assurance", "Refused: assurance too low"
        SIGN_IN_REFUSED_STALE = "sign_in_refused_stale", "Refused: signed in too long ago"
        SIGN_IN_REFUSED_TOKEN = "sign_in_refused_token", "Refused: token not trusted"
        SIGN_IN_REFUSED_ROLE = "sign_in_refused_role", "Refused: role not known here"
        SIGN_IN_REFUSED_ORG = "sign_in_refused_org", "Refused: organisation not known"
        SIGN_IN_REFUSED_NOT_LINKED = "sign_in_refused_not_linked", "Refused: no account"
        SIGN_IN_REFUSED_PASSWORD = "sign_in_refused_password", "Refused: password sign-in off"
        SIGN_IN_LINKED = "sign_in_linked", "Linked a CIS2 or NHS login identity"
        BACKCHANNEL_LOGOUT = "backchannel_logout", "Signed out everywhere by the provider"

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(max_length=40, choices=Action)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=36, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            models.Index(fields=["object_type", "object_id", "-occurred_at"], name="audit_object"),
        ]

    def __str__(self):
        when = f"{self.occurred_at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class Notification(models.Model):
    """A message waiting to leave the system: written in the same transaction as the change that
    caused it, sent later by the dispatcher. The idempotency key makes a repeated cause a no-op."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled before it was sent"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        TEXT = "text", "Text message"
        LETTER = "letter", "Letter"

    class Delivery(models.TextChoices):
        """What the transport said afterwards (GOV.UK Notify's delivery receipts)."""

        UNKNOWN = "", "Not known"
        DELIVERED = "delivered", "Delivered"
        PERMANENT_FAILURE = "permanent-failure", "Could not be delivered"
        TEMPORARY_FAILURE = "temporary-failure", "Not delivered yet: trying again"
        TECHNICAL_FAILURE = "technical-failure", "Not sent: a technical fault"

    idempotency_key = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=10, choices=Channel, default=Channel.EMAIL)
    # An email address, a mobile phone number, or a postal address (a letter).
    recipient = models.CharField(max_length=500)
    # Whose way of being reached chose the channel and the address ("participant:<pk>"), so a
    # notice that cannot be delivered is told to whoever can mend it. Empty for staff notices.
    reach_of = models.CharField(max_length=40, blank=True)
    template = models.CharField(max_length=100)
    context = models.JSONField(default=dict, blank=True)
    # What the email needs that must not be kept (a reset or invitation link carries a token):
    # merged into the context when the email is built, emptied once the row is sent or fails,
    # and shown on no admin page.
    secret_context = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True, max_length=2000)  # the services keep 2,000
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    # The transport's id for the message (GOV.UK Notify's notification id), for its receipts.
    provider_ref = models.CharField(max_length=64, blank=True)
    delivery = models.CharField(max_length=20, choices=Delivery, blank=True, default="")
    delivery_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(
                fields=["provider_ref"],
                condition=~models.Q(provider_ref=""),
                name="outbox_provider_ref",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="sent") | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
            )
        ]

    def __str__(self):
        return f"{self.template} → {self.get_channel_display()} ({self.get_state_display()})"


class LocalPolicySetting(models.Model):
    """A local choice an administrator has looked at: the value set, or none for the default.

    What each key means, its default and where that comes from are in code, in the app's
    policy.py (`ctr_portal.policy.LocalChoice`); every choice has a row, made after migrate."""

    key = models.CharField(max_length=100, unique=True, editable=False)
    value = models.PositiveIntegerField(
        null=True, blank=True, help_text="Leave empty to use the default."
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = "local choice"

    def __str__(self):
        choice = self.choice
        return choice.label if choice else self.key

    @property
    def choice(self):
        from .policy import LOCAL_CHOICES

        return LOCAL_CHOICES.get(self.key)

    def clean(self):
        from django.core.exceptions import ValidationError

        choice = self.choice
        if choice and self.value is not None and self.value < choice.minimum:
            raise ValidationError({"value": f"Enter {choice.minimum} or more."})


class ActionLink(models.Model):
    """A single-purpose, expiring link for someone without an account (ctr_portal.links).

    Its holder may do the one thing `purpose` names to the one object named, and nothing else.
    Only a hash of the token is kept; the object is a type and an id, like the audit trail's, so
    this table depends on no app built on it."""

    class Purpose(models.TextChoices):
        RESPOND = "respond", "Accept or dispute this recommendation"
        UPDATE = "update", "Update this recommendation"
        READ_REPORT = "read_report", "Read this report"

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(max_length=20, choices=Purpose)
    object_type = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="actionlink_object")]

    def __str__(self):
        return f"{self.get_purpose_display()} ({self.object_type} {self.object_id})"

    @property
    def state(self) -> str:
        """Why the link may no longer be used ("revoked", "used", "expired"), or "live"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.used_at is not None:
            return "used"
        if self.expires_at <= timezone.now():
            return "expired"
        return "live"
