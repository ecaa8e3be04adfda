"""What the portal's pages show, as plain values for their templates. A value that needs
markup (a tag, a line break) is a `Partial` (ctr_portal/partials.py); no HTML here."""

from ctr_portal.formatting import nhs_datetime
from ctr_portal.partials import line_breaks, tag


def request_rows(request) -> list[dict]:
    """A request from a person or family, as summary list rows for the commissioner."""
    return [
        {
            "key": "From",
            "value": f"{request.made_by.display_name} ({request.made_by_role.lower()})",
        },
        {"key": "Sent", "value": nhs_datetime(request.made_at)},
        {"key": "What they said", "value": line_breaks(request.details)},
        {"key": "Status", "value": tag(request.get_state_display(), request.state_colour)},
    ]
