"""Hard words in plain English: the abbreviations and service words the person and family meet
in the portal, each spelt out where it first appears on a page and explained on the portal's
"Words we use" page."""

import re
from dataclasses import dataclass

from django.utils.html import format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class HardWord:
    slug: str  # the anchor on the words page
    word: str
    says: str  # what it stands for, said in place at its first appearance ("" for none)
    meaning: str


HARD_WORDS = (
    HardWord(
        "ctr",
        "CTR",
        "Care and Treatment Review",
        "A meeting to check that someone with a learning disability, autism or both is getting "
        "the right care, and to plan how they can live in the community rather than in "
        "hospital. The person, their family and people who do not work at the hospital take "
        "part.",
    ),
    HardWord(
        "cetr",
        "C(E)TR",
        "Care, Education and Treatment Review",
        "A Care and Treatment Review for a child or young person under 18. It looks at their "
        "education too, so the school or college and the council take part.",
    ),
    HardWord(
        "kloe",
        "KLOE",
        "key line of enquiry",
        "One of the questions the review panel asks, such as 'Is the person safe?' or 'Are "
        "they getting the right medicine?'. The report says what the panel found for each one.",
    ),
    HardWord(
        "stomp",
        "STOMP",
        "stopping over-medication of people with a learning disability, autism or both",
        "An NHS promise to make sure people only take medicines they really need, for as short "
        "a time as possible, and that medicines are not used instead of the right support.",
    ),
    HardWord(
        "mdt",
        "MDT",
        "multi-disciplinary team",
        "The group of professionals who look after someone, such as nurses, doctors, "
        "psychologists, therapists and social workers, working together.",
    ),
    HardWord(
        "icb",
        "ICB",
        "integrated care board",
        "The local NHS organisation that pays for care in your area. Its case manager "
        "organises the review and checks that what it recommends gets done.",
    ),
    HardWord(
        "imha",
        "IMHA",
        "independent mental health advocate",
        "Someone who helps a person in hospital under the Mental Health Act to understand their "
        "rights and to say what they want. They do not work for the hospital. Everyone "
        "detained under the Act has the right to one.",
    ),
    HardWord(
        "commissioner",
        "Commissioner",
        "",
        "The organisation, or the person there, that pays for someone's care and organises "
        "their review. Usually the ICB.",
    ),
    HardWord(
        "advocate",
        "Advocate",
        "",
        "Someone who helps you say what you want, and makes sure you are listened to. They are "
        "on your side and do not work for the hospital or the NHS.",
    ),
    HardWord(
        "recommendation",
        "Recommendation",
        "",
        "Something the review panel says should happen, who should do it and by when. The "
        "commissioner checks that it gets done.",
    ),
)

# Longest first, so "C(E)TR" is never read as anything shorter.
_SPELT_OUT = sorted((w for w in HARD_WORDS if w.says), key=lambda w: -len(w.word))
_PATTERN = re.compile("|".join(rf"(?<![\w(]){re.escape(w.word)}(?![\w)])" for w in _SPELT_OUT))
_BY_WORD = {w.word: w for w in _SPELT_OUT}


def spell_out(text: str, seen: set[str] | None = None) -> SafeString:
    """`text`, escaped, with the first appearance of each hard word not in `seen` followed by
    what it stands for: "under STOMP (stopping over-medication …)". `seen` is updated, so a
    page spells each word out once."""
    seen = set() if seen is None else seen
    pieces, last = [], 0
    for match in _PATTERN.finditer(text):
        word = match.group(0)
        pieces.append(text[last : match.end()])
        last = match.end()
        if word in seen:
            continue
        seen.add(word)
        already = text[last:].lstrip().startswith("(")  # spelt out by its author already
        if not already:
            pieces.append(f" ({_BY_WORD[word].says})")
    pieces.append(text[last:])
    return format_html_join("", "{}", ((piece,) for piece in pieces))
