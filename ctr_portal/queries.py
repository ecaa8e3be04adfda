"""Reads of accounts and organisations, scoped to what the user may see."""

from django.db.models import Prefetch, Q

from .models import Membership, Notification, Organisation
from .rules import is_administrator


def organisations_for_user(user):
    """Organisations the user belongs to; an administrator sees all of them."""
    qs = Organisation.objects.all()
    if not is_administrator(user):
        qs = qs.filter(memberships__user=user)
    return qs


def organisation_for_user(user, pk):
    """One organisation with its members, or None when the user may not know of it."""
    members = Membership.objects.select_related("user").order_by("user__display_name")
    return (
        organisations_for_user(user)
        .prefetch_related(Prefetch("memberships", queryset=members))
        .filter(pk=pk)
        .first()
    )


def memberships_for_user(user) -> list[Membership]:
    """The user's memberships with their organisations, read once per request (kept on the
    user object, which lives for one request) because rules and pages all ask for them."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_ctr_memberships"):
        user._ctr_memberships = list(
            Membership.objects.filter(user=user).select_related("organisation")
        )
    return user._ctr_memberships


def organisation_ids_for_user(user) -> set[int]:
    return {m.organisation_id for m in memberships_for_user(user)}


def organisations_of_kinds(kinds):
    """Every organisation of these kinds, by name: reference data for a form's choices."""
    return Organisation.objects.filter(kind__in=kinds).order_by("name")


def organisations_among(organisations):
    """A queryset of exactly these organisations (the user's own, from a query function that
    took the user), by name, for a form's choice field."""
    return Organisation.objects.filter(pk__in=[o.pk for o in organisations]).order_by("name")


def organisation_members(organisation_id) -> list[Membership]:
    """The active members of an organisation, with their accounts, by name."""
    return list(
        Membership.objects.filter(organisation_id=organisation_id, user__is_active=True)
        .select_related("user")
        .order_by("user__display_name")
    )


def is_member(user, organisation_id) -> bool:
    return Membership.objects.filter(user=user, organisation_id=organisation_id).exists()


def account_for_email(email):
    """The account registered with this email address, if any: the address is compared in its
    one normal form (`normalise_email`), so case and surrounding spaces do not matter and a
    look-alike never matches."""
    from .models import User, normalise_email

    email = normalise_email(email)
    return User.objects.filter(email=email).first() if email else None


def demo_personas():
    """Demo accounts, shown on the sign-in page only while DEMO_MODE is on."""
    from .models import User

    return User.objects.filter(is_active=True).exclude(demo_persona="").order_by("pk")


def demo_persona(pk):
    """The demo account with this id, or None (also for an id that is not a number)."""
    if not str(pk).isdigit():
        return None
    return demo_personas().filter(pk=pk).first()


def oversight_panel_for(organisation, *, default: str = "") -> Organisation | None:
    """The ICS C(E)TR assurance and oversight panel a commissioner's stuck recommendations go to
    (ADR 0011): the one the commissioner names; else the panel whose ODS code or name is
    `default`; else the only oversight panel there is; else None."""
    if organisation is not None and organisation.oversight_panel_id:
        return organisation.oversight_panel
    panels = Organisation.objects.filter(kind=Organisation.Kind.OVERSIGHT_PANEL)
    if default:
        return panels.filter(Q(ods_code=default) | Q(name=default)).first()
    only = list(panels[:2])
    return only[0] if len(only) == 1 else None


def notifications_queued(key_prefix: str) -> bool:
    """Whether any outbox row's key starts so (a batch of messages queued together)."""
    return Notification.objects.filter(idempotency_key__startswith=key_prefix).exists()


def organisation_by_code_or_id(value: str) -> Organisation | None:
    """An organisation named on a command line: by ODS code (any case), or by id."""
    found = Organisation.objects.filter(ods_code__iexact=value).first()
    if found is None and value.isdigit():
        found = Organisation.objects.filter(pk=int(value)).first()
    return found


# --- For metrics ---------------------------------------------------------------------------


def commissioners_overseen_by(panel_ids) -> list[Organisation]:
    """The commissioning organisations that name one of these oversight panels (ADR 0011)."""
    if not panel_ids:
        return []
    return list(
        Organisation.objects.filter(
            oversight_panel_id__in=panel_ids, kind__in=Organisation.COMMISSIONING_KINDS
        ).order_by("name")
    )


READING_COOKIE = "ctr_reading_format"


def reading_format_of(request) -> str:
    """How whoever is asking likes to read things: their account's choice, or the cookie's
    (the sign-in pages, before an account is known)."""
    from .models import ReadingFormat

    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.reading_format
    chosen = request.COOKIES.get(READING_COOKIE, "")
    return chosen if chosen in ReadingFormat.values else ReadingFormat.STANDARD
