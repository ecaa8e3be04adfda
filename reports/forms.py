"""Forms for the report: the chair's narrative, a comment, resolving one, issuing. No database
writes: the views hand the cleaned data to the services."""

from django import forms

from ctr_portal import limits
from ctr_portal.nhsuk import Field, Layout, NHSUKFormMixin, Submit, text_area

from .models import Section, section_choices, section_label

HINTS = {
    Section.ABOUT: "Who the person is and what matters to them, as they want to be described. "
    "The facts about them (name, date of birth, how to talk with them) come from their record.",
    Section.IS_SAFE: "The panel's answer. Until the draft is first saved, each key question "
    "starts from the panel members' own answers in their workbooks: edit them into one answer. "
    "The findings for each KLOE follow from the consolidation.",
    Section.SUMMARY: "The panel's overall view and what happens next. The recommendations table "
    "and the next review's due date come from the data.",
    Section.EASY_READ: "Short sentences, one idea on each line. Each line is shown with a "
    "picture in the easy read report.",
}


class DraftForm(NHSUKFormMixin, forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=limits.INTEGER_MAX
    )

    def __init__(self, *args, child=False, **kwargs):
        """`child`: the review is a C(E)TR, whose questions are asked of a child or young
        person."""
        super().__init__(*args, **kwargs)
        for section in Section:
            limit = limits.NOTE if section == Section.EASY_READ else limits.LONG_NOTE
            label = section_label(section, child=child)
            self.fields[section.value] = text_area(
                label, limit, help_text=HINTS.get(section, ""), subject=label.rstrip("?")
            )
        self.helper.layout = Layout(
            *[Field(s.value, label_size="m", rows=5, threshold=90) for s in Section],
            Field("version"),
            Submit("submit", "Save the draft"),
        )


class CommentForm(NHSUKFormMixin, forms.Form):
    section = forms.ChoiceField(
        label="Which part of the report is it about?",
        choices=[("", "The whole report"), *Section.choices],
        required=False,
    )
    text = text_area("Your comment", limits.NOTE, required="Enter your comment")

    def __init__(self, *args, child=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", "The whole report"), *section_choices(child=child)]

    def get_layout(self):
        return Layout(
            Field("section", label_size="s"),
            Field("text", label_size="s", rows=4),
            Submit("submit", "Add comment"),
        )


class ResolveForm(NHSUKFormMixin, forms.Form):
    resolution = text_area(
        "What you did about it",
        limits.NOTE,
        help_text="For example, 'Changed the summary' or 'Kept as it is, because…'.",
        required="Enter what you did about the comment",
    )

    def get_layout(self):
        return Layout(Field("resolution", label_size="m", rows=4), Submit("submit", "Resolve"))


class IssueForm(NHSUKFormMixin, forms.Form):
    correction = text_area(
        "What this version corrects",
        limits.NOTE,
        help_text="Everyone who receives the report is told it was corrected. The earlier "
        "version stays visible, marked as superseded.",
    )

    def __init__(self, *args, correcting=False, **kwargs):
        self.correcting = correcting
        super().__init__(*args, **kwargs)
        if not correcting:
            del self.fields["correction"]
        self.helper.layout = self.get_layout()

    def get_layout(self):
        if not hasattr(self, "correcting"):
            return Layout()
        items = [Field("correction", label_size="m", rows=4)] if self.correcting else []
        label = "Issue the corrected report" if self.correcting else "Issue the report"
        return Layout(*items, Submit("submit", label))
