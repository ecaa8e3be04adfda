"""Writes for accounts and the notification outbox.

Everything that leaves the system is a Notification row first, written in the caller's
transaction; the dispatcher sends it after commit. `notification_enqueue` is the one entry point.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login, logout
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .audit import Action, audit_record
from .middleware import SESSION_RENEWED_KEY, SESSION_STARTED_KEY, SIGNED_IN_WITH_KEY
from .models import Notification
from .signals import notice_undeliverable
from .transports import PermanentFailure, Reach, render_email, transport

log = logging.getLogger(__name__)


# --- Sessions and sign-in -------------------------------------------------------------------


def session_sign_in(*, request, user) -> None:
    """Start a signed-in session for a user whose password (or demo persona) was accepted."""
    login(request, user, backend="ctr_portal.backends.EmailBackend")
    request.session[SESSION_STARTED_KEY] = timezone.now().timestamp()
    request.session[SESSION_RENEWED_KEY] = timezone.now().timestamp()  # saved as it signs in
    audit_record(action=Action.LOGIN, actor=user, obj=user, request=request)


def session_sign_in_with_provider(*, request, user, provider: str) -> None:
    """Start a session for someone CIS2 or NHS login has just checked (ADR 0023). CIS2 checked
    two factors itself, so no authenticator code is asked for; NHS login's sessions end after
    NHS_LOGIN_SESSION_IDLE_SECONDS idle instead of the usual 15 minutes."""
    from .oidc import NHS_LOGIN

    login(request, user, backend="ctr_portal.backends.EmailBackend")
    now = timezone.now().timestamp()
    request.session[SESSION_STARTED_KEY] = request.session[SESSION_RENEWED_KEY] = now
    request.session[SIGNED_IN_WITH_KEY] = provider
    if provider == NHS_LOGIN:
        request.session.set_expiry(settings.NHS_LOGIN_SESSION_IDLE_SECONDS)
    audit_record(action=Action.LOGIN, actor=user, obj=user, request=request)


def sign_in_refused(*, request, action, user=None) -> None:
    """Record a CIS2 or NHS login sign-in this service refused, against the account when one is
    known, so an administrator sees who tried and why (the action says why)."""
    audit_record(action=action, obj=user, request=request)


def cis2_account(*, request, answer):
    """The account a CIS2 sign-in belongs to, made or linked the first time (ADR 0023).

    The role the person selected at CIS2 must be one this service lets in (StaffRole) and its
    organisation one this service knows (by ODS code); their membership of it is recorded with
    the role's job title. The account is found by the CIS2 subject once linked; the first time,
    by the email address CIS2 gives (an account an invitation made), or made new."""
    from .models import Membership, Organisation, SignInIdentity, StaffRole, User
    from .oidc import CIS2, Refused

    info = {**answer.id_token, **answer.userinfo}
    selected = str(info.get("selected_roleid", ""))
    roles = info.get("nhsid_nrbac_roles") or []
    role = next((r for r in roles if str(r.get("person_roleid", "")) == selected), None)
    identity = (
        SignInIdentity.objects.filter(provider=CIS2, subject=answer.subject)
        .select_related("user")
        .first()
    )
    known = identity.user if identity else None
    if role is None:
        raise Refused(Action.SIGN_IN_REFUSED_ROLE, "role", "no selected role", user=known)
    code = str(role.get("role_code", "")).split(":")[-1]
    staff_role = StaffRole.objects.filter(code=code).first()
    if staff_role is None:
        raise Refused(Action.SIGN_IN_REFUSED_ROLE, "role", code, user=known)
    organisation = (
        Organisation.objects.filter(ods_code__iexact=str(role.get("org_code", ""))).first()
        if role.get("org_code")
        else None
    )
    if organisation is None:
        raise Refused(
            Action.SIGN_IN_REFUSED_ORG, "organisation", str(role.get("org_code")), user=known
        )
    with transaction.atomic():
        user = known
        if user is None:
            from .queries import account_for_email

            email = normalise_email_claim(info.get("email"))
            user = account_for_email(email) if email else None
            if user is not None and user.sign_in_identities.filter(provider=CIS2).exists():
                raise Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "not_linked", "email in use")
            if user is None:
                if not email:
                    raise Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "not_linked", "no email")
                name = info.get("name") or " ".join(
                    part for part in (info.get("given_name"), info.get("family_name")) if part
                )
                user = User.objects.create_user(
                    email, None, display_name=(name or email)[:150], kind=User.Kind.PROFESSIONAL
                )
                audit_record(action=Action.CREATE, actor=user, obj=user, request=request)
            SignInIdentity.objects.create(user=user, provider=CIS2, subject=answer.subject)
            audit_record(action=Action.SIGN_IN_LINKED, actor=user, obj=user, request=request)
        if not user.is_active or user.kind != User.Kind.PROFESSIONAL:
            raise Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "not_linked", "not a staff account")
        _, created = Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"job_title": staff_role.job_title}
        )
        if created:
            audit_record(action=Action.CREATE, actor=user, obj=user, request=request)
    return user


def nhs_login_account(*, request, answer, invitation_token: str = ""):
    """The account an NHS login sign-in belongs to (ADR 0023): the one its NHS login subject is
    linked to, or the one an app links it to now (`signals.nhs_login_link`: the person by their
    NHS number, family through their invitation), which is then linked for next time."""
    from .models import SignInIdentity, User
    from .oidc import NHS_LOGIN, Refused, at_least, proofing_level
    from .signals import collect, nhs_login_link

    known = account_for_identity(provider=NHS_LOGIN, subject=answer.subject)
    if not at_least(proofing_level({**answer.id_token, **answer.userinfo}), "P5"):
        raise Refused(Action.SIGN_IN_REFUSED_ASSURANCE, "identity", user=known)
    if known is not None and not invitation_token:
        if not known.is_active or known.kind != User.Kind.PUBLIC:
            raise Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "not_linked", user=known)
        return known
    with transaction.atomic():
        linked = collect(nhs_login_link, answer=answer, invitation_token=invitation_token)
        if not linked:
            raise Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "not_linked", user=known)
        user = linked[0]
        if known is not None and known.pk != user.pk:
            raise Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "not_linked", user=known)
        if known is None:
            if user.sign_in_identities.filter(provider=NHS_LOGIN).exists():
                # Linked to another NHS login already: one NHS login per account.
                raise Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "not_linked", user=user)
            SignInIdentity.objects.create(user=user, provider=NHS_LOGIN, subject=answer.subject)
            audit_record(action=Action.SIGN_IN_LINKED, actor=user, obj=user, request=request)
    return user


def account_for_identity(*, provider: str, subject: str):
    from .models import SignInIdentity

    identity = (
        SignInIdentity.objects.filter(provider=provider, subject=subject)
        .select_related("user")
        .first()
    )
    return identity.user if identity else None


def normalise_email_claim(value) -> str:
    from .models import normalise_email

    return normalise_email(value) if isinstance(value, str) and "@" in value else ""


def sessions_end_everywhere(*, user, request=None) -> None:
    """End every session of the user at once (a back-channel logout from CIS2): the middleware
    ends any session begun before this moment at its next request."""
    from .models import User

    User.objects.filter(pk=user.pk).update(sessions_ended_at=timezone.now())
    audit_record(action=Action.BACKCHANNEL_LOGOUT, obj=user, request=request)


def session_sign_out(*, request) -> None:
    user = request.user
    if user.is_authenticated:
        audit_record(action=Action.LOGOUT, actor=user, obj=user, request=request)
    logout(request)


def sign_in_failed(*, request, email: str, locked_out=False) -> None:
    """Record a refused sign-in, against the account the email belongs to if there is one (the
    page shown is the same either way). The email itself is not kept."""
    from .queries import account_for_email

    user = account_for_email(email)
    audit_record(
        action=Action.LOCKED_OUT if locked_out else Action.LOGIN_FAILED,
        object_type="ctr_portal.user" if user else "",
        object_id=str(user.pk) if user else "",
        request=request,
    )


def account_create(*, email: str, password: str, display_name: str, kind: str):
    """A new account, made when someone accepts an invitation (their email is the sign-in)."""
    from .models import User

    user = User.objects.create_user(email, password, display_name=display_name.strip(), kind=kind)
    audit_record(action=Action.CREATE, actor=user, obj=user)
    return user


def two_factor_device_for_setup(*, user) -> TOTPDevice:
    """The user's unconfirmed authenticator, made once and kept until they confirm it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def two_factor_confirm(*, request, device, token) -> bool:
    """Confirm a new authenticator with its first code, and pass the second factor."""
    if not device.verify_token(token):
        audit_record(action=Action.TWO_FACTOR_FAILED, actor=request.user, request=request)
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            action=Action.TWO_FACTOR_SETUP, actor=request.user, obj=device.user, request=request
        )
    otp_login(request, device)
    return True


def two_factor_verify(*, request, token) -> bool:
    from django_otp import match_token

    device = match_token(request.user, token)
    if device is None:
        audit_record(action=Action.TWO_FACTOR_FAILED, actor=request.user, request=request)
        return False
    otp_login(request, device)
    return True


def reading_format_set(*, user, reading_format: str, communication_support: str = ""):
    """How someone likes to read things: every page, notice and letter follows it."""
    user.reading_format = reading_format
    user.communication_support = (communication_support or "").strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["reading_format", "communication_support"])
    audit_record(action=Action.UPDATE, actor=user, obj=user)
    return user


def idle_minutes_set(*, user, minutes: int | None):
    """The longer idle time the person or family chose (None: the usual time). The session
    follows it from the next request (middleware.idle_seconds_for); staff may not choose."""
    from django.core.exceptions import ValidationError

    if minutes is not None and (
        user.kind != user.Kind.PUBLIC or minutes > settings.SESSION_IDLE_MAX_MINUTES
    ):
        raise ValidationError({"idle_minutes": "Choose how long we wait before signing you out"})
    user.idle_minutes = minutes
    user.save(update_fields=["idle_minutes"])
    audit_record(action=Action.UPDATE, actor=user, obj=user)
    return user


# --- The notification outbox ----------------------------------------------------------------


def _addressed(recipient) -> dict:
    """The row's channel, address and owner of the way of being reached, from an email address
    (staff, always reached by email) or a `Reach` (a participant's recorded way)."""
    if isinstance(recipient, Reach):
        return {
            "channel": recipient.channel,
            "recipient": recipient.address,
            "reach_of": recipient.of,
        }
    return {"channel": Notification.Channel.EMAIL, "recipient": recipient, "reach_of": ""}


def _as_they_read(context: dict, recipient) -> dict:
    reading = getattr(recipient, "reading_format", "")
    if reading and reading != "standard":
        return {**context, "reading_format": reading}
    return context


def notification_enqueue(
    *, key: str, recipient, template: str, context: dict, secret_context=None
) -> Notification:
    """Queue a notice once per `key`; a second call with the same key returns the first row.

    `recipient` is an email address, or the `Reach` a participant's way of being reached gives
    (`reviews.services.participant_reach`): email, text message or letter. `template` names
    `templates/emails/<template>.subject.txt`, `.txt` and `.html`; a text message is made of
    the subject and the link, a letter of the text (`ctr_portal.transports`). The context
    must be JSON: ids, dates as ISO strings, and the words the notice needs. A link that carries
    a token goes in `secret_context` instead: kept only until the notice is sent, and never put
    in the key (the key is shown to administrators). The dispatcher is started when the
    caller's transaction commits (and by beat every minute, in case that is lost).
    """
    notification, created = Notification.objects.get_or_create(
        idempotency_key=key,
        defaults={
            **_addressed(recipient),
            "template": template,
            "context": _as_they_read(context, recipient),
            "secret_context": secret_context or {},
        },
    )
    if created:
        from .tasks import outbox_dispatch

        transaction.on_commit(outbox_dispatch.delay)
    return notification


def notifications_enqueue(*, messages: list[dict]) -> dict[str, Notification]:
    """`notification_enqueue` for many at once (the reminder sweep): each message is a dict of
    its key, recipient, template, context (and optional secret_context); a key already queued
    keeps its first row. Returns
    {key: row} for every message, in three queries however many there are."""
    if not messages:
        return {}
    keys = [m["key"] for m in messages]
    before = set(
        Notification.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", flat=True
        )
    )
    Notification.objects.bulk_create(
        [
            Notification(
                idempotency_key=m["key"],
                **_addressed(m["recipient"]),
                template=m["template"],
                context=_as_they_read(m["context"], m["recipient"]),
                secret_context=m.get("secret_context") or {},
            )
            for m in messages
            if m["key"] not in before
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    rows = {n.idempotency_key: n for n in Notification.objects.filter(idempotency_key__in=keys)}
    if len(rows) > len(before):
        from .tasks import outbox_dispatch

        transaction.on_commit(outbox_dispatch.delay)
    return rows


def _due(now):
    stale = now - timedelta(seconds=settings.OUTBOX_STALE_SENDING_SECONDS)
    return Q(state=Notification.State.PENDING, next_attempt_at__lte=now) | Q(
        state=Notification.State.SENDING, claimed_at__lt=stale
    )


def outbox_claim(*, now=None, limit=None) -> list[Notification]:
    """Claim due notifications for this dispatcher. Two dispatchers never claim the same row:
    rows locked by another are skipped, and the claim is a conditional update."""
    import uuid

    now = now or timezone.now()
    limit = limit or settings.OUTBOX_BATCH_SIZE
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Notification.objects.filter(_due(now), pk__in=ids).update(
            state=Notification.State.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    return list(Notification.objects.filter(claim_token=token, state=Notification.State.SENDING))


def notification_send(*, notification: Notification, through=None) -> bool:
    """Send one claimed notification through the transport; record the outcome. Returns True
    when the transport took it. A temporary failure waits and tries again (a rate limit does
    not count as an attempt); a permanent one, or the last attempt, fails it and says so."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification.pk, claim_token=notification.claim_token, state=Notification.State.SENDING
    )
    try:
        provider_ref = (through or transport()).send(notification)
    except PermanentFailure as exc:
        _failed(notification, claimed, str(exc))
        return False
    except Exception as exc:
        log.warning(
            "Notification %s failed on attempt %s: %s",
            notification.pk,
            notification.attempts,
            type(exc).__name__,
        )
        counts = getattr(exc, "counts", True)
        if counts and notification.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _failed(notification, claimed, str(exc))
            return False
        backoff = getattr(exc, "retry_after", None) or (
            settings.OUTBOX_BACKOFF_SECONDS * 2 ** (notification.attempts - 1)
        )
        claimed.update(
            state=Notification.State.PENDING,
            last_error=str(exc)[:2000],
            next_attempt_at=now + timedelta(seconds=backoff),
            attempts=F("attempts") - (0 if counts else 1),
        )
        return False
    claimed.update(
        state=Notification.State.SENT,
        sent_at=now,
        last_error="",
        secret_context={},
        provider_ref=provider_ref or "",
        delivery="",
        delivery_at=None,
    )
    return True


def _failed(notification, claimed, error: str) -> None:
    if claimed.update(state=Notification.State.FAILED, last_error=error[:2000], secret_context={}):
        notification.refresh_from_db()
        notice_undeliverable.send(sender=Notification, notification=notification)


# A precompiled letter's own statuses, as the delivery states of the other channels.
LETTER_STATUSES = {
    "received": Notification.Delivery.DELIVERED,  # printed and handed to the post
    "validation-failed": Notification.Delivery.PERMANENT_FAILURE,
    "virus-scan-failed": Notification.Delivery.PERMANENT_FAILURE,
    "cancelled": Notification.Delivery.PERMANENT_FAILURE,
}


def notification_receipt(*, provider_ref: str, status: str) -> Notification | None:
    """A delivery receipt (GOV.UK Notify's callback): record delivered or failed. A permanent
    failure is told once, however often the receipt comes (the update is conditional); a
    temporary or technical failure is sent again by the outbox's backoff, until the last
    attempt. Returns the row, or None for a receipt of nothing we sent."""
    Delivery = Notification.Delivery
    status = LETTER_STATUSES.get(status, status)
    if status not in Delivery.values or not provider_ref:
        return None
    notification = Notification.objects.filter(provider_ref=provider_ref).first()
    if notification is None:
        return None
    now = timezone.now()
    this = Notification.objects.filter(pk=notification.pk, provider_ref=provider_ref)
    if status == Delivery.DELIVERED:
        this.exclude(delivery=Delivery.DELIVERED).update(delivery=status, delivery_at=now)
    elif status == Delivery.PERMANENT_FAILURE:
        told = this.exclude(delivery=status).update(
            delivery=status,
            delivery_at=now,
            state=Notification.State.FAILED,
            last_error="The transport could not deliver it",
        )
        if told:
            notification.refresh_from_db()
            notice_undeliverable.send(sender=Notification, notification=notification)
    else:
        retry = notification.attempts < settings.OUTBOX_MAX_ATTEMPTS
        changes = {"delivery": status, "delivery_at": now}
        if retry:
            # Sent again later, as a new message: the old receipt no longer matches it.
            backoff = settings.OUTBOX_BACKOFF_SECONDS * 2 ** max(notification.attempts - 1, 0)
            changes |= {
                "state": Notification.State.PENDING,
                "next_attempt_at": now + timedelta(seconds=backoff),
                "provider_ref": "",
            }
        elif this.filter(state=Notification.State.SENT).update(
            **changes, state=Notification.State.FAILED
        ):
            notification.refresh_from_db()
            notice_undeliverable.send(sender=Notification, notification=notification)
            return notification
        this.filter(state=Notification.State.SENT).update(**changes)
    notification.refresh_from_db()
    return notification


def outbox_dispatch_due(*, now=None) -> int:
    """Send everything due; returns how many were sent."""
    sent = 0
    claimed = outbox_claim(now=now)
    through = transport() if claimed else None  # one client (and connection) for the batch
    for notification in claimed:
        sent += notification_send(notification=notification, through=through)
    return sent


def outbox_delivery_check(*, now=None, limit=500) -> int:
    """Ask GOV.UK Notify how the notices sent more than an hour ago, and not heard of since,
    are doing, and record what it says as a receipt would: a lost callback then only delays.
    Returns how many were asked about."""
    if settings.OUTBOX_TRANSPORT != "notify":
        return 0
    now = now or timezone.now()
    waiting = list(
        Notification.objects.filter(
            state=Notification.State.SENT,
            delivery="",
            sent_at__lt=now - timedelta(hours=1),
            sent_at__gt=now - timedelta(days=7),
        )
        .exclude(provider_ref="")
        .order_by("sent_at")
        .values_list("provider_ref", flat=True)[:limit]
    )
    client = transport().client
    for provider_ref in waiting:
        try:
            status = client.get_notification_by_id(provider_ref).get("status", "")
        except Exception as exc:  # Notify down: the next run asks again
            log.warning("Delivery check failed: %s", type(exc).__name__)
            break
        notification_receipt(provider_ref=provider_ref, status=status)
    return len(waiting)


# The tests render a notice as the dispatcher does.
_render_email = render_email
