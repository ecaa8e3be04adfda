"""How a queued notice leaves: the outbox's transports (ADR 0003, ADR 0020).

A `Notification` row says what to send (its template and context), to whom (`recipient`) and by
which channel (email, text message or letter). The dispatcher renders it here and hands it to
the transport the `OUTBOX_TRANSPORT` setting names:

- "django": email through Django's email backend (SMTP, or the console for `make run`); text
  messages and letters are printed to the log when `DEBUG` is on, and otherwise refused as a
  permanent failure (so the commissioner is told nobody was reached).
- "notify": GOV.UK Notify, through its official client, for all three channels.

A transport returns the provider's id for the message, or raises `TemporaryFailure` (the
outbox tries again later, after `retry_after` seconds if given) or `PermanentFailure` (the
outbox stops and the notice is told undeliverable).
"""

import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from .models import Notification
from .signals import collect, email_attachments, letter_pdf

log = logging.getLogger(__name__)
Channel = Notification.Channel


@dataclass(frozen=True)
class Reach:
    """Where one notice goes: a channel, an address on it, and whose way of being reached chose
    them ("participant:12"; empty for staff, who are always reached by email)."""

    channel: str
    address: str
    of: str = ""


class TemporaryFailure(Exception):
    def __init__(self, message: str, retry_after: int | None = None, counts: bool = True):
        super().__init__(message)
        self.retry_after = retry_after
        self.counts = counts  # False for "too many at once": not the message's fault


class PermanentFailure(Exception):
    pass


# --- Rendering -----------------------------------------------------------------------------


def _context(notification: Notification) -> dict:
    return {
        **notification.context,
        **notification.secret_context,
        "site_url": settings.SITE_URL,
        "service_name": settings.SERVICE_NAME,
    }


def _subject(notification: Notification, context: dict) -> str:
    base = f"emails/{notification.template}"
    return " ".join(render_to_string(f"{base}.subject.txt", context).split())


def render_email(notification: Notification) -> EmailMultiAlternatives:
    context = _context(notification)
    base = f"emails/{notification.template}"
    message = EmailMultiAlternatives(
        subject=_subject(notification, context),
        body=render_to_string(f"{base}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"X-CTR-Portal-Notification": str(notification.pk)},
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    # Attachments are built now, from ids in the context, by the app that owns them (reviews:
    # the .ics file), so the outbox holds no binary data and imports no app built on it.
    for attachment in collect(email_attachments, notification=notification):
        message.attach(*attachment)
    return message


def render_text(notification: Notification) -> str:
    """A text message: the email's subject (which names nobody, ADR 0003) and its link. Short,
    so it fits in two text message fragments, and never a name or an NHS number."""
    context = _context(notification)
    text = f"{settings.SERVICE_NAME}: {_subject(notification, context)}."
    link = context.get("link")
    return f"{text} {link}" if link else text


def render_letter(notification: Notification) -> bytes:
    """A letter is a PDF already made in the worker by the app that owns it (links: the
    invitation, report and plan letters, in easy read or large print as the person needs),
    named by id in the context; the outbox keeps no binary data."""
    pdfs = collect(letter_pdf, notification=notification)
    if not pdfs:
        raise PermanentFailure("No letter to post: it was not made, or was deleted")
    return pdfs[0]


# --- Transports ----------------------------------------------------------------------------


class DjangoTransport:
    """Email through Django's backend; text messages and letters printed in development."""

    def send(self, notification: Notification) -> str:
        if notification.channel == Channel.EMAIL:
            render_email(notification).send(fail_silently=False)
            return ""
        if not settings.DEBUG:
            raise PermanentFailure(
                f"No {notification.get_channel_display().lower()} service is set up: "
                "set OUTBOX_TRANSPORT=notify"
            )
        if notification.channel == Channel.TEXT:
            log.warning(
                "Text message to %s:\n%s", notification.recipient, render_text(notification)
            )
        else:
            pdf = render_letter(notification)
            log.warning(
                "Letter posted to %s (%s bytes of PDF)",
                notification.recipient.replace("\n", ", "),
                len(pdf),
            )
        return ""


class NotifyTransport:
    """GOV.UK Notify. Email and text message by template id with the words as personalisation
    (one email template of ((subject)) and ((body)), one text template of ((body))); letters as
    precompiled PDFs. The reference is the outbox row's id: no personal data, and the outbox
    row, not the reference, is what stops a message going twice."""

    def __init__(self):
        from notifications_python_client.notifications import NotificationsAPIClient

        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=30
        )

    def send(self, notification: Notification) -> str:
        from notifications_python_client.errors import HTTPError

        _rate_limit_take()
        reference = f"ctr-notice-{notification.pk}"
        try:
            if notification.channel == Channel.EMAIL:
                message = render_email(notification)
                response = self.client.send_email_notification(
                    email_address=notification.recipient,
                    template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
                    personalisation={"subject": message.subject, "body": message.body},
                    reference=reference,
                )
            elif notification.channel == Channel.TEXT:
                response = self.client.send_sms_notification(
                    phone_number=notification.recipient,
                    template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                    personalisation={"body": render_text(notification)},
                    reference=reference,
                )
            else:
                response = self.client.send_precompiled_letter_notification(
                    reference=reference, pdf_file=io.BytesIO(render_letter(notification))
                )
        except HTTPError as exc:
            status = exc.status_code
            if status == 429:
                raise TemporaryFailure(
                    "Notify: too many requests", retry_after=60, counts=False
                ) from exc
            if status >= 500 or status in (408, 0):
                raise TemporaryFailure(f"Notify answered {status}") from exc
            # 400 (a bad number or address, a template that does not match) and 403 (a bad
            # key) will not mend themselves by trying again.
            raise PermanentFailure(f"Notify answered {status}: {_errors(exc)}") from exc
        except OSError as exc:  # the connection failed: try again later
            raise TemporaryFailure(f"Notify could not be reached: {type(exc).__name__}") from exc
        return str(response.get("id", ""))


def _errors(exc) -> str:
    messages = getattr(exc, "message", None)
    if isinstance(messages, list):
        return "; ".join(str(m.get("message", m)) for m in messages)[:500]
    return str(messages)[:500]


def _rate_key() -> str:
    return f"outbox:notify-rate:{int(timezone.now().timestamp() // 60)}"


def rate_limit_reset() -> None:
    cache.delete(_rate_key())


def _rate_limit_take() -> None:
    """At most NOTIFY_RATE_PER_MINUTE messages a minute for the key, across every dispatcher
    (Notify allows 3,000): counted in the shared cache (Redis in production), so the minute's
    excess waits for the next minute instead of earning a 429."""
    key = _rate_key()
    cache.add(key, 0, timeout=120)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        used = 1
    if used > settings.NOTIFY_RATE_PER_MINUTE:
        retry_after = 60 - int(timezone.now().timestamp()) % 60
        raise TemporaryFailure("Notify's rate limit reached", retry_after=retry_after, counts=False)


def transport():
    if settings.OUTBOX_TRANSPORT == "notify":
        return NotifyTransport()
    return DjangoTransport()
