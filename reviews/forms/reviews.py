"""Forms for the review pages: plan, schedule, agenda, lifecycle and the list's filters.

Forms parse and check what was typed; the services decide the rest and their errors are shown
beside the same fields (see the views).
"""

import re
from datetime import datetime, time

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.formatting import nhs_date, nhs_time
from ctr_portal.nhsuk import Field, Fieldset, Layout, NHSUKFormMixin, SplitDateField, Submit

from .. import policy
from ..models import (
    ACTION_LABELS,
    MeetingFormat,
    ReviewEventReason,
    ReviewKind,
    ReviewState,
)
from ..queries import ReviewFilter

# --- Shared fields ---------------------------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$")
_NAMED_TIMES = {"midday": time(12), "noon": time(12), "midnight": time(0)}
TIME_EXAMPLE = "like 9:30am or 2pm"


class TimeOfDayField(forms.CharField):
    """A time typed the way the service writes it ("9:30am", "2pm", "midday") or on the 24-hour
    clock ("14:00", "9.30"), shown back as the service writes it (`nhs_time`). Anything longer
    than "12:30p.m." is not a time: it gets the same message."""

    default_error_messages = {
        "invalid": f"%(label)s must be a real time, {TIME_EXAMPLE}",
        "max_length": f"%(label)s must be a real time, {TIME_EXAMPLE}",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("spellcheck", "false")
        # The value is a time by the time validators run: the pattern bounds its length.
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value):
        value = super().to_python(value).strip().lower()
        if value in self.empty_values:
            return None
        if value in _NAMED_TIMES:
            return _NAMED_TIMES[value]
        parsed = _parse_time(value)
        if parsed is None:
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"label": str(self.label or "Time")},
            )
        return parsed

    def prepare_value(self, value):
        return nhs_time(value) if isinstance(value, time) else value


def _parse_time(value: str) -> time | None:
    match = _TIME.match(value)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:
        return None  # "9" alone: morning or evening?
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


# --- Plan a review ---------------------------------------------------------------------------

KIND_HINTS = {
    ReviewKind.COMMUNITY: "The person is at risk of admission to hospital",
    ReviewKind.POST_ADMISSION: "After an admission, when no community review was held first",
    ReviewKind.INPATIENT_REPEAT: "The regular review while the person is in hospital",
    ReviewKind.EVENT_TRIGGERED: "The person moved hospital, or their diagnosis was removed",
    ReviewKind.REQUESTED: "Anyone may ask for a review, including the person and their family",
    ReviewKind.INDEPENDENT: "For someone in long-term segregation: an in-depth review whose chair "
    "is independent too",
}
HOSPITAL_KINDS = (ReviewKind.POST_ADMISSION, ReviewKind.INPATIENT_REPEAT, ReviewKind.INDEPENDENT)


class ReviewPlanForm(NHSUKFormMixin, forms.Form):
    """Which kind of review, and what it needs: the due date comes from the rule table."""

    submit_label = "Plan the review"

    kind = forms.ChoiceField(
        label="What kind of review is needed?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of review"},
    )
    event_reason = forms.ChoiceField(
        label="What happened?",
        widget=forms.RadioSelect,
        choices=ReviewEventReason.choices,
        required=False,
        error_messages={"invalid_choice": "Select what happened"},
    )
    event_date = SplitDateField(
        label="Date of the event",
        subject="The date of the event",
        bounds=limits.RECENT_EVENT,
        help_text="For example, 27 3 2026",
        required=False,
    )
    requested_by = forms.CharField(
        label="Who asked for the review?",
        help_text="For example, the person, their mother, or their advocate",
        max_length=150,
        required=False,
        error_messages=limits.too_long("Description of who asked for the review", 150),
    )
    requested_on = SplitDateField(
        label="When did they ask? (optional)",
        subject="The date they asked",
        bounds=limits.RECENT_EVENT,
        help_text="The review's clock starts then. Leave empty if it was today",
        required=False,
    )

    def __init__(self, *args, person, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)
        # Only the kinds that fit where the person is now.
        unfit = (ReviewKind.COMMUNITY,) if person.in_hospital else HOSPITAL_KINDS
        if not person.in_segregation:
            unfit += (ReviewKind.INDEPENDENT,)
        self.fields["kind"].choices = [
            (value, label) for value, label in ReviewKind.choices if value not in unfit
        ]

    def get_layout(self):
        return Layout(
            Field(
                "kind",
                legend_size="l",
                legend_is_page_heading=True,
                caption=self.person.full_name,
                choice_hints=KIND_HINTS,
                conditional={
                    ReviewKind.EVENT_TRIGGERED: [
                        Field("event_reason", legend_size="s"),
                        Field("event_date", legend_size="s"),
                    ],
                    ReviewKind.REQUESTED: [
                        Field("requested_by", width="two-thirds"),
                        Field("requested_on", legend_size="s"),
                    ],
                },
            ),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == ReviewKind.EVENT_TRIGGERED:
            if not cleaned.get("event_reason") and "event_reason" not in self.errors:
                self.add_error("event_reason", "Select what happened")
            day = cleaned.get("event_date")
            if day is None and "event_date" not in self.errors:
                self.add_error("event_date", "Enter the date of the event")
        else:
            cleaned["event_reason"], cleaned["event_date"] = "", None
            self.errors.pop("event_reason", None)
            self.errors.pop("event_date", None)
        if kind == ReviewKind.REQUESTED:
            if not cleaned.get("requested_by", "").strip():
                self.add_error("requested_by", "Enter who asked for the review")
        else:
            cleaned["requested_by"], cleaned["requested_on"] = "", None
            self.errors.pop("requested_on", None)
        return cleaned


# --- Schedule -------------------------------------------------------------------------------

DURATIONS = [
    (60, "1 hour"),
    (90, "1 and a half hours"),
    (120, "2 hours"),
    (180, "3 hours"),
    (240, "4 hours"),
    (300, "5 hours"),
    (360, "6 hours"),
    (420, "7 hours"),
    (480, "8 hours (a full day)"),
]


class ReviewScheduleForm(NHSUKFormMixin, forms.Form):
    """The date, time and place. Why it is late is asked only when the date is after the due
    date (or the review is overdue already): the field appears once that is known."""

    submit_label = "Save the date"

    date = SplitDateField(
        label="Date of the review",
        subject="The date",
        bounds=limits.PLANNED,
        help_text="For example, 15 3 2027",
        error_messages={"required": "Enter the date of the review"},
    )
    start_time = TimeOfDayField(
        label="Start time",
        help_text="For example, 9:30am or 2pm",
        error_messages={"required": "Enter the start time"},
    )
    duration_minutes = forms.TypedChoiceField(
        label="How long will it take?",
        coerce=int,
        choices=DURATIONS,
        error_messages={
            "required": "Select how long the review will take",
            "invalid_choice": "Select how long the review will take",
        },
    )
    venue = forms.CharField(
        label="Venue",
        help_text="The address and room. Leave this blank if everyone meets by video.",
        max_length=300,
        required=False,
    )
    video_link = forms.URLField(
        label="Video link",
        help_text="Leave this blank if everyone meets in person.",
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a video link in the correct format, like https://meet.example.com/abc"
        },
    )
    meeting_format = forms.ChoiceField(
        label="How will people meet?",
        widget=forms.RadioSelect,
        choices=MeetingFormat.choices,
        required=False,
        help_text="The agenda is planned for it: no look at the ward when everyone meets by video.",
        error_messages={"invalid_choice": "Select how people will meet"},
    )
    late_reason = forms.CharField(
        label="Why will the review be after its due date?",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        error_messages=limits.too_long("Reason", limits.NOTE),
    )
    after_the_event = forms.BooleanField(
        label="This review has already happened",
        help_text="Tick this only to record a review after the day it was held.",
        required=False,
    )
    after_the_event_reason = forms.CharField(
        label="Why is it being recorded after it happened?",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        error_messages=limits.too_long("Reason", limits.NOTE),
    )
    confirm_day = forms.BooleanField(label="Yes, the review is on that day", required=False)

    def __init__(self, *args, review, **kwargs):
        self.review = review
        initial = {"start_time": time(9), "duration_minutes": 480}
        if review.starts_at:
            local = timezone.localtime(review.starts_at)
            initial = {
                "date": local.date(),
                "start_time": local.time(),
                "duration_minutes": review.duration_minutes,
                "venue": review.venue,
                "video_link": review.video_link,
                "meeting_format": review.meeting_format,
                "late_reason": review.late_reason,
            }
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        if review.duration_minutes and review.duration_minutes not in dict(DURATIONS):
            self.fields["duration_minutes"].choices = sorted(
                [*DURATIONS, (review.duration_minutes, f"{review.duration_minutes} minutes")]
            )
        if self.is_bound and self.data.get("after_the_event"):
            self.fields["date"].bounds = limits.RECENT_EVENT
        due = nhs_date(review.due_date)
        self.fields[
            "late_reason"
        ].help_text = f"It is due by {due}. Say why it cannot be held by then."
        self.fields[
            "date"
        ].help_text = f"It is due by {due}. A later date needs a reason. For example, 15 3 2027"

    def _date_entered(self):
        if not self.is_bound:
            return self.initial.get("date")
        try:
            return self.fields["date"].clean(self["date"].value())
        except ValidationError:
            return None

    @property
    def asks_why_late(self) -> bool:
        day = self._date_entered()
        return bool(
            self.review.due_date < timezone.localdate()
            or self.review.late_reason
            or (day and day > self.review.due_date)
            or (self.is_bound and self.data.get("late_reason", "").strip())
            or (self._errors or {}).get("late_reason")
        )

    def get_layout(self):
        return Layout(
            Field("date", legend_size="m"),
            Field("start_time", width=5),
            Field("duration_minutes"),
            Fieldset(
                "Where",
                Field("meeting_format"),
                Field("venue", width="full"),
                Field("video_link", width="full", spellcheck="false", autocomplete="off"),
                legend_size="m",
            ),
            *([Field("late_reason", rows=3)] if self.asks_why_late else []),
            *([Field("confirm_day")] if self.asks_to_confirm_day else []),
            Fieldset(
                "Recording a review after the day",
                Field("after_the_event"),
                Field("after_the_event_reason", rows=3),
                legend_size="s",
            ),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        """A weekend or bank holiday is a warning to confirm with the box, not a refusal."""
        cleaned = super().clean()
        day = cleaned.get("date")
        if day and not cleaned.get("confirm_day") and day >= timezone.localdate():
            warning = policy.unusual_day_warning(day)
            if warning:
                self.add_error("confirm_day", warning)
        return cleaned

    @property
    def asks_to_confirm_day(self) -> bool:
        """The confirm box appears once the service has warned about the day (or stays ticked)."""
        return bool((self._errors or {}).get("confirm_day") or self.data.get("confirm_day"))

    def service_arguments(self) -> dict:
        """What the scheduling service takes from this form, beyond the date and time."""
        data = self.cleaned_data
        return {
            "duration_minutes": data["duration_minutes"],
            "venue": data["venue"],
            "video_link": data["video_link"],
            "late_reason": data["late_reason"],
            "meeting_format": data["meeting_format"],
            "after_the_event_reason": data["after_the_event_reason"]
            if data["after_the_event"]
            else None,
        }

    def refresh_layout(self):
        """After validation (or the service's errors), show the late reason if it is needed."""
        self.helper.layout = self.get_layout()

    @property
    def starts_at(self) -> datetime:
        cleaned = self.cleaned_data
        return timezone.make_aware(datetime.combine(cleaned["date"], cleaned["start_time"]))


# --- Agenda ---------------------------------------------------------------------------------


class AgendaItemForm(NHSUKFormMixin, forms.Form):
    """One line of the day's agenda. A line left blank is ignored."""

    starts_at = TimeOfDayField(label="Time", help_text="For example, 9:30am", required=False)
    title = forms.CharField(label="What happens", max_length=200, required=False)
    detail = forms.CharField(label="Details (optional)", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def get_layout(self, legend=""):
        return Layout(
            Fieldset(
                legend,
                Field("starts_at", width=5),
                Field("title", width="full"),
                Field("detail", width="full"),
                *([Field("DELETE")] if "DELETE" in self.fields else []),
                legend_size="s",
            )
        )

    @property
    def is_blank(self) -> bool:
        cleaned = getattr(self, "cleaned_data", {})
        return not any(cleaned.get(name) for name in ("starts_at", "title", "detail"))

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE") or self.is_blank:
            return cleaned
        if not cleaned.get("starts_at"):
            self.add_error("starts_at", "Enter the time")
        if not cleaned.get("title", "").strip():
            self.add_error("title", "Enter what happens at this time")
        return cleaned


class BaseAgendaFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this item"
        form.use_required_attribute = False
        legend = (
            f"Item {index + 1}"
            if index is not None and index < self.initial_form_count()
            else "New item"
        )
        form.helper.layout = form.get_layout(legend)

    def items(self) -> list[dict]:
        """What to save: the lines kept, as the service takes them."""
        return [
            {
                "starts_at": f.cleaned_data["starts_at"],
                "title": f.cleaned_data["title"].strip(),
                "detail": f.cleaned_data.get("detail", "").strip(),
            }
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and not f.is_blank
        ]


AgendaFormSet = forms.formset_factory(
    AgendaItemForm,
    formset=BaseAgendaFormSet,
    extra=3,
    can_delete=True,
    max_num=40,
    validate_max=True,
)


def agenda_initial(items) -> list[dict]:
    return [{"starts_at": i.starts_at, "title": i.title, "detail": i.detail} for i in items]


# --- The lifecycle --------------------------------------------------------------------------

MOVE_HINTS = {
    ReviewState.READY: "Everything under 'Getting ready' on the review page must be done",
    ReviewState.HELD: "On or after the day of the review",
    ReviewState.POSTPONED: "Give a reason. You can set a new date afterwards",
    ReviewState.CANCELLED: "Give a reason. A cancelled review cannot be reopened",
}


class ReviewTransitionForm(NHSUKFormMixin, forms.Form):
    """Move the review on. `expected_state` is the state the page showed, so that a move made
    by someone else in the meantime is noticed rather than overridden."""

    submit_label = "Continue"

    to = forms.ChoiceField(
        label="What do you want to do?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what you want to do",
            "invalid_choice": "Select one of the actions shown",
        },
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Needed if you postpone or cancel the review. It is shown on the review's "
        "timeline.",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
    )
    expected_state = forms.ChoiceField(
        choices=ReviewState.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Reload the page and try again",
            "invalid_choice": "Reload the page and try again",
        },
    )

    def __init__(self, *args, moves, caption="", state=None, **kwargs):
        self.caption = caption
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(str(s), ACTION_LABELS[s]) for s in moves]
        if state:
            self.fields["to"].help_text = f"The review is {ReviewState(state).label.lower()} now."

    def get_layout(self):
        return Layout(
            Field(
                "to",
                legend_size="l",
                legend_is_page_heading=True,
                caption=self.caption,
                choice_hints={str(k): v for k, v in MOVE_HINTS.items()},
            ),
            Field("reason", rows=4),
            Field("expected_state"),
            Submit("submit", self.submit_label),
        )


# --- Filters: the review list and the commissioner's dashboard ------------------------------


class ReviewFilterForm(NHSUKFormMixin, forms.Form):
    """The filters of the review list and of the commissioner's dashboard, sent as a GET query:
    codes only, never anything about a person. `organisations` are the user's own commissioning
    organisations; without any, there is no organisation filter."""

    submit_label = "Apply filters"

    organisation = forms.TypedChoiceField(
        label="Commissioner", coerce=int, required=False, empty_value=None
    )
    review_type = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[
            ("", "CTR and C(E)TR"),
            ("ctr", "CTR (18 and over)"),
            ("cetr", "C(E)TR (under 18)"),
        ],
    )
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=[("", "All kinds"), *ReviewKind.choices]
    )
    state = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *ReviewState.choices]
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        if organisations:
            self.fields["organisation"].choices = [
                ("", "All your organisations"),
                *((o.pk, o.name) for o in organisations),
            ]
        else:
            del self.fields["organisation"]
        self.helper.form_method = "get"
        self.helper.layout = self.get_layout()

    def get_layout(self):
        return Layout(
            *(Field(name) for name in self.fields),
            Submit("submit", self.submit_label, secondary=True),
        )

    def to_filter(self) -> ReviewFilter:
        """The filter from the values that are valid; a value that is not is ignored."""
        if self.is_bound:
            self.is_valid()
        cleaned = getattr(self, "cleaned_data", {}) or {}
        return ReviewFilter(
            organisation=cleaned.get("organisation"),
            review_type=cleaned.get("review_type", ""),
            kind=cleaned.get("kind", ""),
            state=cleaned.get("state", ""),
        )
