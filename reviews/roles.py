"""Each role on a review in plain words, with its picture: the one mapping the portal's pages,
the booklet and the easy read report use wherever they show who takes part (issue 22).

The words are said to the person ("your hospital"); the picture is one of the project's own
symbols (templates/reviews/symbols/<role>.svg), drawn beside the words. On a page it is hidden
from screen readers, because the words beside it say the same; in a PDF its `<title>` (the
`alt` here) is its alternative text."""

from dataclasses import dataclass

from .models import ParticipantRole


@dataclass(frozen=True)
class RoleInPlainWords:
    role: str
    words: str  # what they do, as a phrase that follows a name: "Sam Patel: <words>"
    alt: str  # what the picture shows

    @property
    def sentence(self) -> str:
        return self.words[0].upper() + self.words[1:] + "."

    @property
    def picture(self) -> str:
        """The template that draws the picture (include it `with alt=...`)."""
        return f"reviews/symbols/{self.role}.svg"


ROLE_IN_PLAIN_WORDS = {
    role: RoleInPlainWords(role.value, words, alt)
    for role, words, alt in (
        (ParticipantRole.CHAIR, "the person who runs the review", "A person with a clipboard"),
        (
            ParticipantRole.CLINICAL_EXPERT,
            "a doctor or nurse who does not work at your hospital",
            "A person with a health cross",
        ),
        (
            ParticipantRole.EXPERT_BY_EXPERIENCE,
            "someone who has been through this themselves or cares for someone who has",
            "Two people and a heart",
        ),
        (
            ParticipantRole.PANEL_MEMBER,
            "another expert who does not work at your hospital",
            "A person with a light bulb",
        ),
        (
            ParticipantRole.COMMISSIONER,
            "the person who organises your review and checks that what it says gets done",
            "A person with a calendar",
        ),
        (
            ParticipantRole.PROVIDER,
            "someone from the hospital or service that looks after you",
            "A hospital building",
        ),
        (
            ParticipantRole.LOCAL_AUTHORITY,
            "someone from the council, for social care or school",
            "A council building",
        ),
        (
            ParticipantRole.FAMILY_CARER,
            "family, or someone who cares for you",
            "A home with a heart",
        ),
        (
            ParticipantRole.ADVOCATE,
            "someone who helps you say what you want and makes sure you are listened to",
            "A person with a speech bubble",
        ),
        (ParticipantRole.PERSON, "the person the review is about", "A person"),
    )
}


def role_in_plain_words(role: str) -> RoleInPlainWords:
    return ROLE_IN_PLAIN_WORDS[ParticipantRole(role)]
