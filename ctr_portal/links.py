"""Single-purpose links: how someone without an account acts (DESIGN.md, "Anyone without an
account").

A link lets its holder do exactly one thing (`ActionLink.Purpose`) to one object. The token is
256 random bits, handed out once (in an email, a letter, or on the commissioner's page) and
never stored: only its SHA-256 is kept, so the table, the outbox key and the admin hold nothing
that opens it. A link expires (`policy.LINK_LIFETIME_DAYS`), may be revoked by the
commissioner, is spent by its one use where that fits (`policy.LINK_SINGLE_USE`), and the app
that owns the object asks its own rules (the consent gate) at every use. Each use and each
refusal is audited.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .audit import Action, audit_record
from .models import ActionLink
from .policy import LINK_LIFETIME_DAYS, LINK_SINGLE_USE

Purpose = ActionLink.Purpose
# A short code printed on a letter beside the URL: the first characters of the token, to
# read out on the phone to the commissioner (it opens nothing by itself).
SHORT_CODE_LENGTH = 8


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_issue(*, purpose: str, obj, actor=None) -> tuple[ActionLink, str]:
    """A new link for `purpose` on `obj`, and its token (the only time the token exists)."""
    token = secrets.token_urlsafe(32)
    link = ActionLink(
        token_hash=_hash(token),
        purpose=purpose,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        expires_at=timezone.now() + timedelta(days=LINK_LIFETIME_DAYS[purpose]),
    )
    link.full_clean()
    link.save()
    audit_record(action=Action.CREATE, actor=actor, obj=link)
    return link, token


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("links:use", args=[token])


def short_code(token: str) -> str:
    return token[:SHORT_CODE_LENGTH]


def link_for_token(token: str) -> ActionLink | None:
    """The link this token opens, whatever its state; None for a token that opens none."""
    if not token or len(token) > 100:
        return None
    return ActionLink.objects.filter(token_hash=_hash(token)).first()


def links_for(obj) -> list[ActionLink]:
    return list(ActionLink.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk))


def link_refusal_record(*, link: ActionLink | None, reason: str, request=None) -> None:
    """A refused use: audited against the link if the token opened one (`reason` is for the
    log line only; the holder sees the same page whatever it was)."""
    audit_record(
        action=Action.PERMISSION_DENIED if link else Action.NOT_FOUND,
        object_type="ctr_portal.actionlink",
        object_id=str(link.pk) if link else "",
        request=request,
    )


def link_use(*, link: ActionLink, request=None, spend: bool = True) -> bool:
    """Record one use; a once-only link is spent by it (`spend`), by a conditional update so
    two uses at once cannot both win. False when it was no longer usable."""
    now = timezone.now()
    with transaction.atomic():
        if spend and link.purpose in LINK_SINGLE_USE:
            won = ActionLink.objects.filter(
                pk=link.pk, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
            ).update(used_at=now)
            if not won:
                return False  # the caller records the refusal, outside its rolled-back work
            link.used_at = now
        audit_record(action=Action.UPDATE if spend else Action.VIEW, obj=link, request=request)
    return True


def link_revoke(*, actor, link: ActionLink) -> ActionLink:
    """The commissioner stops a link working (a letter lost, the wrong person had it)."""
    with transaction.atomic():
        ActionLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor
        )
        link.refresh_from_db()
        audit_record(action=Action.UPDATE, actor=actor, obj=link)
    return link
