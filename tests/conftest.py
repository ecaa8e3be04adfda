"""Shared fixtures: one signed-in client per role (dtos-manage-breast-screening's conftest.py
does the same), with the second factor passed for professionals."""

import time

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctr_portal.middleware import SESSION_RENEWED_KEY, SESSION_STARTED_KEY
from ctr_portal.models import Organisation

from .factories import MembershipFactory, OrganisationFactory, UserFactory

# Browser journeys and tests against real services are slow by nature: `make test-fast`
# (`pytest -m "not slow"`) leaves them out with the tests marked slow by hand.
SLOW_BY_NATURE = ("browser", "integration")


# The files that start a real Celery worker on the shared Redis broker (tests/celery_worker.py):
# under pytest-xdist (`make test`) they run on one process, one after another, since a worker
# that takes Celery's default queue would take another file's tasks too.
REAL_WORKER_FILES = {
    "tests/ctr_portal/test_celery_integration.py",
    "tests/documents/test_renditions_worker.py",
    "tests/recommendations/test_sweep_worker.py",
    "tests/reports/test_worker.py",
}


# First, so that pytest-xdist's own hook sees the groups when it names each test's group.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(name) for name in SLOW_BY_NATURE):
            item.add_marker(pytest.mark.slow)
        # `--dist loadgroup`: a file's tests stay together (its module fixtures are built once),
        # unless the file groups them itself (the every-page walk, in two halves).
        if item.get_closest_marker("xdist_group"):
            continue
        path = item.nodeid.split("::")[0]
        group = "real-celery-worker" if path in REAL_WORKER_FILES else path
        item.add_marker(pytest.mark.xdist_group(group))


# Every role the access matrix knows. Later issues give the panel and family roles a part in
# reviews; "commissioner_other_org" is the right role in the wrong organisation.
ROLES = [
    "commissioner",
    "commissioner_other_org",
    "chair",
    "clinical_expert",
    "expert_by_experience",
    "provider",
    "local_authority",
    "family_carer",
    "person",
    "administrator",
    "oversight_panel",
]


# The roles that take part in `review_world`'s review as participants.
PARTICIPANT_ROLES = ("chair", "clinical_expert", "expert_by_experience", "family_carer", "person")


@pytest.fixture
def organisations(db):
    return {
        "icb": OrganisationFactory(name="NHS North Shore ICB", kind=Organisation.Kind.ICB),
        "icb_other": OrganisationFactory(name="NHS South Vale ICB", kind=Organisation.Kind.ICB),
        "provider": OrganisationFactory(name="Riverside Hospital", kind=Organisation.Kind.PROVIDER),
        "local_authority": OrganisationFactory(
            name="North Shore Council", kind=Organisation.Kind.LOCAL_AUTHORITY
        ),
        "oversight_panel": OrganisationFactory(
            name="North Shore ICS C(E)TR oversight panel",
            kind=Organisation.Kind.OVERSIGHT_PANEL,
        ),
    }


@pytest.fixture
def users(db, organisations):
    def member(email, organisation, job_title, **kwargs):
        user = UserFactory(email=email, **kwargs)
        MembershipFactory(user=user, organisation=organisation, job_title=job_title)
        return user

    made = {
        "commissioner": member("commissioner@example.nhs.uk", organisations["icb"], "Case manager"),
        "commissioner_other_org": member(
            "other.commissioner@example.nhs.uk", organisations["icb_other"], "Case manager"
        ),
        "chair": member("chair@example.nhs.uk", organisations["icb"], "Senior case manager"),
        "clinical_expert": UserFactory(email="clinical.expert@example.nhs.uk"),
        "expert_by_experience": UserFactory(email="ebe@example.org"),
        "provider": member(
            "ward.manager@example.nhs.uk", organisations["provider"], "Ward manager"
        ),
        "local_authority": member(
            "social.worker@example.gov.uk", organisations["local_authority"], "Social worker"
        ),
        "family_carer": UserFactory(email="family@example.com", public=True),
        "person": UserFactory(email="person@example.com", public=True),
        "administrator": UserFactory(email="admin@example.nhs.uk", administrator=True),
        "oversight_panel": member(
            "oversight@example.nhs.uk", organisations["oversight_panel"], "Panel member"
        ),
    }
    # Fixed names (no apostrophes), so tests can look for them in escaped HTML.
    for role, user in made.items():
        user.display_name = ROLE_NAMES[role]
        user.save(update_fields=["display_name"])
    return made


ROLE_NAMES = {
    "commissioner": "Asha Patel",
    "commissioner_other_org": "Tom Okafor",
    "chair": "Helen Marsh",
    "clinical_expert": "Nia Roberts",
    "expert_by_experience": "Jordan Lee",
    "provider": "Sam Whitfield",
    "local_authority": "Lou Bennett",
    "family_carer": "Marion Carer",
    "person": "Dee Person",
    "administrator": "Chris Adeyemi",
    "oversight_panel": "Morgan Ellis",
}


def sign_in(client: Client, user) -> Client:
    """Sign a test client in as `user`, with the second factor passed where it is needed."""
    client.force_login(user, backend="ctr_portal.backends.EmailBackend")
    session = client.session
    # As a real sign-in does: the idle timer starts now, so the pages that follow write no
    # session for a minute (and count the same queries from the first request on).
    session[SESSION_STARTED_KEY] = session[SESSION_RENEWED_KEY] = time.time()
    if user.needs_two_factor:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="Test authenticator", defaults={"confirmed": True}
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(users):
    """`client_for("commissioner")` gives a signed-in client; `client_for(None)` an anonymous
    one."""

    def make(role):
        client = Client()
        return client if role is None else sign_in(client, users[role])

    return make


@pytest.fixture
def review_world(users, organisations):
    """One person and one scheduled review, with every role in place.

    The commissioner's ICB commissions it; the provider cares for the person; the local
    authority is theirs. The chair, the clinical expert (independence declared), the expert by
    experience (not yet declared), a family carer the person's consent invites, and the person
    take part. Consent is recorded, so the gate is open for those it lets in.
    """
    return make_review_world(
        organisations,
        commissioner=users["commissioner"],
        taking_part={role: users[role] for role in PARTICIPANT_ROLES},
        person_name=("Daniel", "Clarke"),
        family_name="Maureen Clarke",
    )


@pytest.fixture
def second_review_world(review_world, organisations, users):
    """Another person's review in the same ICB, made as `review_world` is, with its own chair,
    clinical expert, expert by experience, family carer and person: someone who takes part in
    the first review has no part in this one (the first review's chair works for the ICB, so
    sees it as any of the ICB's commissioners does)."""
    taking_part = {
        "chair": UserFactory(email="second.chair@example.nhs.uk", display_name="Priya Shah"),
        "clinical_expert": UserFactory(
            email="second.clinical.expert@example.nhs.uk", display_name="Owen Price"
        ),
        "expert_by_experience": UserFactory(
            email="second.ebe@example.org", display_name="Kit Morgan"
        ),
        "family_carer": UserFactory(
            email="second.family@example.com", display_name="Rita Hughes", public=True
        ),
        "person": UserFactory(
            email="second.person@example.com", display_name="Alex Hughes", public=True
        ),
    }
    MembershipFactory(
        user=taking_part["chair"], organisation=organisations["icb"], job_title="Case manager"
    )
    return make_review_world(
        organisations,
        commissioner=users["commissioner"],
        taking_part=taking_part,
        person_name=("Alex", "Hughes"),
        family_name="Rita Hughes",
    )


def make_review_world(organisations, *, commissioner, taking_part, person_name, family_name):
    """A person of the ICB in hospital at the provider, with a scheduled review that the
    commissioner set up and `taking_part` (users by participant role) take part in: the clinical
    expert has declared independence, the expert by experience not yet; the family carer is
    the person's contact, invited by the recorded consent."""
    from tests.reviews.factories import (
        ConsentInviteeFactory,
        ConsentRecordFactory,
        ContactFactory,
        ParticipantFactory,
        PersonFactory,
        ReviewFactory,
    )

    given_name, surname = person_name
    person = PersonFactory(
        given_name=given_name,
        family_name=surname,
        in_hospital=True,
        responsible_commissioner=organisations["icb"],
        provider=organisations["provider"],
        local_authority=organisations["local_authority"],
        created_by=commissioner,
        communication="Speak slowly; I like to see things written down.",
    )
    review = ReviewFactory(
        person=person, scheduled=True, kind="post_admission", created_by=commissioner
    )
    family = ContactFactory(
        person=person, name=family_name, email=taking_part["family_carer"].email
    )
    consent = ConsentRecordFactory(review=review, recorded_by=commissioner)
    ConsentInviteeFactory(consent=consent, contact=family)
    extra = {"clinical_expert": {"independent": True}, "family_carer": {"contact": family}}
    participants = {
        role: ParticipantFactory(
            review=review, role=role, user=user, added_by=commissioner, **extra.get(role, {})
        )
        for role, user in taking_part.items()
    }
    return {
        "person": person,
        "review": review,
        "contact": family,
        "consent": consent,
        "participants": participants,
    }


@pytest.fixture
def reviews_readiness_only():
    """Only the readiness checks of `reviews`: later apps (the document pack, the booklets)
    test their own. Their receivers are disconnected for the test and connected again after."""
    from documents.extensions import readiness_checks as pack_receiver
    from portal.extensions import readiness_checks as booklets_receiver
    from reviews.signals import readiness_checks

    others = {
        "documents.readiness_checks": pack_receiver,
        "portal.readiness_checks": booklets_receiver,
    }
    for uid in others:
        readiness_checks.disconnect(dispatch_uid=uid)
    yield
    for uid, receiver in others.items():
        readiness_checks.connect(receiver, dispatch_uid=uid)


@pytest.fixture(autouse=True)
def reference_data(request):
    """A transactional test (browser, real worker) flushes every table when it ends, the
    migrations' reference data too: KLOE sets and checklists are put back before each one, so
    scheduling (which forms the panel and makes the pack) works whatever ran before."""
    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
        from tests.documents.factories import ensure_checklists
        from tests.panels.factories import ensure_kloe_sets

        ensure_kloe_sets()
        ensure_checklists()


@pytest.fixture(autouse=True)
def local_choices_at_their_defaults():
    """Every test starts with no local choice changed, as its database has (ADR 0016): a value a
    test set is rolled back with its row, so the values read are forgotten with it."""
    from ctr_portal.policy import policy_values_changed, policy_values_known

    policy_values_known({})
    yield
    policy_values_changed()


@pytest.fixture
def set_local_choice(db):
    """Set a local choice as an administrator would: `set_local_choice(policy.X, 21)`."""
    from ctr_portal.models import LocalPolicySetting

    def set_it(choice, value):
        LocalPolicySetting.objects.update_or_create(key=choice.key, defaults={"value": value})

    return set_it


@pytest.fixture(scope="session")
def pds_server():
    """A stand-in for PDS and its token endpoint on loopback (tests/pds_server.py), started
    once for the session."""
    from .pds_server import PdsServer

    server = PdsServer().start()
    yield server
    server.stop()


@pytest.fixture
def pds_on(settings, pds_server):
    """PDS switched on and pointed at the stand-in, with nobody on it yet and no access token
    kept from an earlier test. Add people with `pds_on.add_patient(nhs_number, ...)`."""
    from django.core.cache import cache

    from reviews.pds import TOKEN_CACHE_KEY

    from .pds_server import API_KEY, KEY_ID

    pds_server.reset()
    cache.delete(TOKEN_CACHE_KEY)
    settings.PDS_BASE_URL = pds_server.base_url
    settings.PDS_TOKEN_URL = ""  # derived from the base URL, as in production
    settings.PDS_API_KEY = API_KEY
    settings.PDS_KEY_ID = KEY_ID
    settings.PDS_PRIVATE_KEY = pds_server.private_key_pem
    settings.PDS_PRIVATE_KEY_PATH = ""
    settings.PDS_TIMEOUT_SECONDS = 5
    yield pds_server
    cache.delete(TOKEN_CACHE_KEY)


@pytest.fixture(scope="session")
def cis2_provider():
    """The real OpenID provider on loopback, set up like NHS CIS2 (tests/oidc/provider.mjs),
    sending its back-channel logouts to a receiver the tests read from."""
    from .oidc_provider import LocalProvider, LogoutReceiver

    receiver = LogoutReceiver()
    provider = LocalProvider(
        "cis2",
        redirect_path="/account/sign-in/cis2/callback/",
        backchannel_logout_uri=receiver.url,
    )
    provider.logouts = receiver.tokens
    yield provider
    provider.stop()
    receiver.stop()


@pytest.fixture
def cis2_on(db, settings, cis2_provider):
    """CIS2 switched on and pointed at the local provider, with the key it knows."""
    from ctr_portal import oidc

    from .oidc_provider import CLIENT_ID

    oidc._cache.clear()
    staff_roles_let_in()
    settings.CIS2_ISSUER = cis2_provider.issuer
    settings.CIS2_DISCOVERY_URL = ""
    settings.CIS2_CLIENT_ID = CLIENT_ID
    settings.CIS2_ACR_VALUES = "AAL2_OR_AAL3_ANY"
    settings.SIGN_IN_PRIVATE_KEY = cis2_provider.key_pem
    settings.SIGN_IN_PRIVATE_KEY_PATH = ""
    yield cis2_provider
    oidc._cache.clear()


@pytest.fixture(scope="session")
def nhs_login_provider():
    """The real OpenID provider on loopback, set up like NHS login (tests/oidc/provider.mjs)."""
    from .oidc_provider import LocalProvider

    provider = LocalProvider("nhs_login", redirect_path="/account/sign-in/nhs_login/callback/")
    yield provider
    provider.stop()


@pytest.fixture
def nhs_login_on(settings, nhs_login_provider):
    """NHS login switched on and pointed at the local provider, with the key it knows."""
    from ctr_portal import oidc

    from .oidc_provider import CLIENT_ID

    oidc._cache.clear()
    settings.NHS_LOGIN_ISSUER = nhs_login_provider.issuer
    settings.NHS_LOGIN_DISCOVERY_URL = ""
    settings.NHS_LOGIN_CLIENT_ID = CLIENT_ID
    settings.SIGN_IN_PRIVATE_KEY = nhs_login_provider.key_pem
    settings.SIGN_IN_PRIVATE_KEY_PATH = ""
    yield nhs_login_provider
    oidc._cache.clear()


def staff_roles_let_in():
    """The CIS2 roles the data migration lets in and the tests use: made again here, since a
    transactional test before this one empties every table, migrated rows included."""
    from .factories import StaffRoleFactory

    for code, national_name, job_title in (
        ("R8000", "Clinical Practitioner Access Role", "Clinician"),
        ("R8001", "Nurse Access Role", "Nurse"),
        ("R8008", "Admin/Clinical Support Access Role", "Administrative and clinical support"),
    ):
        StaffRoleFactory(code=code, national_name=national_name, job_title=job_title)


@pytest.fixture(scope="session")
def notify_server():
    """A stand-in for GOV.UK Notify on loopback (tests/notify_server.py), started once."""
    from . import notify_server as stand_in

    server = stand_in.start()
    yield server
    server.shutdown()
    server.server_close()


NOTIFY_CALLBACK_TOKEN = "receipts-bearer-token-for-the-tests-only"


@pytest.fixture
def notify_on(settings, notify_server):
    """The outbox's transport set to GOV.UK Notify, pointed at the stand-in, which starts each
    test with nothing sent; the rate limit's count starts again too."""
    from . import notify_server as stand_in

    with notify_server.lock:
        notify_server.sent.clear()
        notify_server.refused.clear()
        notify_server._failures.clear()
    from ctr_portal.transports import rate_limit_reset

    rate_limit_reset()
    settings.OUTBOX_TRANSPORT = "notify"
    settings.NOTIFY_API_KEY = stand_in.API_KEY
    settings.NOTIFY_BASE_URL = notify_server.base_url
    settings.NOTIFY_EMAIL_TEMPLATE_ID = stand_in.EMAIL_TEMPLATE_ID
    settings.NOTIFY_SMS_TEMPLATE_ID = stand_in.SMS_TEMPLATE_ID
    settings.NOTIFY_CALLBACK_TOKEN = NOTIFY_CALLBACK_TOKEN
    yield notify_server
