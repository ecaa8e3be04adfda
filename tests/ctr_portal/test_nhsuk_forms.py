"""The `nhsuk` crispy-forms template pack (`ctr_portal/nhsuk.py`, `templates/nhsuk/`) and the
`nhsuk_forms` tags, checked against the NHS.UK frontend's own fixtures.

Each fixture's Nunjucks parameters are translated into the equivalent Django form, field and
layout (`Field`, `Fieldset`, `Submit`, `SplitDateField`, ...), rendered through crispy-forms, and
compared, normalised, with the fixture's HTML (`tests/nhsuk_fixtures.py`). Label, legend, hint and
error message are pieces of every field; their fixtures render the pack's partials
(`nhsuk/parts/*.html`) with the same context the pack builds. A translator that meets a
parameter the pack does not support raises `Unsupported`; `SKIPPED` below lists those fixtures
with the reason, and a test keeps the list honest (every entry exists and really is unsupported).

One deliberate rewrite: date-input fixtures without `namePrefix` name their boxes bare `day`,
`month`, `year`, which a Django form (with more than one date, or any other field) cannot; the
pack names them `<name>[day]` etc., the frontend's `namePrefix` form (fixture "with custom name
prefix" compares unchanged), so for the others the expected names are rewritten to that form.

Deliberately not covered (SKIPPED holds the same list; fixtures with repeated names are
compared by their first occurrence, as `tests/nhsuk_fixtures.py` does):
- "with error only" (errorMessage: true) in input, textarea, character-count, radios, checkboxes,
  select, date-input, file-upload, and date-input "with errors only" (+ "using items"): a Django
  error always has a message.
- input and select "with button", "with button and error message": formGroup after-input HTML
  is not exposed.
- radios and checkboxes "without fieldset": choices always sit in a fieldset (STYLE.md 4).
- radios/checkboxes "disabled input", "disabled with enabled input", select "disabled option",
  date-input "disabled input" (+ "using items"), "disabled with enabled input": per-choice or
  per-box state; Django choices and the split date have none.
- checkboxes 'with "all" option' (+ "named group", "named group, unique") and 'with "none"
  option (named group)' (+ ", unique"): inclusive options and per-item names/groups.
- date-input "day and month", "month and year" and their "(using items)", "(with empty item)",
  "with fields", "with fields overriding values", "with values" variants: the split date field
  is a whole date. date-input "with translations": box labels are fixed (Day, Month, Year).
- character-count "with maxlength attribute" (the pack drops maxlength from a character count,
  as the frontend advises), "with neither maxlength nor maxwords set" and "with translations"
  (custom texts); file-upload "button" and "with translations" (button classes, custom texts);
  error-message "without visually hidden text", "with translations".
- label "size class", "size class overriding size option" (custom classes), 'text and caption
  "after"/"before" as a paragraph' (caption placement), "with heading level 2", "with heading
  level 3", "with heading options only" (headings other than the page's h1), "with id
  attribute", "with id attribute on heading", "with deprecated page heading overriding heading".
- error-summary "with description only", "with heading HTML", "auto-focus disabled",
  "auto-focus explicitly enabled": the summary shows only when there are errors, with the fixed
  title "There is a problem".
- button: the 36 fixtures "as a link" or "with icon at start/end": the layout's buttons are
  form buttons.
"""

import copy
import datetime

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.utils import render_crispy_form
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.template import Context, RequestContext, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.safestring import mark_safe

from ctr_portal.nhsuk import (
    Button,
    ButtonGroup,
    Field,
    Fieldset,
    Layout,
    NHSUKFormMixin,
    SplitDateField,
    SplitDateWidget,
    Submit,
    label_context,
)
from ctr_portal.templatetags.nhsuk_forms import summary_errors
from tests.nhsuk_fixtures import assert_same_html, fixture, fixtures, normalise


class Unsupported(Exception):
    """A fixture parameter the pack does not offer."""


# --- Translating fixture parameters into forms ----------------------------------------------


class Case:
    """The Django form a fixture becomes: fields, layout, values and errors."""

    def __init__(self):
        self.fields = {}
        self.layout = []
        self.initial = {}
        self.data = {}
        self.errors = {}

    def merge(self, other):
        self.fields.update(other.fields)
        self.initial.update(other.initial)
        self.data.update(other.data)
        self.errors.update(other.errors)
        return self

    def form(self):
        form_class = type("FixtureForm", (forms.Form,), dict(self.fields))
        if not self.errors:
            return form_class(initial=self.initial, auto_id="%s")
        form = form_class(data=self.data, files={}, auto_id="%s")
        form.is_valid()
        form.errors.clear()  # only the fixture's own errors
        for name, error in self.errors.items():
            form.add_error(name, error)
        return form

    def render(self):
        return render_layout(self.form(), *self.layout)


def render_layout(form, *layout):
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(*layout)
    return render_crispy_form(form, helper)


def content(spec):
    """A {text}/{html}/string parameter as a string (HTML marked safe)."""
    if spec is None or spec is False:
        return None
    if isinstance(spec, str):
        return spec
    spec = dict(spec)
    value = mark_safe(spec.pop("html")) if "html" in spec else spec.pop("text")
    if spec:
        raise Unsupported(sorted(spec))
    return value


def error_of(spec):
    if spec is True:
        raise Unsupported("errorMessage: true")
    return content(spec)


def question(spec):
    """A label or legend parameter -> (text, {size, page, caption})."""
    if spec is None:
        raise Unsupported("no label")
    if isinstance(spec, str):
        return spec, {"size": None, "page": False, "caption": None}
    spec = dict(spec)
    text = spec.pop("text", None)
    if "html" in spec:
        text = mark_safe(spec.pop("html"))
    heading = spec.pop("heading", None)
    size = spec.pop("size", None)
    page = False
    if isinstance(heading, str):
        text, page = heading, True
    elif heading is True:
        page = True
    elif isinstance(heading, dict):
        heading = dict(heading)
        if heading.pop("level", 1) != 1:
            raise Unsupported("heading level")
        text = heading.pop("text", text)
        size = heading.pop("size", size)
        if heading:
            raise Unsupported(sorted(heading))
        page = True
    is_page_heading = spec.pop("isPageHeading", None)
    if is_page_heading is False:
        raise Unsupported("isPageHeading: false")
    page = page or bool(is_page_heading)
    caption = spec.pop("caption", None)
    if caption is not None and not isinstance(caption, str):
        raise Unsupported("caption placement")
    if spec:
        raise Unsupported(sorted(spec))
    return text, {"size": size, "page": page, "caption": caption}


def _pop_common(ctx):
    hint = content(ctx.pop("hint", None))
    error = error_of(ctx.pop("errorMessage", None))
    disabled = ctx.pop("disabled", False)
    return hint, error, disabled


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


MULTIPLE_FILE_TEXTS = {
    "chooseFilesButtonText": "Choose files",
    "dropInstructionText": "or drop files",
    "noFileChosenText": "No files chosen",
}


def _single_field_attrs(ctx) -> dict:
    ident = ctx.pop("id", None)
    attrs = {"id": ident} if ident else {}
    for key in ("autocomplete", "inputmode", "type"):
        if key in ctx:
            attrs[key] = ctx.pop(key)
    if "spellcheck" in ctx:
        attrs["spellcheck"] = str(ctx.pop("spellcheck")).lower()
    if "classes" in ctx:
        attrs["class"] = ctx.pop("classes")
    return attrs


SINGLE_FIELD_OPTIONS = (
    ("width", "width"),
    ("code", "code"),
    ("rows", "rows"),
    ("maxwords", "maxwords"),
    ("threshold", "threshold"),
    ("countType", "count_type"),
)


def _single_field_options(component, ctx, q) -> dict:
    options = {"label_size": q["size"], "label_is_page_heading": q["page"], "caption": q["caption"]}
    for key, option in SINGLE_FIELD_OPTIONS:
        if key in ctx:
            options[option] = ctx.pop(key)
    for key in ("prefix", "suffix"):
        if key in ctx:
            options[key] = content(ctx.pop(key))
    if component == "character-count":
        options["character_count"] = True
    return options


def _select_field(ctx, attrs, options, common):
    choices, dividers, divider_next = [], {}, False
    for item in ctx.pop("items"):
        item = dict(item)
        if item.pop("divider", False):
            divider_next = True
            continue
        choice_value, choice_text = item.pop("value"), item.pop("text")
        if item:
            raise Unsupported(sorted(item))
        if divider_next:
            dividers[choice_value] = True
            divider_next = False
        choices.append((choice_value, choice_text))
    if dividers:
        options["dividers"] = dividers
    return forms.ChoiceField(choices=choices, widget=forms.Select(attrs=attrs), **common)


def _file_field(ctx, attrs, options, common):
    multiple = ctx.pop("multiple", False)
    if multiple:
        for key, expected in MULTIPLE_FILE_TEXTS.items():
            if ctx.pop(key, None) != expected:
                raise Unsupported(key)
    widget = (MultipleFileInput if multiple else forms.FileInput)(attrs=attrs)
    return forms.FileField(widget=widget, **common)


def _text_field(component, max_length):
    def build(ctx, attrs, options, common):
        if component == "input":
            return forms.CharField(widget=forms.TextInput(attrs=attrs), **common)
        return forms.CharField(widget=forms.Textarea(attrs=attrs), max_length=max_length, **common)

    return build


def _finish_case(case, name, field, options, value, error, *, first=False):
    """Put the field and its layout in the case, with the fixture's value and error."""
    case.fields = {name: field, **case.fields} if first else {**case.fields, name: field}
    case.layout.append(Field(name, **options))
    if value is not None:
        case.initial[name] = value
        case.data[name] = value
    if error:
        case.errors[name] = error
    return case


def single_field_case(component, ctx):
    """input, textarea, character-count, select, file-upload."""
    ctx = copy.deepcopy(ctx)
    name = ctx.pop("name")
    attrs = _single_field_attrs(ctx)
    text, q = question(ctx.pop("label", None))
    hint, error, disabled = _pop_common(ctx)
    value = ctx.pop("value", None)
    options = _single_field_options(component, ctx, q)
    max_length = ctx.pop("maxlength", None)
    common = {"label": text, "help_text": hint or "", "required": False, "disabled": disabled}
    builders = {"select": _select_field, "file-upload": _file_field}
    build = builders.get(component) or _text_field(component, max_length)
    field = build(ctx, attrs, options, common)
    if ctx:
        raise Unsupported(sorted(ctx))
    return _finish_case(Case(), name, field, options, value, error)


def conditional_case(html):
    """The fields a conditional reveal holds: an input fixture's field, or nested radios."""
    if 'name="example-inner"' in html:
        inner = {
            "fieldset": {
                "legend": {"text": "How do you want to be contacted about this?", "size": "s"}
            },
            "hint": {"text": "Select 1 option"},
            "name": "example-inner",
            "items": fixture("radios", "with conditional content")["context"]["items"],
        }
        return choices_case("radios", inner)
    for name in (
        "example email address",
        "example phone number",
        "example mobile phone number",
        "example phone number with error message",
    ):
        source = fixture("input", name)
        if normalise(source["html"]) == normalise(html):
            return single_field_case("input", source["context"])
    raise Unsupported("conditional content")


def _choice_items(items, case) -> dict:
    """The choices of a radios or checkboxes fixture, with their hints, dividers, exclusive
    ones and conditional reveals (whose fields join the case)."""
    found = {"choices": [], "hints": {}, "dividers": {}, "exclusive": [], "conditional": {}}
    divider = None
    for item in items:
        if not item:
            raise Unsupported("empty item")
        item = dict(item)
        if "divider" in item:
            divider = item.pop("divider")
            if item:
                raise Unsupported(sorted(item))
            continue
        choice_value, choice_text = item.pop("value"), item.pop("text")
        found["choices"].append((choice_value, choice_text))
        if divider:
            found["dividers"][choice_value], divider = divider, None
        if "hint" in item:
            found["hints"][choice_value] = content(item.pop("hint"))
        behaviour = item.pop("behaviour", None)
        if item.pop("exclusive", False) or behaviour == "exclusive":
            found["exclusive"].append(choice_value)
        elif behaviour:
            raise Unsupported(f"behaviour {behaviour}")
        if "conditional" in item:
            inner = conditional_case(item.pop("conditional")["html"])
            case.merge(inner)
            found["conditional"][choice_value] = inner.layout
        if item:
            raise Unsupported(sorted(item))
    return found


def _legend(ctx):
    fieldset = ctx.pop("fieldset", None)
    if not fieldset:
        raise Unsupported("without fieldset")
    fieldset = dict(fieldset)
    legend = question(fieldset.pop("legend"))
    if fieldset:
        raise Unsupported(sorted(fieldset))
    return legend


def choices_case(component, ctx):
    """radios and checkboxes."""
    ctx = copy.deepcopy(ctx)
    case = Case()
    text, q = _legend(ctx)
    name = ctx.pop("name", None)
    if name is None:
        raise Unsupported("item names")
    id_prefix = ctx.pop("idPrefix", None)
    hint, error, disabled = _pop_common(ctx)
    options = {
        "legend_size": q["size"],
        "legend_is_page_heading": q["page"],
        "caption": q["caption"],
        "inline": ctx.pop("inline", False),
    }
    value = ctx.pop("values" if component == "checkboxes" else "value", None)
    found = _choice_items(ctx.pop("items"), case)
    if ctx:
        raise Unsupported(sorted(ctx))

    attrs = {"id": id_prefix} if id_prefix else {}
    common = {
        "label": text,
        "help_text": hint or "",
        "required": False,
        "disabled": disabled,
        "choices": found["choices"],
    }
    widget = forms.CheckboxSelectMultiple if component == "checkboxes" else forms.RadioSelect
    field_class = forms.MultipleChoiceField if component == "checkboxes" else forms.ChoiceField
    field = field_class(widget=widget(attrs=attrs), **common)
    options.update(
        choice_hints=found["hints"] or None,
        dividers=found["dividers"] or None,
        exclusive=found["exclusive"] or None,
        conditional=found["conditional"] or None,
    )
    return _finish_case(case, name, field, options, value, error, first=True)


DATE_PARTS = ("day", "month", "year")


def date_case(ctx):
    ctx = copy.deepcopy(ctx)
    case = Case()
    fieldset = dict(ctx.pop("fieldset"))
    text, q = question(fieldset.pop("legend"))
    if fieldset:
        raise Unsupported(sorted(fieldset))
    name = ctx.pop("id")
    if ctx.pop("namePrefix", name) != name:
        raise Unsupported("namePrefix")
    hint, error, disabled = _pop_common(ctx)
    values = dict(ctx.pop("values", {}))
    parts = {part: ctx.pop(part, {}) for part in DATE_PARTS}
    if "items" in ctx:
        items = ctx.pop("items")
        if [item and item.get("name") for item in items] != list(DATE_PARTS):
            raise Unsupported("partial date")
        for item in items:
            item = dict(item)
            part = item.pop("name")
            if item.pop("width") != (4 if part == "year" else 2):
                raise Unsupported("width")
            parts[part] = item
    autocomplete, at_fault = set(), []
    for part, spec in parts.items():
        if spec is False:
            raise Unsupported("partial date")
        spec = dict(spec)
        if "value" in spec:
            values[part] = spec.pop("value")
        if spec.pop("error", False):
            at_fault.append(part)
        if "autocomplete" in spec:
            autocomplete.add(spec.pop("autocomplete").replace(f"-{part}", ""))
        if spec:
            raise Unsupported(sorted(spec))
    if len(autocomplete) > 1 or (autocomplete and autocomplete != {"bday"}):
        raise Unsupported("autocomplete")
    if at_fault and not error:
        raise Unsupported("errors without a message")
    if ctx:
        raise Unsupported(sorted(ctx))

    widget = SplitDateWidget(autocomplete="bday" if autocomplete else None)
    case.fields[name] = SplitDateField(
        label=text, help_text=hint or "", required=False, disabled=disabled, widget=widget
    )
    case.layout.append(
        Field(name, legend_size=q["size"], legend_is_page_heading=q["page"], caption=q["caption"])
    )
    if values:
        case.data.update({f"{name}[{part}]": value for part, value in values.items()})
        if len(values) == 3:
            case.initial[name] = datetime.date(*(int(values[p]) for p in ("year", "month", "day")))
    if error:
        case.errors[name] = (
            ValidationError(error, params={"fields": tuple(at_fault)}) if at_fault else error
        )
    return case


def fieldset_case(name, ctx):
    ctx = copy.deepcopy(ctx)
    text, q = question(ctx.pop("legend"))
    case = Case()
    inner = []
    if "html" in ctx or name == "with HTML via call block":
        ctx.pop("html", None)
        for source in (
            "example address line 1",
            "example address line 2",
            "example address town or city",
            "example address postcode",
        ):
            case.merge(part := single_field_case("input", fixture("input", source)["context"]))
            inner.extend(part.layout)
    if ctx:
        raise Unsupported(sorted(ctx))
    case.layout.append(
        Fieldset(
            text,
            *inner,
            legend_size=q["size"],
            legend_is_page_heading=q["page"],
            caption=q["caption"],
        )
    )
    return case.render()


def button_html(ctx):
    ctx = dict(ctx)
    text = ctx.pop("text")
    options = {
        "variant": ctx.pop("variant", None),
        "small": ctx.pop("small", False),
        "disabled": ctx.pop("disabled", False),
        "prevent_double_click": ctx.pop("preventDoubleClick", None),
    }
    if ctx:
        raise Unsupported(sorted(ctx))
    return render_layout(forms.Form(), Submit("submit", text, **options))


def error_summary_html(name, ctx):
    ctx = dict(ctx)
    if content(ctx.pop("heading")) != "There is a problem":
        raise Unsupported("heading")
    description = content(ctx.pop("description", None))
    if name == "with description via call block":
        description = mark_safe("Describe the errors and <span>how to correct them</span>")
    case = Case()
    for item in ctx.pop("errorList", []):
        if not item:
            continue
        item = dict(item)
        message = item.pop("text")
        href = item.pop("href", None)
        if item:
            raise Unsupported(sorted(item))
        if href:
            field_name = href.removeprefix("#")
            case.fields[field_name] = forms.CharField(required=False)
            case.errors[field_name] = message
        else:
            case.errors[None] = message
    if ctx:
        raise Unsupported(sorted(ctx))
    if not case.errors:
        raise Unsupported("nothing shows without errors")
    template = Template("{% load nhsuk_forms %}{% error_summary form description=description %}")
    return template.render(Context({"form": case.form(), "description": description}))


CALL_BLOCK_TEXT = {
    ("label", "with HTML via call block"): "What is your full name?",
    ("label", "with HTML via call block, without heading"): "What is your full name?",
    ("hint", "with HTML via call block"): mark_safe(
        'This is a 10 digit number (like <span class="nhsuk-u-nowrap">999 123 4567</span>) '
        "that you can find on an NHS letter, prescription or in the NHS App"
    ),
    ("error-message", "with HTML via call block"): "Postcode must not include & and <",
}


def partial_html(component, name, ctx):
    ctx = dict(ctx)
    call_block = CALL_BLOCK_TEXT.get((component, name))
    if component == "label":
        text, q = question(ctx)
        label = label_context(
            text or call_block, size=q["size"], is_page_heading=q["page"], caption=q["caption"]
        )
        return render_to_string("nhsuk/parts/label.html", {"label": label})
    text = content(ctx) if ctx else call_block
    if component == "hint":
        return render_to_string("nhsuk/parts/hint.html", {"hint": {"text": text}})
    return render_to_string("nhsuk/parts/error_message.html", {"error": {"messages": [text]}})


def render_fixture(component, name):
    ctx = fixture(component, name)["context"]
    if component in ("input", "textarea", "character-count", "select", "file-upload"):
        return single_field_case(component, ctx).render()
    if component in ("radios", "checkboxes"):
        return choices_case(component, ctx).render()
    if component == "date-input":
        return date_case(ctx).render()
    if component == "fieldset":
        return fieldset_case(name, ctx)
    if component == "button":
        return button_html(ctx)
    if component == "error-summary":
        return error_summary_html(name, ctx)
    return partial_html(component, name, ctx)


def expected_html(component, name):
    item = fixture(component, name)
    html = item["html"]
    if component == "date-input" and "namePrefix" not in item["context"]:
        prefix = item["context"]["id"]
        for part in DATE_PARTS:
            html = html.replace(f'name="{part}"', f'name="{prefix}[{part}]"')
    return html


# --- Which fixtures, and why some are not covered --------------------------------------------

_ERROR_ONLY = "errorMessage: true (an error with no message) does not arise in Django"
_CLASSES = "custom `classes` on the component are not exposed"
_AFTER_INPUT = "formGroup before/after-input HTML is not exposed"
_LEVEL = "label/legend headings other than the page's h1 are not exposed"
_CAPTION_PLACEMENT = "caption placement before/after is not exposed"
_ID = "label/legend/heading ids are not exposed"
_HIDDEN_TEXT = "visually hidden text and custom or translated texts are not exposed"
_PAGE_HEADING_FALSE = "isPageHeading: false overriding a heading is not exposed"
_NO_FIELDSET = "radios and checkboxes always sit in a fieldset (STYLE.md 4)"
_ITEM_STATE = "per-choice disabled/checked/selected state: Django choices have none"
_INCLUSIVE = "'all' (inclusive) options and per-item names/groups are not exposed"
_PARTIAL_DATE = "the split date field is a whole date (day, month and year)"
_ITEM_LABELS = "date box labels are fixed (Day, Month, Year)"
_MAXLENGTH = "maxlength is dropped from a character count's textarea (the frontend's advice)"
_LINK = "buttons as links, with icons or as <input> are not exposed"
_FILE_TEXTS = "file upload texts and button classes are not exposed (only the English 'multiple')"
_SUMMARY = "the summary has the fixed title and shows only when there are errors"

SKIPPED = {
    "input": {
        "with error only": _ERROR_ONLY,
        "with button": _AFTER_INPUT,
        "with button and error message": _AFTER_INPUT,
    },
    "textarea": {"with error only": _ERROR_ONLY},
    "character-count": {
        "with error only": _ERROR_ONLY,
        "with neither maxlength nor maxwords set": _HIDDEN_TEXT,
        "with maxlength attribute": _MAXLENGTH,
        "with translations": _HIDDEN_TEXT,
    },
    "radios": {
        "with error only": _ERROR_ONLY,
        "without fieldset": _NO_FIELDSET,
        "disabled input": _ITEM_STATE,
        "disabled with enabled input": _ITEM_STATE,
    },
    "checkboxes": {
        "with error only": _ERROR_ONLY,
        "without fieldset": _NO_FIELDSET,
        "disabled input": _ITEM_STATE,
        "disabled with enabled input": _ITEM_STATE,
        'with "all" option': _INCLUSIVE,
        'with "all" option (named group)': _INCLUSIVE,
        'with "all" option (named group, unique)': _INCLUSIVE,
        'with "none" option (named group)': _INCLUSIVE,
        'with "none" option (named group, unique)': _INCLUSIVE,
    },
    "select": {
        "with error only": _ERROR_ONLY,
        "disabled option": _ITEM_STATE,
        "with button": _AFTER_INPUT,
        "with button and error message": _AFTER_INPUT,
    },
    "date-input": {
        "with error only": _ERROR_ONLY,
        "with errors only": _ERROR_ONLY,
        "with errors only (using items)": _ERROR_ONLY,
        "disabled input": _ITEM_STATE,
        "disabled input (using items)": _ITEM_STATE,
        "disabled with enabled input": _ITEM_STATE,
        "day and month": _PARTIAL_DATE,
        "day and month (using items)": _PARTIAL_DATE,
        "day and month (with empty item)": _PARTIAL_DATE,
        "month and year": _PARTIAL_DATE,
        "month and year (using items)": _PARTIAL_DATE,
        "month and year (with empty item)": _PARTIAL_DATE,
        "month and year with fields": _PARTIAL_DATE,
        "month and year with fields overriding values": _PARTIAL_DATE,
        "month and year with values": _PARTIAL_DATE,
        "with translations": _ITEM_LABELS,
    },
    "file-upload": {
        "with error only": _ERROR_ONLY,
        "button": _FILE_TEXTS,
        "with translations": _FILE_TEXTS,
    },
    "error-summary": {
        "with description only": _SUMMARY,
        "with heading HTML": _SUMMARY,
        "auto-focus disabled": _SUMMARY,
        "auto-focus explicitly enabled": _SUMMARY,
    },
    "fieldset": {},
    "error-message": {
        "without visually hidden text": _HIDDEN_TEXT,
        "with translations": _HIDDEN_TEXT,
    },
    "hint": {},
    "label": {
        "size class": _CLASSES,
        "size class overriding size option": _CLASSES,
        'text and caption "after" as a paragraph': _CAPTION_PLACEMENT,
        'text and caption "before" as a paragraph': _CAPTION_PLACEMENT,
        "with deprecated page heading overriding heading": _PAGE_HEADING_FALSE,
        "with heading level 2": _LEVEL,
        "with heading level 3": _LEVEL,
        "with heading options only": _LEVEL,
        "with id attribute": _ID,
        "with id attribute on heading": _ID,
    },
    "button": {},
}


def _button_skips():
    return {
        name: _LINK
        for name, item in fixtures("button").items()
        if {"href", "icon", "element"} & set(item["context"])
    }


SKIPPED["button"] = _button_skips()

COVERED = [
    (component, name)
    for component, skipped in SKIPPED.items()
    for name in fixtures(component)
    if name not in skipped
]


@pytest.mark.parametrize(("component", "name"), COVERED, ids=[f"{c}: {n}" for c, n in COVERED])
def test_fixture(component, name):
    assert_same_html(render_fixture(component, name), expected_html(component, name))


SKIPPED_LIST = [(c, n) for c, names in SKIPPED.items() for n in names]


@pytest.mark.parametrize(
    ("component", "name"), SKIPPED_LIST, ids=[f"{c}: {n}" for c, n in SKIPPED_LIST]
)
def test_skipped_fixture_is_really_unsupported(component, name):
    assert name in fixtures(component)
    with pytest.raises(Unsupported):
        render_fixture(component, name)


# --- Behaviour ------------------------------------------------------------------------------


def tokens(html):
    return normalise(html)


def render_page(form, template="{% load crispy_forms_tags %}{% crispy form %}", **context):
    request = RequestFactory().get("/")
    return Template(template).render(RequestContext(request, {"form": form, **context}))


class ReferralForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save and continue"

    name = forms.CharField(
        label="Full name",
        help_text="As on their NHS record",
        error_messages={"required": "Enter the person's full name"},
    )
    notes = forms.CharField(label="Notes", widget=forms.Textarea, max_length=200, required=False)
    setting = forms.ChoiceField(
        label="Where are they now?",
        choices=[("", "Choose a setting"), ("hospital", "Hospital"), ("community", "Community")],
    )
    contact = forms.ChoiceField(
        label="How should we contact them?",
        widget=forms.RadioSelect,
        choices=[("email", "Email"), ("phone", "Phone")],
    )
    needs = forms.MultipleChoiceField(
        label="Which needs apply?",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("autism", "Autism"), ("ld", "Learning disability")],
    )
    consent = forms.BooleanField(label="They agree to the review", required=False)
    date_of_birth = SplitDateField(label="Date of birth")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("contact") == "phone" and not cleaned.get("consent"):
            raise ValidationError("Phone contact needs their agreement")
        return cleaned


INVALID_POST = {
    "name": "",
    "notes": "Prefers mornings",
    "setting": "community",
    "contact": "phone",
    "needs": ["ld"],
    "date_of_birth[day]": "12",
    "date_of_birth[month]": "",
    "date_of_birth[year]": "1990",
}


def test_mixin_form_posts_with_novalidate_csrf_and_one_submit_button():
    html = render_page(ReferralForm())
    form_tags = [t for t in tokens(html) if t.startswith("<form")]
    assert form_tags == ['<form method="post" novalidate>']
    assert 'name="csrfmiddlewaretoken"' in html
    buttons = [t for t in tokens(html) if t.startswith("<button")]
    assert buttons == ['<button class="nhsuk-button" data-module="nhsuk-button" type="submit">']
    assert html.count("Save and continue") == 1
    assert " required" not in html


def test_mixin_default_label_is_continue():
    class Plain(NHSUKFormMixin, forms.Form):
        name = forms.CharField()

    assert "Continue" in tokens(render_page(Plain()))


class GroupForm(NHSUKFormMixin, forms.ModelForm):
    class Meta:
        model = Group
        fields = ["name"]


@pytest.mark.parametrize(
    ("make_form", "names"),
    [
        (lambda: GroupForm(), ["name"]),
        (lambda: type("Reset", (NHSUKFormMixin, auth_forms.PasswordResetForm), {})(), ["email"]),
        (
            lambda: type("SetPw", (NHSUKFormMixin, auth_forms.SetPasswordForm), {})(None),
            ["new_password1", "new_password2"],
        ),
    ],
    ids=["ModelForm", "PasswordResetForm", "SetPasswordForm"],
)
def test_mixin_works_with_model_and_auth_forms(make_form, names):
    form = make_form()
    html = render_page(form)
    for name in names:
        assert f'name="{name}"' in html
    assert 'class="nhsuk-form-group"' in html
    assert html.count("<button") == 1


def test_bound_data_is_kept_after_an_error():
    form = ReferralForm(data=INVALID_POST)
    assert not form.is_valid()
    html = tokens(render_page(form))
    assert any('name="notes"' in t for t in html) and "Prefers mornings" in html
    assert '<option selected value="community">' in html
    assert any('value="phone"' in t and " checked" in t for t in html)
    assert any('value="ld"' in t and " checked" in t for t in html)
    assert not any('value="email"' in t and " checked" in t for t in html)
    day = next(t for t in html if 'id="id_date_of_birth-day"' in t)
    year = next(t for t in html if 'id="id_date_of_birth-year"' in t)
    assert 'value="12"' in day and 'value="1990"' in year


def test_error_message_group_and_control_marked_and_described():
    form = ReferralForm(data=INVALID_POST)
    form.is_valid()
    html = render_page(form)
    assert (
        '<span class="nhsuk-error-message" id="id_name-error">\n'
        '  <span class="nhsuk-u-visually-hidden">Error: </span>Enter the person&#x27;s full name'
    ) in html
    control = next(t for t in tokens(html) if 'id="id_name"' in t and t.startswith("<input"))
    assert 'aria-describedby="id_name-hint id_name-error"' in control
    assert "nhsuk-input--error" in control
    assert '<div class="nhsuk-form-group nhsuk-form-group--error">' in tokens(html)


def test_non_field_errors_are_left_to_the_summary():
    form = ReferralForm(data=dict(INVALID_POST, name="Sam"))
    form.is_valid()
    assert "Phone contact needs their agreement" not in render_page(form)
    form.helper.form_show_non_field_errors = True
    assert "Phone contact needs their agreement" in render_page(form)


# Split dates ----------------------------------------------------------------------------------


def date_form(required=True, **field_kwargs):
    field_kwargs.setdefault("label", "Date of birth")
    form_class = type(
        "DateForm",
        (forms.Form,),
        {
            "dob": SplitDateField(required=required, **field_kwargs),
        },
    )
    return form_class


def post_date(form_class, day="", month="", year=""):
    form = form_class(data={"dob[day]": day, "dob[month]": month, "dob[year]": year}, auto_id="%s")
    form.is_valid()
    return form


@pytest.mark.parametrize(
    ("entered", "message", "at_fault"),
    [
        (("", "", ""), "Enter date of birth", ("day", "month", "year")),
        (("", "3", "1980"), "Date of birth must include a day", ("day",)),
        (("31", "", "1980"), "Date of birth must include a month", ("month",)),
        (("31", "3", ""), "Date of birth must include a year", ("year",)),
        (("31", "", ""), "Date of birth must include a month and year", ("month", "year")),
        (("31", "13", "1980"), "Date of birth must be a real date", ("month",)),
        (("xx", "3", "1980"), "Date of birth must be a real date", ("day",)),
        (("3", "3", "80"), "Date of birth must be a real date", ("year",)),
        (("0", "0", "1980"), "Date of birth must be a real date", ("day", "month")),
        (("30", "2", "2023"), "Date of birth must be a real date", ("day", "month", "year")),
    ],
)
def test_split_date_messages_and_boxes_at_fault(entered, message, at_fault):
    form = post_date(date_form(), *entered)
    assert form.errors["dob"] == [message]
    html = tokens(render_layout(form, Field("dob")))
    for part in ("day", "month", "year"):
        box = next(t for t in html if f'id="dob-{part}"' in t and t.startswith("<input"))
        assert ("nhsuk-input--error" in box) == (part in at_fault), part
    summary = summary_errors(form)
    assert summary == [{"text": message, "href": f"#dob-{at_fault[0]}"}]


def test_split_date_messages_can_be_overridden():
    form_class = date_form(
        error_messages={
            "required": "Enter your date of birth",
            "incomplete": "Your date of birth must include a %(missing)s",
        }
    )
    assert post_date(form_class).errors["dob"] == ["Enter your date of birth"]
    assert post_date(form_class, "1", "", "2000").errors["dob"] == [
        "Your date of birth must include a month"
    ]


def test_split_date_gives_a_date_and_keeps_leading_zeros_on_redisplay():
    form = post_date(date_form(), " 05", "08", "2024")
    assert form.cleaned_data["dob"] == datetime.date(2024, 8, 5)
    assert post_date(date_form(required=False)).cleaned_data["dob"] is None
    form = post_date(date_form(), "05", "08", "24")
    box = next(t for t in tokens(render_layout(form, "dob")) if 'id="dob-month"' in t)
    assert 'value="08"' in box


def test_split_date_runs_validators_and_marks_all_boxes():
    def in_the_past(value):
        if value >= datetime.date.today():
            raise ValidationError("Date of birth must be in the past")

    form = post_date(date_form(validators=[in_the_past]), "1", "1", "2999")
    assert form.errors["dob"] == ["Date of birth must be in the past"]
    html = render_layout(form, "dob")
    assert html.count("nhsuk-input--error") == 3


def test_split_date_shows_initial_date_and_bday_autocomplete():
    form_class = type(
        "F",
        (forms.Form,),
        {
            "dob": SplitDateField(
                label="Date of birth", widget=SplitDateWidget(autocomplete="bday")
            ),
        },
    )
    html = tokens(render_layout(form_class(initial={"dob": datetime.date(1980, 3, 31)}), "dob"))
    day = next(t for t in html if 'id="id_dob-day"' in t)
    assert 'value="31"' in day and 'autocomplete="bday-day"' in day
    assert 'name="dob[day]"' in day


# Error summary ------------------------------------------------------------------------------


SUMMARY = "{% load nhsuk_forms %}{% error_summary form other %}"


def test_error_summary_links_each_error_to_its_control():
    form = ReferralForm(data=dict(INVALID_POST, name="", contact="phone"))
    form.is_valid()
    entries = summary_errors(form)
    assert entries == [
        {"text": "Phone contact needs their agreement", "href": None},
        {"text": "Enter the person's full name", "href": "#id_name"},
        {"text": "Date of birth must include a month", "href": "#id_date_of_birth-month"},
    ]
    # Every link lands on a control the form rendered.
    page = render_page(
        form, "{% load crispy_forms_tags nhsuk_forms %}{% error_summary form %}{% crispy form %}"
    )
    for entry in entries:
        if entry["href"]:
            assert f'id="{entry["href"][1:]}"' in page
    assert '<div class="nhsuk-error-summary" data-module="nhsuk-error-summary">' in tokens(page)
    assert "There is a problem" in tokens(page)


def test_error_summary_links_radios_and_checkboxes_to_their_first_input():
    form = ReferralForm(data={"needs": ["bad"]})
    form.is_valid()
    entries = summary_errors(form)
    assert {"text": "This field is required.", "href": "#id_contact"} in entries
    assert {
        "text": "Select a valid choice. bad is not one of the available choices.",
        "href": "#id_needs",
    } in entries
    html = tokens(render_layout(form, "contact", "needs"))
    first_radio = next(t for t in html if 'type="radio"' in t)
    first_checkbox = next(t for t in html if 'type="checkbox"' in t)
    assert 'id="id_contact"' in first_radio and 'id="id_needs"' in first_checkbox


def test_error_summary_takes_several_forms_and_formsets():
    class Line(forms.Form):
        item = forms.CharField(error_messages={"required": "Enter the item"})

    formset = formset_factory(Line, extra=0, min_num=1, validate_min=True)(
        data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-item": ""}
    )
    formset.is_valid()
    form = post_date(date_form())
    html = Template(SUMMARY).render(Context({"form": form, "other": formset}))
    assert summary_errors(form, None, formset) == [
        {"text": "Enter date of birth", "href": "#dob-day"},
        {"text": "Please submit at least 1 form.", "href": None},
        {"text": "Enter the item", "href": "#id_form-0-item"},
    ]
    assert tokens(html).count("<li>") == 3
    assert '<a href="#dob-day">' in tokens(html)
    assert '<a href="#id_form-0-item">' in tokens(html)


def test_error_summary_renders_nothing_without_errors():
    html = Template(SUMMARY).render(Context({"form": ReferralForm(), "other": None}))
    assert html.strip() == ""
    assert (
        Template("{% load nhsuk_forms %}{% error_summary form %}")
        .render(Context({"form": post_date(date_form(required=False))}))
        .strip()
        == ""
    )


# Widgets to components ----------------------------------------------------------------------


class Document(forms.ClearableFileInput):
    allow_multiple_selected = True


@pytest.mark.parametrize(
    ("field", "marker"),
    [
        (forms.CharField(), '<input class="nhsuk-input" id="id_f" name="f" type="text">'),
        (forms.EmailField(), 'type="email"'),
        (forms.CharField(widget=forms.PasswordInput), 'type="password"'),
        (forms.IntegerField(), 'type="number"'),
        (forms.URLField(assume_scheme="https"), 'type="url"'),
        (forms.DateField(), '<input class="nhsuk-input" id="id_f" name="f" type="text">'),
        (
            forms.CharField(widget=forms.Textarea),
            '<textarea class="nhsuk-textarea" id="id_f" name="f" rows="5">',
        ),
        (
            forms.CharField(widget=forms.Textarea, max_length=50),
            '<div class="nhsuk-character-count nhsuk-form-group" data-maxlength="50" '
            'data-module="nhsuk-character-count">',
        ),
        (
            forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect),
            '<div class="nhsuk-radios" data-module="nhsuk-radios">',
        ),
        (
            forms.MultipleChoiceField(choices=[("a", "A")], widget=forms.CheckboxSelectMultiple),
            '<div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">',
        ),
        (
            forms.BooleanField(),
            '<input class="nhsuk-checkboxes__input" id="id_f" name="f" type="checkbox"'
            ' value="true">',
        ),
        (
            forms.ChoiceField(choices=[("a", "A")]),
            '<select class="nhsuk-select" id="id_f" name="f">',
        ),
        (
            forms.FileField(),
            '<input class="nhsuk-file-upload__input" id="id_f" name="f" type="file">',
        ),
        (
            forms.FileField(widget=Document),
            '<input class="nhsuk-file-upload__input" id="id_f" multiple name="f" type="file">',
        ),
        (SplitDateField(), '<div class="nhsuk-date-input" id="id_f">'),
        (forms.CharField(widget=forms.HiddenInput), '<input id="id_f" name="f" type="hidden">'),
    ],
    ids=[
        "text",
        "email",
        "password",
        "number",
        "url",
        "date",
        "textarea",
        "character-count",
        "radios",
        "checkboxes",
        "boolean",
        "select",
        "file",
        "files",
        "split-date",
        "hidden",
    ],
)
def test_widget_picks_component(field, marker):
    form = type("F", (forms.Form,), {"f": field, "use_required_attribute": False})()
    assert any(marker in token for token in tokens(render_layout(form, "f")))


def test_questions_with_choices_sit_in_a_fieldset_whose_legend_is_the_label():
    form = ReferralForm()
    html = tokens(render_layout(form, Field("contact", label_size="l", label_is_page_heading=True)))
    start = html.index('<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l">')
    assert html[start + 1 : start + 4] == [
        '<h1 class="nhsuk-fieldset__heading">',
        "How should we contact them?",
        "</h1>",
    ]
    assert html[1] == '<fieldset class="nhsuk-fieldset">'


def test_password_is_not_sent_back():
    form = type("F", (forms.Form,), {"pw": forms.CharField(widget=forms.PasswordInput)})(
        data={"pw": "secret"}
    )
    assert "secret" not in render_layout(form, "pw")


def test_nhsuk_field_tag_takes_field_options():
    html = Template("{% load nhsuk_forms %}{% nhsuk_field form.name label_size='l' %}").render(
        Context({"form": ReferralForm()})
    )
    assert '<label class="nhsuk-label nhsuk-label--l" for="id_name">' in tokens(html)


# Layout objects ------------------------------------------------------------------------------


def test_fieldset_legend_defaults_to_medium_and_is_never_a_template():
    form = ReferralForm()
    html = tokens(render_layout(form, Fieldset("About {{ form }}", "name")))
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">' in html
    assert "About {{ form }}" in html


def test_buttons():
    html = tokens(
        render_layout(
            forms.Form(),
            ButtonGroup(
                Submit("save", "Save {{ x }}", button_value="save", css_id="save-button"),
                Submit("delete", "Delete", warning=True),
                Button("print", "Print", secondary=True, small=True),
            ),
        )
    )
    assert html[0] == '<div class="nhsuk-button-group">'
    assert (
        '<button class="nhsuk-button" data-module="nhsuk-button" id="save-button" '
        'name="save" type="submit" value="save">'
    ) in html
    assert "Save {{ x }}" in html
    assert (
        '<button class="nhsuk-button nhsuk-button--warning" data-module="nhsuk-button" '
        'type="submit">'
    ) in html
    assert (
        '<button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" '
        'data-module="nhsuk-button" type="button">'
    ) in html


def test_bad_options_fail_early():
    with pytest.raises(ValueError):
        Field("name", width=7)
    with pytest.raises(ValueError):
        Field("name", label_size="huge")
    with pytest.raises(ValueError):
        Submit("submit", "Go", variant="shiny")


def test_field_attributes_add_to_the_widget_without_replacing_its_classes():
    class Code(forms.Form):
        token = forms.CharField(widget=forms.TextInput(attrs={"class": "nhsuk-input--width-10"}))

    html = tokens(
        render_layout(
            Code(), Field("token", css_class="extra", data_test="x", autocomplete="one-time-code")
        )
    )
    control = next(t for t in html if t.startswith("<input"))
    assert 'class="extra nhsuk-input nhsuk-input--width-10"' in control
    assert 'data-test="x"' in control and 'autocomplete="one-time-code"' in control


def test_character_count_can_be_turned_off_and_never_keeps_maxlength():
    form_class = type(
        "F",
        (forms.Form,),
        {"t": forms.CharField(label="Notes", widget=forms.Textarea, max_length=10)},
    )
    plain = tokens(render_layout(form_class(), Field("t", character_count=False)))
    assert '<textarea class="nhsuk-textarea" id="id_t" maxlength="10" name="t" rows="5">' in plain
    counted = render_layout(form_class(), "t")
    assert " maxlength=" not in counted and 'data-maxlength="10"' in counted


def test_hidden_field_errors_are_listed_without_a_link():
    form = type("F", (forms.Form,), {"step": forms.IntegerField(widget=forms.HiddenInput)})(
        data={"step": "x"}
    )
    form.is_valid()
    assert summary_errors(form) == [{"text": "Enter a whole number.", "href": None}]


def test_input_type_and_select_multiple():
    form_class = type(
        "F",
        (forms.Form,),
        {
            "phone": forms.CharField(label="Phone number"),
            "teams": forms.MultipleChoiceField(label="Teams", choices=[("a", "A"), ("b", "B")]),
        },
    )
    html = tokens(
        render_layout(
            form_class(initial={"teams": ["b"]}),
            Field("phone", type="tel", width="two-thirds"),
            "teams",
        )
    )
    assert (
        '<input class="nhsuk-input nhsuk-u-width-two-thirds" id="id_phone" name="phone" type="tel">'
    ) in html
    assert '<select class="nhsuk-select" id="id_teams" multiple name="teams">' in html
    assert '<option selected value="b">' in html


def test_ids_come_from_the_widget_so_the_summary_can_link_to_them():
    with pytest.raises(ValueError):
        Field("name", id="custom")
