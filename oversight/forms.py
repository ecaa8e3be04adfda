"""Forms for oversight visits, the person's home area and return items, and the choice of
organisation and month for a national return. No database reads of their own: choices come from
query functions through the view."""

from datetime import date

from django import forms
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.nhsuk import Field, Layout, NHSUKFormMixin, SplitDateField, Submit, text_area

MONTHS_OFFERED = 24


class VisitForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save visit"

    visited_on = SplitDateField(
        label="Date of the visit",
        bounds=limits.RECENT_EVENT,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the visit"},
    )
    visited_by = forms.CharField(
        label="Who visited?",
        help_text="Names and roles, for example Asha Patel, case manager",
        max_length=300,
        error_messages={"required": "Enter who visited", **limits.too_long("Who visited", 300)},
    )
    found = text_area(
        "What did you find?",
        limits.LONG_NOTE,
        help_text="How the person is, their care, and anything that worried you",
        required="Enter what you found",
        subject="What you found",
    )
    actions = text_area(
        "What actions were agreed?",
        limits.LONG_NOTE,
        help_text="Who will do what, and by when. Write 'None' if there are none.",
        required="Enter the actions agreed, or 'None'",
        subject="Actions",
    )

    def get_layout(self):
        return Layout(
            Field("visited_on", legend_size="s"),
            Field("visited_by"),
            Field("found", rows=5),
            Field("actions", rows=5),
            Submit("submit", self.submit_label),
        )


class HomeAreaForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save home area"

    icb = forms.ModelChoiceField(
        label="Which integrated care board's area is the person's home?",
        help_text="Where they lived before hospital, or will live after it",
        queryset=None,
        empty_label="Select an integrated care board",
        error_messages={"required": "Select an integrated care board"},
    )

    def __init__(self, *args, icbs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["icb"].queryset = icbs
        self.helper.layout = self.get_layout()

    def get_layout(self):
        return Layout(Field("icb"), Submit("submit", self.submit_label))


class ReturnItemsForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save"

    planned_discharge_date = SplitDateField(
        label="Planned discharge date (optional)",
        bounds=limits.PLANNED,
        required=False,
        help_text="For example, 27 3 2027. Leave blank if no date is planned.",
    )
    local_patient_id = forms.CharField(
        label="Local patient identifier (optional)",
        help_text="The hospital's own identifier for the person",
        max_length=20,
        required=False,
    )

    def get_layout(self):
        return Layout(
            Field("planned_discharge_date", legend_size="s"),
            Field("local_patient_id", width=20),
            Submit("submit", self.submit_label),
        )


def months_offered(today: date | None = None) -> list[tuple[str, str]]:
    """The last MONTHS_OFFERED months, the one before this first ("2026-10", "October 2026")."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    months = []
    for _ in range(MONTHS_OFFERED):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        first = date(year, month, 1)
        months.append((f"{first:%Y-%m}", f"{first:%B %Y}"))
    this_month = date(today.year, today.month, 1)
    return [(f"{this_month:%Y-%m}", f"{this_month:%B %Y} (so far)"), *months]


class ExtractForm(NHSUKFormMixin, forms.Form):
    """Which organisation and month, sent as a GET query of codes only."""

    submit_label = "Show the extract"

    organisation = forms.TypedChoiceField(label="Organisation", coerce=int)
    month = forms.ChoiceField(label="Month")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]
        self.fields["month"].choices = months_offered()
        self.organisations = {o.pk: o for o in organisations}
        self.helper.form_method = "get"
        self.helper.layout = self.get_layout()

    def get_layout(self):
        return Layout(
            Field("organisation"),
            Field("month"),
            Submit("submit", self.submit_label, secondary=True),
        )

    def chosen(self):
        """(organisation, first day of the month) from valid input, or the defaults: the first
        organisation and last month. None when the input names neither."""
        if not self.is_bound:
            first = next(iter(self.organisations.values()), None)
            return (first, _month(self.fields["month"].choices[1][0])) if first else None
        if not self.is_valid():
            return None
        organisation = self.organisations.get(self.cleaned_data["organisation"])
        return organisation, _month(self.cleaned_data["month"])


def _month(value: str) -> date:
    year, month = value.split("-")
    return date(int(year), int(month), 1)
