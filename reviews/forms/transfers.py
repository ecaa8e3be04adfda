"""Forms for moving a person's record to another commissioner: the request, and the current
commissioner's decision. No database writes here."""

from django import forms

from ctr_portal import limits
from ctr_portal.nhsuk import Field, Layout, NHSUKFormMixin, Submit
from ctr_portal.queries import organisations_among

from .people import (
    NhsNumberField,
    OrganisationChoiceField,
    date_of_birth_field,
    family_name_field,
)

ACCEPT = "accept"
REFUSE = "refuse"


class TransferRequestForm(NHSUKFormMixin, forms.Form):
    """Three details that must all match the person's record (ADR 0018): the NHS number alone
    would let anyone with the form find out whether a number is registered."""

    submit_label = "Send the request"

    organisation = OrganisationChoiceField(
        label="Your organisation",
        help_text="The commissioner that will be responsible for them",
        queryset=None,
        empty_label="Select an organisation",
        error_messages={
            "required": "Select your organisation",
            "invalid_choice": "Select one of your organisations",
        },
    )
    nhs_number = NhsNumberField()
    date_of_birth = date_of_birth_field()
    family_name = family_name_field()

    def __init__(self, *args, commissioners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations_among(commissioners)
        if len(commissioners) == 1:
            self.initial["organisation"] = commissioners[0].pk

    def get_layout(self):
        return Layout(
            Field("organisation"),
            Field("nhs_number", width=10, code=True, inputmode="numeric", autocomplete="off"),
            Field("date_of_birth", legend_size="s"),
            Field("family_name", width="one-half", autocomplete="off", spellcheck="false"),
            Submit("submit", self.submit_label),
        )


class TransferDecisionForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save decision"

    decision = forms.ChoiceField(
        label="Do you agree to transfer the record?",
        choices=[
            (ACCEPT, "Yes, transfer the record, its history and open reviews"),
            (REFUSE, "No, keep the record"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether you agree to transfer the record"},
    )
    reason = forms.CharField(
        label="Why are you refusing?",
        help_text="The organisation that asked is told the request was refused, not why",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        error_messages=limits.too_long("Why you are refusing", limits.NOTE),
    )

    def get_layout(self):
        return Layout(
            Field(
                "decision",
                legend_size="m",
                conditional={REFUSE: Field("reason", rows=3)},
            ),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        data = super().clean()
        self.require_revealed(
            "decision", {REFUSE}, "reason", "Enter why you are refusing the transfer"
        )
        return data
