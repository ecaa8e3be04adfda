"""Recommendations: forms and crispy layouts; no database writes. The services have the last
word: the SMART rules (`models.smart_problems`) are asked here too, so every problem shows beside
its field and in the error summary with what was typed kept."""

from django import forms
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.nhsuk import Field, Fieldset, Layout, NHSUKFormMixin, SplitDateField, Submit
from documents.forms import _upload_hint

from .models import (
    ACTION_TEXT,
    EscalationOutcome,
    ForWhom,
    Priority,
    State,
    escalation_action_problems,
    smart_examples,
    smart_problems,
)
from .policy import PROGRESS_CHECK_AFTER_DAYS

# A recommendation's dates: from today, within five years.
DUE = limits.DateBounds(limits.TODAY_OR_FUTURE, years=5)
NAME_MAX = 150
ORGANISATION_MAX = 200


def _progress_check_date():
    """The optional date to check progress, asked for when a recommendation is written and when
    its date changes."""
    return SplitDateField(
        label="Date to check progress",
        subject="The date to check progress",
        bounds=DUE,
        required=False,
        help_text="Needed when the action takes more than 3 months.",
    )


class RecommendationForm(NHSUKFormMixin, forms.Form):
    """Write or change a recommendation. `kloes` are the review's KLOEs; `candidates` the
    accounts that may own it, as (user, where they work or their role)."""

    submit_label = "Save recommendation"

    kloes = forms.TypedMultipleChoiceField(
        label="Which key lines of enquiry does it answer?",
        widget=forms.CheckboxSelectMultiple,
        coerce=int,
        required=False,
        error_messages={"invalid_choice": "Select key lines of enquiry from the list"},
    )
    action = forms.CharField(
        label="What will be done",
        widget=forms.Textarea,
        max_length=ACTION_TEXT,
        required=False,
    )
    plain_words = forms.CharField(
        label="In plain words, for the person",
        widget=forms.Textarea,
        max_length=ACTION_TEXT,
        required=False,
        error_messages=limits.too_long("The plain words", ACTION_TEXT),
    )
    measure = forms.CharField(
        label="How will everyone know it is done?",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        error_messages=limits.too_long("How everyone will know it is done", limits.NOTE),
    )
    for_whom = forms.ChoiceField(
        label="Who is it for?",
        widget=forms.RadioSelect,
        choices=ForWhom.choices,
        required=False,
        error_messages={"invalid_choice": "Select who the recommendation is for"},
    )
    priority = forms.ChoiceField(
        label="Priority",
        widget=forms.RadioSelect,
        choices=Priority.choices,
        initial=Priority.ROUTINE,
        error_messages={"required": "Select the priority", "invalid_choice": "Select the priority"},
    )
    owner = forms.TypedChoiceField(
        label="Who is responsible?",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="One named person. If they are not listed, enter their details below.",
        error_messages={"invalid_choice": "Select the person responsible from the list"},
    )
    owner_name = forms.CharField(
        label="Full name of the person responsible", max_length=NAME_MAX, required=False
    )
    owner_organisation = forms.CharField(
        label="Their organisation", max_length=ORGANISATION_MAX, required=False
    )
    owner_role = forms.CharField(
        label="Their job title or role",
        help_text="For example, ward manager or social worker. The report names them with it.",
        max_length=NAME_MAX,
        required=False,
    )
    owner_email = forms.EmailField(
        label="Their email address",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    due_date = SplitDateField(
        label="Date it will be done by",
        subject="The date it will be done by",
        bounds=DUE,
        required=False,
        help_text="For example, 15 3 2027",
    )
    progress_check_date = _progress_check_date()

    def __init__(self, *args, review, kloes, candidates, suggestion=None, **kwargs):
        self.review = review
        self.kloe_by_pk = {k.pk: k for k in kloes}
        self.user_by_pk = {user.pk: user for user, _where in candidates}
        self.suggestion = suggestion
        self.examples = smart_examples(review)
        super().__init__(*args, **kwargs)
        self.fields["action"].help_text = (
            f"A task someone will do, in plain words. Good: '{self.examples.good}'. "
            f"Not: '{self.examples.bad}' (an aspiration, with nobody to do it)."
        )
        name = review.person.known_as
        self.fields["plain_words"].label = f"In plain words, for {name}"
        self.fields[
            "plain_words"
        ].help_text = f"{plain_words_hint(name)} Needed before the report is issued."
        self.fields["measure"].help_text = (
            f"What anyone will see when it is done. For example, '{self.examples.measure}'. "
            "Not 'n/a', 'yes' or 'ongoing'."
        )
        self.fields["kloes"].choices = [(k.pk, f"{k.label}: {k.title}") for k in kloes]
        self.fields["owner"].choices = [
            ("", "Someone not listed"),
            *((user.pk, f"{user.display_name} ({where})") for user, where in candidates),
        ]
        if suggestion:
            self.fields["owner"].help_text += f" The panel suggested: {suggestion}."

    def get_layout(self):
        return Layout(
            Field("kloes", legend_size="m"),
            Field("action", label_size="m", rows=4),
            Field("plain_words", label_size="m", rows=3),
            Field("measure", label_size="m", rows=3),
            Field("for_whom", legend_size="m"),
            Field("priority", legend_size="m", inline=True),
            Fieldset(
                "The named person responsible",
                Field("owner"),
                Field("owner_name", width="two-thirds"),
                Field("owner_organisation", width="two-thirds"),
                Field("owner_role", width="two-thirds"),
                Field("owner_email", width="two-thirds", spellcheck="false"),
            ),
            Field("due_date", legend_size="m"),
            Field("progress_check_date", legend_size="m"),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        cleaned = super().clean()
        cleaned["owner"] = self.user_by_pk.get(cleaned.get("owner"))
        cleaned["kloes"] = [self.kloe_by_pk[pk] for pk in cleaned.get("kloes") or []]
        problems = smart_problems(
            review_date=self.review.review_date,
            action=cleaned.get("action", ""),
            measure=cleaned.get("measure", ""),
            for_whom=cleaned.get("for_whom", ""),
            kloe_count=len(cleaned["kloes"]),
            owner=cleaned["owner"],
            owner_name=cleaned.get("owner_name", ""),
            owner_organisation=cleaned.get("owner_organisation", ""),
            owner_email=cleaned.get("owner_email", ""),
            due_date=cleaned.get("due_date"),
            progress_check_date=cleaned.get("progress_check_date"),
            long_action_days=PROGRESS_CHECK_AFTER_DAYS,
            examples=self.examples,
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def to_values(self) -> dict:
        data = dict(self.cleaned_data)
        return {"kloes": data.pop("kloes"), **data}


class PlainWordsForm(NHSUKFormMixin, forms.Form):
    """A recommendation already sent, in plain words for the person (issue 22)."""

    submit_label = "Save the plain words"

    plain_words = forms.CharField(
        label="In plain words, for the person",
        widget=forms.Textarea,
        max_length=ACTION_TEXT,
        error_messages=limits.too_long("The plain words", ACTION_TEXT),
    )

    def __init__(self, *args, review, **kwargs):
        super().__init__(*args, **kwargs)
        name = review.person.known_as
        self.fields["plain_words"].label = f"In plain words, for {name}"
        self.fields["plain_words"].error_messages["required"] = (
            f"Write it in plain words for {name}"
        )
        self.fields["plain_words"].help_text = plain_words_hint(name)

    def get_layout(self):
        return Layout(
            Field("plain_words", label_size="m", rows=4), Submit("submit", self.submit_label)
        )


def plain_words_hint(name: str) -> str:
    return (
        f"What {name} reads in the easy read report and the portal. Short sentences, no "
        "abbreviations. Say who will do what, and by when."
    )


class ConfirmForm(NHSUKFormMixin, forms.Form):
    def __init__(self, *args, submit_label="Continue", **kwargs):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)


def _optional_note(label, subject, help_text=""):
    """An optional text box, named `subject` in the too-long message."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        error_messages=limits.too_long(subject, limits.NOTE),
    )


class _AnswerRevealsForm(NHSUKFormMixin, forms.Form):
    """One radio question (`question`, a field name) whose answers reveal other fields
    (`reveals`); the answer `needs_reason` makes the revealed `reason` box required, with the
    message `reason_missing`."""

    question = ""
    reveals: dict = {}
    needs_reason = ""
    reason_missing = ""

    def get_layout(self):
        return Layout(
            Field(self.question, legend_size="m", conditional=self.reveals),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        cleaned = super().clean()
        self.require_revealed(self.question, {self.needs_reason}, "reason", self.reason_missing)
        return cleaned


class RespondForm(_AnswerRevealsForm):
    submit_label = "Send your answer"

    response = forms.ChoiceField(
        label="Will you do this?",
        widget=forms.RadioSelect,
        choices=[("accept", "Yes, I accept it"), ("dispute", "No, I dispute it")],
        error_messages={"required": "Select whether you accept this recommendation"},
    )
    remit_confirmed = forms.BooleanField(
        label="This action is within my remit and I can do it by the date",
        required=False,
    )
    reason = _optional_note(
        "Why can you not accept it?",
        "Why you cannot accept it",
        help_text="For example, it is not your organisation's responsibility, or the date is "
        "not possible. The chair will look at it again.",
    )
    question, reveals = "response", {"accept": "remit_confirmed", "dispute": "reason"}
    needs_reason = "dispute"
    reason_missing = "Enter why you cannot accept this recommendation"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("response") == "accept" and not cleaned.get("remit_confirmed"):
            self.add_error(
                "remit_confirmed", "Confirm this action is within your remit, or dispute it"
            )
        return cleaned


class ResolveForm(NHSUKFormMixin, forms.Form):
    submit_label = "Resolve the dispute"

    outcome = forms.ChoiceField(
        label="How is the dispute resolved?",
        widget=forms.RadioSelect,
        choices=[
            ("redraft", "Change the recommendation, then send it again"),
            ("resend", "Keep it as it is and send it back to the owner"),
        ],
        error_messages={"required": "Select how the dispute is resolved"},
    )
    note = forms.CharField(
        label="What was agreed, and why",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        error_messages={"required": "Enter how the dispute was resolved"},
    )


def _note(label, required_message, max_length=limits.NOTE, help_text="", subject=None):
    """A required text box; `subject` names it in the too-long message when the label is a
    question ("Reason must be 2,000 characters or fewer")."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        widget=forms.Textarea,
        max_length=max_length,
        error_messages={
            "required": required_message,
            **(limits.too_long(subject, max_length) if subject else {}),
        },
    )


class ProgressForm(NHSUKFormMixin, forms.Form):
    submit_label = "Post the update"
    note = _note(
        "What has happened so far?",
        "Enter what has happened so far",
        subject="Progress update",
        help_text="Plain words: everyone who follows this recommendation will read it.",
    )


class OptionalFileField(forms.Field):
    widget = forms.FileInput

    def clean(self, value):
        return value or None


# Said before anything is uploaded (issue 21): who reads the evidence.
EVIDENCE_READERS = (
    "Who will see it: the chair of the review panel, the commissioner (who checks it before the "
    "recommendation counts as done), the oversight panel if it is escalated, and the person and "
    "their family where the person's consent allows."
)


class DoneForm(NHSUKFormMixin, forms.Form):
    submit_label = "Mark as done"
    note = _note(
        "Evidence that it has been done",
        "Enter the evidence that this has been done",
        max_length=limits.LONG_NOTE,
        help_text="What was done, when, and where the proof is (a report, a letter, a plan). "
        + EVIDENCE_READERS,
    )
    evidence = OptionalFileField(label="Attach a file (optional)", required=False)
    not_for_family = forms.BooleanField(
        label="This file is not for the person and family",
        help_text="Tick if it holds something they should not read, such as another person's "
        "details. The chair, the commissioner and the oversight panel still see it.",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = f"{EVIDENCE_READERS} {_upload_hint(many=False)}"


class CheckDoneForm(_AnswerRevealsForm):
    submit_label = "Save the check"

    decision = forms.ChoiceField(
        label="Does the evidence show it is done?",
        widget=forms.RadioSelect,
        choices=[
            ("confirm", "Yes, confirm it is done"),
            ("send_back", "No, send it back to the owner"),
        ],
        error_messages={"required": "Select whether the evidence shows it is done"},
    )
    note = _optional_note("Anything to add (optional)", "Note")
    reason = _optional_note(
        "Why is it not done yet?", "Reason", help_text="The owner reads this. Say what is missing."
    )
    question, reveals = "decision", {"confirm": "note", "send_back": "reason"}
    needs_reason, reason_missing = "send_back", "Enter why it is not done yet"


class ReopenForm(NHSUKFormMixin, forms.Form):
    submit_label = "Reopen the recommendation"
    reason = _note(
        "Why is it being reopened?",
        "Enter why the recommendation is reopened",
        subject="Reason",
        help_text="The owner is told, and reads this.",
    )


class NotAchievedForm(NHSUKFormMixin, forms.Form):
    submit_label = "Record as not achieved"
    reason = _note("Why was it not achieved?", "Enter why this was not achieved", subject="Reason")


class SupersedeForm(NHSUKFormMixin, forms.Form):
    submit_label = "Record as superseded"

    by = forms.TypedChoiceField(
        label="Which recommendation replaces it?",
        coerce=int,
        empty_value=None,
        error_messages={
            "required": "Select the recommendation that replaces this one",
            "invalid_choice": "Select the recommendation that replaces this one",
        },
    )
    note = forms.CharField(
        label="Why (optional)", widget=forms.Textarea, max_length=limits.NOTE, required=False
    )

    def __init__(self, *args, others=(), **kwargs):
        self.others = {r.pk: r for r in others}
        super().__init__(*args, **kwargs)
        self.fields["by"].choices = [
            ("", "Select a recommendation"),
            *((r.pk, f"Recommendation {r.number}: {r.action[:80]}") for r in others),
        ]

    def clean_by(self):
        return self.others.get(self.cleaned_data["by"])


class DueDateForm(NHSUKFormMixin, forms.Form):
    submit_label = "Change the date"

    due_date = SplitDateField(
        label="New date it will be done by",
        subject="The date it will be done by",
        bounds=DUE,
        error_messages={"required": "Enter the date this will be done by"},
    )
    progress_check_date = _progress_check_date()
    reason = _note("Why is the date changing?", "Enter why the date is changing", subject="Reason")


class EscalateForm(NHSUKFormMixin, forms.Form):
    submit_label = "Escalate"

    panel = forms.TypedChoiceField(
        label="Oversight panel",
        coerce=int,
        empty_value=None,
        error_messages={
            "required": "Select the oversight panel",
            "invalid_choice": "Select the oversight panel",
        },
    )
    reason = _note(
        "Why is it escalated?",
        "Enter why this recommendation is escalated",
        subject="Reason",
        help_text="What is stuck, what has been tried, and what you need from the panel.",
    )

    def __init__(self, *args, panels=(), **kwargs):
        self.panels = {p.pk: p for p in panels}
        super().__init__(*args, **kwargs)
        self.fields["panel"].choices = [(p.pk, p.name) for p in panels]
        if len(panels) == 1:
            self.fields["panel"].initial = panels[0].pk

    def clean_panel(self):
        return self.panels.get(self.cleaned_data["panel"])


class FollowUpForm(NHSUKFormMixin, forms.Form):
    submit_label = "Record the check"

    checked_on = SplitDateField(
        label="Date of the check",
        subject="The date of the check",
        bounds=limits.RECENT_EVENT,
        error_messages={"required": "Enter the date of the check"},
    )
    found = _note(
        "What was found?",
        "Enter what the check found",
        max_length=limits.LONG_NOTE,
        subject="What was found",
    )
    next_steps = _note("What happens next?", "Enter what happens next", subject="Next steps")


class TrackerFilterForm(NHSUKFormMixin, forms.Form):
    """The tracker's filters, sent as a GET query."""

    submit_label = "Apply filters"

    review = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=limits.INTEGER_MAX
    )
    owner = forms.CharField(label="Owner's name or email", max_length=NAME_MAX, required=False)
    organisation = forms.ChoiceField(label="Owner's organisation", required=False)
    state = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *State.choices]
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [
            ("", "Any organisation"),
            *((name, name) for name in organisations),
        ]
        self.helper.form_method = "get"
        self.helper.layout = self.get_layout()

    def get_layout(self):
        return Layout(
            Field("review"),
            Field("owner", width="two-thirds"),
            Field("organisation"),
            Field("state"),
            Field("overdue"),
            Submit("submit", self.submit_label, secondary=True),
        )

    def to_filter(self):
        from .queries import TrackerFilter

        if not self.is_bound:
            return TrackerFilter()
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {}) or {}
        return TrackerFilter(
            review=cleaned.get("review"),
            owner=(cleaned.get("owner") or "").strip(),
            organisation=cleaned.get("organisation") or "",
            state=cleaned.get("state") or "",
            overdue=bool(cleaned.get("overdue")),
        )


# --- The oversight panel acts on an escalation (issue 21) -----------------------------------


class EscalationDecisionForm(NHSUKFormMixin, forms.Form):
    submit_label = "Record the decision"

    met_on = SplitDateField(
        label="Date of the panel's meeting",
        subject="The date of the panel's meeting",
        bounds=limits.RECENT_EVENT,
        error_messages={"required": "Enter the date of the panel's meeting"},
    )
    decision = _note(
        "What did the panel decide?",
        "Enter what the panel decided",
        max_length=limits.LONG_NOTE,
        subject="The decision",
        help_text="Plain words: the commissioner and everyone who follows this recommendation "
        "will read it.",
    )


class EscalationActionForm(NHSUKFormMixin, forms.Form):
    submit_label = "Add the action"

    action = forms.CharField(
        label="What will be done",
        widget=forms.Textarea,
        max_length=ACTION_TEXT,
        error_messages={
            "required": "Enter what will be done",
            **limits.too_long("What will be done", ACTION_TEXT),
        },
    )
    owner_name = forms.CharField(
        label="Name of the person responsible",
        max_length=NAME_MAX,
        error_messages={
            "required": "Enter the name of the person responsible",
            **limits.too_long("The name", NAME_MAX),
        },
    )
    owner_organisation = forms.CharField(
        label="Their organisation",
        max_length=ORGANISATION_MAX,
        error_messages={
            "required": "Enter the organisation the person responsible works for",
            **limits.too_long("The organisation", ORGANISATION_MAX),
        },
    )
    owner_email = forms.EmailField(
        label="Their email address (optional)",
        required=False,
        help_text="They are told of the action, and reminded when it is due.",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    due_date = SplitDateField(
        label="Date it will be done by",
        subject="The date it will be done by",
        bounds=DUE,
        error_messages={"required": "Enter the date this will be done by"},
    )

    def get_layout(self):
        return Layout(
            Field("action", label_size="m", rows=4),
            Field("owner_name", width="two-thirds"),
            Field("owner_organisation", width="two-thirds"),
            Field("owner_email", width="two-thirds"),
            Field("due_date", legend_size="s"),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        """The service's rules, so every problem shows at once (the date's own checks first)."""
        cleaned = super().clean()
        problems = escalation_action_problems(
            (cleaned.get("action") or "").strip(),
            " ".join((cleaned.get("owner_name") or "").split()),
            (cleaned.get("owner_organisation") or "").strip(),
            cleaned.get("due_date"),
            timezone.localdate(),
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned


WHY_MESSAGE = "Enter why it is not resolved, or why it goes back to the commissioner"


class EscalationCloseForm(NHSUKFormMixin, forms.Form):
    submit_label = "Close the escalation"

    outcome = forms.ChoiceField(
        label="What is the outcome?",
        widget=forms.RadioSelect,
        choices=EscalationOutcome.choices,
        error_messages={"required": "Select the outcome of the escalation"},
    )
    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        help_text="Needed when it is not resolved or returned to the commissioner.",
        error_messages=limits.too_long("Why", limits.NOTE),
    )

    def get_layout(self):
        return Layout(
            Field("outcome", legend_size="m"),
            Field("reason", rows=4),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        needs_reason = outcome and outcome != EscalationOutcome.RESOLVED
        if needs_reason and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", WHY_MESSAGE)
        return cleaned
