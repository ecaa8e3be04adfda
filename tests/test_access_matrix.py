"""The access matrix: every URL pattern of the project, called as anonymous and as every role,
against the table below (pretix's test_permissions.py, extended). A URL missing from the table
fails the test, so no page can be added without deciding who may see it.

Later issues add their URLs to MATRIX. Objects a role has no part in answer 404; a participant
without the right answers 403.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .conftest import ROLES

ANON = None
EVERYONE = [ANON, *ROLES]
LOGIN_REDIRECT = 302


def everyone(status):
    return dict.fromkeys(EVERYONE, status)


def signed_in(status=200, anonymous=LOGIN_REDIRECT):
    return {ANON: anonymous, **dict.fromkeys(ROLES, status)}


def only(allowed: dict, others, anonymous=LOGIN_REDIRECT):
    expected = {ANON: anonymous, **dict.fromkeys(ROLES, others)}
    expected.update(allowed)
    return expected


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


def reset_kwargs(ctx):
    return {"uidb64": "MQ", "token": "not-a-token"}


def person_kwargs(ctx):
    return {"pk": ctx["world"]["person"].pk}


def review_kwargs(ctx):
    return {"pk": ctx["world"]["review"].pk}


def token_kwargs(ctx):
    return {"token": "no-such-invitation"}


COMMISSIONERS_ONLY = only(
    {"commissioner": 200, "commissioner_other_org": 200, "chair": 200}, others=403
)
# The person belongs to the commissioner's ICB (the chair works there too).
PERSON_OWNERS = only({"commissioner": 200, "chair": 200}, others=404)
REVIEW_PARTIES = only(
    {role: 200 for role in ROLES if role not in ("commissioner_other_org", "administrator")},
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

# Public pages a signed-in user is sent away from (they are already signed in).
SIGNED_OUT_ONLY = {ANON: 200, **dict.fromkeys(ROLES, 302)}

MATRIX = {
    # ctr_portal
    "dashboard": (no_kwargs, signed_in(200)),
    "healthz": (no_kwargs, everyone(200)),
    "accessibility": (no_kwargs, everyone(200)),
    "privacy": (no_kwargs, everyone(200)),
    "organisation": (
        organisation_kwargs,
        only({"commissioner": 200, "chair": 200, "administrator": 200}, others=404),
    ),
    "accounts:login": (no_kwargs, SIGNED_OUT_ONLY),
    "accounts:demo_sign_in": (no_kwargs, everyone(405)),
    "accounts:logout": (no_kwargs, signed_in(200)),
    "accounts:two_factor_setup": (no_kwargs, signed_in(200)),
    # Everyone here has passed the second factor (or needs none and has no device yet).
    "accounts:two_factor_verify": (no_kwargs, signed_in(302)),
    "accounts:password_reset": (no_kwargs, everyone(200)),
    "accounts:password_reset_done": (no_kwargs, everyone(200)),
    "accounts:password_reset_confirm": (reset_kwargs, everyone(200)),
    "accounts:password_reset_complete": (no_kwargs, everyone(200)),
    "accounts:session_keepalive": (no_kwargs, signed_in(405)),
    "accounts:account": (no_kwargs, signed_in(200)),
    # reviews: people belong to their commissioners; nobody else learns they exist.
    "reviews:person_list": (no_kwargs, COMMISSIONERS_ONLY),
    "reviews:person_create": (no_kwargs, COMMISSIONERS_ONLY),
    "reviews:person_detail": (person_kwargs, PERSON_OWNERS),
    "reviews:person_edit": (person_kwargs, PERSON_OWNERS),
    "reviews:person_contact_create": (person_kwargs, PERSON_OWNERS),
    "reviews:person_dsr": (person_kwargs, PERSON_OWNERS),
    "reviews:person_setting": (person_kwargs, PERSON_OWNERS),
    "reviews:person_laep": (person_kwargs, PERSON_OWNERS),
    "reviews:review_plan": (person_kwargs, PERSON_OWNERS),
    # reviews: the review. Everyone with a part sees its page (what is on it depends on role
    # and consent); only its commissioners manage it.
    "reviews:review_list": (no_kwargs, signed_in(200)),
    "reviews:review_detail": (review_kwargs, REVIEW_PARTIES),
    # The calendar holds the place and kind of review: details the gate keeps from the expert by
    # experience, who has not declared independence.
    "reviews:review_calendar": (review_kwargs, {**REVIEW_PARTIES, "expert_by_experience": 403}),
    "reviews:review_schedule": (review_kwargs, REVIEW_MANAGERS),
    "reviews:review_agenda": (review_kwargs, REVIEW_MANAGERS),
    "reviews:review_transition": (review_kwargs, REVIEW_MANAGERS),
    "reviews:review_consent": (review_kwargs, REVIEW_MANAGERS),
    "reviews:review_participant_add": (review_kwargs, REVIEW_MANAGERS),
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
    ),
    "reviews:review_independence": (
        review_kwargs,
        only(
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
        ),
    ),
    "reviews:invitation_accept": (token_kwargs, everyone(404)),
}



def _app_matrices():
    """Each later app keeps its rows in tests/<app>/access_matrix.py (MATRIX); merged here."""
    import importlib

    merged = {}
    for app in ("documents", "panels", "recommendations"):
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
# two-factor). Every admin URL is checked, including those of models added later.
ADMIN_EXPECTED = only({"administrator": 200}, others=302)
ADMIN_OVERRIDES = {
    "admin:logout": only({"administrator": 405}, others=302),
    "admin:view_on_site": only({"administrator": 404}, others=302),
    "admin:login": everyone(302),
    # Nobody, administrators included, may read another person's authenticator secret.
    "admin:otp_totp_totpdevice_config": only({"administrator": 403}, others=302),
    "admin:otp_totp_totpdevice_qrcode": only({"administrator": 403}, others=302),
    # The autocomplete endpoint refuses a request that names no field.
    "admin:autocomplete": only({"administrator": 403}, others=302),
}
# Nobody adds rows to the audit trail, the outbox or the sign-in logs by hand, and nobody
# deletes audit events or notifications (deleting a failed sign-in attempt unlocks an account).
NO_ADD = {"auditevent", "notification", "accessattempt", "accessfailurelog", "accesslog"}
NO_DELETE = {"auditevent", "notification"}


def admin_expected(name):
    if name in ADMIN_OVERRIDES:
        return ADMIN_OVERRIDES[name]
    model = admin_model(name)
    if model is not None:
        view = name.rsplit("_", 1)[1]
        forbidden = NO_ADD if view == "add" else NO_DELETE if view == "delete" else set()
        if model._meta.model_name in forbidden:
            return only({"administrator": 403}, others=302)
        if view in ("change", "delete", "history") and not model._default_manager.exists():
            # The admin sends you back to the list when the object is not there.
            return only({"administrator": 302}, others=302)
    return ADMIN_EXPECTED


def all_url_names():
    """(name, pattern) for every named URL pattern of the project, namespaces included."""
    found = []

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                found.append(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def expected_for(name):
    if name in MATRIX:
        return MATRIX[name]
    if name.startswith("admin:"):
        return admin_kwargs_for(name), admin_expected(name)
    return None


@pytest.mark.django_db
def test_every_url_is_in_the_matrix():
    missing = [name for name in all_url_names() if expected_for(name) is None]
    assert not missing, f"Add these URLs to the access matrix: {missing}"


def test_the_matrix_names_no_url_that_does_not_exist():
    names = set(all_url_names())
    assert not [name for name in MATRIX if name not in names]


def _reverse(name, ctx, kwargs_for):
    kwargs = kwargs_for(ctx)
    from django.urls import NoReverseMatch

    for size in range(len(kwargs), -1, -1):
        # Admin URLs take different subsets of the sample kwargs; find the one that fits.
        import itertools

        for keys in itertools.combinations(kwargs, size):
            try:
                return reverse(name, kwargs={k: kwargs[k] for k in keys})
            except NoReverseMatch:
                continue
    raise AssertionError(f"Cannot build a URL for {name}")


@pytest.fixture
def sample_objects(users):
    """One row of each model the admin shows, so its change pages have something to open."""
    from django.contrib.auth.models import Group
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .factories import AuditEventFactory, NotificationFactory

    AuditEventFactory(actor=users["commissioner"])
    NotificationFactory()
    Group.objects.create(name="Sample")
    TOTPDevice.objects.create(user=users["commissioner"], name="Sample", confirmed=True)
    interval = IntervalSchedule.objects.create(every=60, period="seconds")
    PeriodicTask.objects.create(
        name="Sample", task="ctr_portal.tasks.outbox_dispatch", interval=interval
    )
    CrontabSchedule.objects.create()
    SolarSchedule.objects.create(event="sunrise", latitude=51.5, longitude=0)
    from django.utils import timezone

    ClockedSchedule.objects.create(clocked_time=timezone.now())


@pytest.mark.parametrize("role", EVERYONE, ids=lambda r: r or "anonymous")
def test_access_matrix(role, client_for, users, organisations, sample_objects, review_world):
    ctx = {"users": users, "organisations": organisations, "world": review_world}
    client = client_for(role)
    failures = []
    for name in all_url_names():
        kwargs_for, expected = expected_for(name)
        url = _reverse(name, ctx, kwargs_for)
        status = client.get(url).status_code
        if status != expected[role]:
            failures.append(f"{name} ({url}): expected {expected[role]}, got {status}")
    assert not failures, "\n".join(failures)
