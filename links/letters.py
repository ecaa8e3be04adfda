"""A letter's HTML and PDF. WeasyPrint through `ctr_portal.pdf.pdf_html`, the one fetcher that
reaches nothing but the project's static files; only the worker calls `letter_pdf`."""

from django.conf import settings
from django.template.loader import render_to_string

from ctr_portal.formatting import nhs_date, nhs_datetime
from ctr_portal.links import Purpose, link_issue, link_url, short_code

# Easy read and large print are set at 18 point (RNIB's clear print guidance, and NHS England's
# easy read guidance: 16 point or larger); standard letters at 12 point.
FONT_POINTS = {"standard": 12, "easy_read": 18, "large_print": 18}


def letter_context(letter) -> dict:
    from reviews.rules import details_open_to

    participant = letter.participant
    review = participant.review
    details = details_open_to(participant, review)
    context = {
        "letter": letter,
        "name": participant.name,
        "review_type": review.type_long,
        "when": nhs_datetime(review.starts_at) if review.starts_at else "",
        "venue": review.venue if details else "",
        "by_video": bool(details and review.video_link and not review.venue),
        "commissioner": review.commissioner.name,
        "easy_read": letter.format == "easy_read",
        "font_points": FONT_POINTS[letter.format],
        "service_name": settings.SERVICE_NAME,
        "made_on": nhs_date(letter.requested_at),
        # The PDF's title, which readers show in place of its file name: which letter, to whom.
        "title": f"{letter.get_kind_display()}: a letter to {participant.name} from "
        f"{review.commissioner.name}, {nhs_date(letter.requested_at)}",
    }
    if letter.kind in ("report", "plan"):
        link, token = link_issue(purpose=Purpose.READ_REPORT, obj=participant)
        context.update(url=link_url(token), code=short_code(token), until=nhs_date(link.expires_at))
    if letter.kind == "plan":
        from .queries import plan_as_it_stands

        context["plan_rows"] = plan_as_it_stands(review)
        context["issued_on"] = nhs_date(review.held_on) if review.held_on else ""
    return context


def letter_html(letter) -> str:
    return render_to_string("links/letter/letter.html", letter_context(letter))


def letter_pdf(letter) -> tuple[bytes, int]:
    """(the PDF, its page count): tagged for PDF/UA like the report's (`ctr_portal.pdf`)."""
    from ctr_portal.pdf import pdf_tagged

    return pdf_tagged(letter_html(letter))
