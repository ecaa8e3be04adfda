"""The easy read report, drawn from the same `ReportContent` as the full one: short sentences,
one idea per line, each beside a symbol (`symbols.py`). It says what the panel found and what
will happen, by whom and by when."""

import re
from dataclasses import dataclass

from django.template.loader import render_to_string

from ctr_portal.formatting import nhs_date, unquoted
from recommendations.models import State as RecommendationState
from recommendations.plain import plain_progress
from reviews.roles import role_in_plain_words

from .symbols import RATING_SYMBOLS, SYMBOLS

# Each KLOE as a short question the person would ask (domain.md §9), adult and child sets.
_ADULT_PLAIN_KLOES = {
    1: "Are there big worries about you?",
    2: "Do you need to be in hospital?",
    3: "Are you getting the right care?",
    4: "Is your care planned around you?",
    5: "Is your health looked after?",
    6: "Are you getting the right medicine?",
    7: "Are risks handled safely and kindly?",
    8: "Are your autism needs met?",
    9: "Is there a plan for leaving hospital and your future?",
    10: "Is your family involved?",
    11: "Are your rights respected?",
}
PLAIN_KLOES = {
    "adult": _ADULT_PLAIN_KLOES,
    # The child set asks the same but for 3 and 4, and has a KLOE of its own, 11, before rights.
    "child": {
        **_ADULT_PLAIN_KLOES,
        3: "Are you getting the right care and education?",
        4: "Are you involved in your care?",
        11: "Are things that matter to young people looked after?",
        12: _ADULT_PLAIN_KLOES[11],
    },
}

RATING_SENTENCES = {
    "no_concerns": "The panel thinks this is going well.",
    "some_concerns": "The panel is a bit worried about this.",
    "serious_concerns": "The panel is very worried about this.",
    "not_able_to_assess": "The panel could not find out about this.",
    "": "The panel has not decided yet.",
}


@dataclass
class Line:
    symbol: str
    text: str
    role: str = ""  # a participant's role: its own picture (reviews/roles.py) for the symbol

    @property
    def svg(self):
        if self.role:
            plain = role_in_plain_words(self.role)
            return render_to_string(
                plain.picture, {"alt": plain.alt, "symbol_class": "easy-read__symbol"}
            )
        return SYMBOLS[self.symbol]


@dataclass
class Part:
    heading: str
    lines: list
    boxes: list  # lists of Lines shown together, one box per recommendation


def _about(content) -> list[Line]:
    review, person = content.review, content.person
    lines = [Line("report", f"This report is about your {review.type_label}, {person.known_as}.")]
    if content.review_date:
        lines.append(Line("calendar", f"The panel met on {nhs_date(content.review_date)}."))
    if content.panel_members:
        lines.append(Line("panel", "The people on the panel were:"))
        for member in content.panel_members:
            words = role_in_plain_words(member.role).words
            lines.append(Line("panel", f"{member.name}: {words}.", role=member.role))
    for finding in content.findings:
        for quote in finding.quotes:
            if quote.quote_from == "person":
                lines.append(Line("speech", f"You told us: “{unquoted(quote.shows)}”"))
    return lines


# Where one idea ends: a sentence's end, a semicolon, or a new line.
_IDEA_END = re.compile(r"(?<=[.!?])\s+|;\s*|\n+")


def one_idea_per_line(text: str) -> list[str]:
    """Text as its ideas, one per line: split at each sentence's end and semicolon, each
    starting with a capital and ending with a full stop."""
    ideas = []
    for piece in _IDEA_END.split(text or ""):
        piece = " ".join(piece.split()).strip(" ,;")
        if not piece:
            continue
        piece = piece[:1].upper() + piece[1:]
        ideas.append(piece if piece[-1] in ".!?" else f"{piece}.")
    return ideas


def _found(content) -> list[list[Line]]:
    """Each KLOE as the person's question and the panel's view, then what the panel found, one
    idea per line, and what it means for them."""
    audience = "child" if content.review.is_child_review else "adult"
    titles = PLAIN_KLOES[audience]
    boxes = []
    for finding in content.findings:
        consolidated = finding.consolidated
        rating = consolidated.rating if consolidated is not None else ""
        title = titles.get(finding.kloe.number, finding.kloe.title)
        box = [Line(RATING_SYMBOLS[rating], f"{title} {RATING_SENTENCES[rating]}")]
        if consolidated is not None:
            box += [Line("idea", idea) for idea in one_idea_per_line(consolidated.finding)]
            for_you = one_idea_per_line(consolidated.for_you)
            if for_you:
                box.append(Line("person", "What this means for you:"))
                box += [Line("idea", idea) for idea in for_you]
        boxes.append(box)
    return boxes


def _progress(rec, today) -> list[Line]:
    """Where a recommendation stands, in the portal's words (`recommendations.plain`), once it
    has gone to the person doing it."""
    if rec.state == RecommendationState.DRAFT:
        return []
    label, sentence, _colour = plain_progress(rec, today)
    return [Line("report", f"Where it stands: {label}."), Line("idea", sentence)]


def _boxes(content) -> list[list[Line]]:
    """Each recommendation in the chair's plain words, never the professional wording."""
    return [
        [
            _doing(rec),
            Line("who", f"Who will do it: {rec.owner_display}."),
            Line("calendar", f"By when: {nhs_date(rec.due_date)}."),
            *_progress(rec, content.drafted_on),
        ]
        for rec in content.recommendations
    ]


def progress_now(recommendations, today) -> Part:
    """Where each recommendation stands today, for the easy read of the current version: the
    issued report stays as it was, and this follows the plan as it moves."""
    return Part(
        f"How it is going on {nhs_date(today)}",
        [],
        [[_doing(rec), *_progress(rec, today)] for rec in recommendations],
    )


def _doing(rec) -> Line:
    text = rec.plain_words.strip() or "The panel is still writing this in plain words."
    return Line("action", text)


def easy_read_parts(content) -> list[Part]:
    notes = [
        Line("idea", line.strip()) for line in content.draft.easy_read.splitlines() if line.strip()
    ]
    if content.next_review_due:
        next_line = Line("calendar", f"Your next review is by {nhs_date(content.next_review_due)}.")
    else:
        next_line = Line("calendar", "You will have another review if you need one.")
    parts = [
        Part("About this report", _about(content), []),
        Part("What the panel found", [], _found(content)),
        Part("What the panel wants you to know", notes, []),
        Part("What will happen", [], _boxes(content)),
        Part(
            "What happens next",
            [
                next_line,
                Line("question", "If you have a question, ask your advocate or your family."),
                Line("person", "You can ask for a review at any time."),
            ],
            [],
        ),
    ]
    return [part for part in parts if part.lines or part.boxes]
