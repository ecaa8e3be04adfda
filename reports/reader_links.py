"""The report for those entitled to it who have no account (the person, a family carer or a
professional invited by email who never set one up): their notice carries a link that opens
the issued report, easy read and full, and nothing else, until it expires (ctr_portal.links).
The link is asked the consent gate at every use, so a withdrawal stops it at once."""

from ctr_portal.formatting import nhs_date
from ctr_portal.links import Purpose, link_issue, link_url

from .rules import report_open_to


def report_links_without_account(review) -> dict[int, dict]:
    """participant id -> {"link", "until"} for each participant with no account whom a notice
    can reach, and the report open to them as the latest consent stands."""
    from reviews.services import participant_reach

    found = {}
    for participant in review.participants.all():
        if participant.user_id or participant_reach(participant) is None:
            continue
        if not report_open_to(participant, review):
            continue
        link, token = link_issue(purpose=Purpose.READ_REPORT, obj=participant)
        found[participant.pk] = {"link": link_url(token), "until": nhs_date(link.expires_at)}
    return found
