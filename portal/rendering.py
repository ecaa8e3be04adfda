"""The planner as an easy-read PDF (WeasyPrint through `ctr_portal.pdf.pdf_html`)."""

from django.template.loader import render_to_string

from ctr_portal.pdf import pdf_html

from .models import PLANNER_QUESTIONS


def planner_pdf(review, planner) -> bytes:
    """What is filled in, and room to write (or choices to tick) where it is not."""
    html = render_to_string(
        "portal/planner_pdf.html",
        {
            "review": review,
            "person": review.person,
            "planner": planner,
            "answers": [
                (
                    q,
                    planner.get_take_part_display()
                    if q.field == "take_part"
                    else getattr(planner, q.field),
                )
                for q in PLANNER_QUESTIONS
            ],
            "take_part_choices": planner.TakePart.labels,
        },
    )
    return pdf_html(html).write_pdf()
