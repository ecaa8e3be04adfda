"""The reviews domain through its services and queries: what a commissioner's actions do."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ctr_portal.models import AuditEvent, Notification
from ctr_portal.working_days import working_days_after
from reviews import queries, services
from reviews.extensions import panel_check
from reviews.models import DsrRating, Review, ReviewKind, ReviewState
from tests.reviews.factories import (
    ConsentInviteeFactory,
    ConsentRecordFactory,
    ContactFactory,
    ParticipantFactory,
    PersonFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


def register(users, organisations, **overrides):
    fields = dict(
        given_name="Daniel",
        family_name="Clarke",
        nhs_number="943 476 5919",
        date_of_birth=timezone.localdate() - timedelta(days=365 * 30),
        has_learning_disability=True,
        setting="community",
        responsible_commissioner=organisations["icb"],
    )
    fields.update(overrides)
    return services.person_register(actor=users["commissioner"], **fields)


def test_registering_someone_in_hospital_rates_them_blue_and_starts_the_clock(users, organisations):
    admitted = timezone.localdate() - timedelta(days=3)
    person = register(
        users,
        organisations,
        setting="non_secure",
        provider=organisations["provider"],
        admission_date=admitted,
    )
    assert person.nhs_number == "9434765919"
    assert person.dsr_rating == DsrRating.BLUE
    assert person.dsr_history.get().rating == DsrRating.BLUE
    review = person.reviews.get()
    assert review.kind == ReviewKind.POST_ADMISSION
    assert review.due_date == admitted + timedelta(days=28)
    assert review.due_rule == "post_admission_adult"
    assert AuditEvent.objects.filter(action="create", object_type="reviews.person").exists()


def test_a_child_admitted_gets_a_review_due_in_10_working_days(users, organisations):
    admitted = timezone.localdate() - timedelta(days=1)
    person = register(
        users,
        organisations,
        setting="non_secure",
        provider=organisations["provider"],
        admission_date=admitted,
        date_of_birth=timezone.localdate() - timedelta(days=365 * 15),
    )
    review = person.reviews.get()
    assert review.due_date == working_days_after(admitted, 10)
    assert review.type_label == "C(E)TR"


def test_the_nhs_number_must_pass_its_check_digit_and_be_unique(users, organisations):
    with pytest.raises(ValidationError) as error:
        register(users, organisations, nhs_number="9434765918")
    assert "nhs_number" in error.value.message_dict
    register(users, organisations)
    with pytest.raises(ValidationError) as error:
        register(users, organisations, given_name="Someone", family_name="Else")
    assert "nhs_number" in error.value.message_dict


def test_an_admission_from_the_community_rates_blue_and_plans_a_post_admission_review(
    users, organisations
):
    person = register(users, organisations, dsr_rating="red")
    day = timezone.localdate()
    services.person_change_setting(
        actor=users["commissioner"],
        person=person,
        kind="admission",
        effective_date=day,
        setting="non_secure",
        provider=organisations["provider"],
        ward="Willow",
    )
    person.refresh_from_db()
    assert person.dsr_rating == DsrRating.BLUE and person.admission_date == day
    assert [c.rating for c in person.dsr_history.all()] == ["blue", "red"]
    review = person.reviews.get()
    assert review.kind == ReviewKind.POST_ADMISSION and review.due_date == day + timedelta(28)


def test_a_move_of_hospital_plans_an_event_triggered_review(users, organisations):
    person = PersonFactory(in_hospital=True, responsible_commissioner=organisations["icb"])
    services.person_change_setting(
        actor=users["commissioner"],
        person=person,
        kind="move",
        effective_date=timezone.localdate(),
        setting="low_secure",
        provider=organisations["provider"],
    )
    review = person.reviews.get()
    assert review.kind == ReviewKind.EVENT_TRIGGERED and review.event_reason == "move_of_hospital"


def test_a_setting_change_in_the_future_is_refused(users, organisations):
    person = PersonFactory(responsible_commissioner=organisations["icb"])
    with pytest.raises(ValidationError) as error:
        services.person_change_setting(
            actor=users["commissioner"],
            person=person,
            kind="admission",
            effective_date=timezone.localdate() + timedelta(days=1),
            setting="non_secure",
            provider=organisations["provider"],
        )
    assert "effective_date" in error.value.message_dict


def test_consent_for_a_child_under_16_needs_gillick_or_parental_responsibility(users):
    person = PersonFactory(child=True)
    review = ReviewFactory(person=person)
    with pytest.raises(ValidationError) as error:
        services.consent_record(
            actor=users["commissioner"],
            review=review,
            decision="consented",
            route="own",
            decided_on=timezone.localdate(),
        )
    assert "route" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.consent_record(
            actor=users["commissioner"],
            review=review,
            decision="consented",
            route="parental",
            decided_on=timezone.localdate(),
        )
    assert "given_by" in error.value.message_dict
    record = services.consent_record(
        actor=users["commissioner"],
        review=review,
        decision="consented",
        route="gillick",
        shares_information=True,
        decided_on=timezone.localdate(),
    )
    assert record.opens_gate


def test_a_best_interests_decision_records_who_decided_and_who_was_consulted(users):
    review = ReviewFactory()
    with pytest.raises(ValidationError) as error:
        services.consent_record(
            actor=users["commissioner"],
            review=review,
            decision="best_interests",
            route="best_interests",
            decided_on=timezone.localdate(),
        )
    assert set(error.value.message_dict) >= {"decision_maker", "consulted", "capacity_assessed_by"}
    record = services.consent_record(
        actor=users["commissioner"],
        review=review,
        decision="best_interests",
        route="best_interests",
        decided_on=timezone.localdate(),
        shares_information=True,
        capacity_assessed_by="Dr Khan",
        decision_maker="Asha Patel",
        consulted="Mother; advocate",
    )
    assert record.opens_gate and review.events.filter(kind="consent").exists()


def test_consent_history_is_kept_and_the_latest_decides(users):
    review = ReviewFactory()
    first = ConsentRecordFactory(review=review)
    services.consent_record(
        actor=users["commissioner"],
        review=review,
        decision="withdrawn",
        decided_on=timezone.localdate(),
    )
    history = list(queries.consent_history(review))
    assert [c.decision for c in history] == ["withdrawn", "consented"]
    assert history[1].pk == first.pk
    fresh = queries.review_for_user(users["commissioner"], review.pk)
    assert fresh is None or not fresh.latest_consent.opens_gate


def test_family_can_be_invited_only_as_the_latest_consent_allows(users, review_world):
    review = review_world["review"]
    sister = ContactFactory(person=review.person, name="Jo Clarke", email="jo@example.com")
    with pytest.raises(ValidationError) as error:
        services.participant_add(
            actor=users["commissioner"],
            review=review,
            role="family_carer",
            name="Jo Clarke",
            email="jo@example.com",
            contact=sister,
        )
    assert "consent does not include them" in error.value.message_dict["contact"][0]
    consent = ConsentRecordFactory(review=review)
    ConsentInviteeFactory(consent=consent, contact=sister)
    participant, _ = services.participant_add(
        actor=users["commissioner"],
        review=review,
        role="family_carer",
        name="Jo Clarke",
        email="jo@example.com",
        contact=sister,
    )
    assert participant.user is None and participant.invitations.get().is_usable


def test_an_invitation_email_goes_through_the_outbox_with_a_calendar_file(
    users, review_world, django_capture_on_commit_callbacks, mailoutbox
):
    # The calendar file goes to someone whose review page shows the place: here a professional
    # of the person's local authority (a panel expert gets it only after declaring independence).
    review = review_world["review"]
    with django_capture_on_commit_callbacks(execute=True):
        participant, warnings = services.participant_add(
            actor=users["commissioner"],
            review=review,
            role="local_authority",
            name="Lou Bennett",
            email=users["local_authority"].email,
        )
    assert warnings == []  # the review is three weeks away
    assert Notification.objects.get(recipient=users["local_authority"].email).state == "sent"
    message = mailoutbox[-1]
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == ("review.ics", "text/calendar")
    assert "BEGIN:VEVENT" in content and "Clarke" not in content
    assert "Daniel" not in message.body and "Clarke" not in message.body


def test_a_venue_with_line_breaks_stays_one_location_in_the_calendar_file(review_world):
    import icalendar

    review = review_world["review"]
    venue = "Room 4\rBEGIN:VEVENT\nATTENDEE:mailto:x@example.com\r\nX; a, b"
    Review.objects.filter(pk=review.pk).update(venue=venue)
    review.refresh_from_db()

    content = services.review_ics(review)

    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert str(event["LOCATION"]) == venue.replace("\r\n", "\n").replace("\r", "\n")
    assert "ATTENDEE" not in event
    # No line break but the file's own CRLFs, and no line begins with what the venue held.
    assert "\r" not in content.replace("\r\n", "") and "\n" not in content.replace("\r\n", "")
    lines = content.splitlines()
    assert [line for line in lines if line.startswith("BEGIN")] == [
        "BEGIN:VCALENDAR",
        "BEGIN:VEVENT",
    ]
    assert not any(line.startswith(("ATTENDEE", "X;", " a")) for line in lines)
    assert (event["UID"], event["SEQUENCE"]) == (f"review-{review.pk}@ctr-portal", 0)
    assert services.review_ics(review).count("UID:") == 1


def test_short_notice_is_warned_not_refused(users, review_world):
    review = review_world["review"]
    Review.objects.filter(pk=review.pk).update(starts_at=timezone.now() + timedelta(days=5))
    review.refresh_from_db()
    _, warnings = services.participant_add(
        actor=users["commissioner"],
        review=review,
        role="panel_member",
        name="Pat",
        email="p@x.nhs.uk",
    )
    assert warnings and "14 days' notice" in warnings[0]


def test_an_invitation_link_works_once(users, review_world):
    review = review_world["review"]
    participant, _ = services.participant_add(
        actor=users["commissioner"],
        review=review,
        role="panel_member",
        name="Pat Pharmacist",
        email="pat@example.nhs.uk",
    )
    invitation = participant.invitations.get()
    user = services.invitation_accept(
        invitation=invitation, password="maple river lantern", display_name="Pat Pharmacist"
    )
    participant.refresh_from_db()
    assert participant.user == user and user.kind == "professional"
    invitation.refresh_from_db()
    with pytest.raises(ValidationError):
        services.invitation_accept(
            invitation=invitation, password="maple river lantern", display_name="Someone else"
        )


def test_an_expired_invitation_is_refused(users, review_world, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    participant, _ = services.participant_add(
        actor=users["commissioner"],
        review=review_world["review"],
        role="panel_member",
        name="Pat",
        email="pat@example.nhs.uk",
    )
    time_machine.shift(timedelta(days=15))
    with pytest.raises(ValidationError):
        services.invitation_accept(
            invitation=participant.invitations.get(),
            password="maple river lantern",
            display_name="Pat",
        )


def test_independence_is_declared_by_the_panel_member_themselves(users, review_world):
    ebe = review_world["participants"]["expert_by_experience"]
    with pytest.raises(ValidationError):
        services.participant_declare_independence(
            actor=users["commissioner"], participant=ebe, statement="No part"
        )
    services.participant_declare_independence(
        actor=users["expert_by_experience"], participant=ebe, statement="No part in care"
    )
    ebe.refresh_from_db()
    assert ebe.is_independent


def test_dashboard_lists_upcoming_overdue_not_ready_and_community_due(users, organisations):
    icb = organisations["icb"]
    soon = ReviewFactory(
        person=PersonFactory(responsible_commissioner=icb),
        scheduled=True,
        starts_at=timezone.now() + timedelta(days=7),
    )
    overdue = ReviewFactory(
        person=PersonFactory(responsible_commissioner=icb),
        due_date=timezone.localdate() - timedelta(days=2),
    )
    red = PersonFactory(responsible_commissioner=icb, dsr_rating="red")
    PersonFactory(responsible_commissioner=icb, dsr_rating="amber", in_hospital=True)
    elsewhere = ReviewFactory(
        person=PersonFactory(responsible_commissioner=organisations["icb_other"]),
        due_date=timezone.localdate() - timedelta(days=2),
    )
    data = queries.commissioner_dashboard(users["commissioner"], queries.ReviewFilter())
    assert soon in data.upcoming and soon in data.not_ready
    assert overdue in data.overdue and elsewhere not in data.overdue
    assert data.community_due == [red]
    assert data.counts == {
        "upcoming": 1,
        "overdue": 1,
        "overdue_reviews": 1,
        "transfers": 0,
        "not_ready": 1,
        "community_due": 1,
        "missed": 0,
        "rerate": 0,
        "missing_rca": 0,
    }


def test_review_type_filter_uses_the_age_on_the_review_date(users, organisations):
    icb = organisations["icb"]
    child = ReviewFactory(person=PersonFactory(child=True, responsible_commissioner=icb))
    adult = ReviewFactory(person=PersonFactory(responsible_commissioner=icb))
    assert list(
        queries.review_list(users["commissioner"], queries.ReviewFilter(review_type="cetr"))
    ) == [child]
    assert list(
        queries.review_list(users["commissioner"], queries.ReviewFilter(review_type="ctr"))
    ) == [adult]


def test_scheduling_after_the_due_date_needs_a_reason_and_generates_the_agenda(users):
    review = ReviewFactory(due_date=timezone.localdate() + timedelta(days=5))
    later = timezone.now() + timedelta(days=10)
    with pytest.raises(ValidationError) as error:
        services.review_schedule(
            actor=users["commissioner"],
            review=review,
            starts_at=later,
            duration_minutes=420,
            venue="Room 1",
        )
    assert "late_reason" in error.value.message_dict
    review = services.review_schedule(
        actor=users["commissioner"],
        review=review,
        starts_at=later,
        duration_minutes=420,
        venue="Room 1",
        late_reason="Family on holiday until then",
    )
    assert review.state == ReviewState.SCHEDULED and review.agenda.count() == 9
    assert review.is_late and review.late_reason


def test_an_independent_review_is_for_someone_in_segregation_and_its_chair_must_be_independent(
    users, time_machine
):
    time_machine.move_to(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    person = PersonFactory(in_hospital=True)
    actor = users["commissioner"]
    with pytest.raises(ValidationError) as refused:
        services.review_plan(actor=actor, person=person, kind=ReviewKind.INDEPENDENT)
    assert refused.value.message_dict == {"kind": [services.NOT_IN_SEGREGATION]}

    services.person_record_segregation(
        actor=actor, person=person, started_on=date(2026, 5, 1), ward="Cedar suite"
    )
    review = services.review_plan(actor=actor, person=person, kind=ReviewKind.INDEPENDENT)

    assert (review.due_rule, review.due_date) == ("independent", date(2026, 6, 29))
    chair = ParticipantFactory(review=review, role="chair")
    assert chair.needs_independence and not chair.is_independent
    assert "independence not declared by the chair" in panel_check(review).detail
    ordinary = ParticipantFactory(review=ReviewFactory(person=person), role="chair")
    assert not ordinary.needs_independence


def test_the_generated_agenda_starts_when_the_review_does(users, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    review = ReviewFactory(due_date=date(2026, 6, 30))
    starts_at = timezone.make_aware(datetime(2026, 6, 15, 10, 30))

    review = services.review_schedule(
        actor=users["commissioner"],
        review=review,
        starts_at=starts_at,
        duration_minutes=480,
        venue="Room 1",
    )

    agenda = list(review.agenda.order_by("position"))
    assert (agenda[0].starts_at, agenda[0].title) == (time(10, 30), "The panel meets alone")
    assert (agenda[-1].starts_at, agenda[-1].title) == (time(18, 30), "Close")
