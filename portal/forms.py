"""Portal: forms; no database writes and no reads of their own."""

from django import forms

from ctr_portal import limits
from ctr_portal.nhsuk import Field, Layout, NHSUKFormMixin, Submit, text_area

from .models import Request, Score

ASK_KINDS = [
    (Request.Kind.REVIEW, "Ask for a review"),
    (Request.Kind.WORRY, "Tell the commissioner about a worry"),
]


class RequestForm(NHSUKFormMixin, forms.Form):
    submit_label = "Send"

    kind = forms.ChoiceField(
        label="What would you like to do?",
        choices=ASK_KINDS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what you would like to do",
            "invalid_choice": "Select what you would like to do",
        },
    )
    details = text_area(
        "What would you like to tell us?",
        limits.NOTE,
        help_text="For example, what has changed, what worries you, or what you would like to "
        "happen. This is not a complaint.",
        required="Tell us what you would like to happen",
        subject="What you tell us",
    )

    def get_layout(self):
        return Layout(
            Field(
                "kind",
                legend_size="m",
                choice_hints={
                    Request.Kind.REVIEW: "Anyone can ask for a review, at any time",
                    Request.Kind.WORRY: "Something about care or support you want them to know",
                },
            ),
            Field("details", rows=5),
            Submit("submit", self.submit_label),
        )


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
    """Three questions. The easy read version asks the same in fewer, shorter words, with a
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
