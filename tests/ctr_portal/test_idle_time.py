"""The person and family may choose a longer idle time, up to SESSION_IDLE_MAX_MINUTES; the
server's idle expiry and the time-out warning both follow it. Staff keep the usual time (issue
22, point 6)."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

READING = reverse("accounts:reading_format")
DASHBOARD = reverse("dashboard")


def body_of(response) -> str:
    return re.search(r"<body[^>]*>", response.content.decode()).group(0)


def choose(client, minutes, reading_format="standard"):
    return client.post(READING, {"reading_format": reading_format, "idle_minutes": minutes})


@override_settings(SESSION_IDLE_MAX_MINUTES=60)
def test_the_family_chooses_45_minutes_and_the_server_and_the_warning_follow(
    client, time_machine
):
    time_machine.move_to("2026-11-23 09:00", tick=False)
    user = UserFactory(public=True)
    client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    page = client.get(READING).content.decode()
    assert "How long can you leave the service before we sign you out?" in page
    assert "The usual time (15 minutes)" in page and "60 minutes" in page
    assert "90 minutes" not in page  # over the service's maximum

    assert choose(client, "45").status_code == 302
    user.refresh_from_db()
    assert user.idle_minutes == 45
    body = body_of(client.get(DASHBOARD))
    assert 'data-session-idle-seconds="2700"' in body
    assert 'data-session-warning-seconds="2580"' in body  # two minutes before the end

    time_machine.move_to("2026-11-23 09:40", tick=False)
    assert client.get(DASHBOARD).status_code == 200  # 40 minutes idle: still signed in
    time_machine.move_to("2026-11-23 10:26", tick=False)
    assert client.get(DASHBOARD).status_code == 302  # 46 minutes idle: signed out


@override_settings(SESSION_IDLE_MAX_MINUTES=60)
def test_a_time_over_the_maximum_is_refused_beside_the_question(client):
    user = UserFactory(public=True)
    sign_in(client, user)
    response = choose(client, "120")
    assert response.status_code == 200
    assert "Choose how long we wait before signing you out" in response.content.decode()
    user.refresh_from_db()
    assert user.idle_minutes is None


def test_a_lower_maximum_later_caps_what_was_chosen(client):
    user = UserFactory(public=True, idle_minutes=60)
    sign_in(client, user)
    with override_settings(SESSION_IDLE_MAX_MINUTES=30):
        assert 'data-session-idle-seconds="1800"' in body_of(client.get(DASHBOARD))


@override_settings(SESSION_IDLE_MAX_MINUTES=60)
def test_going_back_to_the_usual_time(client):
    user = UserFactory(public=True, idle_minutes=60)
    sign_in(client, user)
    assert 'data-session-idle-seconds="3600"' in body_of(client.get(DASHBOARD))
    choose(client, "0")
    user.refresh_from_db()
    assert user.idle_minutes is None
    assert 'data-session-idle-seconds="900"' in body_of(client.get(DASHBOARD))


@override_settings(SESSION_IDLE_MAX_MINUTES=60)
def test_staff_keep_the_usual_time_and_are_not_offered_a_choice(client):
    staff = UserFactory(idle_minutes=60)  # set by hand: the page never offers it
    sign_in(client, staff)
    assert "How long can you leave" not in client.get(READING).content.decode()
    assert 'data-session-idle-seconds="900"' in body_of(client.get(DASHBOARD))
    choose(client, "60")
    staff.refresh_from_db()
    assert 'data-session-idle-seconds="900"' in body_of(client.get(DASHBOARD))
