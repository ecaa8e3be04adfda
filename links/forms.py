"""The commissioner's forms for people without an account: how each is reached, which letter
to make, and who handed a letter over."""

from django import forms

from ctr_portal import limits
from ctr_portal.nhsuk import Field, Layout, NHSUKFormMixin, SplitDateField, Submit
from documents.forms import _upload_hint
from recommendations.forms import EVIDENCE_READERS, OptionalFileField
from reviews.models import InvitedThrough

from .models import Letter


class ReachForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save how to reach them"

    invited_through = forms.ChoiceField(
        label="How should they be reached?",
        widget=forms.RadioSelect,
        choices=InvitedThrough.choices,
        error_messages={"required": "Select how they should be reached"},
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address in the correct format"},
    )
    phone = forms.CharField(label="Mobile phone number", max_length=20, required=False)
    reached_through = forms.CharField(
        label="Name of the keyworker or advocate who passes things on",
        max_length=150,
        required=False,
    )

    def get_layout(self):
        return Layout(
            Field(
                "invited_through",
                legend_size="l",
                legend_is_page_heading=True,
                conditional={InvitedThrough.EMAIL: "email", InvitedThrough.TEXT: "phone"},
            ),
            "reached_through",
            Submit("submit", self.submit_label),
        )


class LetterForm(NHSUKFormMixin, forms.Form):
    submit_label = "Make the letter"

    kind = forms.ChoiceField(
        label="Which letter?",
        widget=forms.RadioSelect,
        choices=Letter.Kind.choices,
        error_messages={"required": "Select which letter to make"},
    )


class HandoverForm(NHSUKFormMixin, forms.Form):
    submit_label = "Record the hand-over"

    handed_over_by = forms.CharField(
        label="Who handed it over?",
        help_text="For example, their keyworker's name, or 'posted first class'.",
        max_length=150,
        error_messages={
            "required": "Enter who handed the letter over",
            **limits.too_long("Who handed it over", 150),
        },
    )
    handed_over_on = SplitDateField(
        label="Date it was handed over",
        subject="The date it was handed over",
        bounds=limits.RECENT_EVENT,
        help_text="For example, 15 3 2026",
        error_messages={"required": "Enter the date it was handed over"},
    )


class LinkUpdateForm(NHSUKFormMixin, forms.Form):
    """What an owner without an account does with an update link: say how it is going, or say
    it is done with evidence (a note, and a file checked by its content), for the commissioner
    to check."""

    submit_label = "Send"

    kind = forms.ChoiceField(
        label="What would you like to tell us?",
        widget=forms.RadioSelect,
        choices=[
            ("progress", "How it is going"),
            ("done", "It is done, with evidence"),
        ],
        error_messages={"required": "Select whether it is done or how it is going"},
    )
    note = forms.CharField(
        label="What has happened, and where the proof is if it is done",
        help_text="Plain words: everyone who follows this recommendation will read it. "
        + EVIDENCE_READERS,
        widget=forms.Textarea,
        max_length=limits.LONG_NOTE,
        error_messages={
            "required": "Enter what has happened",
            **limits.too_long("What has happened", limits.LONG_NOTE),
        },
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
        self.fields["evidence"].help_text = _upload_hint(many=False)

    def get_layout(self):
        return Layout(
            Field("kind", legend_size="m", conditional={"done": ["evidence", "not_for_family"]}),
            "note",
            Submit("submit", self.submit_label),
        )
