"""The project's layering rules, checked on the source (after dtos-manage-breast-screening's
scripts/lint_model_usage_in_views.py)."""

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ["ctr_portal", "reviews", "panels", "documents", "recommendations"]
MANAGER = re.compile(r"\b[A-Z][A-Za-z]+\.objects\b")
MANAGER_NAME = re.compile(r"\b([A-Z][A-Za-z]+)\.objects\b")


def python_files(pattern):
    for app in APPS:
        yield from sorted((ROOT / app).glob(pattern))


def test_views_reach_data_only_through_query_functions():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in [*python_files("views.py"), *python_files("views/*.py")]
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if MANAGER.search(line)
    ]
    assert not offenders, "Views must call a query function that takes the user:\n" + "\n".join(
        offenders
    )


def test_access_rules_live_only_in_rules_modules():
    offenders = []
    for path in python_files("**/*.py"):
        if path.name == "rules.py" or "migrations" in path.parts:
            continue
        text = path.read_text()
        if "rules.add_perm" in text or "@rules.predicate" in text or "add_rule(" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"Permissions are defined outside rules.py: {offenders}"


def test_reviews_never_imports_the_apps_built_on_it():
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "reviews").rglob("*.py"))
        if re.search(
            r"^\s*(from|import)\s+(panels|documents|recommendations)\b",
            path.read_text(),
            re.MULTILINE,
        )
    ]
    assert not offenders


def _owning_app_by_model():
    from django.apps import apps

    return {
        model.__name__: model._meta.app_label
        for model in apps.get_models()
        if model._meta.app_label in APPS
    }


def test_apps_reach_another_apps_tables_only_through_its_queries_and_services():
    """A model manager of another app (read or write) appears nowhere but in that app; demo
    seeders are the one exception, since they stand rows up as they would be after the day."""
    owner = _owning_app_by_model()
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path.name == "demo.py":
                continue
            for n, line in enumerate(path.read_text().splitlines(), start=1):
                for name in MANAGER_NAME.findall(line):
                    if owner.get(name, app) != app:
                        offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "Call the owning app's queries or services:\n" + "\n".join(offenders)


def test_timeline_entries_and_transitions_go_through_the_reviews_services():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and path.name != "demo.py"
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\.transition\(|ReviewEvent\.objects\.create\(", line)
        and not (app == "reviews" and path.name == "services.py")
    ]
    assert not offenders, "Use review_transition / review_event_record:\n" + "\n".join(offenders)
