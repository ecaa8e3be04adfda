"""Small helpers for the panels pages: `{% load panels %}`."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..models import Rating

register = template.Library()


@register.inclusion_tag("nhsuk/components/tag.html")
def rating_tag(rating, label=None):
    """The rating as an NHS.UK tag: green, yellow, red, grey; "Not rated" when blank."""
    if not rating:
        return {"text": "Not rated", "classes": "nhsuk-tag nhsuk-tag--white"}
    colour = Rating(rating).tag_colour
    return {
        "text": label or rating.replace("_", " ").capitalize(),
        "classes": f"nhsuk-tag nhsuk-tag--{colour}",
    }


STATUS_TAGS = {
    "done": ("Done", "green"),
    "started": ("In progress", "blue"),
    "not_started": ("Not started", "grey"),
}


def _tag_html(text, colour):
    return render_to_string(
        "nhsuk/components/tag.html", {"text": text, "classes": f"nhsuk-tag nhsuk-tag--{colour}"}
    )


def _rating_html(rating):
    return render_to_string("nhsuk/components/tag.html", rating_tag(rating, _rating_label(rating)))


def _rating_label(rating):
    return Rating(rating).label if rating else None


def _kloe_link(kloe, url_name, review_pk):
    """The first cell of a KLOE table: "KLOE 1: Key areas of concern", linking to its page."""
    href = reverse(url_name, args=[review_pk, kloe.number])
    return format_html('<a href="{}">{}: {}</a>', href, kloe.label, kloe.title)


@register.simple_tag
def progress_table_rows(rows, review_pk):
    """The member's progress table: KLOE (a link), status and rating, as table tag cells."""
    table = []
    for row in rows:
        text, colour = STATUS_TAGS[row["status"]]
        answer = row["answer"]
        table.append(
            [
                _kloe_link(row["kloe"], "panels:workbook_kloe", review_pk),
                mark_safe(_tag_html(text, colour)),  # noqa: S308 (our own template's output)
                mark_safe(_rating_html(answer.rating if answer else "")),  # noqa: S308
            ]
        )
    return table


@register.simple_tag
def consolidation_table_rows(kloe_rows, review_pk):
    """The chair's KLOE table: KLOE (a link), each member's rating, the panel's rating."""
    table = []
    for row in kloe_rows:
        consolidated = row["consolidated"]
        cells = [_kloe_link(row["kloe"], "panels:consolidation_kloe", review_pk)]
        cells += [mark_safe(_rating_html(r)) for r in row["ratings"]]  # noqa: S308
        cells.append(
            mark_safe(_rating_html(consolidated.rating if consolidated else ""))  # noqa: S308
        )
        table.append(cells)
    return table


@register.simple_tag
def status_tag(text, colour):
    return mark_safe(_tag_html(text, colour))  # noqa: S308
