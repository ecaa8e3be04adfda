"""Rendering tests for the NHS.UK components in ``ctr_portal/templatetags/nhsuk.py``.

Each fixture test renders our tag with the parameters of an example in nhsuk-frontend's
``fixtures.json`` (Nunjucks options turned into our arguments: ``html`` and call blocks become
SafeStrings or ``html=``, camelCase keys snake_case) and compares the markup with the example's
HTML, normalised (tests/nhsuk_fixtures.py). Fixtures that share a name are told apart by their
description. Every fixture not listed below is tested, so a frontend upgrade's new examples are
tested too; ``test_listed_fixtures_exist`` keeps the list honest.

Fixtures deliberately not covered (the option is not one our tags offer):

- breadcrumb: "attributes" (id and arbitrary attributes); "with back link as a button" (our
  breadcrumb back link is always a link).
- notification-banner: "custom tabindex" (arbitrary attributes); "role=alert overridden to
  role=region, with success variant" (role override); "paragraph with heading class" (a heading
  rendered as a ``<p>``: the same markup comes from ``text=``, covered by "default").
- summary-list: "with item widths" (key and value widths); the summary cards other than the
  plain one, "as a card (clickable) without actions", "(feature) with actions", "(feature) with
  custom HTML", "(secondary) with actions", "(type emergency|non-urgent|urgent) with actions"
  (summary cards here are plain cards, with heading and actions).
- tag: "colour class", "colour class overriding colour option" (arbitrary classes; colour is
  the ``colour`` argument).
- card: care cards, "emergency (red and black)", "... with action link", "non-urgent (blue)",
  "urgent (red)" (health advice, not part of this service); "with image", "with image and
  caption", "with image and custom HTML" (no images on cards).
- tables: every "sortable ..." and "scrolling ..." example (client-side sorting and the scroll
  wrapper need the frontend's JavaScript modules and i18n attributes; we sort on the server
  with links); "as a card (feature)" and "... with deprecated options" (a table in a feature
  card: use the card include); "with empty items", "with empty items and string items" (a
  ``None`` cell is an empty cell here, so that columns stay in line, where the macro drops it).
- pagination: "with deprecated options" (previousUrl/nextUrl options).
"""

import json
import re
from datetime import UTC, date, datetime

import pytest
from django.contrib.messages import constants as levels
from django.contrib.messages.storage.base import Message
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.safestring import mark_safe

from ctr_portal.templatetags.nhsuk import nhs_time, page_numbers
from tests.nhsuk_fixtures import COMPONENTS, assert_same_html

SKIPPED = {
    "breadcrumb": {"attributes", "with back link as a button"},
    "notification-banner": {
        "custom tabindex",
        "role=alert overridden to role=region, with success variant",
        "paragraph with heading class",
    },
    "summary-list": {
        "with item widths",
        "as a card (clickable) without actions",
        "as a card (feature) with actions",
        "as a card (feature) with custom HTML",
        "as a card (secondary) with actions",
        "as a card (type emergency) with actions",
        "as a card (type non-urgent) with actions",
        "as a card (type urgent) with actions",
    },
    "tag": {"colour class", "colour class overriding colour option"},
    "card": {
        "emergency (red and black)",
        "emergency (red and black) with action link",
        "non-urgent (blue)",
        "urgent (red)",
        "with image",
        "with image and caption",
        "with image and custom HTML",
    },
    "tables": {
        "as a card (feature)",
        "as a card (feature) with deprecated options",
        "with empty items",
        "with empty items and string items",
    },
    "back-link": set(),
    "inset-text": set(),
    "warning-callout": set(),
    "details": set(),
    "pagination": {"with deprecated options"},
}
SKIPPED_PREFIXES = {"tables": ("sortable", "scrolling")}


def _all(component: str) -> list[dict]:
    """Every example of a component, repeated names included (fixture() keeps the first)."""
    return json.loads((COMPONENTS / component / "fixtures.json").read_text())["fixtures"]


def _skipped(component: str, name: str) -> bool:
    return name in SKIPPED[component] or name.startswith(SKIPPED_PREFIXES.get(component, ()))


def covered(component: str, only=None) -> list:
    """pytest params, one per covered example, with ids "name" or "name [description]"."""
    params = []
    for example in _all(component):
        name = example["name"]
        if _skipped(component, name) or (only is not None and name not in only):
            continue
        label = name + (f" [{example['description']}]" if example.get("description") else "")
        params.append(pytest.param(example, id=label))
    return params


def render_tag(name: str, *args, **kwargs) -> str:
    """Render ``{% name a0 a1 ... key=key ... %}`` with the values given."""
    positional = [f"a{i}" for i in range(len(args))]
    bits = [name, *positional, *(f"{key}={key}" for key in kwargs)]
    source = "{% load nhsuk %}{% " + " ".join(bits) + " %}"
    return Template(source).render(Context({**dict(zip(positional, args, strict=True)), **kwargs}))


def content(value):
    """A Nunjucks string, ``{text}`` or ``{html}`` option as our text or SafeString."""
    if isinstance(value, dict):
        return mark_safe(value["html"]) if value.get("html") else value.get("text")
    return value


def html_of(context: dict, example: dict):
    """The ``html`` option or the call block, as a SafeString."""
    html = example.get("callBlock") or context.get("html")
    return mark_safe(html) if html else None


def snake(options: dict) -> dict:
    return {re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower(): value for key, value in options.items()}


def actions(value) -> list | None:
    """Nunjucks actions (``{items: [...]}`` or a list) as our list of dicts."""
    if not value:
        return None
    items = value["items"] if isinstance(value, dict) else value
    return [snake(item) if item else item for item in items]


def assert_matches(actual: str, example: dict) -> None:
    assert_same_html(actual, example["html"])


def test_listed_fixtures_exist():
    for component, names in SKIPPED.items():
        all_names = {example["name"] for example in _all(component)}
        assert names <= all_names, f"{component}: listed fixtures no longer exist"


# Breadcrumb and back link ----------------------------------------------------------------------


@pytest.mark.parametrize("example", covered("breadcrumb"))
def test_breadcrumb_matches_fixture(example):
    context = example["context"]
    back = context.get("backLink", {})
    html = render_tag(
        "breadcrumbs",
        context["items"],
        back_text=back.get("text"),
        back_href=back.get("href"),
        reverse=context.get("variant") == "reverse",
    )
    assert_matches(html, example)


def test_breadcrumbs_take_pairs_and_leave_out_items_without_a_link():
    html = render_tag(
        "breadcrumbs", [("Home", "/"), {"text": "Reviews", "href": "/reviews/"}, ("Here", None)]
    )
    assert_same_html(
        html,
        """<nav class="nhsuk-breadcrumb" aria-label="Breadcrumb"><ol class="nhsuk-breadcrumb__list">
        <li class="nhsuk-breadcrumb__list-item">
          <a class="nhsuk-breadcrumb__link" href="/">Home</a></li>
        <li class="nhsuk-breadcrumb__list-item">
          <a class="nhsuk-breadcrumb__link" href="/reviews/">Reviews</a></li></ol>
        <a class="nhsuk-back-link" href="/reviews/">
          <span class="nhsuk-u-visually-hidden">Back to </span>Reviews</a></nav>""",
    )
    assert render_tag("breadcrumbs", []).strip() == ""


@pytest.mark.parametrize("example", covered("back-link"))
def test_back_link_matches_fixture(example):
    context = example["context"]
    text = html_of(context, example) or context.get("text")
    kwargs = {"text": text} if text else {}
    html = render_tag(
        "back_link", context.get("href"), reverse=context.get("variant") == "reverse", **kwargs
    )
    assert_matches(html, example)


# Notification banner ---------------------------------------------------------------------------


@pytest.mark.parametrize("example", covered("notification-banner"))
def test_notification_banner_matches_fixture(example):
    context = example["context"]
    kwargs = {
        "text": context.get("text"),
        "html": html_of(context, example),
        "title": content(context.get("title")),
        "heading": content(context.get("heading")),
        "success": context.get("variant") == "success",
    }
    if "disableAutoFocus" in context:
        kwargs["disable_auto_focus"] = context["disableAutoFocus"]
    assert_matches(render_tag("notification_banner", **kwargs), example)


def test_notification_banner_from_messages():
    template = Template(
        "{% load nhsuk %}{% for message in messages %}{% notification_banner message %}{% endfor %}"
    )
    html = template.render(
        Context(
            {
                "messages": [
                    Message(levels.SUCCESS, "Review <b>created</b>"),
                    Message(levels.WARNING, mark_safe('See <a href="/x">the plan</a>')),
                ]
            }
        )
    )
    first, second = re.split(r'(?=<div class="nhsuk-notification-banner[ "])', html)[1:]
    assert "--success" in first and 'role="alert"' in first and "Success" in first
    assert "Review &lt;b&gt;created&lt;/b&gt;" in first
    assert "--success" not in second and 'role="region"' in second and "Important" in second
    assert '<a href="/x">the plan</a>' in second
    # Two banners on a page keep their ids unique.
    assert 'aria-labelledby="nhsuk-notification-banner-title"' in first
    assert 'aria-labelledby="nhsuk-notification-banner-title-2"' in second
    assert html.count('id="nhsuk-notification-banner-title-2"') == 1


# Summary list ----------------------------------------------------------------------------------


def _summary_rows(rows: list) -> list:
    converted = []
    for row in rows:
        converted.append(
            {
                "key": content(row["key"]),
                "value": content(row["value"]),
                "actions": actions(row.get("actions")),
                "no_border": row.get("border") is False,
            }
        )
    return converted


@pytest.mark.parametrize("example", covered("summary-list"))
def test_summary_list_matches_fixture(example):
    context = example["context"]
    kwargs = {
        "no_border": context.get("border") is False,
        "no_last_row_border": context.get("lastRowBorder") is False,
    }
    if card := context.get("card"):
        kwargs.update(
            card_heading=content(card["heading"]),
            card_heading_size=card["heading"].get("size"),
            card_actions=actions(card.get("actions")),
        )
    html = render_tag("summary_list", _summary_rows(context["rows"]), **kwargs)
    assert_matches(html, example)


def test_summary_list_escapes_text_and_keeps_safe_strings():
    rows = [
        {"key": "Name", "value": "<script>alert(1)</script>"},
        {"key": "Address", "value": mark_safe("1 High St<br>Leeds")},
        None,
        {"key": "Phone", "value": None},
    ]
    html = render_tag("summary_list", rows)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "1 High St<br>Leeds" in html
    assert "None" not in html
    assert html.count("nhsuk-summary-list__row") == 3


def test_summary_list_adds_its_classes_after_the_components_own():
    html = render_tag(
        "summary_list", [{"key": "Name", "value": "Ann"}], no_border=True, classes="app-x"
    )
    assert '<dl class="nhsuk-summary-list nhsuk-summary-list--no-border app-x">' in html


# Tag -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("example", covered("tag"))
def test_tag_matches_fixture(example):
    context = example["context"]
    text = html_of(context, example) or context["text"]
    html = render_tag("tag", text, context.get("colour"), border=context.get("border", True))
    assert_matches(html, example)


def test_tag_colours():
    assert 'class="nhsuk-tag nhsuk-tag--no-colour"' in render_tag("tag", "Done", "none")
    assert 'class="nhsuk-tag"' in render_tag("tag", "Done")
    with pytest.raises(ValueError, match="Unknown tag colour 'teal'"):
        render_tag("tag", "Done", "teal")


# Card, warning callout, inset text, details ----------------------------------------------------


def _card_kwargs(context: dict, example: dict) -> dict:
    heading = context.get("heading") or {}
    if not isinstance(heading, dict):
        heading = {"text": heading}
    description = context.get("description")
    body = html_of(context, example)
    if isinstance(description, dict):
        if description.get("html"):
            body, description = mark_safe(description["html"]), None
        else:
            description = description.get("text")
    kwargs = {
        "heading": heading.get("text"),
        "href": context.get("href"),
        "description": description,
        "body": body,
        "variant": context.get("variant"),
        "clickable": context.get("clickable", False),
        "heading_level": heading.get("level", 2),
        "heading_size": heading.get("size"),
        "heading_id": heading.get("id"),
        "heading_classes": heading.get("classes"),
        "actions": actions(context.get("actions")),
    }
    return kwargs


@pytest.mark.parametrize("example", covered("card"))
def test_card_matches_fixture(example):
    kwargs = _card_kwargs(example["context"], example)
    positional = [kwargs.pop("heading"), kwargs.pop("href"), kwargs.pop("description")]
    assert_matches(render_tag("card", *positional, **kwargs), example)


@pytest.mark.parametrize("example", covered("card"))
def test_card_include_matches_fixture(example):
    html = render_to_string("nhsuk/components/card.html", _card_kwargs(example["context"], example))
    assert_matches(html, example)


def test_card_include_from_a_page():
    template = Template(
        '{% include "nhsuk/components/card.html" with heading="Next steps" body=steps only %}'
    )
    html = template.render(Context({"steps": mark_safe("<p>Book the panel.</p>")}))
    assert_same_html(
        html,
        """<div class="nhsuk-card"><div class="nhsuk-card__content">
        <h2 class="nhsuk-card__heading">Next steps</h2><p>Book the panel.</p></div></div>""",
    )


@pytest.mark.parametrize("example", covered("warning-callout"))
def test_warning_callout_matches_fixture(example):
    context = example["context"]
    html = render_tag(
        "warning_callout",
        content(context.get("heading")),
        context.get("text"),
        html=html_of(context, example),
    )
    assert_matches(html, example)


@pytest.mark.parametrize("example", covered("inset-text"))
def test_inset_text_matches_fixture(example):
    context = example["context"]
    html = render_tag("inset_text", context.get("text"), html=html_of(context, example))
    assert_matches(html, example)


@pytest.mark.parametrize("example", covered("details"))
def test_details_matches_fixture(example):
    context = example["context"]
    html = render_tag(
        "details",
        content(context["summary"]),
        context.get("text"),
        html=html_of(context, example),
        open=context.get("open", False),
        expander="nhsuk-expander" in context.get("classes", ""),
    )
    assert_matches(html, example)


# Table -----------------------------------------------------------------------------------------


def _table_cell(item):
    if isinstance(item, dict):
        cell = snake({key: value for key, value in item.items() if key not in ("text", "html")})
        cell["text"] = content(item)
        return cell
    return item


@pytest.mark.parametrize("example", covered("tables"))
def test_table_matches_fixture(example):
    context = example["context"]
    caption = context.get("caption")
    if not isinstance(caption, dict):
        caption = {"text": caption}
    html = render_tag(
        "table",
        content(caption),
        [_table_cell(item) for item in context.get("head", [])],
        [[_table_cell(item) for item in row] for row in context["rows"]],
        caption_size=caption.get("size"),
        caption_classes=caption.get("classes"),
        responsive=context.get("responsive", False),
        first_cell_is_header=context.get("firstCellIsHeader", False),
        compact=context.get("compact", False),
        striped=context.get("striped", False),
        border=context.get("border", True),
        last_row_border=context.get("lastRowBorder", True),
        reverse=context.get("variant") == "reverse",
        card=bool(context.get("card")),
    )
    assert_matches(html, example)


def test_table_none_cell_is_empty_and_text_is_escaped():
    html = render_tag("table", "Reviews", ["Name", "Date"], [["<b>Ann</b>", None], None])
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html
    assert "None" not in html
    assert html.count('<td class="nhsuk-table__cell">') == 2


# Pagination ------------------------------------------------------------------------------------


PAGE_TAG_EXAMPLES = {
    # fixture name: (pages, current page)
    "numbered": (3, 2),
    "numbered first page": (3, 1),
    "numbered last page": (3, 3),
    "numbered with many pages": (40, 10),
}


@pytest.mark.parametrize("example", covered("pagination", only=PAGE_TAG_EXAMPLES))
def test_pagination_tag_matches_fixture(example, rf):
    pages, current = PAGE_TAG_EXAMPLES[example["name"]]
    page = Paginator(range(pages), 1).page(current)
    html = render_tag("pagination", page, rf.get("/reviews/", {"page": current}))
    # The fixtures link to "#/section/<n>"; the tag to "?page=<n>".
    assert_same_html(html, example["html"].replace("#/section/", "?page="))


@pytest.mark.parametrize(
    "example",
    [param for param in covered("pagination") if param.values[0]["name"] not in PAGE_TAG_EXAMPLES],
)
def test_pagination_include_matches_fixture(example):
    context = example["context"]
    html = render_to_string(
        "nhsuk/components/pagination.html",
        {key: context.get(key) for key in ("items", "previous", "next")},
    )
    assert_matches(html, example)


def test_pagination_keeps_other_query_parameters():
    request = RequestFactory().get("/reviews/", {"status": "open", "q": "a&b", "page": "2"})
    page = Paginator(range(30), 10).page(2)
    html = render_tag("pagination", page, request)
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == [
        "?status=open&amp;q=a%26b&amp;page=1",  # previous
        "?status=open&amp;q=a%26b&amp;page=1",
        "?status=open&amp;q=a%26b&amp;page=2",
        "?status=open&amp;q=a%26b&amp;page=3",
        "?status=open&amp;q=a%26b&amp;page=3",  # next
    ]


def test_pagination_renders_nothing_for_one_page():
    page = Paginator(range(5), 10).page(1)
    assert render_tag("pagination", page, RequestFactory().get("/")).strip() == ""


@pytest.mark.parametrize(
    ("current", "total", "expected"),
    [
        (1, 1, [1]),
        (1, 5, [1, 2, 3, 4, 5]),
        (1, 10, [1, 2, 3, None, 10]),
        (5, 10, [1, 2, 3, 4, 5, 6, 7, None, 10]),
        (10, 40, [1, None, 8, 9, 10, 11, 12, None, 40]),
        (40, 40, [1, None, 38, 39, 40]),
    ],
)
def test_page_numbers(current, total, expected):
    assert page_numbers(current, total) == expected


# Timeline --------------------------------------------------------------------------------------


def test_timeline_lists_entries_newest_first():
    entries = [
        {"heading": "Review requested", "time": datetime(2025, 3, 1, 9, 0, tzinfo=UTC)},
        {
            "heading": "Panel <confirmed>",
            "time": datetime(2025, 3, 7, 14, 30, tzinfo=UTC),
            "actor": "Sam O'Neil",
            "description": "Chair & clinical expert agreed",
        },
        {
            "heading": "Report shared",
            "time": date(2025, 6, 2),
            "description": mark_safe('<p>See <a href="/r/1">the report</a>.</p>'),
        },
    ]
    html = render_tag("timeline", entries)
    assert_same_html(
        html,
        """
        <ol class="app-timeline">
          <li class="app-timeline__item">
            <h3 class="app-timeline__heading">Report shared</h3>
            <p class="app-timeline__meta"><time datetime="2025-06-02">2 June 2025</time></p>
            <div class="app-timeline__description">
              <p>See <a href="/r/1">the report</a>.</p>
            </div>
          </li>
          <li class="app-timeline__item">
            <h3 class="app-timeline__heading">Panel &lt;confirmed&gt;</h3>
            <p class="app-timeline__meta">
              <time datetime="2025-03-07T14:30:00+00:00">7 March 2025 at 2:30pm</time>
              <span class="app-timeline__actor"> by Sam O&#x27;Neil</span>
            </p>
            <div class="app-timeline__description">Chair &amp; clinical expert agreed</div>
          </li>
          <li class="app-timeline__item">
            <h3 class="app-timeline__heading">Review requested</h3>
            <p class="app-timeline__meta">
              <time datetime="2025-03-01T09:00:00+00:00">1 March 2025 at 9am</time>
            </p>
          </li>
        </ol>
        """,
    )
    # Escaped in the markup itself, not only after normalising.
    assert "Panel &lt;confirmed&gt;" in html and "<confirmed>" not in html


def test_timeline_uses_local_time_and_objects():
    class Event:
        heading = "Meeting"
        time = datetime(2025, 7, 1, 11, 0, tzinfo=UTC)  # 12 noon in London (BST)
        actor = None
        description = ""

    html = render_tag("timeline", [Event()], heading_level=2)
    assert '<time datetime="2025-07-01T12:00:00+01:00">1 July 2025 at midday</time>' in html
    assert '<h2 class="app-timeline__heading">Meeting</h2>' in html
    assert "app-timeline__actor" not in html and "app-timeline__description" not in html
    assert render_tag("timeline", []).strip() == ""


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(0, 0, "midnight"), (12, 0, "midday"), (9, 0, "9am"), (14, 5, "2:05pm"), (0, 30, "12:30am")],
)
def test_nhs_time(hour, minute, expected):
    assert nhs_time(datetime(2025, 1, 1, hour, minute).time()) == expected


def test_inset_text_keeps_inline_markup_of_a_safe_string():
    html = render_tag("inset_text", mark_safe('Read <a href="/guide">the guide</a>'))
    assert '<p>Read <a href="/guide">the guide</a></p>' in html


def test_nhs_datetime_writes_times_the_nhs_way():
    from datetime import datetime

    from django.template import Context, Template
    from django.utils import timezone

    when = timezone.make_aware(datetime(2026, 12, 3, 10, 0))
    html = Template('{% load nhsuk %}{{ when|nhs_datetime }} / {{ when|nhs_datetime:"j M Y" }}')
    assert html.render(Context({"when": when})) == "3 December 2026 at 10am / 3 Dec 2026 at 10am"
