"""Portal: forms; no database writes and no reads of their own."""

from django import forms

from ctr_portal import limits
from ctr_portal.nhsuk import Field, Layout, NHSUKFormMixin, SplitDateField, Submit, text_area

from .models import Request, Score

ASK_KINDS = [
    (Request.Kind.REVIEW, "Ask for a review"),
    (Request.Kind.WORRY, "Tell the commissioner about a worry"),
]


class RequestForm(NHSUKFormMixin, forms.Form):
    """What the person or family want. An advocate (or a family carer the consent invites) is
    also asked whom it is from: sent for the person, it is recorded as such."""

    submit_label = "Send"
    FROM_ME, FROM_PERSON = "me", "person"

    kind = forms.ChoiceField(
        label="What would you like to do?",
        choices=ASK_KINDS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what you would like to do",
            "invalid_choice": "Select what you would like to do",
        },
    )
    sender = forms.ChoiceField(
        label="Who is this from?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who this is from",
            "invalid_choice": "Select who this is from",
        },
    )
    details = text_area(
        "What would you like to tell us?",
        limits.NOTE,
        help_text="For example, what has changed, what worries you, or what you would like to "
        "happen.",
        required="Tell us what you would like to happen",
        subject="What you tell us",
    )
    at_risk = forms.BooleanField(
        label="Someone is being hurt, or could be hurt",
        help_text="We will tell the commissioner it is urgent.",
        required=False,
    )

    def __init__(self, *args, person_name="", may_send_for_person=False, **kwargs):
        self.person_name = person_name
        self.may_send_for_person = may_send_for_person
        super().__init__(*args, **kwargs)
        if may_send_for_person:
            self.fields["sender"].choices = [
                (self.FROM_ME, "From me"),
                (self.FROM_PERSON, f"From {person_name}: I am sending it for them"),
            ]
        else:
            del self.fields["sender"]
        self.helper.layout = self.get_layout()
        # What they type is kept in the browser through a time-out (static/js/form-drafts.js).
        self.helper.attrs["data-keep-draft"] = ""

    def get_layout(self):
        if not hasattr(self, "may_send_for_person"):
            return Layout()
        items = [
            Field(
                "kind",
                legend_size="m",
                choice_hints={
                    Request.Kind.REVIEW: "Anyone can ask for a review, at any time",
                    Request.Kind.WORRY: "Something about care or support you want them to know",
                },
            )
        ]
        if "sender" in self.fields:
            items.append(
                Field(
                    "sender",
                    legend_size="m",
                    choice_hints={
                        self.FROM_PERSON: "Write what they want to say, in their words. We "
                        "will record that you sent it for them."
                    },
                )
            )
        items += [Field("details", rows=5), Field("at_risk"), Submit("submit", self.submit_label)]
        return Layout(*items)

    @property
    def on_behalf_of_person(self) -> bool:
        return self.cleaned_data.get("sender") == self.FROM_PERSON


class AnswerForm(NHSUKFormMixin, forms.Form):
    submit_label = "Send reply"

    answer = text_area(
        "Your reply",
        limits.NOTE,
        help_text="Plain English: what you will do, and when. They will be told to sign in to "
        "read it.",
        required="Enter your reply",
    )

    def get_layout(self):
        return Layout(Field("answer", rows=5), Submit("submit", self.submit_label))


def _score_field(label, required_message, words):
    return forms.TypedChoiceField(
        label=label,
        choices=[(score.value, words[score]) for score in reversed(Score)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


class FeedbackForm(NHSUKFormMixin, forms.Form):
    """Three questions. The easy-read version asks the same in fewer, shorter words, with a
    picture beside each question (the template draws them)."""

    submit_label = "Send feedback"
    easy_read = False
    WORDS = {
        Score.COMPLETELY: "Completely",
        Score.MOSTLY: "Mostly",
        Score.A_LITTLE: "A little",
        Score.NOT_AT_ALL: "Not at all",
    }

    involved = _score_field(
        "How involved did you feel in the review?",
        "Select how involved you felt",
        WORDS,
    )
    clear = _score_field(
        "Was the information you were given clear?",
        "Select how clear the information was",
        WORDS,
    )
    change = text_area(
        "Is there anything we should change? (optional)",
        limits.NOTE,
        subject="What we should change",
    )

    def get_layout(self):
        size = "l" if self.easy_read else "m"
        return Layout(
            Field("involved", legend_size=size),
            Field("clear", legend_size=size),
            Field("change", rows=4, label_size=size),
            Submit("submit", self.submit_label),
        )


class EasyReadFeedbackForm(FeedbackForm):
    submit_label = "Send"
    easy_read = True
    WORDS = {
        Score.COMPLETELY: "Yes, a lot",
        Score.MOSTLY: "Yes, mostly",
        Score.A_LITTLE: "A little",
        Score.NOT_AT_ALL: "No",
    }

    involved = _score_field("Did you feel part of your review?", "Choose an answer", WORDS)
    clear = _score_field("Did you understand what people said?", "Choose an answer", WORDS)
    change = text_area(
        "What should we do better? (you do not have to answer)", limits.NOTE, subject="Your answer"
    )


class PlannerQuestionForm(NHSUKFormMixin, forms.Form):
    """One question of the planner: its answer, or nothing yet (every answer is optional)."""

    submit_label = "Save and go on"

    def __init__(self, *args, question, **kwargs):
        from .models import Planner

        self.question = question
        super().__init__(*args, **kwargs)
        if question.field == "take_part":
            self.fields["answer"] = forms.ChoiceField(
                label=question.question,
                choices=Planner.TakePart.choices,
                widget=forms.RadioSelect,
                required=False,
                error_messages={"invalid_choice": "Choose one of the answers"},
            )
        else:
            self.fields["answer"] = text_area(
                question.question,
                limits.NOTE,
                subject="Your answer",
                help_text=question.hint,
            )

    def get_layout(self):
        size = (
            {"legend_size": "l", "legend_is_page_heading": True}
            if self.question.field == "take_part"
            else {"label_size": "l", "label_is_page_heading": True}
        )
        options = {"rows": 6} if self.question.field != "take_part" else {}
        return Layout(
            Field("answer", **size, **options),
            Submit("submit", self.submit_label),
        )


class BookletsForm(NHSUKFormMixin, forms.Form):
    """How and when the person had the booklets, or why not."""

    submit_label = "Save"

    how = forms.ChoiceField(
        label="How did they have the booklets?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how they had the booklets",
            "invalid_choice": "Select how they had the booklets",
        },
    )
    given_on = SplitDateField(
        label="When did they have them?",
        subject="The date they had them",
        bounds=limits.RECENT_EVENT,
        help_text="For example, 15 3 2026. Leave empty if they did not have them.",
        required=False,
    )
    reason_not_given = text_area(
        "If they did not have them, why not?",
        limits.NOTE,
        subject="Why they did not have them",
        help_text="For example, they did not want them, or there was not enough time.",
    )

    def __init__(self, *args, **kwargs):
        from .models import Booklets

        super().__init__(*args, **kwargs)
        self.fields["how"].choices = Booklets.How.choices

    def clean(self):
        cleaned = super().clean()
        how = cleaned.get("how")
        if (
            how
            and how != "not_given"
            and not cleaned.get("given_on")
            and "given_on" not in self.errors
        ):
            self.add_error("given_on", "Enter the date they had them")
        if how == "not_given" and not (cleaned.get("reason_not_given") or "").strip():
            self.add_error("reason_not_given", "Enter why they did not have them")
        return cleaned

    def get_layout(self):
        return Layout(
            Field("how", legend_size="m"),
            Field("given_on", legend_size="s"),
            Field("reason_not_given", rows=3),
            Submit("submit", self.submit_label),
        )
