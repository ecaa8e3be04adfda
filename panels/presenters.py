"""What the panels pages show, as plain values for their templates. Text a member typed goes
out in paragraphs through a partial (`partials.paragraphs`); no HTML here."""

from ctr_portal.partials import paragraphs


def typed_text(value):
    """What a member typed, in paragraphs; empty if they typed nothing."""
    return paragraphs(value) if value else ""


def saved_rows(form, source) -> list[dict]:
    """A workbook's answers to the key questions as saved, as summary list rows."""
    return [
        {
            "key": form.fields[name].label,
            "value": typed_text(getattr(source, name)) or "Not answered",
        }
        for name in ("is_safe", "good_care_now", "future_plans", "community_care")
    ]


def consolidated_rows(row) -> list[dict]:
    """The panel's view of one KLOE as summary list rows."""
    if row is None:
        return []
    carried = [c.text for c in row.carried.all()]
    return [
        {"key": "Agreed finding", "value": typed_text(row.finding) or "Not written"},
        {"key": "Rating", "value": row.get_rating_display() or "Not rated"},
        {
            "key": "How or why the panel decided",
            "value": typed_text(row.reasoning) or "Not written",
        },
        {
            "key": "Recommendations carried forward",
            "value": typed_text("\n\n".join(carried)) if carried else "None",
        },
    ]
