"""The access matrix: every URL pattern of the project, called as anonymous and as every role,
against the table below (pretix's test_permissions.py, extended). A URL missing from the table
fails the test, so no page can be added without deciding who may see it.

Each row is (kwargs, GET expectation, POST expectation). Every view that takes a POST is posted
an empty form as every role: where the role may act, the answer must not be a server error;
where it may not, the answer is the refusal in the row and no row of the project's tables has
changed. A view that takes a POST has a POST expectation, one that takes none has NO_POST: the
views themselves say which (see `takes_post`), so the table cannot fall behind them.

The world holds a second review in the same ICB, for another person, with its own panel, family
and person: those who take part in the first review are refused every page of the second (404),
for GET and POST, and no URL lets an object of the second review in through the first's.

Later issues add their URLs to MATRIX. Objects a role has no part in answer 404; a participant
without the right answers 403.
"""

import itertools
from functools import cache
from urllib.parse import urlsplit

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    resolve,
    reverse,
)

from .conftest import PARTICIPANT_ROLES, ROLES
from .project_apps import PROJECT_APPS

ANON = None
EVERYONE = [ANON, *ROLES]
LOGIN_REDIRECT = 302
# A POST expectation: the role may act, so an empty form must not answer with a server error (a
# page with the form's errors or a redirect are both fine).
ACTS = "acts"
# The POST expectation of a view that takes no POST.
NO_POST = None


def everyone(status):
    return dict.fromkeys(EVERYONE, status)


def signed_in(status=200, anonymous=LOGIN_REDIRECT):
    return {ANON: anonymous, **dict.fromkeys(ROLES, status)}


def only(allowed: dict, others, anonymous=LOGIN_REDIRECT):
    expected = {ANON: anonymous, **dict.fromkeys(ROLES, others)}
    expected.update(allowed)
    return expected


def acting(expected):
    """The POST expectation of a form page: who sees the form (200) may post it; everyone else
    is refused as they are for GET."""
    return {role: ACTS if status == 200 else status for role, status in expected.items()}


def no_kwargs(ctx):
    return {}


def organisation_kwargs(ctx):
    return {"pk": ctx["organisations"]["icb"].pk}


def admin_model(name):
    """The model an admin URL name belongs to (admin:<app>_<model>_<view>), if any."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model

    if name.startswith("admin:auth_user_"):  # UserAdmin names its password URL after auth.User
        return get_user_model()
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    return None


def admin_kwargs_for(name):
    def build(ctx):
        from django.contrib.contenttypes.models import ContentType

        model = admin_model(name) or type(ctx["organisations"]["icb"])
        obj = model._default_manager.order_by("pk").first()
        pk = str(obj.pk) if obj else "999999"
        return {
            "app_label": model._meta.app_label,
            "object_id": pk,
            "pk": pk,
            "id": pk,
            "content_type_id": str(ContentType.objects.get_for_model(model).pk),
        }

    return build


def provider_kwargs(ctx):
    return {"provider": "cis2"}


def reset_kwargs(ctx):
    return {"uidb64": "MQ", "token": "not-a-token"}


def person_kwargs(ctx):
    return {"pk": ctx["world"]["person"].pk}


def review_kwargs(ctx):
    return {"pk": ctx["world"]["review"].pk}


def transfer_kwargs(ctx):
    """A pending request from the other ICB for the world's person, whom the ICB holds."""
    from reviews.models import TransferRequest

    person = ctx["world"]["person"]
    request, _ = TransferRequest.objects.get_or_create(
        person=person,
        to_organisation=ctx["organisations"]["icb_other"],
        state=TransferRequest.State.PENDING,
        defaults={
            "from_organisation": person.responsible_commissioner,
            "requested_by": ctx["users"]["commissioner_other_org"],
        },
    )
    return {"pk": request.pk}


def token_kwargs(ctx):
    return {"token": "no-such-invitation"}


COMMISSIONERS_ONLY = only(
    {"commissioner": 200, "commissioner_other_org": 200, "chair": 200}, others=403
)
# Nothing waiting to be checked with PDS: back to the register form.
REGISTER_CHECK = only(
    {"commissioner": 302, "commissioner_other_org": 302, "chair": 302}, others=403
)
# The person belongs to the commissioner's ICB (the chair works there too).
PERSON_OWNERS = only({"commissioner": 200, "chair": 200}, others=404)
REVIEW_PARTIES = only(
    {
        role: 200
        for role in ROLES
        if role not in ("commissioner_other_org", "administrator", "oversight_panel")
    },
    others=404,
)
REVIEW_MANAGERS = only(
    {
        "commissioner": 200,
        "chair": 200,
        "clinical_expert": 403,
        "expert_by_experience": 403,
        "provider": 403,
        "local_authority": 403,
        "family_carer": 403,
        "person": 403,
    },
    others=404,
)

# The panel's experts declare their independence; nobody else has one to declare.
INDEPENDENCE = only(
    {
        "clinical_expert": 200,
        "expert_by_experience": 200,
        "commissioner": 403,
        "chair": 403,
        "provider": 403,
        "local_authority": 403,
        "family_carer": 403,
        "person": 403,
    },
    others=404,
)

# Public pages a signed-in user is sent away from (they are already signed in).
SIGNED_OUT_ONLY = {ANON: 200, **dict.fromkeys(ROLES, 302)}

MATRIX = {
    # ctr_portal
    "dashboard": (no_kwargs, signed_in(200), NO_POST),
    # A function view: it answers whatever the method.
    "healthz": (no_kwargs, everyone(200), everyone(ACTS)),
    "accessibility": (no_kwargs, everyone(200), NO_POST),
    "accessibility_easy_read": (no_kwargs, everyone(200), NO_POST),
    # GOV.UK Notify's delivery receipts: POST only, and only with the bearer token (on for the
    # matrix, `notify_receipts_on`), which no session stands in for.
    "notify_receipt": (no_kwargs, everyone(405), everyone(401)),
    "privacy": (no_kwargs, everyone(200), NO_POST),
    "organisation": (
        organisation_kwargs,
        only({"commissioner": 200, "chair": 200, "administrator": 200}, others=404),
        NO_POST,
    ),
    # Anyone may try to sign in, a signed-in user too (as someone else).
    "accounts:login": (no_kwargs, SIGNED_OUT_ONLY, everyone(ACTS)),
    # Demo sign-in is off outside the demo: the page is not found.
    "accounts:demo_sign_in": (no_kwargs, everyone(405), everyone(404)),
    "accounts:logout": (no_kwargs, signed_in(200), signed_in(ACTS)),
    "accounts:two_factor_setup": (no_kwargs, signed_in(200), signed_in(ACTS)),
    # Everyone here has passed the second factor (or needs none and has no device yet).
    "accounts:two_factor_verify": (no_kwargs, signed_in(302), signed_in(302)),
    "accounts:password_reset": (no_kwargs, everyone(200), everyone(ACTS)),
    # How anyone likes to read the service: signed in (kept on the account) or not (a cookie).
    "accounts:reading_format": (no_kwargs, everyone(200), everyone(ACTS)),
    "accounts:password_reset_done": (no_kwargs, everyone(200), NO_POST),
    "accounts:password_reset_confirm": (reset_kwargs, everyone(200), everyone(ACTS)),
    "accounts:password_reset_complete": (no_kwargs, everyone(200), NO_POST),
    "accounts:session_keepalive": (no_kwargs, signed_in(405), signed_in(ACTS)),
    "accounts:account": (no_kwargs, signed_in(200), NO_POST),
    # CIS2 and NHS login (ADR 0023) are off here: their pages are not found. The service's
    # public keys and the refusal page are for anyone.
    "accounts:oidc_start": (provider_kwargs, everyone(404), NO_POST),
    "accounts:oidc_callback": (provider_kwargs, everyone(404), NO_POST),
    "accounts:oidc_jwks": (no_kwargs, everyone(200), NO_POST),
    "accounts:sign_in_refused": (no_kwargs, everyone(403), NO_POST),
    "accounts:cis2_backchannel_logout": (no_kwargs, everyone(405), everyone(404)),
    # reviews: people belong to their commissioners; nobody else learns they exist.
    "reviews:person_list": (no_kwargs, COMMISSIONERS_ONLY, acting(COMMISSIONERS_ONLY)),
    "reviews:person_create": (no_kwargs, COMMISSIONERS_ONLY, acting(COMMISSIONERS_ONLY)),
    "reviews:person_detail": (person_kwargs, PERSON_OWNERS, NO_POST),
    "reviews:person_edit": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    # PDS (switched on for the matrix, `pds_switched_on`): registering's second step sends
    # those who may register back to the form when nothing waits; a registered person's check
    # is their owners' (posting it asks the stand-in PDS, which knows nobody).
    "reviews:person_register_check": (no_kwargs, REGISTER_CHECK, acting(REGISTER_CHECK)),
    "reviews:person_pds": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "reviews:person_contact_create": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "reviews:person_dsr": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "reviews:person_setting": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "reviews:person_laep": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "reviews:person_diagnosis_removed": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "reviews:person_root_cause": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "reviews:person_segregation": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    "reviews:person_restrictive_practice": (
        person_kwargs,
        PERSON_OWNERS,
        acting(PERSON_OWNERS),
    ),
    "reviews:review_plan": (person_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    # Moving a record: any commissioner may ask (the answer is the same whether or not the
    # details match anyone); only the commissioner holding the record sees the request, so the
    # organisation that asked gets 404 like everyone else.
    "reviews:transfer_request": (no_kwargs, COMMISSIONERS_ONLY, acting(COMMISSIONERS_ONLY)),
    "reviews:transfer_sent": (no_kwargs, COMMISSIONERS_ONLY, NO_POST),
    "reviews:transfer_decide": (transfer_kwargs, PERSON_OWNERS, acting(PERSON_OWNERS)),
    # reviews: the review. Everyone with a part sees its page (what is on it depends on role
    # and consent); only its commissioners manage it.
    "reviews:review_list": (no_kwargs, signed_in(200), NO_POST),
    "reviews:review_detail": (review_kwargs, REVIEW_PARTIES, NO_POST),
    # The calendar holds the place and kind of review: details the gate keeps from the expert by
    # experience, who has not declared independence.
    "reviews:review_calendar": (
        review_kwargs,
        {**REVIEW_PARTIES, "expert_by_experience": 403},
        NO_POST,
    ),
    "reviews:review_schedule": (review_kwargs, REVIEW_MANAGERS, acting(REVIEW_MANAGERS)),
    "reviews:review_agenda": (review_kwargs, REVIEW_MANAGERS, acting(REVIEW_MANAGERS)),
    "reviews:review_transition": (review_kwargs, REVIEW_MANAGERS, acting(REVIEW_MANAGERS)),
    "reviews:review_consent": (review_kwargs, REVIEW_MANAGERS, acting(REVIEW_MANAGERS)),
    "reviews:review_participant_add": (review_kwargs, REVIEW_MANAGERS, acting(REVIEW_MANAGERS)),
    "reviews:review_attendance": (review_kwargs, REVIEW_MANAGERS, acting(REVIEW_MANAGERS)),
    "reviews:review_consent_form": (
        review_kwargs,
        only(
            {
                "commissioner": 200,
                "chair": 200,
                "person": 200,
                "clinical_expert": 403,
                "expert_by_experience": 403,
                "family_carer": 403,
                "provider": 403,
                "local_authority": 403,
            },
            others=404,
        ),
        NO_POST,
    ),
    "reviews:review_independence": (review_kwargs, INDEPENDENCE, acting(INDEPENDENCE)),
    "reviews:invitation_accept": (token_kwargs, everyone(404), everyone(404)),
}


def _app_matrices():
    """Each later app keeps its rows in tests/<app>/access_matrix.py (MATRIX); merged here."""
    import importlib

    merged = {}
    for app in (
        "documents",
        "panels",
        "recommendations",
        "portal",
        "reports",
        "oversight",
        "metrics",
        "links",
    ):
        try:
            module = importlib.import_module(f"tests.{app}.access_matrix")
        except ModuleNotFoundError as error:
            if error.name != f"tests.{app}.access_matrix":
                raise
            continue
        merged.update(module.MATRIX)
    return merged


MATRIX.update(_app_matrices())

# Django's admin: administrators only; anyone else is sent to sign in (through our page, with
# two-factor). Every admin URL is checked, including those of models added later. Its views are
# functions that answer any method, so each takes a POST too, refused as its GET is (an
# administrator's empty form changes nothing: a delete needs its confirmation posted).
ADMIN_EXPECTED = only({"administrator": 200}, others=302)
ADMIN_OVERRIDES = {
    "admin:logout": (
        only({"administrator": 405}, others=302),
        only({"administrator": ACTS}, others=302),
    ),
    "admin:view_on_site": (only({"administrator": 404}, others=302),) * 2,
    "admin:login": (everyone(302),) * 2,
    # Nobody, administrators included, may read another person's authenticator secret.
    "admin:otp_totp_totpdevice_config": (only({"administrator": 403}, others=302),) * 2,
    "admin:otp_totp_totpdevice_qrcode": (only({"administrator": 403}, others=302),) * 2,
    # The autocomplete endpoint refuses a request that names no field; it and the admin's
    # JavaScript catalogue are class-based views inside, which answer GET only.
    "admin:autocomplete": (only({"administrator": 403}, others=302), NO_POST),
    "admin:jsi18n": (ADMIN_EXPECTED, NO_POST),
    "admin:password_change_done": (ADMIN_EXPECTED, NO_POST),
}
# Nobody adds rows to the audit trail, the outbox or the sign-in logs by hand, and nobody
# deletes audit events or notifications (deleting a failed sign-in attempt unlocks an account).
# Local choices are declared in code: each has its row, which is changed, never added or deleted.
NO_ADD = {
    "auditevent",
    "notification",
    "accessattempt",
    "accessfailurelog",
    "accesslog",
    "localpolicysetting",
}
NO_DELETE = {"auditevent", "notification", "localpolicysetting"}


def admin_expected(name):
    """(GET, POST) expectations of an admin URL."""
    if name in ADMIN_OVERRIDES:
        return ADMIN_OVERRIDES[name]
    model = admin_model(name)
    if model is not None:
        view = name.rsplit("_", 1)[1]
        forbidden = NO_ADD if view == "add" else NO_DELETE if view == "delete" else set()
        if model._meta.model_name in forbidden:
            return (only({"administrator": 403}, others=302),) * 2
        if view in ("change", "delete", "history") and not model._default_manager.exists():
            # The admin sends you back to the list when the object is not there.
            return (only({"administrator": 302}, others=302),) * 2
    return ADMIN_EXPECTED, acting(ADMIN_EXPECTED)


@cache
def all_url_names():
    """Every named URL pattern of the project, namespaces included."""
    found = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                found.append(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "")
    return tuple(sorted(set(found)))


def expected_for(name):
    """(kwargs, GET expectation, POST expectation) for a URL name, or None."""
    if name in MATRIX:
        return MATRIX[name]
    if name.startswith("admin:"):
        return admin_kwargs_for(name), *admin_expected(name)
    return None


def takes_post(url):
    """Whether the view behind `url` takes a POST, as a class-based view says by its methods.
    None for a function view, which says nothing about its methods: the administrator's run of
    the matrix asks it instead (with no POST row, it must answer them 405)."""
    view_class = getattr(resolve(urlsplit(url).path).func, "view_class", None)
    if view_class is None:
        return None
    return "post" in view_class.http_method_names and hasattr(view_class, "post")


@pytest.mark.django_db
def test_every_url_is_in_the_matrix():
    missing = [name for name in all_url_names() if expected_for(name) is None]
    assert not missing, f"Add these URLs to the access matrix: {missing}"


def test_the_matrix_names_no_url_that_does_not_exist():
    names = set(all_url_names())
    assert not [name for name in MATRIX if name not in names]


@pytest.mark.django_db
def test_every_row_expects_something_of_every_role_for_get_and_post():
    wrong = []
    for name in all_url_names():
        row = expected_for(name)
        if row is None:
            continue
        if len(row) != 3:
            wrong.append(f"{name}: give the row (kwargs, GET, POST); POST is NO_POST if none")
            continue
        _, get, post = row
        if set(get) != set(EVERYONE) or not all(isinstance(s, int) for s in get.values()):
            wrong.append(f"{name}: the GET expectation needs a status for every role")
        if post is not NO_POST and (
            set(post) != set(EVERYONE)
            or not all(s is ACTS or isinstance(s, int) for s in post.values())
        ):
            wrong.append(f"{name}: the POST expectation needs ACTS or a status for every role")
    assert not wrong, "\n".join(wrong)


def test_every_url_that_takes_a_post_has_a_post_expectation(users, organisations, review_world):
    ctx = {"users": users, "organisations": organisations, "world": review_world}
    wrong = []
    for name in all_url_names():
        kwargs_for, _, post = expected_for(name)
        takes = takes_post(_reverse(name, kwargs_for(ctx)))
        if takes and post is NO_POST:
            wrong.append(f"{name} takes a POST: give its row a POST expectation")
        elif takes is False and post is not NO_POST:
            wrong.append(f"{name} takes no POST: its row's POST expectation is NO_POST")
    assert not wrong, "\n".join(wrong)


# Admin URLs take different subsets of the sample kwargs: the one that fits, by name.
_FITTING_KEYS = {}


def _reverse(name, kwargs):
    if name in _FITTING_KEYS:
        return reverse(name, kwargs={k: kwargs[k] for k in _FITTING_KEYS[name]})
    for size in range(len(kwargs), -1, -1):
        for keys in itertools.combinations(kwargs, size):
            try:
                url = reverse(name, kwargs={k: kwargs[k] for k in keys})
            except NoReverseMatch:
                continue
            _FITTING_KEYS[name] = keys
            return url
    raise AssertionError(f"Cannot build a URL for {name}")


# The project's own tables, which a refused POST must leave as they were; refusals are audited,
# so the audit trail may grow (sessions and sign-in logs belong to other apps).
CHECKED_APPS = set(PROJECT_APPS)
UNCHECKED_TABLES = {"ctr_portal.auditevent"}
# Opening a page changes nothing either, but reading a pack document is logged by design.
GET_MAY_WRITE = {"documents.documentaccess"}


def checked_models():
    for model in django_apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in CHECKED_APPS and label not in UNCHECKED_TABLES:
            yield label, model


class WriteLog:
    """Notes every row a request inserts, changes or deletes in the checked tables: SQLite
    triggers, made for the test in the connection's temporary schema (gone with the test's
    transaction), write the table and what happened to a temporary table. One cheap query after
    each request instead of reading every table. An UPDATE that leaves a row as it was is not a
    change, as it was not when the tables were compared row by row. A write a failed savepoint
    undoes is undone in the log too."""

    TABLE = "access_matrix_writes"

    def __init__(self):
        self.triggers = []
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE {self.TABLE} (change TEXT)")
            for label, model in checked_models():
                for sql in self._trigger_sql(label, model):
                    cursor.execute(sql)

    def _trigger_sql(self, label, model):
        quote = connection.ops.quote_name
        table = model._meta.db_table
        columns = [quote(f.column) for f in model._meta.local_concrete_fields]
        differs = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        for op, done, when in (
            ("INSERT", "inserted", ""),
            ("UPDATE", "changed", f"WHEN {differs}"),
            ("DELETE", "deleted", ""),
        ):
            name = quote(f"access_matrix_{table}_{op.lower()}")
            self.triggers.append(name)
            yield (
                f"CREATE TEMP TRIGGER {name} AFTER {op} ON main.{quote(table)} {when} "
                f"BEGIN INSERT INTO {self.TABLE} VALUES ('{label} rows {done}'); END"
            )

    def start(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.TABLE}")  # noqa: S608 - our names

    def changes(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT change FROM {self.TABLE} ORDER BY change")  # noqa: S608
            return [change for (change,) in cursor.fetchall()]

    def forget(self):
        """Writes since the last start are allowed (a role that may act has acted)."""

    def close(self):
        with connection.cursor() as cursor:
            for name in self.triggers:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")


class PostgresWriteLog(WriteLog):
    """The write log on PostgreSQL: a temporary table, and row triggers on the checked tables
    calling one function, all made inside the test's transaction and so gone with its rollback
    (PostgreSQL's DDL is transactional). An UPDATE whose row is not distinct is not a change."""

    FUNCTION = "access_matrix_note_write"

    def __init__(self):
        self.triggers = []
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMP TABLE {self.TABLE} (change TEXT)")
            cursor.execute(
                f"CREATE FUNCTION {self.FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN INSERT INTO {self.TABLE} VALUES (TG_ARGV[0] || ' rows ' || TG_ARGV[1]); "
                "RETURN NULL; END $$"
            )
            for label, model in checked_models():
                for sql in self._trigger_sql(label, model):
                    cursor.execute(sql)

    def _trigger_sql(self, label, model):
        quote = connection.ops.quote_name
        table = model._meta.db_table
        for op, done, when in (
            ("INSERT", "inserted", ""),
            ("UPDATE", "changed", "WHEN (OLD.* IS DISTINCT FROM NEW.*)"),
            ("DELETE", "deleted", ""),
        ):
            name = quote(f"am_{table}_{op.lower()}"[:63])
            self.triggers.append((name, quote(table)))
            yield (
                f"CREATE TRIGGER {name} AFTER {op} ON {quote(table)} FOR EACH ROW {when} "
                f"EXECUTE FUNCTION {self.FUNCTION}('{label}', '{done}')"
            )

    def close(self):
        with connection.cursor() as cursor:
            for name, table in self.triggers:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {self.FUNCTION}()")
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")


class TableSnapshot:
    """The same, for other databases: every row of every checked table, read before and after
    each request (read raw, in primary-key order) and compared."""

    def __init__(self):
        self.rows = None

    def _read(self):
        quote = connection.ops.quote_name
        rows = {}
        with connection.cursor() as cursor:
            for label, model in checked_models():
                table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
                cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")  # noqa: S608 - our names
                rows[label] = cursor.fetchall()
        return rows

    def start(self):
        if self.rows is None:
            self.rows = self._read()

    def changes(self) -> list[str]:
        before, after = self.rows, self._read()
        self.rows = after
        changes = []
        for label, rows in after.items():
            if rows == before[label]:
                continue
            if len(rows) != len(before[label]):
                changes.append(f"{label} {len(before[label])} -> {len(rows)} rows")
            else:
                changes.append(f"{label} rows changed")
        return changes

    def forget(self):
        self.rows = None

    def close(self):
        pass


@pytest.fixture
def table_watch(db):
    """What changed in the checked tables since `start()`: a write log made by triggers on
    SQLite and PostgreSQL, a comparison of every row elsewhere."""
    logs = {"sqlite": WriteLog, "postgresql": PostgresWriteLog}
    watch = logs.get(connection.vendor, TableSnapshot)()
    yield watch
    watch.close()


def test_the_table_watch_sees_every_write_to_a_checked_table_and_nothing_else(table_watch, users):
    from ctr_portal.models import Organisation

    from .factories import AuditEventFactory, OrganisationFactory

    def changed(write):
        table_watch.start()
        write()
        return [change.split()[0] for change in table_watch.changes()]

    organisation = OrganisationFactory(name="Watched")
    rows = Organisation.objects.filter(pk=organisation.pk)
    assert changed(lambda: None) == []
    assert changed(organisation.save) == []  # written as it was: nothing changed
    assert changed(lambda: AuditEventFactory(actor=users["commissioner"])) == []  # unchecked
    assert changed(lambda: rows.update(name="Renamed")) == ["ctr_portal.organisation"]
    assert changed(lambda: OrganisationFactory(name="Made")) == ["ctr_portal.organisation"]
    assert changed(rows.delete) == ["ctr_portal.organisation"]
    assert changed(lambda: None) == []


def _sign_in_paths():
    """Our sign-in page, and the admin's, which sends you on to ours (`admin:login` above)."""
    return {resolve_url(settings.LOGIN_URL), reverse("admin:login")}


class Probe:
    """One role's client, and what it found wrong. Each GET and each refused POST is checked
    against the tables as they were before it."""

    def __init__(self, client_for, role, watch):
        self.client_for, self.role, self.watch = client_for, role, watch
        self.client = client_for(role)
        self.failures = []

    def get(self, name, url, expected):
        """A GET answers as expected and, whoever sends it, writes nothing (issue 9: pages never
        make the rows they show; the event that calls for them does)."""
        self.watch.start()
        self._check("GET", name, url, expected, self._send("GET", name, url))
        changes = [
            change for change in self.watch.changes() if change.split()[0] not in GET_MAY_WRITE
        ]
        if changes:
            self.failures.append(f"GET {name} ({url}) changed {changes}")

    def post(self, name, url, expected):
        self.watch.start()
        response = self._send("POST", name, url)
        if expected is ACTS:
            status = response.status_code if response is not None else None
            if status is not None and (status >= 500 or status == 405):
                self.failures.append(f"POST {name} ({url}): may act, got {status}")
            if self.role is not ANON and (
                response is None or not response.wsgi_request.user.is_authenticated
            ):
                self.client = self.client_for(self.role)  # acting signed them out
            self.watch.forget()  # and may have changed rows
            return
        self._check("POST", name, url, expected, response)
        changes = self.watch.changes()
        if changes:
            self.failures.append(f"POST {name} ({url}) was refused but changed {changes}")

    def _send(self, method, name, url):
        try:
            return getattr(self.client, method.lower())(url)
        except Exception as error:  # noqa: BLE001 - a server error, reported with the rest
            self.failures.append(f"{method} {name} ({url}) raised {error!r}")
            return None

    def _check(self, method, name, url, expected, response):
        if response is None:
            return
        status = response.status_code
        if status != expected:
            self.failures.append(f"{method} {name} ({url}): expected {expected}, got {status}")
        elif self.role is ANON and status == LOGIN_REDIRECT:
            target = urlsplit(response["Location"]).path
            if target not in _sign_in_paths():
                self.failures.append(f"{method} {name} ({url}): sent to {target}, not sign-in")


def _urls(ctx, like=None):
    """name -> (kwargs, url, GET expectation, POST expectation) for every URL. The kwargs
    builders make the objects they name, so this runs before the first request. With `like`
    (another world's), only the URLs whose kwargs differ from it."""
    urls = {}
    for name in all_url_names():
        kwargs_for, get, post = expected_for(name)
        kwargs = kwargs_for(ctx)
        if like is None or kwargs != like[name][0]:
            urls[name] = (kwargs, _reverse(name, kwargs), get, post)
    return urls


def _mixed_url(name, first, second):
    """The first review's URL naming the second review's object (a workbook, a concern), or
    None when the URL names nothing inside the review."""
    if second is None or "pk" not in first or first.keys() != second.keys():
        return None
    kwargs = {**second, "pk": first["pk"]}
    return None if kwargs in (first, second) else reverse(name, kwargs=kwargs)


@pytest.fixture(autouse=True)
def pds_switched_on(pds_on):
    """The PDS pages exist only while PDS is on (404 for everyone otherwise): the matrix checks
    them on, against the stand-in PDS."""


@pytest.fixture(autouse=True)
def notify_receipts_on(settings):
    settings.NOTIFY_CALLBACK_TOKEN = "the-matrix-sends-no-bearer-token"


@pytest.fixture
def sample_objects(users):
    """One row of each model the admin shows, so its change pages have something to open."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .factories import AuditEventFactory, NotificationFactory

    AuditEventFactory(actor=users["commissioner"])
    NotificationFactory()
    Group.objects.create(name="Sample")
    TOTPDevice.objects.create(user=users["commissioner"], name="Sample", confirmed=True)


@pytest.mark.slow
@pytest.mark.parametrize("role", EVERYONE, ids=lambda r: r or "anonymous")
def test_access_matrix(
    role,
    client_for,
    users,
    organisations,
    sample_objects,
    review_world,
    second_review_world,
    table_watch,
):
    first = _urls({"users": users, "organisations": organisations, "world": review_world})
    second = _urls(
        {"users": users, "organisations": organisations, "world": second_review_world}, like=first
    )
    probe = Probe(client_for, role, table_watch)

    for name, (_, url, get, _) in first.items():
        probe.get(name, url, get[role])

    # The second review's pages, to those who take part in the first: the chair works for the
    # ICB, so is answered as its commissioners are; the others have no part in it at all.
    if role in PARTICIPANT_ROLES:
        as_role = "commissioner" if role == "chair" else None
        for name, (_, url, get, post) in second.items():
            probe.get(name, url, get[as_role] if as_role else 404)
            if post is not NO_POST:
                probe.post(name, url, post[as_role] if as_role else 404)

    # An object of the second review reached through the first: not found, for those who may
    # act on the first's.
    for name, (kwargs, _, get, post) in first.items():
        url = _mixed_url(name, kwargs, second.get(name, (None,))[0])
        if url is None:
            continue
        if get[role] == 200:
            probe.get(name, url, 404)
        if post is not NO_POST and post[role] is ACTS:
            probe.post(name, url, 404)

    for name, (_, url, _, post) in first.items():
        if post is not NO_POST:
            probe.post(name, url, post[role])
        elif role == "administrator" and takes_post(url) is None:
            # A function view without a POST row must refuse the method to someone it lets in.
            probe.post(name, url, 405)

    assert not probe.failures, "\n".join(probe.failures)
