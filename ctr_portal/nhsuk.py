"""The `nhsuk` crispy-forms template pack: the Python side.

Built the way crispy-forms-gds builds its GOV.UK pack. Every form field renders through
`templates/nhsuk/field.html`, which hands the bound field to `render_bound_field()` here: the
widget class picks the NHS.UK component (`templates/nhsuk/fields/<component>.html`, radios and
checkboxes both `choices.html`) and this module works out its label, hint, error message, ids and
`aria-describedby`, so the templates only write markup. The markup is the NHS.UK frontend's own,
checked against the package's fixtures in
`tests/ctr_portal/test_nhsuk_forms.py`.

Widget to component:

    TextInput, EmailInput, PasswordInput, NumberInput, URLInput, DateInput ...  input
    Textarea                                textarea; character count when the form field has
                                            max_length (or Field(maxwords=...))
    RadioSelect                             radios, in a fieldset whose legend is the label
    CheckboxSelectMultiple                  checkboxes, in a fieldset whose legend is the label
    CheckboxInput (one boolean)             a checkboxes group of one item labelled by the label
    Select, SelectMultiple                  select
    FileInput, ClearableFileInput           file upload (`multiple` when the widget allows it)
    SplitDateWidget                         date input: day, month and year boxes in a fieldset
    HiddenInput                             the bare input
    anything else                           Django's own widget inside an NHS.UK form group

Forms::

    class ContactForm(NHSUKFormMixin, forms.Form):
        submit_label = "Save and continue"
        contact = forms.ChoiceField(label="How should we contact you?", widget=forms.RadioSelect,
                                    choices=[("email", "Email"), ("phone", "Phone")])
        email = forms.EmailField(label="Email address", required=False)
        date_of_birth = SplitDateField(label="Date of birth")

        def get_layout(self):
            return Layout(
                Field("contact", legend_size="l", legend_is_page_heading=True,
                      conditional={"email": Field("email", width="two-thirds")}),
                Field("date_of_birth", legend_size="m"),
                Submit("submit", self.submit_label),
            )

and in the template `{% load crispy_forms_tags %}{% crispy form %}`. The page puts
`{% error_summary form %}` (library `nhsuk_forms`) above its `h1`; non-field errors show only
there, unless the helper sets `form_show_non_field_errors = True`.

The split date field's boxes are named `<name>[day]`, `<name>[month]` and `<name>[year]` (the
frontend's `namePrefix` convention) and have ids `<id>-day`, `<id>-month` and `<id>-year`.
"""

import datetime

from crispy_forms import layout as crispy_layout
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout
from crispy_forms.utils import TEMPLATE_PACK, render_field
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.utils import flatatt
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from . import limits

__all__ = [
    "HTML",
    "Button",
    "ButtonGroup",
    "Div",
    "Field",
    "Fieldset",
    "Layout",
    "NHSUKFormMixin",
    "SplitDateField",
    "SplitDateWidget",
    "Submit",
    "control_id",
    "error_target",
    "render_bound_field",
    "text_area",
]

DATE_PARTS = ("day", "month", "year")
SIZES = ("s", "m", "l", "xl")
FIXED_WIDTHS = (2, 3, 4, 5, 10, 20, 30)
FLUID_WIDTHS = ("full", "three-quarters", "two-thirds", "one-half", "one-third", "one-quarter")
BUTTON_VARIANTS = ("brand", "login", "reverse", "secondary", "secondary-solid", "warning")
COUNT_TYPES = ("characters", "words", "length")


# --- Widgets and fields ---------------------------------------------------------------------


class SplitDateWidget(forms.MultiWidget):
    """Day, month and year boxes; `autocomplete="bday"` marks them bday-day, -month, -year."""

    def __init__(self, attrs=None, autocomplete=None):
        widgets = {part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in DATE_PARTS}
        super().__init__(widgets, attrs)
        self.widgets_names = [f"[{part}]" for part in DATE_PARTS]
        self.autocomplete = autocomplete

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                value = None
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


def _lower_first(text: str) -> str:
    """'Date of birth' -> 'date of birth'; leaves 'NHS number' alone."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _is_number(text: str) -> bool:
    """Up to 4 digits that int() reads ("²" is a digit it cannot read; 5,000 digits it refuses)."""
    return text.isdecimal() and len(text) <= 4


class SplitDateField(forms.MultiValueField):
    """A date entered as day, month and year, with the NHS service manual's messages.

    - nothing entered, field required: "Enter <label>" (override with error_messages["required"])
    - a part missing: "<Label> must include a day" / "... a month and year"
      (error_messages["incomplete"], which may use %(label)s and %(missing)s)
    - not a date: "<Label> must be a real date" (error_messages["invalid"], %(label)s)
    - out of its bounds: "<Label> must be in the past", "... within the next 2 years" and so
      on, from `bounds` (a `ctr_portal.limits.DateBounds`: every date a person types has them)

    `subject` names the date in the messages when its label does not read well there ("The
    date of the review must be ..." under the legend "Date of the review").

    Errors carry `params["fields"]`, the boxes at fault, so the date input marks only those (and
    the error summary links to the first of them); errors without it mark all three boxes.
    """

    widget = SplitDateWidget
    hidden_widget = forms.MultipleHiddenInput
    default_error_messages = {"required": "", "incomplete": "", "invalid": ""}

    def __init__(self, *, bounds=None, subject=None, **kwargs):
        self.bounds = bounds
        self.subject = subject
        fields = tuple(forms.CharField(required=False) for _ in DATE_PARTS)
        super().__init__(fields, require_all_fields=False, **kwargs)

    def _label(self) -> str:
        return str(self.subject or self.label or "Date")

    def _error(self, key, default, code, fields, **params):
        message = self.error_messages.get(key) or default
        return ValidationError(
            message, code=code, params={"label": self._label(), **params, "fields": tuple(fields)}
        )

    def clean(self, value):
        if isinstance(value, datetime.date):
            value = self.widget.decompress(value)
        parts = list(value) if isinstance(value, (list, tuple)) else []
        parts = (parts + [None, None, None])[:3]
        entered = {
            part: "" if item is None else str(item).strip()
            for part, item in zip(DATE_PARTS, parts, strict=True)
        }
        if not any(entered.values()):
            if self.required:
                default = f"Enter {_lower_first(self._label())}"
                raise ValidationError(
                    self.error_messages.get("required") or default, code="required"
                )
            return None
        missing = [part for part in DATE_PARTS if not entered[part]]
        if missing:
            raise self._error(
                "incomplete",
                "%(label)s must include a %(missing)s",
                "incomplete",
                missing,
                missing=" and ".join(missing),
            )
        limits = {"day": (1, 31), "month": (1, 12), "year": (1000, 9999)}
        wrong = [
            part
            for part in DATE_PARTS
            if not _is_number(entered[part])
            or not limits[part][0] <= int(entered[part]) <= limits[part][1]
            or (part == "year" and len(entered[part]) != 4)
        ]
        if wrong:
            raise self._error("invalid", "%(label)s must be a real date", "invalid", wrong)
        try:
            result = datetime.date(int(entered["year"]), int(entered["month"]), int(entered["day"]))
        except ValueError:
            raise self._error(
                "invalid", "%(label)s must be a real date", "invalid", DATE_PARTS
            ) from None
        problem = self.bounds.problem(result) if self.bounds is not None else None
        if problem:
            raise self._error("out_of_bounds", problem, "out_of_bounds", DATE_PARTS)
        self.validate(result)
        self.run_validators(result)
        return result

    def validate(self, value):
        """Required-ness is handled in clean()."""

    def compress(self, data_list):
        if not data_list or not all(data_list):
            return None
        return datetime.date(*(int(data_list[i]) for i in (2, 1, 0)))


class LineBreakMaxLengthValidator(MaxLengthValidator):
    """Counts a line break as one character, as the character count does: a browser sends a
    textarea's line breaks as CR LF, so 2,000 characters on the screen would otherwise arrive
    as more."""

    def clean(self, x):
        return len(x.replace("\r\n", "\n"))


def text_area(label, limit, *, required=None, subject=None, **kwargs) -> forms.CharField:
    """A textarea of at most `limit` characters. `required` is the message when it is left empty
    ("Enter what you found"), or None for an optional one; `subject` names the text in the
    too-long message where the label is a question (see `limits.too_long`)."""
    error_messages = limits.too_long(subject, limit) if subject else {}
    if required:
        error_messages["required"] = required
    return forms.CharField(
        label=label,
        widget=forms.Textarea,
        max_length=limit,
        required=bool(required),
        error_messages=error_messages,
        **kwargs,
    )


def length_message(field) -> str:
    """'Notes must be 2,000 characters or fewer', named by the field's label without
    "(optional)". A field whose label is a question ("Why?") sets its own
    `error_messages["max_length"]`, which NHSUKFormMixin leaves alone."""
    subject = str(field.label or "Text").removesuffix(" (optional)")
    return limits.too_long_message(subject, field.max_length)


# --- Building the context a component template needs ---------------------------------------


def _caption_class(size):
    return f"nhsuk-caption-{size}" if size in ("m", "l", "xl", "xxl") else "nhsuk-caption"


def _check_size(size):
    if size is not None and size not in SIZES:
        raise ValueError(f"Size must be one of {SIZES}, not {size!r}")
    return size


def label_context(text, *, for_id=None, size=None, is_page_heading=False, caption=None, classes=""):
    """What `nhsuk/parts/label.html` needs."""
    return {
        "text": text,
        "for_id": for_id,
        "size": _check_size(size),
        "is_page_heading": is_page_heading,
        "caption": caption,
        "caption_class": _caption_class(size),
        "classes": classes,
    }


def legend_context(text, *, size=None, is_page_heading=False, caption=None):
    """What `nhsuk/parts/legend.html` needs."""
    return {
        "text": text,
        "size": _check_size(size),
        "is_page_heading": is_page_heading,
        "caption": caption,
        "caption_class": _caption_class(size),
    }


def width_class(width):
    """2, 3, 4, 5, 10, 20, 30 -> nhsuk-input--width-N; "two-thirds" etc -> nhsuk-u-width-..."""
    if width is None:
        return ""
    if width in FIXED_WIDTHS or str(width) in map(str, FIXED_WIDTHS):
        return f"nhsuk-input--width-{width}"
    if width in FLUID_WIDTHS:
        return f"nhsuk-u-width-{width}"
    raise ValueError(f"Width must be one of {FIXED_WIDTHS} or {FLUID_WIDTHS}, not {width!r}")


def control_id(bound_field) -> str:
    """The id of the field's control (for radios and checkboxes, the first input)."""
    widget = bound_field.field.widget
    return widget.attrs.get("id") or bound_field.auto_id or bound_field.html_name


def component_for(bound_field, options=None) -> str:
    """The NHS.UK component a bound field renders as."""
    options = options or {}
    field, widget = bound_field.field, bound_field.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, SplitDateWidget):
        return "date-input"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.FileInput):
        return "file-upload"
    if isinstance(widget, forms.Textarea):
        wanted = options.get("character_count")
        limit = getattr(field, "max_length", None) or options.get("maxwords")
        if wanted or (limit and wanted is not False):
            return "character-count"
        return "textarea"
    if isinstance(widget, forms.widgets.Input):
        return "input"
    return "widget"


def date_error_parts(bound_field) -> tuple:
    """The date boxes at fault: from the errors' params["fields"], else all three."""
    errors = bound_field.form.errors.get(bound_field.name)
    if not errors:
        return ()
    found = set()
    for error in errors.as_data():
        fields = (error.params or {}).get("fields")
        if not fields:
            return DATE_PARTS
        found.update(fields)
    return tuple(part for part in DATE_PARTS if part in found) or DATE_PARTS


def error_target(bound_field) -> str:
    """The id the error summary links to for this field."""
    ident = control_id(bound_field)
    component = component_for(bound_field)
    if component == "date-input":
        return f"{ident}-{date_error_parts(bound_field)[0]}"
    if component == "widget":
        return bound_field.id_for_label or ident
    return ident


def _join(*parts):
    return " ".join(part for part in parts if part)


def _values(bound_field):
    """The values to show as chosen, as strings (bound data when the form is bound)."""
    return set(bound_field.field.widget.format_value(bound_field.value()))


def _choices(widget):
    """(value, label) pairs, groups flattened, as strings."""
    for value, label in widget.choices:
        if isinstance(label, (list, tuple)):
            for sub_value, sub_label in label:
                yield str(sub_value), sub_label
        else:
            yield str(value), label


def _as_set(value):
    if value is None:
        return set()
    if isinstance(value, (list, tuple, set)):
        return {str(item) for item in value}
    return {str(value)}


def _choice_items(bound_field, ident, options, prefix):
    chosen = _values(bound_field)
    hints = {str(key): value for key, value in (options.get("choice_hints") or {}).items()}
    dividers = {str(key): value for key, value in (options.get("dividers") or {}).items()}
    conditional = options.get("conditional_html") or {}
    exclusive = _as_set(options.get("exclusive"))
    items, index = [], 0
    for value, text in _choices(bound_field.field.widget):
        if value == "":
            continue  # an empty choice means "nothing chosen": not an option to tick
        if value in dividers:
            index += 1
            items.append({"divider": dividers[value]})
        index += 1
        item_id = ident if index == 1 else f"{ident}-{index}"
        hint = None
        if value in hints:
            hint = {
                "text": hints[value],
                "id": f"{item_id}-item-hint",
                "classes": f"{prefix}__hint",
            }
        html = conditional.get(value)
        items.append(
            {
                "id": item_id,
                "value": value,
                "label": label_context(text, for_id=item_id, classes=f"{prefix}__label"),
                "checked": value in chosen,
                "hint": hint,
                "described_by": hint["id"] if hint else "",
                "conditional_html": html,
                "conditional_id": f"conditional-{item_id}" if html is not None else "",
                "behaviour": "exclusive" if value in exclusive else "",
            }
        )
    return items


def _select_groups(bound_field, options):
    widget = bound_field.field.widget
    chosen = _values(bound_field)
    dividers = {str(key) for key in (options.get("dividers") or {})}
    groups = []
    for value, label in widget.choices:
        if isinstance(label, (list, tuple)):
            entries, group_label = label, value
        else:
            entries, group_label = [(value, label)], None
        opts = [
            {
                "value": str(v),
                "label": text,
                "selected": str(v) in chosen,
                "divider_before": str(v) in dividers,
            }
            for v, text in entries
        ]
        if group_label is None and groups and groups[-1]["label"] is None:
            groups[-1]["options"].extend(opts)
        else:
            groups.append({"label": group_label, "options": opts})
    return groups


def _control_attrs(attrs, drop=()):
    """Attributes from the widget (and Field(**attrs)) the template does not write itself."""
    skip = {"class", "id", "type", "required", "disabled", "aria-describedby", *drop}
    return flatatt({key: value for key, value in attrs.items() if key not in skip})


def _merge(widget, options):
    """Field(**attrs) on top of the widget's attrs, without mutating the widget."""
    attrs = dict(widget.attrs)
    for key, value in (options.get("attrs") or {}).items():
        if key == "class" and attrs.get("class"):
            attrs["class"] = f"{attrs['class']} {value}"
        else:
            attrs[key] = value
    return attrs


def field_context(bound_field, options=None, show_errors=True) -> dict:
    """Everything a component template needs to render this bound field."""
    options = options or {}
    field = bound_field.field
    widget = field.widget
    component = component_for(bound_field, options)
    attrs = _merge(widget, options)
    ident = attrs.get("id") or bound_field.auto_id or bound_field.html_name
    size = options.get("legend_size") or options.get("label_size")
    heading = bool(options.get("legend_is_page_heading") or options.get("label_is_page_heading"))
    caption = options.get("caption")
    label_text = bound_field.label
    messages = list(bound_field.errors) if show_errors else []
    hint = {"text": bound_field.help_text, "id": f"{ident}-hint"} if bound_field.help_text else None
    error = {"messages": messages, "id": f"{ident}-error"} if messages else None
    disabled = bool(field.disabled or attrs.get("disabled"))
    described_by = _join(attrs.get("aria-describedby"), hint and hint["id"], error and error["id"])

    ctx = {
        "field": bound_field,
        "component": component,
        "id": ident,
        "name": bound_field.html_name,
        "label": label_context(
            label_text, for_id=ident, size=size, is_page_heading=heading, caption=caption
        ),
        "legend": legend_context(label_text, size=size, is_page_heading=heading, caption=caption),
        "hint": hint,
        "error": error,
        "group_classes": _join("nhsuk-form-group", error and "nhsuk-form-group--error"),
        "described_by": described_by,
        "disabled": disabled,
        "attrs": _control_attrs(attrs),
    }

    builder = COMPONENT_CONTEXT.get(component)
    if builder is not None:
        builder(ctx, bound_field, options, attrs)
    return ctx


# --- What each component adds to the shared context: builder(ctx, bound_field, options, attrs),
# reading what field_context put in ctx (id, hint, error, described_by) and updating it.


def _input_context(ctx, bound_field, options, attrs):
    widget, extra_class = bound_field.field.widget, attrs.get("class", "")
    width = options.get("width")
    classes = ["nhsuk-input", extra_class]
    if width is not None and "nhsuk-input--width-" not in extra_class:
        classes.append(width_class(width))
    if options.get("code"):
        classes.append("nhsuk-input--code")
    if ctx["error"]:
        classes.append("nhsuk-input--error")
    value = bound_field.value()
    if isinstance(widget, forms.PasswordInput) and not widget.render_value:
        value = None
    prefix, suffix = options.get("prefix"), options.get("suffix")
    ctx.update(
        classes=_join(*classes),
        type=attrs.get("type") or widget.input_type,
        value=widget.format_value(value),
        prefix=prefix,
        suffix=suffix,
        wrapped=bool(prefix or suffix),
    )


def _textarea_context(ctx, bound_field, options, attrs):
    rows = options.get("rows") or attrs.get("rows")
    if rows in (None, "10"):  # "10" is Django's default, not ours: NHS.UK uses 5
        rows = 5
    counted = ctx["component"] == "character-count"
    drop = ("rows", "cols", "maxlength") if counted else ("rows", "cols")
    ctx.update(
        classes=_join(
            "nhsuk-textarea", attrs.get("class", ""), ctx["error"] and "nhsuk-textarea--error"
        ),
        rows=rows,
        value=bound_field.field.widget.format_value(bound_field.value()),
        attrs=_control_attrs(attrs, drop),
    )
    if counted:
        _character_count_context(ctx, bound_field, options)


def _character_count_context(ctx, bound_field, options):
    maxwords = options.get("maxwords")
    maxlength = None if maxwords else bound_field.field.max_length
    count_type = options.get("count_type") or ("words" if maxwords else None)
    if count_type is not None and count_type not in COUNT_TYPES:
        raise ValueError(f"count_type must be one of {COUNT_TYPES}")
    limit = maxwords or maxlength
    unit = "words" if count_type == "words" else "characters"
    info_id = f"{ctx['id']}-info"
    ctx.update(
        classes=_join(ctx["classes"], "nhsuk-js-character-count"),
        described_by=_join(info_id, ctx["described_by"]),
        info_id=info_id,
        info_text=f"You can enter up to {int(limit):,} {unit}" if limit else "",
        group_attrs=flatatt(
            {
                "data-module": "nhsuk-character-count",
                "data-maxlength": maxlength,
                "data-maxwords": maxwords,
                "data-threshold": options.get("threshold"),
                "data-count-type": count_type,
            }
        ),
    )


def _select_context(ctx, bound_field, options, attrs):
    widget = bound_field.field.widget
    ctx.update(
        classes=_join(
            "nhsuk-select", attrs.get("class", ""), ctx["error"] and "nhsuk-select--error"
        ),
        groups=_select_groups(bound_field, options),
        multiple=bool(getattr(widget, "allow_multiple_selected", False)),
        attrs=_control_attrs(attrs, ("multiple",)),
    )


def _choices_context(ctx, bound_field, options, attrs):
    component = ctx["component"]
    prefix = f"nhsuk-{component}"
    hint, error = ctx["hint"], ctx["error"]
    ctx.update(
        prefix=prefix,
        classes=_join(
            prefix, options.get("inline") and f"{prefix}--inline", attrs.get("class", "")
        ),
        items=_choice_items(bound_field, ctx["id"], options, prefix),
        input_type="radio" if component == "radios" else "checkbox",
        described_by=_join(hint and hint["id"], error and error["id"]),
    )


def _checkbox_context(ctx, bound_field, options, attrs):
    ident, hint, error = ctx["id"], ctx["hint"], ctx["error"]
    item_hint = None
    if hint:
        item_hint = {
            "text": hint["text"],
            "id": f"{ident}-item-hint",
            "classes": "nhsuk-checkboxes__hint",
        }
    ctx.update(
        hint=None,
        item_hint=item_hint,
        checked=bound_field.field.widget.check_test(bound_field.value()),
        item_label=label_context(
            bound_field.label, for_id=ident, classes="nhsuk-checkboxes__label"
        ),
        described_by=_join(error and error["id"], item_hint and item_hint["id"]),
    )


def _date_context(ctx, bound_field, options, attrs):
    widget, ident, hint, error = bound_field.field.widget, ctx["id"], ctx["hint"], ctx["error"]
    value = bound_field.value()
    parts = list(value) if isinstance(value, (list, tuple)) else widget.decompress(value)
    parts = (list(parts) + [None, None, None])[:3]
    at_fault = date_error_parts(bound_field) if error else ()
    items = [
        {
            "id": f"{ident}-{part}",
            "name": f"{bound_field.html_name}[{part}]",
            "label": part.capitalize(),
            "value": part_value if part_value not in (None, "") else None,
            "width": 4 if part == "year" else 2,
            "error": part in at_fault,
            "autocomplete": f"{widget.autocomplete}-{part}" if widget.autocomplete else None,
        }
        for part, part_value in zip(DATE_PARTS, parts, strict=True)
    ]
    ctx.update(items=items, described_by=_join(hint and hint["id"], error and error["id"]))


def _file_context(ctx, bound_field, options, attrs):
    widget = bound_field.field.widget
    multiple = bool(getattr(widget, "allow_multiple_selected", False) or attrs.get("multiple"))
    i18n = {}
    if multiple:
        i18n = {
            "data-i18n.choose-files-button": "Choose files",
            "data-i18n.no-file-chosen": "No files chosen",
            "data-i18n.drop-instruction": "or drop files",
        }
    ctx.update(
        classes=_join("nhsuk-file-upload__input", attrs.get("class", "")),
        multiple=multiple,
        group_attrs=flatatt({"data-module": "nhsuk-file-upload", **i18n}),
        attrs=_control_attrs(attrs, ("multiple",)),
    )


def _widget_context(ctx, bound_field, options, attrs):
    described_by = ctx["described_by"]
    widget_attrs = {"aria-describedby": described_by} if described_by else {}
    ctx.update(rendered=bound_field.as_widget(attrs=widget_attrs))
    ctx["label"]["for_id"] = bound_field.id_for_label or None


COMPONENT_CONTEXT = {
    "input": _input_context,
    "textarea": _textarea_context,
    "character-count": _textarea_context,
    "select": _select_context,
    "radios": _choices_context,
    "checkboxes": _choices_context,
    "checkbox": _checkbox_context,
    "date-input": _date_context,
    "file-upload": _file_context,
    "widget": _widget_context,
}


# Components that share a template: radios and checkboxes differ only in their class prefix and
# input type, both in the context.
TEMPLATE_FOR = {"radios": "choices", "checkboxes": "choices"}


def render_bound_field(bound_field, options=None, show_errors=True) -> SafeString:
    """Render one bound field as its NHS.UK component."""
    ctx = field_context(bound_field, options, show_errors)
    if ctx["component"] == "hidden":
        return bound_field.as_widget()
    template = TEMPLATE_FOR.get(ctx["component"], ctx["component"])
    return render_to_string(f"nhsuk/fields/{template}.html", ctx)


# --- Layout objects -------------------------------------------------------------------------


class Field(crispy_layout.LayoutObject):
    """One or more form fields rendered as their NHS.UK components, with options.

    Keyword arguments:
        label_size / legend_size: "s", "m", "l" or "xl" (either name works for either; the
            question of radios, checkboxes and dates is a legend, of the rest a label).
        label_is_page_heading / legend_is_page_heading: wrap the question in the page's h1.
        caption: a caption shown with the label or legend (e.g. the section name).
        width: inputs only: 2, 3, 4, 5, 10, 20, 30 (characters) or "full", "three-quarters",
            "two-thirds", "one-half", "one-third", "one-quarter".
        code: inputs only: monospaced "code" styling (NHS numbers, reference codes).
        prefix / suffix: inputs only: text shown before / after the box ("£", "kg").
        rows: textareas only; default 5.
        maxwords, threshold, count_type: character count options (max_length comes from the
            form field). character_count=False keeps a plain textarea despite max_length.
        inline: radios and checkboxes side by side.
        choice_hints: {choice value: hint} shown under a radio or checkbox.
        dividers: {choice value: "or"} puts a divider before that choice.
        exclusive: checkboxes only: a value (or values), e.g. "none", that unticks the others.
        conditional: radios and checkboxes only: {choice value: field name, layout object or a
            list of them} revealed when the choice is picked. Those fields must not appear
            elsewhere in the layout.
        css_class: extra classes on the control; any other keyword becomes an HTML attribute
            of the control (underscores become hyphens: data_foo="x" -> data-foo="x").
    """

    template = "%s/field.html"

    def __init__(
        self,
        *fields,
        label_size=None,
        label_is_page_heading=False,
        legend_size=None,
        legend_is_page_heading=False,
        caption=None,
        width=None,
        code=False,
        prefix=None,
        suffix=None,
        rows=None,
        maxwords=None,
        threshold=None,
        count_type=None,
        character_count=None,
        inline=False,
        choice_hints=None,
        dividers=None,
        exclusive=None,
        conditional=None,
        css_class=None,
        template=None,
        **attrs,
    ):
        self.fields = list(fields)
        width_class(width)  # fail early on a bad width
        self.options = {
            "label_size": _check_size(label_size),
            "label_is_page_heading": label_is_page_heading,
            "legend_size": _check_size(legend_size),
            "legend_is_page_heading": legend_is_page_heading,
            "caption": caption,
            "width": width,
            "code": code,
            "prefix": prefix,
            "suffix": suffix,
            "rows": rows,
            "maxwords": maxwords,
            "threshold": threshold,
            "count_type": count_type,
            "character_count": character_count,
            "inline": inline,
            "choice_hints": choice_hints,
            "dividers": dividers,
            "exclusive": exclusive,
        }
        self.conditional = conditional or {}
        self.attrs = {key.replace("_", "-"): value for key, value in attrs.items()}
        if "id" in self.attrs:
            raise ValueError(
                "Set a field's id on its widget (or through the form's auto_id), "
                "so the error summary links to it"
            )
        if css_class:
            self.attrs["class"] = css_class
        self.template = template or self.template

    def _render_conditional(self, items, form, context, template_pack):
        if isinstance(items, (str, crispy_layout.LayoutObject)) or hasattr(items, "render"):
            items = [items]
        return SafeString(
            "".join(
                render_field(item, form, context, template_pack=template_pack) for item in items
            )
        )

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        options = dict(self.options, attrs=self.attrs)
        if self.conditional:
            options["conditional_html"] = {
                str(value): self._render_conditional(items, form, context, template_pack)
                for value, items in self.conditional.items()
            }
        return self.get_rendered_fields(
            form,
            context,
            template_pack,
            template=self.get_template_name(template_pack),
            extra_context={"nhsuk_options": options},
            **kwargs,
        )


class Fieldset(crispy_layout.LayoutObject):
    """Fields grouped under a legend (an address, say). The legend is text, never a template."""

    template = "%s/layout/fieldset.html"

    def __init__(
        self,
        legend,
        *fields,
        legend_size="m",
        legend_is_page_heading=False,
        caption=None,
        css_class=None,
        css_id=None,
        template=None,
        **attrs,
    ):
        self.legend = legend
        self.fields = list(fields)
        self.legend_size = _check_size(legend_size)
        self.legend_is_page_heading = legend_is_page_heading
        self.caption = caption
        self.css_class = css_class
        self.css_id = css_id
        self.template = template or self.template
        self.flat_attrs = flatatt({key.replace("_", "-"): value for key, value in attrs.items()})

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        legend = None
        if self.legend:
            legend = legend_context(
                self.legend,
                size=self.legend_size,
                is_page_heading=self.legend_is_page_heading,
                caption=self.caption,
            )
        return render_to_string(
            self.get_template_name(template_pack),
            {"fieldset": self, "legend": legend, "fields": fields},
        )


class Submit(crispy_layout.BaseInput):
    """An NHS.UK button that submits the form: `Submit("submit", "Save and continue")`.

    secondary / warning (or variant="reverse", "login", "secondary-solid", "brand") pick the
    style; small, disabled and prevent_double_click as the frontend's button. The name is sent
    with the form only when `button_value` is given (to tell several submit buttons apart). The
    label is text, never a template.
    """

    input_type = "submit"
    template = "%s/layout/button.html"

    def __init__(
        self,
        name,
        value,
        *,
        secondary=False,
        warning=False,
        variant=None,
        small=False,
        disabled=False,
        prevent_double_click=None,
        button_value=None,
        css_id=None,
        css_class=None,
        template=None,
        **kwargs,
    ):
        super().__init__(name, value, css_id=css_id, css_class=None, template=template)
        variant = variant or ("secondary" if secondary else "warning" if warning else None)
        if variant is not None and variant not in BUTTON_VARIANTS:
            raise ValueError(f"Button variant must be one of {BUTTON_VARIANTS}")
        self.id = css_id
        self.variant = variant
        self.small = small
        self.disabled = disabled
        self.button_value = button_value
        classes = _join(
            "nhsuk-button",
            variant and f"nhsuk-button--{variant}",
            small and "nhsuk-button--small",
            css_class,
        )
        attrs = {
            "class": classes,
            "data-module": "nhsuk-button",
            "type": self.input_type,
            "id": css_id,
            "disabled": bool(disabled),
            "aria-disabled": "true" if disabled else None,
        }
        if prevent_double_click is not None:
            attrs["data-prevent-double-click"] = "true" if prevent_double_click else "false"
        if button_value is not None:
            attrs.update(name=name, value=button_value)
        attrs.update({key.replace("_", "-"): value for key, value in kwargs.items()})
        self.attrs_html = flatatt({key: value for key, value in attrs.items() if value is not None})

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        return render_to_string(self.get_template_name(template_pack), {"input": self})


class Button(Submit):
    """An NHS.UK button that does not submit (type="button"), for scripts to act on."""

    input_type = "button"


class ButtonGroup(crispy_layout.LayoutObject):
    """Buttons (and links) side by side: `ButtonGroup(Submit(...), HTML('<a ...>Cancel</a>'))`."""

    template = "%s/layout/button_group.html"

    def __init__(self, *fields, css_class=None, template=None):
        self.fields = list(fields)
        self.css_class = css_class
        self.template = template or self.template

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        fields = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return render_to_string(
            self.get_template_name(template_pack), {"group": self, "fields": fields}
        )


# --- The form mixin -------------------------------------------------------------------------


class NHSUKFormMixin:
    """Gives a form a crispy helper that renders it the NHS.UK way.

    `class SignInForm(NHSUKFormMixin, forms.Form)`; works as well with ModelForm and Django's
    auth forms. The form posts, carries `novalidate` (the server validates and reports errors
    the NHS.UK way) and ends in one submit button labelled `submit_label`. Override
    `get_layout()` for fieldsets, sizes, page headings and so on. Text longer than a field's
    `max_length` is refused with "<Label> must be N characters or fewer" (`length_message`).
    """

    submit_label = "Continue"
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and field.max_length:
                field.error_messages.setdefault("max_length", length_message(field))
                field.validators = [
                    LineBreakMaxLengthValidator(v.limit_value)
                    if type(v) is MaxLengthValidator
                    else v
                    for v in field.validators
                ]
        self.helper = FormHelper(self)
        self.helper.form_method = "post"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = self.get_layout()

    def get_layout(self):
        return Layout(*self.fields, Submit("submit", self.submit_label))

    def require_revealed(self, answer_field, answers, field, message):
        """For `clean()`: a question revealed under an answer (`conditional=`) must be answered
        when `answer_field` holds one of `answers`. Not asked again if it already has an error
        (too long, say)."""
        data = self.cleaned_data
        if data.get(answer_field) in answers and not data.get(field) and field not in self.errors:
            self.add_error(field, message)
