"""What the documents pages show, as plain values for their templates: the rows and cells of
the pack's tables and summary lists. A cell that needs markup (a link, a tag, a line break) is a
`Partial` naming the partial that draws it (documents/templates/documents/_*.html); no HTML
here."""

from django.urls import reverse

from ctr_portal.formatting import nhs_datetime
from ctr_portal.partials import Partial, tag

from .models import RenditionStatus

# How an office document's PDF for the panel stands, in a few words (the pack's table).
PACK_RENDITION_WORDS = {
    RenditionStatus.PENDING: "being prepared for reading",
    RenditionStatus.CONVERTING: "being prepared for reading",
    RenditionStatus.FAILED: "could not be opened for the panel",
    RenditionStatus.UNAVAILABLE: "cannot be shown to the panel on this machine",
}


def item_rows(items, *, is_preparer) -> list[list]:
    """Table rows for the pack page: the item (a link), who provides it, its status, its files."""
    rows = []
    for item in items:
        link = Partial(
            "documents/_item_link.html",
            {
                "href": reverse("documents:item", args=[item.pk]),
                "title": item.title,
                "reason": item.reason,
            },
        )
        files = [
            {
                "href": reverse("documents:document", args=[d.pk]),
                "name": d.original_name,
                "rendition": PACK_RENDITION_WORDS[d.pdf_rendition.status]
                if d.pdf_rendition and not d.pdf_rendition.is_ready
                else "",
            }
            for d in item.current_documents
        ]
        owner = item.organisation.name
        if item.assignee_id:
            owner = f"{item.assignee.display_name}, {owner}"
        row = [
            link,
            owner,
            tag(item.get_status_display(), item.status_colour),
            Partial("documents/_item_files.html", {"files": files}) if files else "None",
        ]
        if not is_preparer:
            del row[1]
        rows.append(row)
    return rows


def deadline_rows(deadlines) -> list[dict]:
    return [
        {
            "key": f"{deadline.label} due",
            "value": Partial(
                "documents/_deadline.html",
                {"when": deadline.wording, "passed": deadline.passed()},
            ),
        }
        for deadline in deadlines
    ]


def history_row(document) -> list:
    """A row of an item's history: the file, and what happened to it, a line each."""
    when = nhs_datetime(document.uploaded_at)
    events = [f"Uploaded by {document.uploaded_by.display_name}, {when}"]
    if document.superseded_at:
        events.append(
            "Replaced by a new version, " + nhs_datetime(document.superseded_at)
        )
    if document.deleted_at:
        events.append(
            f"Deleted by {document.deleted_by.display_name}, "
            + nhs_datetime(document.deleted_at)
            + f": {document.delete_reason}"
        )
    return [document.original_name, Partial("documents/_history_events.html", {"events": events})]
