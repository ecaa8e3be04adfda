"""The links app's rows of the access matrix (merged by tests/test_access_matrix.py).

A link's page needs no sign-in: a token that opens no link is not found for everyone, signed
in or not, GET and POST. The commissioner's page of a recommendation's links is the
recommendation's managers' (chair and commissioner); those who may see the recommendation but
not manage it are refused (403); nobody else learns it exists (404). The pages of people
without an account (how each is reached, their letters, the hand-over) are the review's
managers', as every other managing page of the review.
"""

from tests.recommendations.access_matrix import MANAGE, recommendation_kwargs
from tests.test_access_matrix import (
    NO_POST,
    REVIEW_MANAGERS,
    acting,
    everyone,
    review_kwargs,
)


def token_kwargs(ctx):
    return {"token": "no-such-link"}


def _on_paper(ctx):
    """The review's person, reached on paper (the person in the world has an account: the
    page of someone who has one works the same)."""
    return ctx["world"]["participants"]["person"]


def participant_kwargs(ctx):
    return {"pk": _on_paper(ctx).pk}


def letter_kwargs(ctx):
    from links.models import Letter

    participant = _on_paper(ctx)
    letter = Letter.objects.filter(participant=participant).first()
    if letter is None:
        from django.core.files.base import ContentFile

        letter = Letter(
            participant=participant,
            kind=Letter.Kind.INVITATION,
            state=Letter.State.READY,
            pages=1,
            requested_by=ctx["users"]["commissioner"],
        )
        letter.file.save("matrix-letter.pdf", ContentFile(b"%PDF-1.4\n%%EOF"), save=False)
        letter.save()
    return {"pk": letter.pk}


MATRIX = {
    "links:use": (token_kwargs, everyone(404), everyone(404)),
    "links:recommendation": (recommendation_kwargs, MANAGE, acting(MANAGE)),
    "links:review_letters": (review_kwargs, REVIEW_MANAGERS, acting(REVIEW_MANAGERS)),
    "links:participant_reach": (participant_kwargs, REVIEW_MANAGERS, acting(REVIEW_MANAGERS)),
    "links:letter_make": (participant_kwargs, REVIEW_MANAGERS, acting(REVIEW_MANAGERS)),
    "links:letter_pdf": (letter_kwargs, REVIEW_MANAGERS, NO_POST),
    "links:letter_handover": (letter_kwargs, REVIEW_MANAGERS, acting(REVIEW_MANAGERS)),
}
