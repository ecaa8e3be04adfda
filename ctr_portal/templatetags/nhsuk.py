"""NHS.UK frontend components as template tags: ``{% load nhsuk %}``.

Each tag renders a template in ``nhsuk/components/`` whose markup is the component's own
(``nhsuk-frontend`` 10, ``dist/nhsuk/components/<name>/template.njk``); the rendering tests
compare it with the package's fixtures.

Text is escaped; a value with markup (a link, a tag, a line break) goes in as it is: a
``ctr_portal.partials.Partial``, which a presenter hands over and its partial template draws
(no view builds HTML; tests/test_layering.py), or a template's own SafeString output.

Where the component wraps text in an element of its own (a paragraph in the inset text, warning
callout and notification banner), ``html=`` gives a block of markup to use instead, with no
wrapper: the Nunjucks ``html`` option.

Lists may hold ``None`` for an item left out (``[row, row if allowed else None]``), as the
Nunjucks macros skip falsy items; a table cell of ``None`` is an empty cell instead, so that the
columns stay in line.
"""

from collections.abc import Mapping
from datetime import date, datetime, time

from django import template
from django.conf import settings
from django.contrib.messages import constants as message_levels
from django.http import QueryDict
from django.template.base import render_value_in_context
from django.utils import timezone
from django.utils.safestring import SafeString

from ..formatting import nhs_date, nhs_datetime, nhs_moment, nhs_time

register = template.Library()

TAG_COLOURS = (
    "white",
    "grey",
    "green",
    "aqua-green",
    "blue",
    "purple",
    "pink",
    "red",
    "orange",
    "yellow",
)
NO_COLOUR = (False, "none", "no-colour")
CARD_VARIANTS = ("feature", "primary", "secondary", "warning")
HEADING_SIZES = ("xxs", "xs", "s", "m", "l", "xl")
CAPTION_SIZES = ("s", "m", "l", "xl")
CELL_ALIGNMENTS = ("left", "centre", "right")


def _field(item, name, default=None):
    """A key of a dict or an attribute of an object."""
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def _classes(*names) -> str:
    return " ".join(name for name in names if name)


def _blank(value) -> bool:
    return value is None or value == ""


@register.filter
def without_empty(items):
    """The items that are not falsy, as the Nunjucks macros skip ``false`` items."""
    return [item for item in items or () if item]


def _actions(actions) -> list[dict]:
    return [dict(action) for action in without_empty(actions)]


# Breadcrumb and back link ----------------------------------------------------------------------


@register.inclusion_tag("nhsuk/components/breadcrumb.html")
def breadcrumbs(items, back_text=None, back_href=None, reverse=False, label="Breadcrumb"):
    """``{% breadcrumbs items %}``: items are ``(text, href)`` pairs or ``{text, href}`` dicts.

    Items without an href are left out, as the component does. The back link shown on mobile
    goes to the last item unless ``back_text``/``back_href`` say otherwise.
    """
    links = []
    for item in without_empty(items):
        text, href = (
            (_field(item, "text"), _field(item, "href"))
            if isinstance(item, Mapping)
            else tuple(item)
        )
        if href:
            links.append({"text": text, "href": href})
    last = links[-1] if links else {}
    return {
        "items": links,
        "label": label,
        "reverse": reverse,
        "back_text": back_text or last.get("text"),
        "back_href": back_href or last.get("href"),
    }


@register.inclusion_tag("nhsuk/components/back_link.html")
def back_link(href=None, text="Back", reverse=False, visually_hidden_text=None):
    """``{% back_link href text="Back" %}``; without an href, a submit button."""
    return {
        "href": href,
        "text": text,
        "reverse": reverse,
        "visually_hidden_text": visually_hidden_text,
    }


# Notification banner ---------------------------------------------------------------------------


@register.inclusion_tag("nhsuk/components/notification_banner.html", takes_context=True)
def notification_banner(
    context,
    message=None,
    *,
    text=None,
    html=None,
    title=None,
    heading=None,
    success=None,
    title_id=None,
    disable_auto_focus=None,
):
    """``{% notification_banner message %}`` for a ``django.contrib.messages`` message (level
    SUCCESS gives the success banner, any other level the "Important" one), or
    ``{% notification_banner text=... title=... heading=... html=... success=True %}``.

    The title's id is ``nhsuk-notification-banner-title``, numbered from the second banner on
    in the same template so that a page with several messages keeps its ids unique.
    """
    if message is not None:
        text = message.message if text is None else text
        if success is None:
            success = message.level == message_levels.SUCCESS
    if title_id is None:
        count = context.render_context.get("nhsuk_notification_banners", 0) + 1
        context.render_context["nhsuk_notification_banners"] = count
        title_id = "nhsuk-notification-banner-title" + (f"-{count}" if count > 1 else "")
    return {
        "success": bool(success),
        "title": title or ("Success" if success else "Important"),
        "title_id": title_id,
        "heading": heading,
        "text": text,
        "html": html,
        "disable_auto_focus": disable_auto_focus,
    }


# Summary list ----------------------------------------------------------------------------------


@register.inclusion_tag("nhsuk/components/summary_list.html")
def summary_list(
    rows,
    no_border=False,
    no_last_row_border=False,
    card_heading=None,
    card_heading_size=None,
    card_heading_level=2,
    card_actions=None,
    classes=None,
):
    """``{% summary_list rows %}``: rows are dicts ``{key, value, actions, no_border}``, actions
    a list of ``{href, text, visually_hidden_text}`` (no href: a submit button, with optional
    ``name`` and ``value``). With ``card_heading`` the list sits in a summary card whose
    ``card_actions`` apply to the whole card. ``classes`` are added to the list's own.
    """
    rows = [dict(row) for row in without_empty(rows)]
    for row in rows:
        row["actions"] = _actions(row.get("actions"))
        if _blank(row.get("value")):
            row["value"] = ""
    has_actions = any(row["actions"] for row in rows)
    for index, row in enumerate(rows):
        last = index == len(rows) - 1
        row["no_actions"] = has_actions and not row["actions"]
        # A row's own "no border" gives way on the last row of a list without one there.
        row["no_border"] = bool(row.get("no_border") and not (no_last_row_border and last))
    card_actions = _actions(card_actions)
    return {
        "rows": rows,
        "no_border": no_border,
        "no_last_row_border": no_last_row_border,
        "card": bool(card_heading or card_actions),
        "card_heading": card_heading,
        "card_heading_size": _checked(card_heading_size, HEADING_SIZES, "heading size"),
        "card_heading_level": card_heading_level,
        "card_actions": card_actions,
        "classes": classes,
    }


# Tag -------------------------------------------------------------------------------------------


@register.inclusion_tag("nhsuk/components/tag.html", name="tag")
def nhsuk_tag(text, colour=None, border=True):
    """``{% tag text colour %}``: colour one of TAG_COLOURS, ``"none"`` for the no-colour tag,
    or nothing for the default."""
    no_colour = colour in NO_COLOUR
    modifier = "no-colour" if no_colour else _checked(colour, TAG_COLOURS, "tag colour")
    return {
        "text": text,
        "classes": _classes(
            "nhsuk-tag",
            modifier and f"nhsuk-tag--{modifier}",
            not border and "nhsuk-tag--no-border",
        ),
    }


def _checked(value, allowed, what):
    if value in (None, ""):
        return None
    if value not in allowed:
        raise ValueError(f"Unknown {what} {value!r}: use one of {', '.join(allowed)}.")
    return value


# Card, warning callout, inset text, details ----------------------------------------------------


def _card_context(
    heading=None,
    href=None,
    description=None,
    *,
    body=None,
    variant=None,
    clickable=False,
    heading_level=2,
    heading_size=None,
    heading_id=None,
    heading_classes=None,
    heading_visually_hidden_text=None,
    actions=None,
):
    return {
        "heading": heading,
        "href": href,
        "description": description,
        "body": body,
        "variant": _checked(variant, CARD_VARIANTS, "card variant"),
        "clickable": clickable,
        "heading_level": heading_level,
        "heading_size": _checked(heading_size, HEADING_SIZES, "heading size"),
        "heading_id": heading_id,
        "heading_classes": heading_classes,
        "heading_visually_hidden_text": heading_visually_hidden_text,
        "actions": _actions(actions),
    }


@register.inclusion_tag("nhsuk/components/card.html")
def card(heading=None, href=None, description=None, **options):
    """``{% card heading href description %}``; options: ``body`` (markup for the content,
    instead of the description), ``variant`` ("feature", "primary", "secondary", "warning"),
    ``clickable``, ``heading_level`` (2), ``heading_size``, ``heading_id``,
    ``heading_classes``, ``actions`` (as for the summary list).

    A page can also ``{% include "nhsuk/components/card.html" with heading=... body=... only %}``.
    """
    return _card_context(heading, href, description, **options)


@register.inclusion_tag("nhsuk/components/card.html")
def warning_callout(heading, text=None, html=None, heading_level=3):
    """``{% warning_callout heading text %}``: a heading without the word "important" gets a
    visually hidden "Important: " before it, as the component does."""
    hidden = None
    if heading and "Important" not in heading and "important" not in heading:
        hidden = "Important"
    return _card_context(
        heading,
        description=text,
        body=html,
        variant="warning",
        heading_level=heading_level,
        heading_visually_hidden_text=hidden,
    )


@register.inclusion_tag("nhsuk/components/inset_text.html")
def inset_text(text=None, html=None):
    """``{% inset_text text %}``: text goes in a paragraph; ``html=`` is used as it is."""
    return {"text": text, "html": html}


@register.inclusion_tag("nhsuk/components/details.html")
def details(summary, text=None, html=None, open=False, expander=False):
    """``{% details summary text %}``; ``expander=True`` for the expander style."""
    return {"summary": summary, "text": text, "html": html, "open": open, "expander": expander}


# Table -----------------------------------------------------------------------------------------


# Every key the table template reads, with a value that renders as the key's absence would.
# A look-up of a missing key costs the template engine about 25 times a present one (it tries
# the key, an attribute and an index, each raising): on a page of 25 rows that was most of the
# table's time (issue 13, bench/RESULTS.md). So every cell carries every key.
CELL_KEYS = {
    "href": None,
    "colspan": None,
    "rowspan": None,
    "visually_hidden_text": None,
    "classes": "",
}


def _cell(item) -> dict:
    cell = dict(item) if isinstance(item, Mapping) else {"text": item}
    if _blank(cell.get("text")):
        cell["text"] = ""
    for key, value in CELL_KEYS.items():
        cell.setdefault(key, value)
    cell["has_text"] = cell["text"] != ""
    cell["is_html"] = hasattr(cell["text"], "__html__")
    return cell


NO_HEADER = _cell("")  # the header of a cell beyond the last column's


def _cell_classes(base, cell, format_=None, align=None) -> str:
    return _classes(
        base,
        format_ == "numeric" and f"{base}--numeric",
        align in CELL_ALIGNMENTS and f"nhsuk-u-text-align-{align}",
        cell.get("width") and f"nhsuk-u-width-{cell['width']}",
        cell.get("classes"),
    )


def _table_header(item) -> dict:
    header = _cell(item)
    header["element"] = "th"
    header["classes"] = _cell_classes(
        "nhsuk-table__header", header, header.get("format"), header.get("align")
    )
    return header


def _table_cell(item, index, headers, first_cell_is_header, responsive) -> dict:
    """One body cell: its element, classes and role, taking format and alignment from its
    column's header unless it sets its own."""
    cell = _cell(item)
    header = headers[index] if index < len(headers) else NO_HEADER
    is_header = first_cell_is_header and index == 0
    base = "nhsuk-table__header" if is_header else "nhsuk-table__cell"
    format_ = cell.get("format") or header.get("format")
    align = cell.get("align") or (
        "right"
        if cell.get("format") == "string" and header.get("format") == "numeric"
        else header.get("align")
    )
    cell.update(
        element="th" if is_header else "td",
        is_header=is_header,
        header=header,
        classes=_cell_classes(base, cell, format_, align),
        role=("rowheader" if is_header else "cell") if responsive else None,
    )
    return cell


def _value(value) -> str:
    """A value as ``{{ value }}`` renders it in an autoescaping template."""
    return render_value_in_context(value, _CELL_CONTEXT)


_CELL_CONTEXT = template.Context(autoescape=True)


def _hidden(text, has_text) -> str:
    if not text:
        return ""
    space = " " if has_text else ""
    return f'<span class="nhsuk-u-visually-hidden">{space}{_value(text)}</span>'


def _cell_html(cell, responsive) -> str:
    """One body cell's markup, exactly as the table template wrote it cell by cell (built here
    because a page of several hundred rows spent most of its time in the template's per-cell
    tags; tests/ctr_portal/test_table_speed.py holds the markup to the letter)."""
    element = cell["element"]
    attributes = f'class="{_value(cell["classes"])}"'
    if cell["is_header"]:
        attributes += ' scope="row"'
    if cell["role"]:
        attributes += f' role="{_value(cell["role"])}"'
    if cell["colspan"] and not responsive:
        attributes += f' colspan="{_value(cell["colspan"])}"'
    if cell["rowspan"]:
        attributes += f' rowspan="{_value(cell["rowspan"])}"'
    content = ""
    if responsive:
        header = cell["header"]
        content += (
            f'<span class="nhsuk-table__heading" aria-hidden="true">{_value(header["text"])}'
            f"{_hidden(header['visually_hidden_text'], header['has_text'])} </span>"
        )
        if cell["is_html"]:
            content += "<span>"
    if cell["href"]:
        content += f'<a class="nhsuk-link" href="{_value(cell["href"])}">'
    content += _value(cell["text"]) + _hidden(cell["visually_hidden_text"], cell["has_text"])
    if cell["href"]:
        content += "</a>"
    if responsive and cell["is_html"]:
        content += "</span>"
    # Every value in it went through _value (escaped unless already safe).
    return SafeString(
        f"\n      <{element} {attributes}>\n        {content}\n      </{element}>\n      "
    )


_MARK = "\x00cell\x00"


def _body_cell_renderer(headers, first_cell_is_header, responsive):
    """A function rendering one body cell. A plain cell (text, not a dict) is its column's
    markup around its text: worked out once per column (and whether the text is markup) and
    reused, since a page of several hundred rows spent its time, and its garbage collections,
    on a dict per cell."""
    around = {}

    def render(item, index):
        if isinstance(item, Mapping):
            cell = _table_cell(item, index, headers, first_cell_is_header, responsive)
            return _cell_html(cell, responsive)
        text = "" if _blank(item) else item
        key = (index, hasattr(text, "__html__"))
        if key not in around:
            marker = SafeString(_MARK) if key[1] else _MARK
            cell = _table_cell(marker, index, headers, first_cell_is_header, responsive)
            around[key] = _cell_html(cell, responsive).split(_MARK)
        before, after = around[key]
        return before + _value(text) + after

    return render


@register.inclusion_tag("nhsuk/components/table.html", name="table")
def nhsuk_table(
    caption,
    head,
    rows,
    *,
    responsive=False,
    caption_size=None,
    caption_classes=None,
    first_cell_is_header=False,
    compact=False,
    striped=False,
    border=True,
    last_row_border=True,
    reverse=False,
    card=False,
):
    """``{% table caption head rows %}``: head is a list of header texts or dicts ``{text,
    format, align, width, classes, visually_hidden_text}`` (``format: "numeric"`` aligns the
    column right), rows a list of lists of cells: text, SafeString, or the same dicts with
    ``href``, ``colspan`` and ``rowspan`` as well. ``responsive=True`` stacks the cells on small
    screens, each with its column's header.
    """
    headers = [_table_header(item) for item in head or ()]
    cell_html = _body_cell_renderer(headers, first_cell_is_header, responsive)
    body = [
        # Every value in it went through _value (escaped unless already safe).
        SafeString("".join(cell_html(item, index) for index, item in enumerate(row)))
        for row in rows or ()
        if row is not None and row is not False
    ]
    table_classes = _classes(
        "nhsuk-table",
        reverse and "nhsuk-table--reverse",
        compact and "nhsuk-table--compact",
        responsive and "nhsuk-table--responsive",
        "nhsuk-table--no-border"
        if not border
        else (not last_row_border and "nhsuk-table--no-last-row-border"),
        striped and "nhsuk-table--striped",
    )
    caption_size = _checked(caption_size, CAPTION_SIZES, "caption size")
    return {
        "caption": caption,
        "caption_classes": _classes(
            "nhsuk-table__caption",
            caption_size and f"nhsuk-table__caption--{caption_size}",
            caption_classes,
        ),
        "classes": table_classes,
        "responsive": responsive,
        "head": headers,
        "rows": body,
        "card": card,
    }


# Pagination ------------------------------------------------------------------------------------


def page_numbers(current: int, total: int, around: int = 2) -> list[int | None]:
    """The page numbers to show, ``None`` for an ellipsis: the first and last pages and those
    within ``around`` of the current one. An ellipsis never stands for a single page."""
    shown = {1, total, *range(max(1, current - around), min(total, current + around) + 1)}
    numbers: list[int | None] = []
    for number in sorted(shown):
        if numbers and number - numbers[-1] == 2:
            numbers.append(number - 1)
        elif numbers and number - numbers[-1] > 2:
            numbers.append(None)
        numbers.append(number)
    return numbers


@register.inclusion_tag("nhsuk/components/pagination.html")
def pagination(page_obj, request=None, page_param="page"):
    """``{% pagination page_obj request %}``: numbered pagination for a Django ``Page``, keeping
    the request's other query-string parameters. Nothing when there is one page."""
    if page_obj is None or page_obj.paginator.num_pages <= 1:
        return {"items": []}
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)

    def href(number):
        query[page_param] = number
        return "?" + query.urlencode()

    items = [
        {"ellipsis": True}
        if number is None
        else {"number": number, "href": href(number), "current": number == page_obj.number}
        for number in page_numbers(page_obj.number, page_obj.paginator.num_pages)
    ]
    return {
        "items": items,
        "previous": {"href": href(page_obj.previous_page_number())}
        if page_obj.has_previous()
        else None,
        "next": {"href": href(page_obj.next_page_number())} if page_obj.has_next() else None,
    }


# Timeline --------------------------------------------------------------------------------------


def _as_datetime(value) -> datetime:
    """For sorting: dates as the start of the day, naive datetimes in the current time zone."""
    if not isinstance(value, date):
        raise TypeError(f"A timeline entry needs a date or datetime, not {value!r}.")
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _when(value) -> tuple[str, str]:
    """The ``datetime`` attribute and the text of a ``<time>`` element."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat(timespec="seconds"), nhs_datetime(value)
    return value.isoformat(), nhs_date(value)


@register.inclusion_tag("nhsuk/components/timeline.html")
def timeline(entries, heading_level=3):
    """``{% timeline entries %}``: entries are dicts or objects with ``heading``, ``time`` (a
    datetime or date), and optionally ``actor`` and ``description``; shown newest first."""
    items = []
    for entry in sorted(
        without_empty(entries), key=lambda e: _as_datetime(_field(e, "time")), reverse=True
    ):
        machine, human = _when(_field(entry, "time"))
        items.append(
            {
                "heading": _field(entry, "heading"),
                "datetime": machine,
                "when": human,
                "actor": _field(entry, "actor"),
                "description": _field(entry, "description"),
            }
        )
    return {"entries": items, "heading_level": heading_level}


# Dates and times (ctr_portal.formatting) -------------------------------------------------------

register.filter("nhs_date", nhs_date)
register.filter("nhs_time", nhs_time)
register.filter("nhs_datetime", nhs_datetime)
register.filter("nhs_moment", nhs_moment)
