from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from .audit import audit_record
from .forms import new_password_fields
from .models import (
    AuditEvent,
    LocalPolicySetting,
    Membership,
    Notification,
    Organisation,
    SignInIdentity,
    StaffRole,
    User,
)

admin.site.site_header = "CTR Portal administration"
admin.site.site_title = "CTR Portal administration"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


class SignInIdentityInline(admin.TabularInline):
    """Linked by signing in (ADR 0023); an administrator may unlink one, never type one."""

    model = SignInIdentity
    extra = 0
    fields = ["provider", "subject", "linked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class UserCreationForm(AdminUserCreationForm):
    password1, password2 = new_password_fields("Password", "Password confirmation")

    class Meta:
        model = User
        fields = ("email", "display_name")


class UserChangeForm(UserChangeForm):
    # The person's or family member's own choice (the reading page offers up to
    # SESSION_IDLE_MAX_MINUTES, which also caps it when the session starts).
    idle_minutes = forms.IntegerField(
        label="Minutes before they are signed out when they do nothing",
        required=False,
        min_value=1,
        max_value=24 * 60,
    )

    class Meta:
        model = User
        exclude = ["last_login", "date_joined"]  # UserAdmin shows them, read-only


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["display_name"]
    list_display = ["display_name", "email", "kind", "is_active", "is_staff"]
    list_filter = ["kind", "is_active", "is_staff"]
    search_fields = ["display_name", "email"]
    inlines = [MembershipInline, SignInIdentityInline]
    fieldsets = [
        (None, {"fields": ["email", "display_name", "kind", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "demo_persona"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]})
    ]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "ods_code", "password_sign_in"]
    list_filter = ["kind", "password_sign_in"]
    search_fields = ["name", "ods_code"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "ods_code", "oversight_panel"]}),
        (
            "Where people and families are sent for help",
            {
                "description": "Shown in the portal beside a worry and in the easy read: "
                "fill these in for a commissioner.",
                "fields": [
                    "safeguarding_contact",
                    "safeguarding_phone",
                    "complaints_contact",
                    "complaints_phone",
                    "complaints_email",
                    "advocacy_contact",
                    "advocacy_phone",
                ],
            },
        ),
    ]


class ReadOnlyMixin:
    """Reference data and records nobody edits here: an admin page or inline that only reads."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail, read-only: there is no update or delete path anywhere."""

    list_display = ["occurred_at", "action", "actor", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "template", "channel", "state", "attempts", "sent_at", "delivery"]
    list_filter = ["state", "channel", "delivery", "template"]
    # The words of the email stay out of sight, and a link that carries a token never shows.
    exclude = ["context", "secret_context"]
    show_full_result_count = False


@admin.register(LocalPolicySetting)
class LocalPolicySettingAdmin(admin.ModelAdmin):
    """The local choices (ADR 0016): each with the value in force, its default and where the
    default comes from. Every choice has a row; none is added or deleted here."""

    list_display = ["label", "in_force", "default", "source", "changed_at"]
    fields = ["label", "key", "default", "source", "value"]
    readonly_fields = ["label", "key", "default", "source"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Local choice")
    def label(self, obj):
        return str(obj)

    @admin.display(description="In force")
    def in_force(self, obj):
        choice = obj.choice
        if choice is None:
            return "No longer used"
        value = choice.default if obj.value is None else obj.value
        return f"{value} {choice.unit}" + (" (default)" if obj.value is None else "")

    @admin.display(description="Default")
    def default(self, obj):
        return f"{obj.choice.default} {obj.choice.unit}" if obj.choice else "–"

    @admin.display(description="Where the default comes from")
    def source(self, obj):
        return obj.choice.source if obj.choice else "–"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(action=AuditEvent.Action.UPDATE, actor=request.user, obj=obj, request=request)


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    """The national RBAC roles a CIS2 sign-in is let in with (ADR 0023). Someone whose selected
    role is not here is refused and told to ask their organisation's administrator."""

    list_display = ["code", "national_name", "job_title"]
    search_fields = ["code", "national_name"]
