"""The project's layering rules, checked on the source (after dtos-manage-breast-screening's
scripts/lint_model_usage_in_views.py)."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.project_apps import PROJECT_APPS

ROOT = Path(settings.BASE_DIR)
APPS = PROJECT_APPS
MANAGER = re.compile(r"\b[A-Z][A-Za-z]+\.objects\b")
MANAGER_NAME = re.compile(r"\b([A-Z][A-Za-z]+)\.objects\b")
# A view parses, checks and renders: building a queryset (or fetching past the user's scope with
# get_object_or_404) belongs in a query function that takes the user.
QUERY_IN_VIEW = re.compile(r"\.(filter|exclude|annotate|order_by)\(|\bget_object_or_404\b")
# A form parses what was typed: its choices come from query functions, never a manager.
MANAGER_IN_FORM = re.compile(r"\.objects\b")
# Markup belongs in templates: a view or a presenter hands plain values (or a Partial naming the
# partial template that draws them) to its template, and never builds HTML in Python.
MARKUP_IN_PYTHON = re.compile(
    r"\b(format_html|format_html_join|mark_safe|SafeString|SafeText|tag_html|linebreaks"
    r"|linebreaksbr|render_to_string)\b"
)


def python_files(pattern):
    for app in APPS:
        yield from sorted((ROOT / app).glob(pattern))


def view_modules():
    return [*python_files("views.py"), *python_files("views/*.py")]


def presenter_modules():
    return [*python_files("presenters.py"), *python_files("presenters/*.py")]


def form_modules():
    return [*python_files("forms.py"), *python_files("forms/*.py")]


def offences(paths, pattern) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in paths
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]


def test_views_reach_data_only_through_query_functions():
    offenders = offences(view_modules(), MANAGER)
    assert not offenders, "Views must call a query function that takes the user:\n" + "\n".join(
        offenders
    )


def test_views_build_no_querysets_of_their_own():
    offenders = offences(view_modules(), QUERY_IN_VIEW)
    assert not offenders, (
        "Move the query to the app's queries.py, as a function that takes the user:\n"
        + "\n".join(offenders)
    )


def test_views_and_presenters_build_no_markup():
    offenders = offences([*view_modules(), *presenter_modules()], MARKUP_IN_PYTHON)
    assert not offenders, (
        "Draw it in a partial template (templates/<app>/_<name>.html) and hand it plain values "
        "from the app's presenters.py, as a ctr_portal.partials.Partial:\n" + "\n".join(offenders)
    )


@pytest.mark.parametrize(
    "line",
    [
        "link = format_html('<a href=\"{}\">{}</a>', href, title)",
        'files = format_html_join(mark_safe("<br>"), "{}", rows)',
        "return tag_html(person.dsr_short_label, person.dsr_colour)",
        '{"key": "Venue", "value": linebreaksbr(review.venue)},',
        "body=SafeString(html),",
        'status = render_to_string("nhsuk/components/tag.html", context)',
    ],
)
def test_the_markup_rule_catches_html_however_it_is_built(line):
    assert MARKUP_IN_PYTHON.search(line)


@pytest.mark.parametrize(
    "line",
    [
        'shown = tag(f"Overdue: due {due}", "red")',
        '{"key": "Venue", "value": line_breaks(review.venue)},',
        'Partial("documents/_item_link.html", {"href": href, "title": item.title})',
        '"preview": rendering.report_body(content),',
    ],
)
def test_the_markup_rule_lets_partials_through(line):
    assert not MARKUP_IN_PYTHON.search(line)


def test_forms_read_nothing_through_a_model_manager():
    offenders = offences(form_modules(), MANAGER_IN_FORM)
    assert not offenders, "Forms get their choices from query functions:\n" + "\n".join(offenders)


def test_the_rules_walk_every_app_of_the_project_and_no_other():
    """The apps come from INSTALLED_APPS, so the later ones (portal, reports, metrics) are
    walked, and no installed package from outside the project is."""
    assert {"ctr_portal", "reviews", "portal", "reports", "metrics"} <= set(APPS)
    assert not {"admin", "auth", "rules", "axes", "otp_totp"} & set(APPS)
    assert all((ROOT / app / "apps.py").exists() for app in APPS)


def test_the_rules_see_every_views_and_forms_module():
    names = {str(path.relative_to(ROOT)) for path in [*view_modules(), *form_modules()]}
    assert {
        "reviews/views/reviews.py",
        "reviews/views/people.py",
        "panels/views.py",
        "documents/views.py",
        "ctr_portal/views/accounts.py",
        "reviews/forms/people.py",
        "panels/forms.py",
        "ctr_portal/forms.py",
    } <= names
    presenters = {str(path.relative_to(ROOT)) for path in presenter_modules()}
    assert {
        "reviews/presenters.py",
        "documents/presenters.py",
        "oversight/presenters.py",
        "portal/presenters.py",
    } <= presenters


@pytest.mark.parametrize(
    ("line", "pattern"),
    [
        ("reviews = queries.reviews_for_user(user).filter(person=person)", QUERY_IN_VIEW),
        ("        .exclude(state=ReviewState.CANCELLED)", QUERY_IN_VIEW),
        ('    .annotate(due=Min("due_date"))', QUERY_IN_VIEW),
        ('        .order_by("due_date", "pk")', QUERY_IN_VIEW),
        ("review = get_object_or_404(Review, pk=pk)", QUERY_IN_VIEW),
        ("queryset=Organisation.objects.none(),", MANAGER_IN_FORM),
        ("return org.memberships.model.objects.all()", MANAGER_IN_FORM),
    ],
)
def test_the_rules_catch_a_query_however_it_is_written(line, pattern):
    assert pattern.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "filter_form=form,",
        "filters = form.to_filter()",
        "reviews = queries.review_list(user, filters)",
        "participants=queries.participants_for_review(review),",
    ],
)
def test_the_rules_let_plain_view_code_through(line):
    assert not QUERY_IN_VIEW.search(line)


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
            r"^\s*(from|import)\s+(panels|documents|recommendations|reports|portal|oversight)\b",
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


# What writes rows through a manager or queryset (a model instance's save() is the app's own).
WRITE_METHODS = frozenset(
    {
        "create",
        "bulk_create",
        "get_or_create",
        "update_or_create",
        "update",
        "bulk_update",
        "delete",
        "select_for_update",
    }
)


def _parents(tree) -> dict:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def manager_chains(source: str):
    """(model name, line, methods called) for each chain that starts at `Model.objects`, however
    it is laid out over lines: `Review.objects.filter(...)\n.update(...)` is one chain."""
    tree = ast.parse(source)
    parents = _parents(tree)
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
        ):
            continue
        methods, current = [], node
        while (parent := parents.get(current)) is not None and (
            (isinstance(parent, ast.Attribute) and parent.value is current)
            or (isinstance(parent, ast.Call) and parent.func is current)
            or (isinstance(parent, ast.Subscript) and parent.value is current)
        ):
            if isinstance(parent, ast.Attribute):
                methods.append(parent.attr)
            current = parent
        yield node.value.id, node.lineno, methods


def test_apps_write_another_apps_tables_only_through_its_services():
    """Another app's rows may be read through its query functions and its models' querysets
    (the metrics app reads every app's rows that way, ADR 0014); a write through another app's
    manager or queryset (create, update, delete, a row lock) appears nowhere but in the owning
    app. Demo seeders are the one exception, since they stand rows up as they would be after
    the day."""
    owner = _owning_app_by_model()
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path.name == "demo.py":
                continue
            for model, line, methods in manager_chains(path.read_text()):
                writes = WRITE_METHODS.intersection(methods)
                if owner.get(model, app) != app and writes:
                    offenders.append(f"{path.relative_to(ROOT)}:{line}: {model} {sorted(writes)}")
    assert not offenders, "Call the owning app's services:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    ("source", "writes"),
    [
        ("Review.objects.create(person=p)", {"create"}),
        ("Review.objects.filter(pk=1)\\\n    .exclude(state='x').update(state='held')", {"update"}),
        ("n = (\n    Review.objects.filter(pk=1)\n    .delete()\n)", {"delete"}),
        ("Review.objects.select_for_update().get(pk=1)", {"select_for_update"}),
        ("Review.objects.commissioned_by(ids).held_between(a, b).annotate(m=F('x'))", set()),
        ("Exists(DocumentPack.objects.filter(review=OuterRef('pk')))", set()),
    ],
)
def test_the_write_rule_sees_a_write_however_the_chain_is_laid_out(source, writes):
    [(model, _, methods)] = manager_chains(source)
    assert WRITE_METHODS.intersection(methods) == writes


def test_timeline_entries_and_transitions_go_through_the_reviews_services():
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and path.name != "demo.py"
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"\.transition\(|ReviewEvent\.objects\.create\(", line)
        and not (app == "reviews" and path.parent.name == "services")
    ]
    assert not offenders, "Use review_transition / review_event_record:\n" + "\n".join(offenders)
