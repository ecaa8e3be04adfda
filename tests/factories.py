"""One factory per model of the shared layer; apps add theirs beside their tests."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from ctr_portal.models import (
    ActionLink,
    AuditEvent,
    LocalPolicySetting,
    Membership,
    Notification,
    Organisation,
    SignInIdentity,
    StaffRole,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.nhs.uk")
    display_name = factory.Faker("name", locale="en_GB")
    kind = "professional"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])

    class Params:
        public = factory.Trait(kind="public")
        administrator = factory.Trait(is_staff=True, is_superuser=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.ICB

    class Params:
        provider = factory.Trait(kind=Organisation.Kind.PROVIDER)
        local_authority = factory.Trait(kind=Organisation.Kind.LOCAL_AUTHORITY)
        specialised = factory.Trait(kind=Organisation.Kind.SPECIALISED)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    job_title = "Case manager"


class StaffRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffRole
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"R9{n:03d}")
    national_name = factory.LazyAttribute(lambda o: f"Test Access Role {o.code}")
    job_title = "Case manager"


class SignInIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignInIdentity

    user = factory.SubFactory(UserFactory)
    provider = SignInIdentity.Provider.CIS2
    subject = factory.Sequence(lambda n: f"5559{n:08d}")

    class Params:
        nhs_login = factory.Trait(
            provider=SignInIdentity.Provider.NHS_LOGIN,
            subject=factory.Faker("uuid4"),
            user=factory.SubFactory(UserFactory, public=True),
        )


class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    action = AuditEvent.Action.VIEW
    actor = factory.SubFactory(UserFactory)
    object_type = "ctr_portal.organisation"
    object_id = "1"


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    idempotency_key = factory.Sequence(lambda n: f"test:{n}")
    recipient = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    template = "password_reset"
    context = factory.LazyFunction(
        lambda: {"display_name": "Sam Jones", "reset_url": "https://example.invalid/reset"}
    )


class LocalPolicySettingFactory(factory.django.DjangoModelFactory):
    """Every local choice has its row after migrate; a factory's row is one for a key no code
    reads (the admin lists it by its key)."""

    class Meta:
        model = LocalPolicySetting

    key = factory.Sequence(lambda n: f"tests.choice_{n}")
    value = None


class ActionLinkFactory(factory.django.DjangoModelFactory):
    """A single-purpose link's row (only its token's hash is kept; this one's token is unknown)."""

    class Meta:
        model = ActionLink

    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    purpose = ActionLink.Purpose.READ_REPORT
    object_type = "reviews.review"
    object_id = 1
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=28))
