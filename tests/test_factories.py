"""Every model has a factory, and each factory makes a valid row."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

MODULES = [
    "tests.factories",
    "tests.reviews.factories",
    "tests.documents.factories",
    "tests.panels.factories",
    "tests.recommendations.factories",
]


def factories():
    found = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            meta = getattr(value, "_meta", None)
            model = getattr(meta, "model", None) if meta is not None else None
            if model is not None and isinstance(value, type) and value.__module__ == name:
                model = apps.get_model(model) if isinstance(model, str) else model
                found[model] = value
    return found


def test_every_model_of_our_apps_has_a_factory():
    known = set(factories())
    missing = [
        m._meta.label
        for app in ("ctr_portal", "reviews", "documents", "panels", "recommendations")
        for m in apps.get_app_config(app).get_models()
        if m not in known and m is not get_user_model()
    ] + ([] if get_user_model() in known else ["ctr_portal.User"])
    assert not missing, f"Add factories for: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", sorted(factories(), key=lambda m: m._meta.label), ids=lambda m: m._meta.label
)
def test_each_factory_makes_a_valid_row(model):
    factory_class = factories()[model]
    obj = factory_class()
    assert obj.pk is not None and model.objects.filter(pk=obj.pk).exists()
