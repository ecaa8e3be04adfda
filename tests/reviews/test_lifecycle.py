"""The review's lifecycle: every legal move, the moves refused, the guards, the record each move
leaves, and two people acting at once."""

import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ctr_portal.models import AuditEvent
from reviews import services
from reviews.models import (
    REASON_REQUIRED,
    TRANSITIONS,
    Review,
    ReviewEvent,
    ReviewState,
    TransitionError,
)
from tests.factories import UserFactory

from .factories import (
    ConsentInviteeFactory,
    ConsentRecordFactory,
    ContactFactory,
    ParticipantFactory,
    PersonFactory,
    ReviewFactory,
)

S = ReviewState


pytestmark = pytest.mark.usefixtures("reviews_readiness_only")


def _today_at(hour=0, minute=0, days=0):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def ready_to_go(state, **fields):
    """A review in `state` with everything every guard asks for: a date today (so it may be
    scheduled and held), consent, the core panel declared independent, everyone invited."""
    review = ReviewFactory(
        person=PersonFactory(in_hospital=True),
        kind="post_admission",
        state=state,
        starts_at=_today_at(),
        duration_minutes=480,
        venue="Meeting room 2",
        due_date=timezone.localdate() + timedelta(days=20),
        state_reason="Earlier reason" if state in REASON_REQUIRED else "",
        **fields,
    )
    mother = ContactFactory(person=review.person)
    consent = ConsentRecordFactory(review=review)
    ConsentInviteeFactory(consent=consent, contact=mother)
    for role in ("chair", "clinical_expert", "expert_by_experience"):
        ParticipantFactory(review=review, role=role, independent=True)
    ParticipantFactory(review=review, role="person")
    ParticipantFactory(review=review, role="family_carer", contact=mother)
    return Review.objects.get(pk=review.pk)


LEGAL = [(from_, to) for from_, moves in TRANSITIONS.items() for to in moves]


@pytest.mark.django_db
@pytest.mark.parametrize(("from_", "to"), LEGAL, ids=[f"{f}-to-{t}" for f, t in LEGAL])
def test_every_legal_move_is_made_recorded_on_the_timeline_and_audited(from_, to):
    review = ready_to_go(from_)
    actor = UserFactory()
    reason = "The person is unwell" if to in REASON_REQUIRED else ""

    services.review_transition(review=review, to=to, actor=actor, reason=reason)

    review.refresh_from_db()
    assert review.state == to
    event = review.events.get(kind=ReviewEvent.Kind.TRANSITION)
    assert (event.from_state, event.to_state, event.actor) == (from_, to, actor)
    assert event.reason == reason
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.TRANSITION,
            actor=actor,
            object_type="reviews.review",
            object_id=str(review.pk),
        ).count()
        == 1
    )
    if to in REASON_REQUIRED:
        assert review.state_reason == reason
    if to == S.HELD:
        assert review.held_on == timezone.localdate()


ILLEGAL = [
    (S.PLANNED, S.READY, "A review that is planned cannot be moved to ready"),
    (S.PLANNED, S.HELD, "A review that is planned cannot be moved to held"),
    (S.SCHEDULED, S.HELD, "A review that is scheduled cannot be moved to held"),
    (S.HELD, S.POSTPONED, "A review that is held cannot be moved to postponed"),
    (S.HELD, S.CANCELLED, "A review that is held cannot be moved to cancelled"),
    (S.REPORT_ISSUED, S.CLOSED, "A review that is report issued cannot be moved to closed"),
    (S.CLOSED, S.PLANNED, "A review that is closed cannot be moved to planned"),
    (S.CANCELLED, S.SCHEDULED, "A review that is cancelled cannot be moved to scheduled"),
    (S.POSTPONED, S.READY, "A review that is postponed cannot be moved to ready"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("from_", "to", "message"), ILLEGAL, ids=[f"{f}-to-{t}" for f, t, _ in ILLEGAL]
)
def test_an_illegal_move_is_refused_with_a_plain_message_and_leaves_no_trace(from_, to, message):
    review = ready_to_go(from_)

    with pytest.raises(TransitionError) as refused:
        services.review_transition(review=review, to=to, actor=UserFactory(), reason="Because")

    assert refused.value.problems == [message]
    review.refresh_from_db()
    assert review.state == from_
    assert not review.events.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TRANSITION).exists()


def _refusal(review, to, **kwargs):
    with pytest.raises(TransitionError) as refused:
        services.review_transition(review=review, to=to, actor=UserFactory(), **kwargs)
    return refused.value.problems


@pytest.mark.django_db
def test_a_review_cannot_be_scheduled_without_a_date():
    review = ReviewFactory(state=S.PLANNED)
    assert _refusal(review, S.SCHEDULED) == ["Set the date and time of the review first"]


@pytest.mark.django_db
def test_a_review_cannot_be_scheduled_for_a_day_that_has_passed():
    review = ReviewFactory(
        state=S.POSTPONED,
        state_reason="Unwell",
        starts_at=_today_at(days=-1),
        duration_minutes=480,
        venue="Room 2",
    )
    assert _refusal(review, S.SCHEDULED) == [
        "The date of the review must be today or in the future"
    ]


@pytest.mark.django_db
def test_a_review_after_its_due_date_cannot_be_scheduled_without_saying_why():
    review = ReviewFactory(
        state=S.PLANNED,
        starts_at=_today_at(10, days=30),
        due_date=timezone.localdate() + timedelta(days=5),
        venue="Room 2",
    )
    assert _refusal(review, S.SCHEDULED) == ["Enter why the review is after its due date"]


@pytest.mark.django_db
def test_ready_is_refused_with_a_list_of_everything_missing():
    review = ReviewFactory(state=S.PREPARING, starts_at=_today_at(days=10), venue="Room 2")

    problems = _refusal(review, S.READY)

    assert problems == [
        "Consent or a best-interests decision: no decision recorded yet",
        "Invitations to the person and the people they chose: still to invite: the person",
        "Core panel, each independent: no chair, clinical expert, expert by experience",
    ]


@pytest.mark.django_db
def test_ready_names_the_panel_expert_who_has_not_declared_independence():
    review = ready_to_go(S.PREPARING)
    review.participants.filter(role="expert_by_experience").update(independence_declared_at=None)
    review = Review.objects.get(pk=review.pk)

    assert _refusal(review, S.READY) == [
        "Core panel, each independent: independence not declared by the expert by experience"
    ]


@pytest.mark.django_db
def test_ready_is_refused_when_the_person_declined():
    review = ready_to_go(S.PREPARING)
    ConsentRecordFactory(review=review, declined=True)
    review = Review.objects.get(pk=review.pk)

    problems = _refusal(review, S.READY)

    assert problems[0] == (
        "Consent or a best-interests decision: the person declined – offer again later"
    )


@pytest.mark.django_db
def test_a_review_cannot_be_recorded_as_held_before_its_day():
    review = ready_to_go(S.READY)
    Review.objects.filter(pk=review.pk).update(starts_at=_today_at(days=1))
    review.refresh_from_db()

    assert _refusal(review, S.HELD) == [
        "A review can be recorded as held only on or after its date"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("to", [S.POSTPONED, S.CANCELLED])
def test_postponing_or_cancelling_needs_a_reason(to):
    review = ready_to_go(S.SCHEDULED)

    assert _refusal(review, to, reason="   ") == [
        f"Enter why the review is being {to.label.lower()}"
    ]
    review.refresh_from_db()
    assert review.state == S.SCHEDULED


@pytest.mark.django_db
def test_a_move_from_a_state_the_page_no_longer_shows_is_refused():
    review = ready_to_go(S.PREPARING)

    problems = _refusal(review, S.POSTPONED, reason="Unwell", expected_state=S.SCHEDULED)

    assert problems == [
        "Someone else changed this review: it is now preparing. Check the page and try again"
    ]
    review.refresh_from_db()
    assert review.state == S.PREPARING


@pytest.mark.django_db
def test_the_service_moves_the_review_and_returns_it():
    review = ready_to_go(S.SCHEDULED)

    moved = services.review_transition(
        actor=UserFactory(), review=review, to=S.PREPARING, expected_state=S.SCHEDULED
    )

    assert moved.state == S.PREPARING
    assert Review.objects.get(pk=review.pk).state == S.PREPARING


@pytest.fixture
def shared_database(transactional_db):
    """A database two threads share as two processes would: committed data, real locking.
    (SQLite tests use a file database for this: ctr_portal/settings_test.py.)"""
    yield


@pytest.mark.django_db(transaction=True)
def test_two_people_moving_a_review_at_the_same_moment_cannot_both_win(shared_database):
    review = ready_to_go(S.SCHEDULED)
    people = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2, timeout=10)
    outcomes = {}

    def act(person, to):
        try:
            mine = Review.objects.get(pk=review.pk)  # each its own copy, as two requests have
            barrier.wait()
            services.review_transition(
                review=mine, to=to, actor=person, reason="Chair unwell", expected_state=S.SCHEDULED
            )
            outcomes[to] = "moved"
        except TransitionError as error:
            outcomes[to] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(people[0], S.POSTPONED)),
        threading.Thread(target=act, args=(people[1], S.CANCELLED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(map(str, outcomes.values())).count("moved") == 1, outcomes
    (winner,) = [to for to, outcome in outcomes.items() if outcome == "moved"]
    (loser,) = [outcome for outcome in outcomes.values() if outcome != "moved"]
    assert isinstance(loser, TransitionError)
    assert loser.problems == [
        f"Someone else changed this review: it is now {winner.label.lower()}. "
        "Check the page and try again"
    ]
    review.refresh_from_db()
    assert review.state == winner
    assert review.events.filter(kind=ReviewEvent.Kind.TRANSITION).count() == 1


@pytest.mark.django_db
def test_consent_withdrawn_after_ready_stops_the_review_being_recorded_as_held():
    review = ready_to_go(S.READY)
    ConsentRecordFactory(
        review=review,
        decision="withdrawn",
        shares_information=False,
        recorded_at=timezone.now() + timedelta(minutes=1),
    )

    problems = _refusal(review, S.HELD)

    assert problems == [
        "The review cannot be recorded as held: consent or a best-interests decision is "
        "needed and the latest record says consent withdrawn. Record the person's decision "
        "first"
    ]
    review.refresh_from_db()
    assert review.state == S.READY
