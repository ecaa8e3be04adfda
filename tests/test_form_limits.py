"""Nothing a person types is unbounded: every text field of every form and model in the
project's apps has a maximum length, every date field has bounds (`ctr_portal/limits.py`),
every integer field a minimum and a maximum the database takes, and every "too long" message
reads as the NHS service manual's.

Walks the code rather than a list, so a new form or model field without a limit fails here.
Fields a form adds in `__init__` are not seen by the walk (panels' ProviderPartForm adds one
text box per KLOE, with a maximum length).
"""

import importlib
import inspect
import pkgutil

from django import forms
from django.apps import apps
from django.db import models

from ctr_portal.nhsuk import SplitDateField, length_message
from tests.project_apps import PROJECT_APPS

APPS = PROJECT_APPS
NOT_IMPORTED = ("migrations", "settings", "settings_production", "settings_test", "wsgi", "asgi")
DATE_FIELDS = (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField, SplitDateField)


def project_modules():
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if set(info.name.split(".")) & set(NOT_IMPORTED):
                continue
            yield importlib.import_module(info.name)


def form_classes():
    found = {}
    for module in project_modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def form_fields():
    for name, form_class in sorted(form_classes().items()):
        for field_name, field in form_class.base_fields.items():
            yield f"{name}.{field_name}", field


def test_the_walk_finds_the_forms_of_every_app():
    names = form_classes()

    assert len(names) > 30
    for expected in (
        "ctr_portal.forms.SignInForm",
        "reviews.forms.people.LaepMeetingForm",
        "reviews.forms.reviews.ReviewScheduleForm",
        "reviews.forms.participation.ConsentForm",
        "documents.forms.DeleteForm",
        "panels.forms.KloeAnswerForm",
    ):
        assert expected in names


def test_every_text_field_of_every_form_has_a_maximum_length():
    unbounded = [
        name
        for name, field in form_fields()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]

    assert not unbounded, "Give these form fields a max_length (ctr_portal/limits.py):\n" + (
        "\n".join(unbounded)
    )


def test_every_date_field_of_every_form_has_bounds():
    unbounded = [
        name
        for name, field in form_fields()
        if isinstance(field, DATE_FIELDS) and getattr(field, "bounds", None) is None
    ]

    assert not unbounded, (
        "Dates are SplitDateField(bounds=...) with bounds from ctr_portal/limits.py:\n"
        + "\n".join(unbounded)
    )


def test_every_integer_field_of_every_form_has_bounds_the_database_takes():
    from ctr_portal.limits import INTEGER_MAX

    unbounded = [
        name
        for name, field in form_fields()
        if isinstance(field, forms.IntegerField)
        and not (
            field.min_value is not None
            and field.max_value is not None
            and -INTEGER_MAX <= field.min_value <= field.max_value <= INTEGER_MAX
        )
    ]

    assert not unbounded, (
        "Give these integer fields min_value and max_value (at most limits.INTEGER_MAX):\n"
        + "\n".join(unbounded)
    )


def test_every_too_long_message_names_the_field_and_its_limit():
    wrong = []
    for name, field in form_fields():
        if not isinstance(field, forms.CharField) or field.max_length is None:
            continue
        message = field.error_messages.get("max_length") or length_message(field)
        if "characters or fewer" not in message:
            continue  # its own wording, like "Security code must be 6 digits"
        if "?" in message or f" {field.max_length:,} characters" not in message:
            wrong.append(f"{name}: {message}")

    assert not wrong, (
        "A label that is a question needs error_messages=limits.too_long(...):\n" + "\n".join(wrong)
    )


def test_every_text_field_of_every_model_has_a_maximum_length():
    unbounded = [
        f"{model._meta.label}.{field.name}"
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, (models.CharField, models.TextField)) and field.max_length is None
    ]

    assert not unbounded, "Give these model fields a max_length:\n" + "\n".join(unbounded)
