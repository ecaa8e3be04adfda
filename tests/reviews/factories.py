"""Factories for the reviews app: one per model, with traits for the usual situations."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from ctr_portal.models import Organisation
from reviews.models import (
    AgendaItem,
    ConsentDecision,
    ConsentInvitee,
    ConsentRecord,
    ConsentRoute,
    Contact,
    DsrRating,
    DsrRatingChange,
    Invitation,
    LaepMeeting,
    Participant,
    ParticipantRole,
    Person,
    RestrictivePractice,
    Review,
    ReviewKind,
    ReviewState,
    Setting,
    SettingChange,
    TransferRequest,
)
from reviews.nhs_number import made_up_nhs_number
from tests.factories import OrganisationFactory, UserFactory

# Valid NHS numbers (modulus 11) for tests, made from a sequence.


def nhs_number(n: int) -> str:
    return made_up_nhs_number(400_000_000 + n * 7)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    nhs_number = factory.Sequence(nhs_number)
    date_of_birth = date(1995, 6, 15)
    has_learning_disability = True
    has_autism = False
    setting = Setting.COMMUNITY
    responsible_commissioner = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.ICB)
    created_by = factory.SubFactory(UserFactory)
    dsr_rating = DsrRating.GREEN

    class Params:
        in_hospital = factory.Trait(
            setting=Setting.NON_SECURE,
            provider=factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.PROVIDER),
            ward="Willow ward",
            admission_date=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=10)),
            dsr_rating=DsrRating.BLUE,
        )
        secure = factory.Trait(
            setting=Setting.MEDIUM_SECURE,
            provider=factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.PROVIDER),
            ward="Oak ward",
            admission_date=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=400)),
            dsr_rating=DsrRating.BLUE,
        )
        child = factory.Trait(
            date_of_birth=factory.LazyFunction(
                lambda: timezone.localdate() - timedelta(days=15 * 365)
            ),
        )
        # Checked with PDS (ADR 0019): its address and registered GP practice kept.
        pds_verified = factory.Trait(
            pds_verified_at=factory.LazyFunction(timezone.now),
            address="1 Trevelyan Square\nBoar Lane\nLeeds\nLS1 6AE",
            gp_ods_code="Y12345",
        )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    person = factory.SubFactory(PersonFactory)
    name = factory.Faker("name", locale="en_GB")
    relationship = Contact.Relationship.FAMILY_CARER
    relationship_detail = "Mother"
    email = factory.Sequence(lambda n: f"family{n}@example.com")


class DsrRatingChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DsrRatingChange

    person = factory.SubFactory(PersonFactory)
    rating = DsrRating.AMBER
    reason = "Placement under strain"
    recorded_by = factory.SubFactory(UserFactory)


class SettingChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SettingChange

    person = factory.SubFactory(PersonFactory)
    kind = SettingChange.Kind.ADMISSION
    effective_date = factory.LazyFunction(timezone.localdate)
    setting = Setting.NON_SECURE
    provider = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.PROVIDER)
    recorded_by = factory.SubFactory(UserFactory)


class AdmissionRootCauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reviews.AdmissionRootCause"

    admission = factory.SubFactory(SettingChangeFactory, needs_root_cause=True)
    why_no_community_review = "Admitted in a crisis out of hours; no panel could be found in time"
    on_register = "no"
    recorded_by = factory.SubFactory(UserFactory)


class LaepMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LaepMeeting

    person = factory.SubFactory(PersonFactory)
    held_on = factory.LazyFunction(timezone.localdate)
    outcome = "Extra support at home agreed; admission avoided"
    recorded_by = factory.SubFactory(UserFactory)


class RestrictivePracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RestrictivePractice

    person = factory.SubFactory(PersonFactory, in_hospital=True)
    kind = RestrictivePractice.Kind.PHYSICAL
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
    count = 1
    recorded_by = factory.SubFactory(UserFactory)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    person = factory.SubFactory(PersonFactory)
    kind = ReviewKind.COMMUNITY
    state = ReviewState.PLANNED
    commissioner = factory.LazyAttribute(lambda o: o.person.responsible_commissioner)
    setting = factory.LazyAttribute(lambda o: o.person.setting)
    provider = factory.LazyAttribute(lambda o: o.person.provider)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=28))
    due_rule = "community"
    created_by = factory.SubFactory(UserFactory)

    class Params:
        scheduled = factory.Trait(
            state=ReviewState.SCHEDULED,
            starts_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=21)),
            duration_minutes=480,
            venue="Riverside Hospital, meeting room 2",
        )


class ReviewEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "reviews.ReviewEvent"

    review = factory.SubFactory(ReviewFactory)
    kind = "transition"
    summary = "Planned"


class ConsentRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentRecord

    review = factory.SubFactory(ReviewFactory)
    decision = ConsentDecision.CONSENTED
    route = ConsentRoute.OWN
    shares_information = True
    in_own_words = "Yes, I want the review. Mum can come."
    decided_on = factory.LazyFunction(timezone.localdate)
    recorded_by = factory.SubFactory(UserFactory)

    class Params:
        best_interests = factory.Trait(
            decision=ConsentDecision.BEST_INTERESTS,
            route=ConsentRoute.BEST_INTERESTS,
            capacity_assessed_by="Dr A Khan, responsible clinician",
            decision_maker="Asha Patel, case manager",
            consulted="Mother; advocate; ward psychologist",
        )
        declined = factory.Trait(
            decision=ConsentDecision.DECLINED, route="", shares_information=False
        )
        withdrawn = factory.Trait(
            decision=ConsentDecision.WITHDRAWN, route="", shares_information=False
        )


class ConsentInviteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentInvitee

    consent = factory.SubFactory(ConsentRecordFactory)
    contact = factory.SubFactory(ContactFactory)
    may_attend = True
    may_receive_report = True


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    review = factory.SubFactory(ReviewFactory)
    role = ParticipantRole.CLINICAL_EXPERT
    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.user.display_name if o.user else "Invited person")
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "invited@example.com")
    added_by = factory.SubFactory(UserFactory)
    invited_at = factory.LazyFunction(timezone.now)

    class Params:
        independent = factory.Trait(
            independence_declared_at=factory.LazyFunction(timezone.now),
            independence_statement="I have no part in this person's care.",
        )


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    participant = factory.SubFactory(ParticipantFactory, user=None)
    token_hash = factory.Sequence(lambda n: f"{n:064d}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    review = factory.SubFactory(ReviewFactory)
    starts_at = "09:00"
    title = "The panel meets alone"
    position = factory.Sequence(lambda n: n + 1)


class TransferRequestFactory(factory.django.DjangoModelFactory):
    """A pending request from another ICB for a person."""

    class Meta:
        model = TransferRequest

    person = factory.SubFactory(PersonFactory)
    from_organisation = factory.SelfAttribute("person.responsible_commissioner")
    to_organisation = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.ICB)
    requested_by = factory.SubFactory(UserFactory)
