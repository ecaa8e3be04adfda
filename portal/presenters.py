"""What the portal's pages show, as plain values for their templates. A value that needs
markup (a tag, a line break) is a `Partial` (ctr_portal/partials.py); no HTML here."""

from ctr_portal.formatting import DAY_AND_DATE, nhs_date, nhs_datetime
from ctr_portal.partials import line_breaks, tag


def request_rows(request) -> list[dict]:
    """A request from a person or family, as summary list rows for the commissioner."""
    return [
        {"key": "From", "value": request.sender_description},
        {"key": "Sent", "value": nhs_datetime(request.made_at)},
        {"key": "Reply promised by", "value": nhs_date(request.reply_due, DAY_AND_DATE)},
        {"key": "What they said", "value": line_breaks(request.details)},
        {"key": "Status", "value": tag(request.get_state_display(), request.state_colour)},
        *([{"key": "Urgent", "value": urgent_reason(request)}] if request.urgent else []),
    ]


def urgent_reason(request) -> str:
    if request.at_risk:
        return "Yes: they said someone is being hurt, or could be hurt. Read it today."
    return "Yes: what they wrote may be about someone being harmed. Read it today."


def help_routes(organisation) -> dict:
    """Where the person and family are sent for help beyond the portal: the commissioning
    organisation's safeguarding, complaints and advocacy contacts (empty where not set)."""
    return {
        "organisation": organisation.name,
        "safeguarding": organisation.safeguarding_contact,
        "safeguarding_phone": organisation.safeguarding_phone,
        "complaints": organisation.complaints_contact,
        "complaints_phone": organisation.complaints_phone,
        "complaints_email": organisation.complaints_email,
        "advocacy": organisation.advocacy_contact,
        "advocacy_phone": organisation.advocacy_phone,
    }


def request_sent_message(request) -> str:
    """What the sender is told once it has gone: who will reply, and by when."""
    said = "You can read it on this page."
    if request.urgent:
        said = (
            "We have told them it may be about someone's safety, so they will look at it "
            "today. If someone is in danger now, call 999."
        )
    return (
        f"Sent. {request.commissioner.name} will reply to you here by "
        f"{nhs_date(request.reply_due, DAY_AND_DATE)}. {said}"
    )
