"""Where a recommendation stands, in the words the person and family read (issue 22): one
vocabulary for the portal, the easy read report, the recommendation's page as they see it, and
the notices they get. A short label for the tag, and a sentence naming who is doing it."""

from ctr_portal.formatting import nhs_date

from .models import State

# state -> (label, sentence). A draft is never shown to the person or family; the easy read
# made as the report is issued sees none either (issuing sends every draft first).
PLAIN_STATE = {
    State.AWAITING_OWNER: ("Not agreed yet", "Waiting for {owner} to agree to do it."),
    State.DISPUTED: ("Not agreed yet", "Being talked through again with {owner}."),
    State.AGREED: ("Agreed", "{owner} has agreed to do it."),
    State.IN_PROGRESS: ("Started", "{owner} has started."),
    State.DONE_CLAIMED: ("Being checked", "{owner} says it is done. The commissioner is checking."),
    State.DONE: ("Done", "{owner} has done it, and the commissioner has checked."),
    State.NOT_ACHIEVED: ("Not done", "{owner} could not do it. The commissioner will say why."),
    State.SUPERSEDED: ("Replaced", "A newer recommendation replaced this one."),
}
# What a draft is called should one ever be shown: it has not gone to anyone yet.
DRAFT = ("Not sent yet", "The panel is still writing it.")
LATE = "Late"


def plain_progress(recommendation, today, *, owner: str = "") -> tuple[str, str, str]:
    """(a short label, a sentence, the tag colour) for one recommendation. `owner` names who is
    doing it; by default its organisation (or the owner as the report names them). A notice,
    which names nobody, passes "the person responsible"."""
    owner = owner or recommendation.owner_organisation or recommendation.owner_display
    label, sentence = PLAIN_STATE.get(recommendation.state, DRAFT)
    sentence = sentence.format(owner=owner)
    sentence = sentence[:1].upper() + sentence[1:]
    due = nhs_date(recommendation.due_date) if recommendation.due_date else ""
    if recommendation.is_overdue(today):
        return LATE, f"It was due by {due}. {sentence}", "red"
    if recommendation.is_open and due:
        sentence = f"{sentence} Due by {due}."
    return label, sentence, State(recommendation.state).tag_colour
