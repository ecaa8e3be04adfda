"""Shared fixtures: one signed-in client per role (dtos-manage-breast-screening's conftest.py
does the same), with the second factor passed for professionals."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from ctr_portal.models import Organisation

from .factories import MembershipFactory, OrganisationFactory, UserFactory

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
]


@pytest.fixture
def organisations(db):
    return {
        "icb": OrganisationFactory(name="NHS North Shore ICB", kind=Organisation.Kind.ICB),
        "icb_other": OrganisationFactory(name="NHS South Vale ICB", kind=Organisation.Kind.ICB),
        "provider": OrganisationFactory(name="Riverside Hospital", kind=Organisation.Kind.PROVIDER),
        "local_authority": OrganisationFactory(
            name="North Shore Council", kind=Organisation.Kind.LOCAL_AUTHORITY
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
}


def sign_in(client: Client, user) -> Client:
    """Sign a test client in as `user`, with the second factor passed where it is needed."""
    client.force_login(user, backend="ctr_portal.backends.EmailBackend")
    if user.needs_two_factor:
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="Test authenticator", defaults={"confirmed": True}
        )
        session = client.session
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
    from tests.reviews.factories import (
        ConsentInviteeFactory,
        ConsentRecordFactory,
        ContactFactory,
        ParticipantFactory,
        PersonFactory,
        ReviewFactory,
    )

    person = PersonFactory(
        given_name="Daniel",
        family_name="Clarke",
        in_hospital=True,
        responsible_commissioner=organisations["icb"],
        provider=organisations["provider"],
        local_authority=organisations["local_authority"],
        created_by=users["commissioner"],
        communication="Speak slowly; I like to see things written down.",
    )
    review = ReviewFactory(
        person=person, scheduled=True, kind="post_admission", created_by=users["commissioner"]
    )
    mother = ContactFactory(person=person, name="Maureen Clarke", email=users["family_carer"].email)
    consent = ConsentRecordFactory(review=review, recorded_by=users["commissioner"])
    ConsentInviteeFactory(consent=consent, contact=mother)
    added_by = users["commissioner"]
    participants = {
        "chair": ParticipantFactory(
            review=review, role="chair", user=users["chair"], added_by=added_by
        ),
        "clinical_expert": ParticipantFactory(
            review=review,
            role="clinical_expert",
            user=users["clinical_expert"],
            independent=True,
            added_by=added_by,
        ),
        "expert_by_experience": ParticipantFactory(
            review=review,
            role="expert_by_experience",
            user=users["expert_by_experience"],
            added_by=added_by,
        ),
        "family_carer": ParticipantFactory(
            review=review,
            role="family_carer",
            user=users["family_carer"],
            contact=mother,
            added_by=added_by,
        ),
        "person": ParticipantFactory(
            review=review, role="person", user=users["person"], added_by=added_by
        ),
    }
    return {
        "person": person,
        "review": review,
        "contact": mother,
        "consent": consent,
        "participants": participants,
    }


@pytest.fixture
def reviews_readiness_only():
    """Only the readiness checks of `reviews`: later apps (the document pack) test their own.
    The pack's receiver is disconnected for the test and connected again after it."""
    from documents.extensions import readiness_checks as pack_receiver
    from reviews.signals import readiness_checks

    uid = "documents.readiness_checks"
    readiness_checks.disconnect(dispatch_uid=uid)
    yield
    readiness_checks.connect(pack_receiver, dispatch_uid=uid)
