"""What a recommendation notice says to someone with no account: never "sign in". The owner
gets a single-purpose link (ctr_portal.links) to do the one thing the notice asks; the person
or family, who follow it without acting on it, are told whom to ask.

The link is the only secret in the email: it sits in the outbox row's context (hidden from the
admin), never in its idempotency key, and only its hash is kept."""

from ctr_portal.formatting import nhs_date
from ctr_portal.links import Purpose, link_issue, link_url

from .models import Reminder, State

OWNER_NOTICE_KINDS = (
    Reminder.Kind.TO_ACCEPT,
    Reminder.Kind.DUE_SOON,
    Reminder.Kind.DUE_TODAY,
    Reminder.Kind.OVERDUE,
)
RESPOND_TODO = (
    "Use the link below to read it and accept it, confirming it is within your remit, or to say "
    "why you cannot. You do not need an account: the link does this one thing, once, until "
    "{until}."
)
UPDATE_TODO = (
    "Use the link below to say how it is going, or that it is done, with evidence. You do not "
    "need an account: the link does this one thing, once, until {until}."
)
FAMILY_READ_TODO = (
    "Use the link below to read the report and see how each of its recommendations is going. "
    "You do not need an account: the link works until {until}. The commissioning team who "
    "organised the review can also invite you to set up an account."
)
FAMILY_TODO = (
    "The commissioning team who organised the review can tell you more, or invite you to set up "
    "an account to follow it."
)


def is_for_someone_without_account(reminder) -> bool:
    return reminder.recipient_user_id is None


def without_account(reminder) -> dict:
    """The notice's last paragraph, its link and the link's words, for a recipient with no
    account (the owner gets a new link each time: each does one thing once)."""
    recommendation = reminder.recommendation
    is_owner = (
        reminder.kind in OWNER_NOTICE_KINDS
        and recommendation.owner_id is None
        and reminder.recipient_email.lower() == (recommendation.owner_email or "").lower()
    )
    if not is_owner:
        return family_link(recommendation.review, reminder.recipient_email)
    if recommendation.state in (State.AGREED, State.IN_PROGRESS):
        purpose, todo, text = Purpose.UPDATE, UPDATE_TODO, "Post an update on the recommendation"
    else:
        purpose, todo = Purpose.RESPOND, RESPOND_TODO
        text = "Accept or dispute the recommendation"
    link, token = link_issue(purpose=purpose, obj=recommendation)
    return {
        "todo": todo.format(until=nhs_date(link.expires_at)),
        "link": link_url(token),
        "link_text": text,
    }


def family_link(review, email: str) -> dict:
    """For the person, a family carer or an advocate with no account: a single-purpose link to
    read the review's report and follow its action plan (links: READ_REPORT on their part in
    the review), while the consent lets the report reach them; otherwise whom to ask."""
    from reviews.models import ReviewState
    from reviews.rules import open_by_consent

    participant = review.participants.filter(email__iexact=email, user__isnull=True).first()
    issued = review.state in (ReviewState.REPORT_ISSUED, ReviewState.CLOSED)
    if participant is None or not issued or not open_by_consent(participant, review, "report"):
        return {"todo": FAMILY_TODO, "link": "", "link_text": ""}
    link, token = link_issue(purpose=Purpose.READ_REPORT, obj=participant)
    return {
        "todo": FAMILY_READ_TODO.format(until=nhs_date(link.expires_at)),
        "link": link_url(token),
        "link_text": "Read the report and how each recommendation is going",
    }


def respond_link(recommendation) -> dict:
    """For an owner with no account asked again to answer: the last paragraph, a single-purpose
    link to accept or dispute, and its words."""
    link, token = link_issue(purpose=Purpose.RESPOND, obj=recommendation)
    return {
        "todo": RESPOND_TODO.format(until=nhs_date(link.expires_at)),
        "link": link_url(token),
        "link_text": "Accept or dispute the recommendation",
    }


def update_link(recommendation) -> dict:
    """For an owner with no account told of a step (sent back, reopened): the last paragraph, a
    single-purpose link to post an update, and its words."""
    link, token = link_issue(purpose=Purpose.UPDATE, obj=recommendation)
    return {
        "todo": UPDATE_TODO.format(until=nhs_date(link.expires_at)),
        "link": link_url(token),
        "link_text": "Post an update on the recommendation",
    }
