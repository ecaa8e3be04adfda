"""Forms for workbooks, the provider's part, concerns and the consolidation. No database writes:
the views hand the cleaned data to the services, which have the last word.

The KLOE page is one HTML form holding three crispy forms: the answer, its evidence and its
suggested recommendations (formsets, a fieldset per item). Autosave posts the same form; it
keeps whatever is typed (`strict=False`), while the save button also asks for whole items.
"""

from django import forms

from ctr_portal import limits
from ctr_portal.nhsuk import ButtonGroup as BaseButtonGroup
from ctr_portal.nhsuk import Field, Fieldset, Layout, NHSUKFormMixin, Submit, text_area

from .models import SAFETY_KLOE_NUMBER, EvidenceSource, QuoteFrom, Rating

TEXT_MAX = limits.WORKBOOK_TEXT
SHORT_MAX = 200


def ButtonGroup(*buttons):  # noqa: N802 (a layout object, named like one)
    """The NHS.UK button group without its negative right margin, which runs 8 px past the edge
    of the page between 641 and 768 px wide (the tablets panels use on wards)."""
    return BaseButtonGroup(*buttons, css_class="nhsuk-u-margin-right-0")


RATING_HINTS = {
    Rating.SERIOUS_CONCERNS: "You will be asked to describe it. The chair and the commissioner "
    "are told straight away.",
    Rating.NOT_ABLE_TO_ASSESS: "For example, there was not enough evidence, or this KLOE does not "
    "apply. Say why in your findings.",
}


class _NoTagMixin(NHSUKFormMixin):
    """A form rendered inside a page's own <form> element, with others beside it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class VersionField(forms.IntegerField):
    """The version the editor started from. Autosave answers with the new one, swapped in by
    htmx (`hx-swap-oob`), so the next save is based on it."""

    def __init__(self, **kwargs):
        super().__init__(
            widget=forms.HiddenInput(attrs={"hx-swap-oob": "true"}),
            min_value=0,
            max_value=limits.INTEGER_MAX,
            **kwargs,
        )


class KloeAnswerForm(_NoTagMixin, forms.Form):
    findings = text_area(
        "Your findings",
        TEXT_MAX,
        help_text="What you found, in plain English, and how you know. Use the prompts as a guide.",
    )
    rating = forms.ChoiceField(
        label="Your rating",
        widget=forms.RadioSelect,
        choices=Rating.choices,
        required=False,
        error_messages={"invalid_choice": "Select a rating"},
    )
    immediate_safety_concern = forms.BooleanField(
        label="There is an immediate safety concern",
        help_text="Someone is at risk of harm now. The chair and the commissioner are told "
        "straight away.",
        required=False,
    )
    concern_detail = text_area(
        "Describe the concern",
        TEXT_MAX,
        help_text="Only if you rate this KLOE 'serious concerns' or record an immediate safety "
        "concern: what you found, who is at risk and what you think should happen now.",
        subject="Description of the concern",
    )
    version = VersionField()

    def __init__(self, *args, kloe, **kwargs):
        self.kloe = kloe
        super().__init__(*args, **kwargs)
        if kloe.number != SAFETY_KLOE_NUMBER:
            del self.fields["immediate_safety_concern"]
            self.fields["concern_detail"].help_text = (
                "Only if you rate this KLOE 'serious concerns': what you found, who is at risk "
                "and what you think should happen now."
            )
        self.helper.layout = self.get_layout()

    def get_layout(self):
        if not hasattr(self, "kloe"):
            return Layout()
        items = [
            Field("findings", label_size="m", rows=8, threshold=90),
            Field("rating", legend_size="m", choice_hints=RATING_HINTS),
        ]
        if "immediate_safety_concern" in self.fields:
            items.append(Field("immediate_safety_concern"))
        items += [Field("concern_detail", rows=4, threshold=90), Field("version")]
        return Layout(*items)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "findings": data.get("findings", ""),
            "rating": data.get("rating", ""),
            "immediate_safety_concern": bool(data.get("immediate_safety_concern")),
            "concern_detail": data.get("concern_detail", ""),
        }


class _RowForm(_NoTagMixin, forms.Form):
    """One item of a list on the KLOE page, in a fieldset of its own. Blank items are ignored;
    ticking "Remove" drops one. With `strict`, an item that has anything in it must be whole."""

    legend = "Item"
    content_fields: tuple = ()

    def __init__(self, *args, number=1, strict=False, **kwargs):
        self.number = number
        self.strict = strict
        super().__init__(*args, **kwargs)

    def row_fields(self) -> list:
        return [Field(name) for name in self.content_fields]

    def get_layout(self):
        items = self.row_fields()
        if "DELETE" in self.fields:
            items.append(Field("DELETE"))
        legend = f"{self.legend} {getattr(self, 'number', '')}".strip()
        return Layout(Fieldset(legend, *items, legend_size="s"))

    def has_content(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(str(data.get(name) or "").strip() for name in self.content_fields)

    def is_removed(self) -> bool:
        return bool(getattr(self, "cleaned_data", {}).get("DELETE"))


NOT_A_QUOTE = "no"  # a radio needs a value; saved as "" (QuoteFrom.NOT_A_QUOTE)


class EvidenceForm(_RowForm):
    legend = "Evidence"
    content_fields = ("source_kind", "document_id", "source", "shows", "quote_from")

    source_kind = forms.ChoiceField(
        label="Where is it from?",
        widget=forms.RadioSelect,
        choices=EvidenceSource.choices,
        required=False,
    )
    document_id = forms.TypedChoiceField(
        label="Which document in the pack",
        help_text="The report links to the document you pick.",
        choices=[("", "Not in the pack")],
        coerce=int,
        empty_value="",
        required=False,
        error_messages={"invalid_choice": "Select a document from this review's pack"},
    )
    source = forms.CharField(
        label="Who you spoke to, what you saw, or a document not in the pack",
        help_text="For example, 'Named nurse', 'Lunch in the ward dining room' or 'GP letter "
        "brought on the day'.",
        max_length=SHORT_MAX,
        required=False,
        error_messages=limits.too_long("Source of the evidence", SHORT_MAX),
    )
    shows = text_area(
        "What it shows, or what was said", TEXT_MAX, subject="What the evidence shows"
    )
    quote_from = forms.ChoiceField(
        label="Is this a quote, in their own words?",
        widget=forms.RadioSelect,
        choices=[
            (NOT_A_QUOTE, "No"),
            (QuoteFrom.PERSON, "Yes, the person's own words"),
            (QuoteFrom.FAMILY, "Yes, a family member's or carer's own words"),
        ],
        required=False,
    )

    def __init__(self, *args, documents=(), **kwargs):
        """`documents`: (id, title) of the review's pack documents the member may open."""
        super().__init__(*args, **kwargs)
        self.fields["document_id"].choices = [("", "Not in the pack"), *documents]

    def row_fields(self) -> list:
        return [
            Field("source_kind", legend_size="s"),
            Field("document_id"),
            Field("source"),
            Field("shows", rows=3, threshold=90),
            Field("quote_from", legend_size="s"),
        ]

    def clean_quote_from(self):
        value = self.cleaned_data.get("quote_from", "")
        return QuoteFrom.NOT_A_QUOTE if value == NOT_A_QUOTE else value

    def clean(self):
        data = super().clean()
        if self.strict and self.has_content() and not data.get("DELETE"):
            if not data.get("source_kind"):
                self.add_error("source_kind", "Select where the evidence is from")
            if not (data.get("source") or "").strip() and not data.get("document_id"):
                self.add_error(
                    "source",
                    "Select the document in the pack, or enter who you spoke to or what you saw",
                )
            if not (data.get("shows") or "").strip():
                self.add_error("shows", "Enter what it shows, or what was said")
        return data


class SuggestionForm(_RowForm):
    legend = "Suggested recommendation"
    content_fields = ("text", "owner", "timescale")

    text = text_area(
        "What should happen",
        TEXT_MAX,
        help_text="A specific action, as you would write it in the report.",
        subject="Suggested recommendation",
    )
    owner = forms.CharField(
        label="Suggested owner",
        help_text="A named person or role, for example 'Responsible clinician'.",
        max_length=SHORT_MAX,
        required=False,
    )
    timescale = forms.CharField(
        label="Suggested timescale",
        help_text="For example, 'within 4 weeks' or 'before the next review'.",
        max_length=100,
        required=False,
    )

    def row_fields(self) -> list:
        return [
            Field("text", rows=3, threshold=90),
            Field("owner", width="two-thirds"),
            Field("timescale"),
        ]

    def clean(self):
        data = super().clean()
        complete = self.strict and self.has_content() and not data.get("DELETE")
        if complete and not (data.get("text") or "").strip():
            self.add_error("text", "Enter what should happen")
        return data


class _RowFormSet(forms.BaseFormSet):
    def __init__(self, *args, strict=False, row_kwargs=None, **kwargs):
        self.strict = strict
        self.row_kwargs = row_kwargs or {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"number": (index or 0) + 1, "strict": self.strict, **self.row_kwargs}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this item"
        form.helper.layout = form.get_layout()

    def rows(self) -> list[dict]:
        """The items to keep, in order: not removed and not blank."""
        return [
            {name: form.cleaned_data.get(name) or "" for name in form.content_fields}
            for form in self.forms
            if form.has_content() and not form.is_removed()
        ]


EvidenceFormSet = forms.formset_factory(
    EvidenceForm, formset=_RowFormSet, extra=0, can_delete=True, max_num=50, absolute_max=50
)
SuggestionFormSet = forms.formset_factory(
    SuggestionForm, formset=_RowFormSet, extra=0, can_delete=True, max_num=20, absolute_max=20
)


class ActionsForm(_NoTagMixin, forms.Form):
    """The KLOE page's buttons. "Add another" buttons save and come back with a new blank item."""

    def __init__(self, *args, buttons, **kwargs):
        self.buttons = buttons
        super().__init__(*args, **kwargs)
        self.helper.layout = self.get_layout()

    def get_layout(self):
        buttons = getattr(self, "buttons", [])
        return Layout(
            ButtonGroup(
                *[
                    Submit("action", label, button_value=value, secondary=secondary)
                    for value, label, secondary in buttons
                ]
            )
        )


# The four key questions in the children's wording, for a C(E)TR (domain.md §1): education
# stands beside care and treatment.
CHILD_KEY_QUESTIONS = {
    "is_safe": "Is the child or young person safe?",
    "good_care_now": "Are they getting good care, education and treatment now?",
    "future_plans": "What are their plans for the future, including education?",
    "community_care": "Can care, education and treatment be provided in the community?",
}


class KeyQuestionsForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save"

    is_safe = text_area("Is the person safe?", TEXT_MAX, subject="Your answer on safety")
    good_care_now = text_area(
        "Are they getting good care now?", TEXT_MAX, subject="Your answer on care now"
    )
    future_plans = text_area(
        "What are their care plans for the future?",
        TEXT_MAX,
        subject="Your answer on plans for the future",
    )
    community_care = text_area(
        "Can care and treatment be provided in the community?",
        TEXT_MAX,
        subject="Your answer on care in the community",
    )
    version = VersionField()

    def __init__(self, *args, child=False, **kwargs):
        super().__init__(*args, **kwargs)
        if child:
            for name, label in CHILD_KEY_QUESTIONS.items():
                self.fields[name].label = label
        self.helper.form_id = "workbook-form"

    def get_layout(self):
        return Layout(
            *[
                Field(name, label_size="m", rows=6, threshold=90)
                for name in ("is_safe", "good_care_now", "future_plans", "community_care")
            ],
            Field("version"),
            Submit("submit", self.submit_label),
        )


class ConfirmForm(NHSUKFormMixin, forms.Form):
    """A button that posts: submit a workbook, reopen one, finish the consolidation."""

    def __init__(
        self, *args, label="Continue", warning=False, secondary=False, action=None, **kwargs
    ):
        self.label = label
        self.warning = warning
        self.secondary = secondary
        super().__init__(*args, **kwargs)
        if action:
            self.helper.form_action = action
        self.helper.layout = self.get_layout()

    def get_layout(self):
        if not hasattr(self, "label"):
            return Layout()
        return Layout(Submit("submit", self.label, warning=self.warning, secondary=self.secondary))


class ConsolidatedKloeForm(NHSUKFormMixin, forms.Form):
    finding = text_area(
        "The panel's agreed finding",
        TEXT_MAX,
        help_text="What the panel found, with the evidence that matters most. This goes in the "
        "report.",
    )
    for_you = text_area("What this means for the person", limits.NOTE)
    rating = forms.ChoiceField(
        label="The panel's rating",
        widget=forms.RadioSelect,
        choices=Rating.choices,
        required=False,
        error_messages={"invalid_choice": "Select the panel's rating"},
    )
    reasoning = text_area(
        "How or why the panel decided",
        TEXT_MAX,
        help_text="Asked for every KLOE: what weighed most, and why the panel chose this "
        "rating. The report gives it under the finding.",
        subject="The panel's reasoning",
    )
    carry = forms.TypedMultipleChoiceField(
        label="Suggested recommendations to carry forward",
        help_text="They become draft recommendations for the report.",
        widget=forms.CheckboxSelectMultiple,
        coerce=int,
        required=False,
    )
    version = VersionField()

    def __init__(
        self,
        *args,
        suggestions=(),
        ratings_differ=False,
        next_label=None,
        person_name="the person",
        **kwargs,
    ):
        self.next_label = next_label
        super().__init__(*args, **kwargs)
        for_you_field(self.fields["for_you"], person_name)
        self.fields["carry"].choices = list(suggestions)
        if ratings_differ:
            self.fields[
                "reasoning"
            ].help_text = "Members' ratings differ, so say how or why the panel decided."
        self.helper.layout = self.get_layout()

    def get_layout(self):
        items = [
            Field("finding", label_size="m", rows=6, threshold=90),
            Field("for_you", label_size="m", rows=3, threshold=90),
            Field("rating", legend_size="m"),
            Field("reasoning", label_size="m", rows=4, threshold=90),
        ]
        if self.fields["carry"].choices:
            items.append(Field("carry", legend_size="m"))
        items.append(Field("version"))
        buttons = [Submit("action", "Save", button_value="save")]
        if getattr(self, "next_label", None):
            buttons.insert(0, Submit("action", self.next_label, button_value="next"))
            buttons[1] = Submit("action", "Save", button_value="save", secondary=True)
        return Layout(*items, ButtonGroup(*buttons))


def for_you_field(field, person_name: str) -> None:
    """Name the review's person in the label and hint of "what this means for you" (issue 22)."""
    field.label = f"What this means for {person_name}"
    field.help_text = (
        f"For {person_name}'s easy read report, in plain words: what the finding means for "
        "them, and why. Short sentences, no abbreviations. Needed before the report is issued."
    )


class ForYouForm(NHSUKFormMixin, forms.Form):
    """Once consolidation is finished, the chair may still write what a finding means for the
    person: the next report issued (or its correction) carries it."""

    submit_label = "Save"

    for_you = text_area("What this means for the person", limits.NOTE)
    version = VersionField()

    def __init__(self, *args, person_name="the person", **kwargs):
        super().__init__(*args, **kwargs)
        for_you_field(self.fields["for_you"], person_name)

    def get_layout(self):
        return Layout(
            Field("for_you", label_size="m", rows=3, threshold=90),
            Field("version"),
            Submit("submit", self.submit_label),
        )


class ConcernResolveForm(NHSUKFormMixin, forms.Form):
    submit_label = "Close the concern"

    action_taken = text_area("What was done", TEXT_MAX, required="Enter what was done")
    action_by = forms.CharField(
        label="Who did it",
        help_text="Their name and role, for example 'Sam Whitfield, ward manager'.",
        max_length=SHORT_MAX,
        error_messages={
            "required": "Enter who did it",
            **limits.too_long("Name and role of who did it", SHORT_MAX),
        },
    )

    def get_layout(self):
        return Layout(
            Field("action_taken", label_size="m", rows=5),
            Field("action_by", label_size="m", width="two-thirds"),
            Submit("submit", self.submit_label),
        )


class ProviderPartForm(NHSUKFormMixin, forms.Form):
    """One text box per provider KLOE (5 and 6 of a hospital review)."""

    submit_label = "Save"

    def __init__(self, *args, kloes=(), **kwargs):
        self.kloes = list(kloes)
        super().__init__(*args, **kwargs)
        for kloe in self.kloes:
            self.fields[f"kloe_{kloe.number}"] = text_area(
                f"{kloe.label}: {kloe.title}",
                TEXT_MAX,
                help_text=" ".join(p.text for p in kloe.prompts.all()),
            )
        self.helper.layout = self.get_layout()

    def get_layout(self):
        return Layout(
            *[
                Field(f"kloe_{kloe.number}", label_size="m", rows=10, threshold=90)
                for kloe in getattr(self, "kloes", [])
            ],
            Submit("submit", self.submit_label),
        )

    def texts(self) -> dict[int, str]:
        return {k.number: self.cleaned_data.get(f"kloe_{k.number}", "") for k in self.kloes}
