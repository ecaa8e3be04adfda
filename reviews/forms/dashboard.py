"""The commissioner dashboard's filters: a GET form (no personal data in it)."""

from django import forms

from ctr_portal.nhsuk import NHSUKFormMixin

from ..models import ReviewKind, ReviewState
from ..queries import ReviewFilter


class DashboardFilterForm(NHSUKFormMixin, forms.Form):
    submit_label = "Apply filters"

    organisation = forms.TypedChoiceField(
        label="Organisation", required=False, coerce=int, empty_value=None
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
        label="State", required=False, choices=[("", "All states"), *ReviewState.choices]
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"
        self.helper.form_action = ""
        self.fields["organisation"].choices = [("", "All your organisations")] + [
            (o.pk, o.name) for o in organisations
        ]

    def to_filter(self) -> ReviewFilter:
        if not self.is_valid():
            return ReviewFilter()
        data = self.cleaned_data
        return ReviewFilter(
            organisation=data["organisation"],
            review_type=data["review_type"],
            kind=data["kind"],
            state=data["state"],
        )
