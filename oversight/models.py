"""Oversight: the person's home area, and the commissioner's oversight visits to people placed
in hospital out of their home area (domain.md §3; ADR 0013 says what "out of area" means)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.models import Organisation
from reviews.models import Person, age_on

from . import policy

USER = settings.AUTH_USER_MODEL


class HomeArea(models.Model):
    """The integrated care board of the area the person lives in, or came from, when it is not
    their responsible commissioner (or their responsible commissioner is not an ICB)."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="oversight_home_area"
    )
    icb = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.ICB},
        verbose_name="home area (integrated care board)",
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Home area of person {self.person_id}"


class OversightVisit(models.Model):
    """One visit by the commissioner to a person placed in hospital out of their home area."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="oversight_visits")
    visited_on = models.DateField("date of the visit")
    visited_by = models.CharField("who visited", max_length=300)
    found = models.TextField("what was found", max_length=limits.LONG_NOTE)
    actions = models.TextField("actions agreed", max_length=limits.LONG_NOTE)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["person", "-visited_on"], name="oversight_visit_person")]

    def __str__(self):
        return f"Oversight visit ({self.visited_on})"


def home_icb_id(person, home_area: HomeArea | None) -> int | None:
    """The person's home area: the ICB recorded for them, or else their responsible
    commissioner when that is an ICB (ADR 0013); None when not known."""
    if home_area is not None:
        return home_area.icb_id
    if person.responsible_commissioner.kind == Organisation.Kind.ICB:
        return person.responsible_commissioner_id
    return None


def visit_interval(person, on: date) -> timedelta:
    """Every 8 weeks for an adult, every 6 for a child (domain.md §3, oversight/policy.py), by the
    person's age on the day the interval counts from."""
    child = age_on(person.date_of_birth, on) < 18
    weeks = policy.VISIT_WEEKS_CHILD if child else policy.VISIT_WEEKS_ADULT
    return timedelta(weeks=weeks)
