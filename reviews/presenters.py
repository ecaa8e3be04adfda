"""What the reviews pages show, as plain values for their templates: the rows, cells and
actions of the project's `card`, `summary_list` and `table` components
(ctr_portal/templatetags/nhsuk.py). A value that needs markup (a link, a tag, a line break) is a
`Partial` naming the partial that draws it (reviews/templates/reviews/*/_*.html); no HTML here.

The review page's template, reviews/review/_detail_full.html, lays its cards out; nothing here
reads the database beyond what `queries.review_for_user` loaded.
"""

from django.urls import reverse
from django.utils import timezone

from ctr_portal.formatting import nhs_date, nhs_duration, nhs_time
from ctr_portal.partials import Partial, line_breaks, tag

from .models import OPEN_STATES

PARTICIPANT_HEAD = ["Role", "Name", "Invited", "Independence"]
AGENDA_HEAD = ["Time", "What happens"]


def _action(url_name, review, text) -> dict:
    """A card action; the card component adds the card's heading for screen readers, as in
    "Change (Date and place)"."""
    return {"href": reverse(url_name, args=[review.pk]), "text": text}


# --- Date and place ------------------------------------------------------------------------


def date_actions(review, *, can_schedule) -> list[dict]:
    if not can_schedule:
        return []
    if review.starts_at:
        return [_action("reviews:review_schedule", review, "Change")]
    return [_action("reviews:review_schedule", review, "Set the date and place")]


def date_rows(review, *, when, rule, stopped_reason) -> list[dict | None]:
    due = Partial(
        "reviews/review/_due_by.html",
        {
            "due": nhs_date(review.due_date),
            "rule": rule.description if rule else "",
            "basis": review.due_basis,
            "source": rule.source_label if rule else "",
        },
    )
    kind = review.get_kind_display()
    if review.event_reason:
        kind += f": {review.get_event_reason_display().lower()}"
    if review.requested_by:
        kind += f", asked for by {review.requested_by}"
    return [
        {"key": "Due by", "value": due},
        {"key": "Date and time", "value": when or "Not set yet"},
        review.venue and {"key": "Venue", "value": line_breaks(review.venue)},
        review.video_link
        and {
            "key": "Video link",
            "value": Partial("reviews/review/_video_link.html", {"href": review.video_link}),
        },
        review.is_late
        and review.late_reason
        and {"key": "Why it is after the due date", "value": line_breaks(review.late_reason)},
        review.held_on and {"key": "Held on", "value": nhs_date(review.held_on)},
        stopped_reason
        and {
            "key": f"Why it was {review.get_state_display().lower()}",
            "value": line_breaks(stopped_reason),
        },
        {"key": "Kind of review", "value": kind},
        {"key": "Organised by", "value": review.commissioner.name},
    ]


def calendar_link(review) -> str:
    if not review.starts_at:
        return ""
    return Partial(
        "reviews/review/_calendar_link.html",
        {"href": reverse("reviews:review_calendar", args=[review.pk])},
    )


# --- People taking part --------------------------------------------------------------------


def people_actions(review, *, can_manage) -> list[dict]:
    if not can_manage:
        return []
    actions = [_action("reviews:review_participant_add", review, "Add a participant")]
    if review.starts_at and timezone.localdate(review.starts_at) <= timezone.localdate():
        actions.append(_action("reviews:review_attendance", review, "Record who took part"))
    return actions


def participant_rows(participants, *, can_manage) -> list[list]:
    return [
        [
            p.get_role_display(),
            p.name,
            _unreachable(p) if can_manage and p.unreachable_since else _invited(p),
            _independence(p, can_manage=can_manage),
        ]
        for p in participants
    ]


def _invited(participant) -> str:
    when = nhs_date(participant.invited_at)
    if not when:
        return "Not yet"
    if participant.invited_through != "email":
        when = f"{when}, {participant.get_invited_through_display().lower()}"
    if participant.attended is not None:
        when += "; took part" if participant.attended else "; did not take part"
    return when


UNREACHABLE_CHECK = {"text": "the number", "letter": "the address", "email": "the address"}


def _unreachable(participant):
    """A notice did not reach them: say so where the commissioner looks, with what to check."""
    channel = {"text": "text message"}.get(participant.unreachable_by, participant.unreachable_by)
    check = UNREACHABLE_CHECK.get(participant.unreachable_by, "how they are reached")
    return Partial(
        "reviews/review/_unreachable.html",
        {"when": _invited(participant), "label": f"Not reached by {channel}: check {check}"},
    )


def _independence(participant, *, can_manage):
    if not participant.needs_independence:
        return "Not needed"
    if participant.independence_declared_at is None:
        return tag("Not declared", "orange")
    text = f"Declared {nhs_date(participant.independence_declared_at)}"
    if can_manage and participant.conflict_declared:
        text += " (a possible conflict declared)"
    return text


# --- Consent -------------------------------------------------------------------------------


def consent_actions(review, *, can_manage, can_view_consent) -> list[dict | None]:
    return [
        can_manage and _action("reviews:review_consent", review, "Record consent"),
        can_view_consent
        and _action("reviews:review_consent_form", review, "Print the consent form"),
    ]


def consent_rows(consent) -> list[dict]:
    if consent is None:
        return []
    decision = Partial(
        "reviews/review/_consent_decision.html",
        {
            "decision": consent.get_decision_display(),
            "route": consent.get_route_display() if consent.route else "",
        },
    )
    return [
        {"key": "Latest decision", "value": decision},
        {"key": "Date of the decision", "value": nhs_date(consent.decided_on)},
        {"key": "Report format", "value": consent.get_report_format_display()},
    ]


# --- Agenda --------------------------------------------------------------------------------


def agenda_actions(review, agenda, *, can_manage) -> list[dict]:
    if not can_manage:
        return []
    if agenda:
        return [_action("reviews:review_agenda", review, "Change")]
    return [_action("reviews:review_agenda", review, "Write the agenda")]


def agenda_rows(agenda) -> list[list]:
    return [
        [
            nhs_time(item.starts_at),
            Partial(
                "reviews/review/_agenda_item.html", {"title": item.title, "detail": item.detail}
            ),
        ]
        for item in agenda
    ]


# --- The person ----------------------------------------------------------------------------


def person_rows(person, *, age) -> list[dict | None]:
    where = person.get_setting_display()
    if person.in_hospital and person.provider:
        ward = f", {person.ward}" if person.ward else ""
        where = Partial(
            "reviews/review/_where.html",
            {"setting": where, "hospital": person.provider.name + ward},
        )
    known_as = person.preferred_name + (f" ({person.pronouns})" if person.pronouns else "")
    return [
        person.preferred_name and {"key": "Known as", "value": known_as},
        {"key": "Date of birth", "value": f"{nhs_date(person.date_of_birth)} (age {age})"},
        {"key": "NHS number", "value": person.nhs_number_display},
        {"key": "Diagnosis", "value": person.diagnosis_display},
        {"key": "Where they are", "value": where},
        person.in_hospital
        and {"key": "Mental Health Act", "value": person.get_mha_status_display()},
    ]


def person_link(person, *, can_view_person) -> str:
    if not can_view_person:
        return ""
    return Partial(
        "reviews/review/_person_link.html",
        {"href": reverse("reviews:person_detail", args=[person.pk]), "name": person.known_as},
    )


# --- People --------------------------------------------------------------------------------


def dsr_tag(person):
    """The person's Dynamic Support Register rating, as a tag."""
    return tag(person.dsr_short_label, person.dsr_colour)


def person_review_row(review, today) -> list:
    """A row of the reviews table on a person's page."""
    due = shown = nhs_date(review.due_date)
    if review.state in OPEN_STATES and review.due_date < today:
        shown = tag(f"Overdue: due {due}", "red")
    return [
        {
            "text": review.type_label,
            "href": reverse("reviews:review_detail", args=[review.pk]),
            "visually_hidden_text": f"({review.get_kind_display().lower()}, due by {due})",
        },
        review.get_kind_display(),
        shown,
        tag(review.get_state_display(), review.state_colour),
    ]


# --- The person over time ------------------------------------------------------------------


def hospital_stay(person, today) -> str:
    """Time since admission against the planned discharge date: "In hospital 1 year 3 months;
    planned discharge 5 March 2027 (in 3 months)", or "past its planned date by 2 weeks"."""
    if not person.in_hospital or person.admission_date is None:
        return ""
    text = f"In hospital {nhs_duration(person.admission_date, today)}"
    planned = person.planned_discharge_date
    if planned is None:
        return f"{text}; no planned discharge date"
    text += f"; planned discharge {nhs_date(planned)}"
    if planned > today:
        return f"{text} (in {nhs_duration(today, planned)})"
    if planned == today:
        return f"{text} (today)"
    return f"{text}, past its planned date by {nhs_duration(planned, today)}"


def restrictive_practice_when(record) -> str:
    """ "3 March 2026", or "1 March 2026 to 31 March 2026" for a period."""
    if record.ended_on and record.ended_on != record.occurred_on:
        return f"{nhs_date(record.occurred_on)} to {nhs_date(record.ended_on)}"
    return nhs_date(record.occurred_on)


RESTRICTIVE_PRACTICE_HEAD = ["When", "What was used", "How many times", "Note"]


def restrictive_practice_row(record) -> list:
    return [
        restrictive_practice_when(record),
        record.get_kind_display(),
        str(record.count),
        line_breaks(record.note) if record.note else "",
    ]
