"""Template tags for forms on the NHS.UK frontend (`{% load nhsuk_forms %}`).

`{% error_summary form %}` -- the NHS.UK error summary for one form, or several forms and formsets
(`{% error_summary form address_formset %}`), optionally with `description="..."`. Each field
error links to the field's control (a split date's first box at fault, the first radio or
checkbox); errors not tied to a field are listed without a link. Renders nothing when there are
no errors.

`{% nhsuk_field form.field %}` -- one field as its NHS.UK component; the pack's `field.html` uses
it, and it takes the same options as the `Field` layout object (`label_size="l"` and so on).
"""

from django import template
from django.forms.forms import NON_FIELD_ERRORS

from ctr_portal.nhsuk import error_target, render_bound_field

register = template.Library()


def _form_errors(form):
    entries = [{"text": message, "href": None} for message in form.errors.get(NON_FIELD_ERRORS, [])]
    for name in form.fields:
        errors = form.errors.get(name)
        if not errors:
            continue
        bound_field = form[name]
        href = None if bound_field.is_hidden else f"#{error_target(bound_field)}"
        entries.extend({"text": message, "href": href} for message in errors)
    return entries


def summary_errors(*forms_or_formsets):
    """The error summary's entries, in page order: {"text": message, "href": "#id" or None}."""
    entries = []
    for item in forms_or_formsets:
        if item is None or item == "":
            continue
        if hasattr(item, "non_form_errors"):  # a formset
            entries.extend({"text": message, "href": None} for message in item.non_form_errors())
            for form in item.forms:
                entries.extend(_form_errors(form))
        else:
            entries.extend(_form_errors(item))
    return entries


@register.inclusion_tag("nhsuk/error_summary.html")
def error_summary(*forms_or_formsets, description=None):
    return {"errors": summary_errors(*forms_or_formsets), "description": description}


@register.simple_tag(takes_context=True)
def nhsuk_field(context, bound_field, **options):
    merged = dict(context.get("nhsuk_options") or {}, **options)
    show_errors = context.get("form_show_errors", True)
    return render_bound_field(bound_field, merged, show_errors is not False)
