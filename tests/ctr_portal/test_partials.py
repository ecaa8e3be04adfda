"""Markup back in templates (issue 20): the cells and values that views built with format_html
are drawn by partial templates from a presenter's plain values (ctr_portal/partials.py).

The expected strings below are what the views' format_html calls wrote before the move, letter
for letter, so a partial that drifts from it fails here; the components take a partial exactly
as they took the SafeString it replaced. tests/test_layering.py keeps HTML out of the views and
presenters."""

from datetime import date
from types import SimpleNamespace

from django.template import Context, Template
from django.utils.safestring import mark_safe

from ctr_portal.partials import Partial, line_breaks, paragraphs, tag

TYPED = '<b id="x">bold</b> & "quoted"'
ESCAPED = "&lt;b id=&quot;x&quot;&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;"


def render(template: str, **context) -> str:
    return Template("{% load nhsuk %}" + template).render(Context(context))


def test_a_partial_goes_into_a_table_cell_as_the_markup_it_replaced():
    head = ["Name", "Status"]
    before = [["Ann", mark_safe('<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>')]]
    after = [["Ann", tag("Overdue", "red")]]
    for options in ("", " responsive=True"):
        table = "{% table 'People' head rows" + options + " %}"
        assert render(table, head=head, rows=after) == render(table, head=head, rows=before)


def test_a_partial_goes_into_a_summary_list_value_as_the_markup_it_replaced():
    before = [{"key": "Venue", "value": mark_safe("Room 1<br>Ward 2")}]
    after = [{"key": "Venue", "value": line_breaks("Room 1\nWard 2")}]
    listing = "{% summary_list rows %}"
    assert render(listing, rows=after) == render(listing, rows=before)


def test_text_typed_with_markup_stays_text_in_a_partial():
    assert str(line_breaks(TYPED + "\nnext")) == ESCAPED + "<br>next"
    assert str(paragraphs(TYPED + "\n\nnext")) == f"<p>{ESCAPED}</p>\n\n<p>next</p>"
    assert str(tag(TYPED)) == f'<strong class="nhsuk-tag">{ESCAPED}</strong>'


def test_a_partial_is_not_blank_and_renders_only_when_printed():
    partial = Partial("ctr_portal/_line_breaks.html", {"text": "x"})
    assert partial != ""
    assert hasattr(partial, "__html__")
    assert render("{{ value }}", value=partial) == "x"


# --- The partials that replaced the views' format_html, against what those wrote ------------

GOLDEN = [
    (
        "reviews/review/_due_by.html",
        {"due": "1 May 2026", "rule": "Within 12 months", "basis": "annual", "source": TYPED},
        '<p class="nhsuk-body nhsuk-u-margin-bottom-1">1 May 2026</p>'
        '<p class="nhsuk-body-s nhsuk-u-secondary-text-colour nhsuk-u-margin-bottom-0">'
        "Within 12 months (annual)</p>"
        '<p class="nhsuk-body-s nhsuk-u-secondary-text-colour nhsuk-u-margin-bottom-0">'
        f"Source: {ESCAPED}</p>",
    ),
    (
        "reviews/review/_due_by.html",
        {"due": "1 May 2026", "rule": "", "basis": "", "source": ""},
        '<p class="nhsuk-body nhsuk-u-margin-bottom-1">1 May 2026</p>'
        '<p class="nhsuk-body-s nhsuk-u-secondary-text-colour nhsuk-u-margin-bottom-0"></p>',
    ),
    (
        "reviews/review/_video_link.html",
        {"href": "https://meet.example/a?b=1&c=2"},
        '<a class="nhsuk-link" href="https://meet.example/a?b=1&amp;c=2" '
        'rel="noreferrer noopener">Join by video<span class="nhsuk-u-visually-hidden"> '
        "(https://meet.example/a?b=1&amp;c=2)</span></a>",
    ),
    (
        "reviews/review/_calendar_link.html",
        {"href": "/reviews/3/calendar/"},
        '<a class="nhsuk-link" href="/reviews/3/calendar/" download>Add the review to your '
        "calendar</a> (an .ics file)",
    ),
    (
        "reviews/review/_consent_decision.html",
        {"decision": "Agreed", "route": "In person"},
        'Agreed<br><span class="nhsuk-body-s">In person</span>',
    ),
    ("reviews/review/_consent_decision.html", {"decision": "Agreed", "route": ""}, "Agreed"),
    (
        "reviews/review/_agenda_item.html",
        {"title": TYPED, "detail": "Bring notes"},
        f'{ESCAPED}<br><span class="nhsuk-body-s nhsuk-u-secondary-text-colour">Bring notes</span>',
    ),
    (
        "reviews/review/_where.html",
        {"setting": "Hospital", "hospital": "Riverside, Ward 2"},
        "Hospital<br>Riverside, Ward 2",
    ),
    (
        "reviews/review/_person_link.html",
        {"href": "/people/4/", "name": "O'Neil"},
        '<a class="nhsuk-link" href="/people/4/">View O&#x27;Neil\'s record</a>',
    ),
    (
        "documents/_item_link.html",
        {"href": "/documents/items/5/", "title": "Care plan", "reason": TYPED},
        '<a href="/documents/items/5/">Care plan</a>'
        f'<br><span class="nhsuk-body-s">{ESCAPED}</span>',
    ),
    (
        "documents/_item_files.html",
        {
            "files": [
                {"href": "/d/1/", "name": "a.pdf", "rendition": ""},
                {"href": "/d/2/", "name": "b.docx", "rendition": "being prepared for reading"},
            ]
        },
        '<a href="/d/1/">a.pdf</a><br><a href="/d/2/">b.docx</a> (being prepared for reading)',
    ),
    (
        "documents/_deadline.html",
        {"when": "1 May 2026 at 5pm", "passed": True},
        '1 May 2026 at 5pm <strong class="nhsuk-tag nhsuk-tag--red">Passed</strong>',
    ),
    (
        "documents/_history_events.html",
        {"events": ["Uploaded by Ann, 1 May", "Deleted by Ben, 2 May: " + TYPED]},
        f"Uploaded by Ann, 1 May<br>Deleted by Ben, 2 May: {ESCAPED}",
    ),
    (
        "oversight/_extract_problems.html",
        {"problems": ["Row 2: no NHS number", TYPED]},
        '<ul class="nhsuk-list nhsuk-list--bullet"><li>Row 2: no NHS number</li>'
        f"<li>{ESCAPED}</li></ul>",
    ),
]


def test_each_partial_draws_exactly_what_the_view_wrote_before():
    for template, context, expected in GOLDEN:
        assert str(Partial(template, context)) == expected, template


def test_the_oversight_visit_due_is_the_date_then_its_tag():
    value = Partial(
        "oversight/_next_visit_due.html", {"due": "1 May 2026", "status": tag("Overdue", "red")}
    )
    assert str(value) == '1 May 2026 <strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>'


def test_the_review_pages_consent_row_comes_from_its_presenter_as_a_partial():
    from reviews import presenters

    consent = SimpleNamespace(
        route="in_person",
        decided_on=date(2026, 5, 1),
        get_decision_display=lambda: "Agreed",
        get_route_display=lambda: "In person",
        get_report_format_display=lambda: "Easy read",
    )
    rows = presenters.consent_rows(consent)
    assert isinstance(rows[0]["value"], Partial)
    assert str(rows[0]["value"]) == 'Agreed<br><span class="nhsuk-body-s">In person</span>'
    assert rows[1:] == [
        {"key": "Date of the decision", "value": "1 May 2026"},
        {"key": "Report format", "value": "Easy read"},
    ]
