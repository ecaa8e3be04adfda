"""What the holder of a link does, each in one transaction with the link's use: a refused
change (the recommendation moved on a moment ago) leaves the link unspent. The actions are the
recommendations app's own services, with no actor (the holder has no account); the link's use
is audited against the link."""

from django.db import transaction

from ctr_portal.links import link_issue, link_use
from ctr_portal.models import ActionLink
from recommendations import services as recommendation_services
from recommendations.services import RecommendationError

Purpose = ActionLink.Purpose


class LinkSpent(Exception):
    """The link was used (or revoked, or expired) between the page and the answer."""


def link_respond(
    *, link, recommendation, response: str, remit_confirmed: bool, reason: str, request=None
):
    """The owner accepts or disputes the recommendation, through its RESPOND link."""
    with transaction.atomic():
        if not link_use(link=link, request=request):
            raise LinkSpent
        if response == "accept":
            return recommendation_services.recommendation_accept(
                actor=None, recommendation=recommendation, remit_confirmed=remit_confirmed
            )
        return recommendation_services.recommendation_dispute(
            actor=None, recommendation=recommendation, reason=reason
        )


def link_update(
    *,
    link,
    recommendation,
    note: str,
    done: bool = False,
    evidence=None,
    not_for_family: bool = False,
    request=None,
):
    """The owner posts one progress update, or says it is done with evidence (for the
    commissioner to check), through an UPDATE link."""
    with transaction.atomic():
        if not link_use(link=link, request=request):
            raise LinkSpent
        if done:
            return recommendation_services.recommendation_mark_done(
                actor=None,
                recommendation=recommendation,
                note=note,
                evidence=evidence,
                not_for_family=not_for_family,
            )
        return recommendation_services.recommendation_progress(
            actor=None, recommendation=recommendation, note=note
        )


def recommendation_link_issue(*, actor, recommendation) -> tuple[ActionLink, str]:
    """A new link for a recommendation's owner who has no account: to accept or dispute it
    while it waits for them, to post an update once agreed."""
    from recommendations.models import State

    purpose = Purpose.RESPOND if recommendation.state == State.AWAITING_OWNER else Purpose.UPDATE
    with transaction.atomic():
        return link_issue(purpose=purpose, obj=recommendation, actor=actor)


def link_account_ask(*, link, obj, request=None) -> str:
    """The holder of a link asks to be invited to set up an account instead. Someone taking part
    is sent an invitation to the email address recorded for them ("invited"; "no_email" when
    there is none); a recommendation's owner is not someone the service knows, so the review's
    commissioner is asked to invite them ("commissioner"). The link stays as it was."""
    from django.conf import settings
    from django.urls import reverse

    from ctr_portal.audit import Action, audit_record
    from ctr_portal.formatting import nhs_date
    from ctr_portal.services import notification_enqueue
    from reviews.queries import commissioner_contacts
    from reviews.services import participant_account_invite

    audit_record(action=Action.VIEW, obj=link, request=request)
    if link.purpose == Purpose.READ_REPORT:
        invited = participant_account_invite(participant=obj, request=request)
        return "invited" if invited else "no_email"
    review = obj.review
    when = review.held_on or (review.starts_at and review.starts_at.date())
    with transaction.atomic():
        for _id, _name, email in commissioner_contacts(review):
            notification_enqueue(
                key=f"account-ask:{link.pk}:{email.lower()}"[:200],
                recipient=email,
                template="recommendation_notice",
                context={
                    "subject": "A recommendation's owner asked for an account",
                    "paragraphs": [
                        f"The owner of recommendation {obj.number} from the review on "
                        f"{nhs_date(when) if when else 'a date not set'} has no account and asked "
                        "to be invited to set one up.",
                        "Sign in to see the recommendation and how to reach its owner. An "
                        "administrator can make them an account, and you can then name it as "
                        "the owner.",
                    ],
                    "link": settings.SITE_URL + reverse("links:recommendation", args=[obj.pk]),
                    "link_text": "Sign in to see the recommendation",
                    "recommendation_id": obj.pk,
                },
            )
    return "commissioner"


__all__ = ["LinkSpent", "RecommendationError", "link_respond", "link_update"]


# --- Letters --------------------------------------------------------------------------------

EVENT_LETTER = "letter"
EVENT_KINDS = [(EVENT_LETTER, "Letter")]


def letter_format_for(participant) -> str:
    """The letter's format from how they read: the latest consent record's format for the
    report where it asks for one, else their account's or the person's record's reading format
    (easy read, large print, or standard)."""
    from reviews.models import ConsentRecord
    from reviews.rules import latest_consent

    from .models import Letter

    record = latest_consent(participant.review)
    wanted = record.report_format if record is not None else ConsentRecord.Format.STANDARD
    if wanted in (ConsentRecord.Format.EASY_READ, ConsentRecord.Format.SYMBOLS):
        return Letter.Format.EASY_READ
    if wanted == ConsentRecord.Format.LARGE_PRINT:
        return Letter.Format.LARGE_PRINT
    if participant.user_id:
        reads = participant.user.reading_format
    elif participant.role == "person":
        reads = participant.review.person.reading_format
    else:
        reads = ""
    return {"easy_read": Letter.Format.EASY_READ, "large_print": Letter.Format.LARGE_PRINT}.get(
        reads, Letter.Format.STANDARD
    )


def letter_request(*, actor, participant, kind: str):
    """Ask the worker for a printable letter to a participant reached through someone or on
    paper; refused for a report the participant may not have."""
    from django.core.exceptions import ValidationError

    from ctr_portal.audit import Action, audit_record
    from reports.rules import report_open_to
    from reviews.services import review_event_record

    from . import queries
    from .models import Letter
    from .tasks import letter_render

    if kind not in Letter.Kind.values:
        raise ValidationError({"kind": "Select which letter to make"})
    if kind in (Letter.Kind.REPORT, Letter.Kind.PLAN) and not (
        report_open_to(participant, participant.review)
        and queries.current_report(participant.review) is not None
    ):
        raise ValidationError({"kind": "There is no issued report they may have"})
    with transaction.atomic():
        letter = Letter.objects.create(
            participant=participant,
            kind=kind,
            format=letter_format_for(participant),
            requested_by=actor,
        )
        review_event_record(
            review=participant.review,
            kind=EVENT_LETTER,
            actor=actor,
            summary=f"Letter asked for: {letter.get_kind_display().lower()}",
        )
        audit_record(action=Action.CREATE, actor=actor, obj=letter)
        transaction.on_commit(lambda: letter_render.delay(letter.pk))
    return letter


def letter_render(*, letter_id: int):
    """In the worker: the letter as a PDF, with its single-purpose link (and short code) where
    it has one; stored, counted and audited."""
    from django.core.files.base import ContentFile

    from ctr_portal.audit import Action, audit_record

    from .letters import letter_pdf
    from .models import Letter

    letter = Letter.objects.select_related("participant__review").get(pk=letter_id)
    if letter.state == Letter.State.READY:
        return letter
    try:
        pdf, pages = letter_pdf(letter)
    except Exception:
        Letter.objects.filter(pk=letter.pk).update(state=Letter.State.FAILED)
        raise
    with transaction.atomic():
        letter.file.save(f"letter-{letter.pk}.pdf", ContentFile(pdf), save=False)
        letter.pages, letter.state = pages, Letter.State.READY
        letter.save(update_fields=["file", "pages", "state"])
        audit_record(action=Action.CREATE, obj=letter)
    return letter


def letter_handover_record(*, actor, letter, handed_over_by: str, handed_over_on):
    """Who handed the letter over (or posted it) and when: on the review's timeline."""
    from django.core.exceptions import ValidationError

    from ctr_portal.audit import Action, audit_record
    from ctr_portal.formatting import nhs_date
    from reviews.services import review_event_record

    handed_over_by = (handed_over_by or "").strip()
    if not handed_over_by:
        raise ValidationError({"handed_over_by": "Enter who handed the letter over"})
    if handed_over_on is None:
        raise ValidationError({"handed_over_on": "Enter the date it was handed over"})
    if handed_over_on < letter.requested_at.date():
        raise ValidationError(
            {"handed_over_on": "The date it was handed over must be after it was made"}
        )
    letter.handed_over_by, letter.handed_over_on = handed_over_by, handed_over_on
    letter.handover_recorded_by = actor
    letter.full_clean()
    with transaction.atomic():
        letter.save(update_fields=["handed_over_by", "handed_over_on", "handover_recorded_by"])
        review_event_record(
            review=letter.participant.review,
            kind=EVENT_LETTER,
            actor=actor,
            summary=f"Letter handed over: {letter.get_kind_display().lower()}, by "
            f"{handed_over_by} on {nhs_date(handed_over_on)}",
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=letter)
    return letter


def letter_post(*, actor, letter):
    """Post a made letter to the person through the outbox (GOV.UK Notify's precompiled letter:
    the PDF as made, easy read or large print), once, and record it as handed over by post. A
    letter that cannot be delivered is told to the commissioner like any other notice."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from ctr_portal.models import Notification
    from ctr_portal.services import notification_enqueue
    from ctr_portal.transports import Reach

    from . import queries

    address = queries.letter_postal_address(letter)
    if address is None:
        raise ValidationError("This letter cannot be posted: there is no address to post it to")
    with transaction.atomic():
        notification_enqueue(
            key=f"letter-post:{letter.pk}",
            recipient=Reach(
                Notification.Channel.LETTER,
                "\n".join(address),
                f"participant:{letter.participant_id}",
            ),
            template="letter",
            context={"letter_id": letter.pk},
        )
        letter_handover_record(
            actor=actor,
            letter=letter,
            handed_over_by=POSTED_BY,
            handed_over_on=timezone.localdate(),
        )
    return letter


POSTED_BY = "Posted through GOV.UK Notify"


def letter_pdf_for_post(*, notification, **kwargs):
    """The `letter_pdf` receiver: the made letter's PDF, for the letter the notice names."""
    from .models import Letter

    letter_id = notification.context.get("letter_id")
    letter = Letter.objects.filter(pk=letter_id, state=Letter.State.READY).first()
    if letter is None or not letter.file:
        return None
    with letter.file.open("rb") as handle:
        return handle.read()


def letter_download_record(*, user, letter, request=None) -> None:
    from ctr_portal.audit import Action, audit_record

    audit_record(action=Action.DOWNLOAD, actor=user, obj=letter, request=request)
