"""Portal: every write, as keyword-only `<noun>_<verb>` functions that own the transaction, the
audit entry and the email through the outbox."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.deadlines import deadline_notices_send
from ctr_portal.formatting import nhs_date
from ctr_portal.permissions import Perm
from ctr_portal.services import notification_enqueue
from reviews.models import FAMILY_ROLES, PANEL_ROLES, ParticipantRole
from reviews.queries import commissioner_contacts
from reviews.rules import is_review_provider, participant_for

from .models import Feedback, FeedbackGroup, Request
from .policy import FEEDBACK_WITHIN_DAYS, feedback_series, mentions_harm
from .queries import feedback_invitation_candidates


def request_make(
    *, actor, review, kind: str, details: str, on_behalf_of_person=False, at_risk=False
) -> Request:
    """The person or a family member asks for a review or raises a worry; an advocate (or a
    family carer the consent invites) may send it for the person, recorded as such. It reaches
    the commissioner (an email with no detail in it, and their list of requests) and the
    person's timeline. One that says someone is at risk, or whose words suggest harm
    (portal/policy.py), is flagged urgent: its email says so, the same day."""
    details = details.strip()
    if not details:
        raise ValidationError({"details": "Tell us what you would like to happen"})
    if on_behalf_of_person and not actor.has_perm(Perm.SEND_FOR_PERSON, review):
        raise ValidationError(
            "Only an advocate, or a family carer the person agreed to, can send this for them"
        )
    participant = participant_for(actor, review)
    urgent = at_risk or mentions_harm(details)
    with transaction.atomic():
        request = Request.objects.create(
            person=review.person,
            review=review,
            commissioner=review.commissioner,
            kind=kind,
            details=details,
            made_by=actor,
            made_by_role=participant.get_role_display() if participant else "",
            on_behalf_of_person=on_behalf_of_person,
            at_risk=at_risk,
            urgent=urgent,
        )
        audit_record(action=Action.CREATE, actor=actor, obj=request)
        link = settings.SITE_URL + reverse("portal:request_detail", args=[request.pk])
        template = "portal_request_urgent" if urgent else "portal_request"
        for _user_id, _name, email in commissioner_contacts(review):
            notification_enqueue(
                key=f"{template.replace('_', '-')}:{request.pk}:{email.lower()}",
                recipient=email,
                template=template,
                context={
                    "kind": request.get_kind_display().lower(),
                    "link": link,
                    "reply_by": nhs_date(request.reply_due),
                },
            )
    return request


def request_answer(*, actor, request: Request, answer: str) -> Request:
    """The commissioner replies; the person or family member who asked is told to sign in."""
    answer = answer.strip()
    if not answer:
        raise ValidationError({"answer": "Enter your reply"})
    with transaction.atomic():
        locked = Request.objects.select_for_update().get(pk=request.pk)
        if locked.state == Request.State.ANSWERED:
            raise ValidationError("Someone has already replied to this request")
        locked.state = Request.State.ANSWERED
        locked.answer, locked.answered_by, locked.answered_at = answer, actor, timezone.now()
        locked.save(update_fields=["state", "answer", "answered_by", "answered_at"])
        audit_record(action=Action.UPDATE, actor=actor, obj=locked)
        notification_enqueue(
            key=f"portal-request-answered:{locked.pk}",
            recipient=locked.made_by.email,
            template="portal_request_answered",
            context={
                "link": settings.SITE_URL + reverse("portal:review", args=[locked.review_id]),
            },
        )
    return locked


def feedback_group(user, review) -> str:
    participant = participant_for(user, review)
    role = participant.role if participant else None
    if role == ParticipantRole.PERSON:
        return FeedbackGroup.PERSON
    if role in FAMILY_ROLES:
        return FeedbackGroup.FAMILY
    if role in PANEL_ROLES:
        return FeedbackGroup.PANEL
    if role == ParticipantRole.PROVIDER or is_review_provider(user, review):
        return FeedbackGroup.PROVIDER
    return FeedbackGroup.OTHER


def feedback_give(
    *, actor, review, involved: int, clear: int, change: str = "", easy_read=False
) -> Feedback:
    """One answer per person per review; a second is refused with a kind message."""
    try:
        with transaction.atomic():
            feedback = Feedback.objects.create(
                review=review,
                given_by=actor,
                group=feedback_group(actor, review),
                involved=involved,
                clear=clear,
                change=change.strip(),
                easy_read=easy_read,
            )
            audit_record(action=Action.CREATE, actor=actor, obj=feedback)
    except IntegrityError:
        raise ValidationError("You have already told us about this review. Thank you.") from None
    return feedback


def feedback_invitations_send(*, today=None) -> int:
    """Ask everyone who took part in a recently held review for feedback, once each, through
    the deadline mechanism (ctr_portal.deadlines; when: portal/policy.py `feedback_series`): the
    outbox key names the review, the day it was held and the recipient, so a second sweep
    queues nothing. Returns how many invitations it asked the outbox for."""
    today = today or timezone.localdate()
    since = today - timedelta(days=FEEDBACK_WITHIN_DAYS)
    queued = 0
    for review in feedback_invitation_candidates(since=since):
        queued += deadline_notices_send(
            subject=f"feedback:{review.pk}",
            deadline=review.held_on,
            series=feedback_series(),
            today=today,
            build=lambda _point, review=review: _feedback_invitations(review),
        )
    return queued


def _feedback_invitations(review) -> list[tuple[str, str, dict]]:
    link = settings.SITE_URL + reverse("portal:feedback", args=[review.pk])
    invitations = []
    for participant in review.participants.all():
        email = participant.user.email if participant.user_id else participant.email
        if not email or participant.role == ParticipantRole.COMMISSIONER:
            continue
        context = {
            "held_on": nhs_date(review.held_on),
            "link": link,
            "easy_read": participant.role == ParticipantRole.PERSON,
        }
        invitations.append((email, "feedback_invitation", context))
    return invitations


def planner_answer(*, actor, review, field: str, value: str):
    """Save one answer of the person's planner, as they go. Whoever is not the person is
    recorded as having helped; the commissioner's answers are marked typed in from paper."""
    from reviews.rules import is_review_commissioner

    from .models import PLANNER_QUESTIONS, Planner

    if field not in {q.field for q in PLANNER_QUESTIONS}:
        raise ValueError(f"{field!r} is not a question of the planner")
    participant = participant_for(actor, review)
    with transaction.atomic():
        planner, _created = Planner.objects.select_for_update().get_or_create(review=review)
        setattr(planner, field, value.strip())
        if participant is None or participant.role != ParticipantRole.PERSON:
            if is_review_commissioner(actor, review):
                planner.from_paper = True
                planner.helped_by = f"Typed in from the paper planner by {actor.display_name}"
            elif participant is not None:
                planner.helped_by = f"{participant.name} ({participant.get_role_display()})"
        planner.updated_by, planner.updated_at = actor, timezone.now()
        planner.full_clean()
        planner.save()
        audit_record(action=Action.UPDATE, actor=actor, obj=planner)
    return planner


def booklets_record(*, actor, review, how: str, given_on=None, reason_not_given: str = ""):
    """Record how and when the person had the booklets, or why not: once per review, changed
    by recording again. On the review's timeline."""
    from reviews.services import review_event_record

    from .models import Booklets

    reason_not_given = reason_not_given.strip()
    given = how != Booklets.How.NOT_GIVEN
    with transaction.atomic():
        booklets, _created = Booklets.objects.update_or_create(
            review=review,
            defaults={
                "how": how,
                "given_on": given_on if given else None,
                "reason_not_given": "" if given else reason_not_given,
                "recorded_by": actor,
                "recorded_at": timezone.now(),
            },
        )
        booklets.full_clean()
        review_event_record(
            review=review,
            kind=EVENT_BOOKLETS,
            actor=actor,
            summary=f"Booklets: {booklets.get_how_display().lower()}"
            + (f", {nhs_date(given_on)}" if given and given_on else ""),
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=booklets)
    return booklets


EVENT_BOOKLETS = "booklets"
EVENT_KINDS = [(EVENT_BOOKLETS, "Booklets")]
