"""What `reports` answers through the extension signals: the link on the review page and the
commissioner's dashboard card of late reports (ADR 0008)."""

from ctr_portal.dashboard import Card
from ctr_portal.permissions import Perm
from reviews.sections import ReviewLink

LINKS = [
    ReviewLink(
        "The report",
        "reports:report",
        Perm.VIEW_REPORT,
        order=70,
        description="The review's report: the draft, the panel's comments, and each issued "
        "version as a PDF and in easy read.",
    ),
]


def review_links(sender, **kwargs):
    return LINKS


def dashboard_cards(sender, *, request, **kwargs):
    """Late reports of the commissioner's organisations in the last 12 months, as the service
    measure counts them (`queries.late_reports`): one query, whatever the number of reviews."""
    from django.utils import timezone

    from ctr_portal.dashboard import PERIOD_LABEL, last_12_months
    from reviews.queries import commissioning_org_ids
    from reviews.rules import is_commissioner

    from .policy import DUE_DAYS
    from .queries import late_reports

    user = request.user
    if not is_commissioner(user):
        return None
    start, end = last_12_months(timezone.localdate())
    late = late_reports(commissioning_org_ids(user), start=start, end=end, today=end)
    return Card(
        "Late reports",
        "reports/cards/_late_reports.html",
        {"late": late, "due_days": DUE_DAYS.value(), "period": PERIOD_LABEL},
        order=30,
    )


def portal_sections(sender, *, review, user, **kwargs):
    """The issued report in the portal, for those the consent lets receive it: the easy read
    version first for the person; both PDFs (two queries)."""
    from portal.sections import PortalSection

    from .queries import easy_read_first, pdfs_of_version, versions_for

    if not user.has_perm(Perm.VIEW_ISSUED_REPORT, review):
        return None
    current = next((v for v in versions_for(review) if v.superseded_at is None), None)
    if current is None:
        return None
    return PortalSection(
        "The report",
        "reports/portal/_section.html",
        {
            "review": review,
            "version": current,
            "pdfs": pdfs_of_version(current),
            "easy_read_first": easy_read_first(user, review),
        },
        order=10,
    )
