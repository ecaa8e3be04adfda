"""The portal's timescales (ADR 0016: policy values live here, each with its source)."""

import re

from ctr_portal.deadlines import Series
from ctr_portal.policy import LocalChoice

# Local choice, not NHS policy: everyone who took part in a review held this many days ago or
# fewer is asked once for feedback (a daily sweep): the report's two weeks, while the day is
# remembered; a review found later is not asked about.
FEEDBACK_WITHIN_DAYS = 14


def feedback_series() -> tuple[Series, ...]:
    """When feedback is asked for (ctr_portal.deadlines): once, from the day the review is held,
    to everyone who took part, while it was held FEEDBACK_WITHIN_DAYS days ago or fewer."""
    return (Series("invitation", "took part", days=(0,), until=FEEDBACK_WITHIN_DAYS + 1),)


# --- Requests and worries --------------------------------------------------------------------

REPLY_WORKING_DAYS = LocalChoice(
    "portal.reply_working_days",
    "A request or worry from the person or family: working days to reply",
    default=3,
    source="Local choice, not a CTR timescale. 3 working days, as the NHS complaints "
    "regulations give to acknowledge a complaint (The Local Authority Social Services and "
    "National Health Service Complaints (England) Regulations 2009, regulation 13).",
    unit="working days",
)

# Product choice: words that suggest someone is being harmed or is at risk. A worry that uses
# one, or whose sender says someone is at risk, is flagged to the commissioner as urgent (the
# same day, as the panel's serious concerns are). It errs towards flagging: a false alarm costs
# a commissioner a minute, a missed one much more. Matched as whole words, any case.
HARM_WORDS = (
    "abuse",
    "abused",
    "assault",
    "assaulted",
    "bruise",
    "bruised",
    "bruises",
    "danger",
    "dangerous",
    "harm",
    "harmed",
    "harming",
    "hit",
    "hurt",
    "hurting",
    "injured",
    "injury",
    "kicked",
    "neglect",
    "neglected",
    "pinned",
    "punched",
    "restrained",
    "restraint",
    "scared",
    "seclusion",
    "shouted",
    "shouting",
    "slapped",
    "suicide",
    "threatened",
    "unsafe",
)


def mentions_harm(text: str) -> bool:
    """Whether `text` uses one of HARM_WORDS (whole words, any case)."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    return not words.isdisjoint(HARM_WORDS)
