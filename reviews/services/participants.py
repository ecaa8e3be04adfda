"""Participants, their invitations (emailed through the outbox), attendance and declarations
of independence."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ctr_portal.audit import Action, audit_record
from ctr_portal.formatting import nhs_datetime
from ctr_portal.models import Notification, normalise_email
from ctr_portal.queries import account_for_email
from ctr_portal.services import account_create, notification_enqueue
from ctr_portal.signals import collect
from ctr_portal.transports import Reach

from .. import policy
from ..models import (
    FAMILY_ROLES,
    OPEN_STATES,
    Contact,
    Invitation,
    InvitedThrough,
    Participant,
    ParticipantRole,
    Review,
    ReviewEvent,
    ReviewState,
)
from ..rules import invitee_sees_details, needs_to_declare_independence
from ..signals import invitation_asks
from .timeline import review_event_record

User = get_user_model()


INVITATION_DAYS = 14


# --- Participants and invitations ----------------------------------------------------------


def participant_reach(participant: Participant) -> Reach | None:
    """How a notice reaches this participant: the one answer every notice to a participant
    uses. Email to their account's address (or the one recorded), or a text message to their
    mobile. None when a notice cannot go by itself: someone reached on paper, or through their
    keyworker or advocate, gets a letter the commissioner makes, then posts (GOV.UK Notify) or
    hands over (the review's letters page)."""
    of = f"participant:{participant.pk}"
    reads = _reading_format(participant)
    through = participant.invited_through
    if through == InvitedThrough.TEXT and participant.phone:
        return Reach(Notification.Channel.TEXT, participant.phone, of, reads)
    if through not in (InvitedThrough.EMAIL, InvitedThrough.TEXT):
        return None
    email = participant.user.email if participant.user_id else participant.email
    return Reach(Notification.Channel.EMAIL, email, of, reads) if email else None


def _reading_format(participant) -> str:
    """How they read: their account's choice, or for the person without one, their record's."""
    if participant.user_id:
        return participant.user.reading_format
    if participant.role == ParticipantRole.PERSON:
        return participant.review.person.reading_format
    return ""


def participant_unreachable(*, notification) -> None:
    """A notice to a participant could not be delivered: mark them, once, and tell the
    commissioners of the review, who can check the number or address (the review page names
    who; the email names nobody)."""
    kind, _, pk = notification.reach_of.partition(":")
    if kind != "participant" or not pk.isdigit():
        return
    from ..queries.participants import commissioner_contacts

    participant = Participant.objects.select_related("review").filter(pk=int(pk)).first()
    if participant is None:
        return
    marked = Participant.objects.filter(pk=participant.pk, unreachable_since__isnull=True).update(
        unreachable_since=timezone.now(), unreachable_by=notification.channel
    )
    if not marked:
        return
    review = participant.review
    channel = notification.get_channel_display().lower()
    review_event_record(
        review=review,
        kind=ReviewEvent.Kind.PARTICIPANT,
        summary=f"A {channel} to a participant could not be delivered",
    )
    link = settings.SITE_URL + reverse("reviews:review_detail", args=[review.pk])
    for _user_id, _name, email in commissioner_contacts(review):
        notification_enqueue(
            key=f"unreachable:{notification.pk}:{email.lower()}"[:200],
            recipient=email,
            template="participant_unreachable",
            context={
                "channel": channel,
                "review_type": review.type_long,
                "when": nhs_datetime(review.starts_at) if review.starts_at else "",
                "link": link,
            },
        )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def participant_add(
    *,
    actor,
    review: Review,
    role: str,
    name: str,
    email: str = "",
    contact: Contact | None = None,
    invited_through: str = InvitedThrough.EMAIL,
) -> tuple[Participant, list[str]]:
    """Add someone to the review and invite them. Returns the participant and any warnings
    (short notice). Family carers and advocates can be invited only as the person's latest
    consent allows. The person may be invited through their keyworker or advocate, or on
    paper, with no email address: then nothing is emailed and the timeline says how."""
    email = normalise_email(email)
    _check_invitation_route(role, email, invited_through)
    if role in FAMILY_ROLES:
        _check_consent_invites(review, contact)
    user = _account_not_yet_invited(review, role=role, email=email)
    participant = Participant(
        review=review,
        role=role,
        name=name.strip(),
        email=email,
        invited_through=invited_through,
        contact=contact,
        user=user,
        added_by=actor,
        invited_at=timezone.now(),
    )
    participant.full_clean()
    warnings = _short_notice_warnings(review)
    by_email = invited_through == InvitedThrough.EMAIL
    with transaction.atomic():
        participant.save()
        if participant_reach(participant) is not None:
            token = _invitation_create(participant) if user is None else None
            _enqueue_invitation(participant, token)
        review_event_record(
            review=review,
            kind=ReviewEvent.Kind.INVITATION,
            actor=actor,
            summary=f"{participant.get_role_display()} invited"
            + ("" if by_email else f" {participant.get_invited_through_display().lower()}"),
        )
        audit_record(action=Action.CREATE, actor=actor, obj=participant)
    return participant, warnings


def _check_invitation_route(role: str, email: str, invited_through: str) -> None:
    if invited_through not in InvitedThrough.values:
        raise ValidationError({"invited_through": "Select how the invitation will reach them"})
    # A family carer or advocate may ask for text messages (their email address stays, for
    # their account); every other way is for the person alone.
    texted_family = invited_through == InvitedThrough.TEXT and role in FAMILY_ROLES
    if invited_through != InvitedThrough.EMAIL and role != ParticipantRole.PERSON:
        if not texted_family:
            raise ValidationError(
                {
                    "invited_through": "Only the person and their family can be reached other "
                    "than by email, and family only by email or text message"
                }
            )
        if not email:
            raise ValidationError({"email": "Enter their email address too, for their account"})
    if invited_through == InvitedThrough.EMAIL and not email:
        raise ValidationError({"email": "Enter their email address"})


def _check_consent_invites(review: Review, contact: Contact | None) -> None:
    """A family carer or advocate comes only as the person's latest consent allows."""
    if contact is None:
        raise ValidationError({"contact": "Select who this is from the person's contacts"})
    record = review.consents.order_by("-recorded_at", "-pk").first()  # fresh, never cached
    allowed = (
        record is not None
        and record.opens_gate
        and any(i.contact_id == contact.pk and i.may_attend for i in record.invitees.all())
    )
    if not allowed:
        raise ValidationError(
            {
                "contact": f"{contact.name} cannot be invited: the person's "
                "consent does not include them"
            }
        )


ALREADY_INVITED = "This person has already been invited to this review"


def _account_not_yet_invited(review: Review, *, role: str, email: str):
    """The account for `email` (None when there is none yet), once it is clear that the review
    can take them: one chair only, and nobody invited twice, by address or by account."""
    if role == ParticipantRole.CHAIR and review.participants.filter(role=role).exists():
        raise ValidationError({"role": "This review already has a chair"})
    if not email:
        return None
    if review.participants.filter(email=email).exists():
        raise ValidationError({"email": ALREADY_INVITED})
    user = account_for_email(email)
    if user is not None and review.participants.filter(user=user).exists():
        raise ValidationError({"email": ALREADY_INVITED})
    return user


def _short_notice_warnings(review: Review) -> list[str]:
    notice = timedelta(days=policy.NOTICE_DAYS)
    if not review.starts_at or review.starts_at - timezone.now() >= notice:
        return []
    days = max(0, (timezone.localdate(review.starts_at) - timezone.localdate()).days)
    return [
        f"The review is in {days} days. People should have at least {policy.NOTICE_DAYS} "
        "days' notice: check they can still come"
    ]


def _invitation_create(participant: Participant) -> str:
    """A single-use link for someone with no account yet; only the token's hash is kept."""
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        participant=participant,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    return token


def _enqueue_invitation(participant, token):
    review = participant.review
    if token:
        link = settings.SITE_URL + reverse("reviews:invitation_accept", args=[token])
        key = f"invitation:{participant.pk}:{_token_hash(token)[:16]}"
    else:
        link = settings.SITE_URL + reverse("reviews:review_detail", args=[review.pk])
        key = f"invitation:{participant.pk}:existing"
    when = nhs_datetime(review.starts_at)
    # What the review page hides from the invitee, the email hides too: before a panel expert
    # has declared independence (or while consent does not open the gate) it says only the role
    # and the date, with no kind of review and no calendar file. No email names anyone or says
    # where the review is held (a venue is typed, and may be the person's home): the page does.
    details = invitee_sees_details(participant, review)
    context = {
        "role": participant.get_role_display(),
        "review_type": review.type_long if details else "review",
        "when": when,
        "by_video": bool(details and review.video_link and not review.venue),
        "new_account": token is not None,
        "expires_days": INVITATION_DAYS,
        "needs_independence": participant.needs_independence,
        "asks": collect(invitation_asks, sender=Review, review=review, participant=participant),
        "attachments": [{"builder": "review_ics", "review_id": review.pk}]
        if review.starts_at and details
        else [],
    }
    # The link (a single-use token for someone new) is kept only until the email is sent.
    notification_enqueue(
        key=key,
        recipient=participant_reach(participant),
        template="review_invitation",
        context=context,
        secret_context={"link": link},
    )


def participant_account_invite(*, participant: Participant, request=None) -> bool:
    """Someone taking part without an account asks for one (from a single-purpose link): an
    invitation to set it up goes to the email address the commissioner recorded for them, once
    a day at most. False when there is no address to send it to (they ask the commissioner)."""
    if participant.user_id is not None or not participant.email:
        return False
    today = timezone.localdate()
    with transaction.atomic():
        if Invitation.objects.filter(
            participant=participant, created_at__date=today, used_at__isnull=True
        ).exists():
            return True  # one invitation a day, however often the button is pressed
        token = _invitation_create(participant)
        _enqueue_invitation(participant, token)
        review_event_record(
            review=participant.review,
            kind=ReviewEvent.Kind.INVITATION,
            actor=None,
            summary=f"{participant.get_role_display()} asked for an account: invitation sent",
        )
        audit_record(action=Action.UPDATE, obj=participant, request=request)
    return True


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("participant", "participant__review")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def invitation_accept(
    *, invitation: Invitation, display_name: str, password: str | None = None, signed_in=None
):
    """Use up the link and join the review: with a new account made from `password`, or, when
    an account already exists for the email, only as that account signed in (`signed_in`)."""
    if not invitation.is_usable:
        raise ValidationError("This invitation link has expired or has already been used")
    participant = invitation.participant
    kind = (
        User.Kind.PUBLIC
        if participant.role in (*FAMILY_ROLES, ParticipantRole.PERSON)
        else User.Kind.PROFESSIONAL
    )
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not claimed:
            raise ValidationError("This invitation link has already been used")
        user = account_for_email(participant.email)
        if user is not None and (signed_in is None or signed_in.pk != user.pk):
            raise ValidationError(
                "An account already exists for this email address. Sign in to join the review"
            )
        if user is None:
            if not password:
                raise ValidationError({"password1": "Enter a password"})
            user = account_create(
                email=participant.email, password=password, display_name=display_name, kind=kind
            )
        Participant.objects.filter(pk=participant.pk).update(user=user)
        audit_record(action=Action.UPDATE, actor=user, obj=participant)
    return user


def review_record_attendance(*, actor, review: Review, attended: set[int]) -> int:
    """Record who took part on the day: the participants whose ids are in `attended` did, the
    rest did not. The person may take part without an email address or an account. Returns how
    many took part."""
    if not review.starts_at or timezone.localdate(review.starts_at) > timezone.localdate():
        raise ValidationError("Who took part can be recorded on or after the day of the review")
    if review.state not in (*OPEN_STATES, ReviewState.HELD, ReviewState.REPORT_DRAFTING):
        raise ValidationError("Who took part can no longer be changed for this review")
    with transaction.atomic():
        participants = review.participants.all()
        participants.filter(pk__in=attended).update(attended=True)
        participants.exclude(pk__in=attended).update(attended=False)
        count = participants.filter(attended=True).count()
        review_event_record(
            review=review,
            kind=ReviewEvent.Kind.PARTICIPANT,
            actor=actor,
            summary=f"Attendance recorded: {count} took part",
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=review)
    return count


def participant_declare_independence(
    *, actor, participant: Participant, statement: str, conflicts: str = ""
) -> Participant:
    """A panel expert confirms they have no part in the person's care and are not employed by
    the provider, and declares any connection."""
    if participant.user_id != actor.pk or not needs_to_declare_independence(
        actor, participant.review
    ):
        raise ValidationError("Only a panel expert can make their own declaration")
    with transaction.atomic():
        Participant.objects.filter(pk=participant.pk).update(
            independence_declared_at=timezone.now(),
            independence_statement=statement.strip(),
            conflict_declared=conflicts.strip(),
        )
        participant.refresh_from_db()
        review_event_record(
            review=participant.review,
            kind=ReviewEvent.Kind.INDEPENDENCE,
            actor=actor,
            summary=f"{participant.get_role_display()} declared independence",
            reason="Declared a possible conflict" if conflicts.strip() else "",
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=participant)
    return participant


def participant_reach_set(
    *,
    actor,
    participant: Participant,
    invited_through: str,
    phone: str = "",
    reached_through: str = "",
    email: str = "",
) -> Participant:
    """Record once how a participant is reached: every notice and letter to them follows it.
    Text messages need a mobile number; a keyworker or advocate needs naming."""
    phone, reached_through = phone.strip(), reached_through.strip()
    email = (email or participant.email).strip().lower()
    _check_invitation_route(participant.role, email, invited_through)
    if invited_through == InvitedThrough.TEXT and not phone:
        raise ValidationError({"phone": "Enter their mobile phone number"})
    through_someone = (InvitedThrough.KEYWORKER, InvitedThrough.ADVOCATE)
    if invited_through in through_someone and not reached_through:
        raise ValidationError({"reached_through": "Enter the name of who passes things on"})
    participant.invited_through = invited_through
    participant.phone = phone if invited_through == InvitedThrough.TEXT else ""
    participant.reached_through = reached_through if invited_through in through_someone else ""
    participant.email = email
    participant.unreachable_since, participant.unreachable_by = None, ""
    participant.full_clean()
    with transaction.atomic():
        participant.save(
            update_fields=[
                "invited_through",
                "phone",
                "reached_through",
                "email",
                "unreachable_since",
                "unreachable_by",
            ]
        )
        review_event_record(
            review=participant.review,
            kind=ReviewEvent.Kind.PARTICIPANT,
            actor=actor,
            summary="Way to reach a participant recorded: "
            + participant.get_invited_through_display().lower(),
        )
        audit_record(action=Action.UPDATE, actor=actor, obj=participant)
    return participant


def nhs_login_link(sender=None, *, answer, invitation_token: str = "", **kwargs):
    """Who NHS login has just checked, here (`ctr_portal.signals.nhs_login_link`, ADR 0023).

    Through an invitation link: its participant, if they are the person or family (the person
    only at P9 and with the NHS number on their record; family at P5 or above). Without one: the
    person whose NHS number NHS login gives, at P9, when they take part in a review. Never by
    name. The NHS number from NHS login is compared, never kept or shown."""
    from ctr_portal import oidc

    level = oidc.proofing_level({**answer.id_token, **answer.userinfo})
    nhs_number = str(answer.userinfo.get("nhs_number") or answer.id_token.get("nhs_number") or "")
    if invitation_token:
        invitation = invitation_for_token(invitation_token)
        if invitation is None or not invitation.is_usable:
            raise oidc.Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "invitation")
        participant = invitation.participant
        if participant.role == ParticipantRole.PERSON:
            if not oidc.at_least(level, "P9"):
                raise oidc.Refused(Action.SIGN_IN_REFUSED_ASSURANCE, "identity")
            if nhs_number != participant.review.person.nhs_number:
                raise oidc.Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "not_linked")
        elif participant.role in FAMILY_ROLES:
            if not oidc.at_least(level, "P5"):
                raise oidc.Refused(Action.SIGN_IN_REFUSED_ASSURANCE, "identity")
        else:
            return None  # staff and panel members sign in with CIS2 or a password
        return _invitation_accept_with_nhs_login(invitation, answer)
    if not nhs_number:
        return None
    accounts = {
        participant.user
        for participant in Participant.objects.filter(
            role=ParticipantRole.PERSON, review__person__nhs_number=nhs_number, user__isnull=False
        ).select_related("user")
    }
    if len(accounts) != 1:
        return None  # not invited yet (their invitation links them), or not known here
    if not oidc.at_least(level, "P9"):
        raise oidc.Refused(Action.SIGN_IN_REFUSED_ASSURANCE, "identity")
    return accounts.pop()


def _invitation_accept_with_nhs_login(invitation: Invitation, answer):
    """Use up the invitation for someone NHS login has checked: the account for the invited
    email address if there is one (the link reached that address), else a new one without a
    password, which signs in with NHS login only."""
    participant = invitation.participant
    claimed = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not claimed:
        from ctr_portal import oidc

        raise oidc.Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "invitation")
    user = participant.user or (account_for_email(participant.email) if participant.email else None)
    if user is None:
        email = participant.email or normalise_email(str(answer.userinfo.get("email") or ""))
        if not email or account_for_email(email) is not None:
            from ctr_portal import oidc

            raise oidc.Refused(Action.SIGN_IN_REFUSED_NOT_LINKED, "not_linked")
        user = account_create(
            email=email, password=None, display_name=participant.name, kind=User.Kind.PUBLIC
        )
    Participant.objects.filter(pk=participant.pk).update(user=user)
    audit_record(action=Action.UPDATE, actor=user, obj=participant)
    return user
