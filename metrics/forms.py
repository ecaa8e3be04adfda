"""The period a measures page shows, sent as a GET query: one from the list, or dates typed."""

from django import forms

from ctr_portal import limits
from ctr_portal.nhsuk import Field, Fieldset, Layout, NHSUKFormMixin, SplitDateField, Submit

from . import periods

RANGE = "range"
# Ten years of data is kept; a measure reaches back no further than that.
REPORTING = limits.DateBounds(limits.TODAY_OR_PAST, years=10)


class PeriodForm(NHSUKFormMixin, forms.Form):
    submit_label = "Show this period"

    period = forms.ChoiceField(label="Period", required=False)
    start = SplitDateField(
        label="From", bounds=REPORTING, required=False, help_text="For example, 1 4 2026"
    )
    end = SplitDateField(
        label="To", bounds=REPORTING, required=False, help_text="For example, 31 3 2027"
    )

    def __init__(self, *args, today, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (p.token, p.label[:1].upper() + p.label[1:]) for p in periods.choices(today)
        ] + [(RANGE, "Dates you choose (below)")]
        self.helper.form_method = "get"
        self.helper.layout = self.get_layout()

    def get_layout(self):
        return Layout(
            Field("period"),
            Fieldset("Or choose dates", Field("start"), Field("end"), legend_size="s"),
            Submit("submit", self.submit_label, secondary=True),
        )

    def clean(self):
        data = super().clean()
        if data.get("period") != RANGE or self.errors:
            return data
        start, end = data.get("start"), data.get("end")
        if start is None:
            self.add_error("start", "Enter the first day of the period")
        if end is None:
            self.add_error("end", "Enter the last day of the period")
        if start and end and start > end:
            self.add_error("end", "The last day must be the same as or after the first day")
        return data

    def chosen(self) -> periods.Period:
        """The period asked for; the last 12 months when nothing (or something wrong) is."""
        if not self.is_bound or not self.is_valid():
            return periods.last_12_months(self.today)
        data = self.cleaned_data
        if data["period"] == RANGE:
            return periods.date_range(data["start"], data["end"])
        return periods.parse(data["period"], self.today)
