# ruff: noqa: E501 (SVG path data reads best unbroken)
"""The easy read report's pictures: simple symbols drawn for this project as SVG (no third-party
image sets), one beside each idea. Each is 64 × 64, drawn in NHS blue with a few accents. On a
page it is hidden from screen readers, because the sentence beside it says the same; in the PDF
it is a figure whose alternative text (its `<title>`, which WeasyPrint takes as /Alt) names what
it shows, as PDF/UA asks of every figure."""

from django.utils.safestring import mark_safe

BLUE = "#005eb8"
DARK = "#003087"
GREEN = "#007f3b"
YELLOW = "#ffb81c"
RED = "#d5281b"
GREY = "#768692"

_HEAD = '<circle cx="32" cy="18" r="10" fill="{c}"/>'
_BODY = '<path d="M14 58c0-12 8-22 18-22s18 10 18 22z" fill="{c}"/>'

_SHAPES = {
    "person": _HEAD.format(c=BLUE) + _BODY.format(c=BLUE),
    "panel": (
        f'<circle cx="14" cy="22" r="7" fill="{GREY}"/><path d="M2 52c0-9 5-16 12-16s12 7 12 16z" '
        f'fill="{GREY}"/><circle cx="50" cy="22" r="7" fill="{GREY}"/><path d="M38 52c0-9 5-16 12-16s12 '
        f'7 12 16z" fill="{GREY}"/><circle cx="32" cy="16" r="9" fill="{BLUE}"/><path d="M16 58c0-12 '
        f'7-20 16-20s16 8 16 20z" fill="{BLUE}"/>'
    ),
    "calendar": (
        f'<rect x="6" y="12" width="52" height="46" rx="4" fill="#fff" stroke="{BLUE}" '
        f'stroke-width="4"/><rect x="6" y="12" width="52" height="12" fill="{BLUE}"/><rect x="16" '
        f'y="4" width="6" height="14" rx="2" fill="{DARK}"/><rect x="42" y="4" width="6" height="14" '
        f'rx="2" fill="{DARK}"/><rect x="16" y="32" width="8" height="8" fill="{BLUE}"/><rect x="28" '
        f'y="32" width="8" height="8" fill="{BLUE}"/><rect x="40" y="32" width="8" height="8" '
        f'fill="{RED}"/><rect x="16" y="44" width="8" height="8" fill="{BLUE}"/>'
    ),
    "report": (
        f'<path d="M14 4h26l12 12v44H14z" fill="#fff" stroke="{BLUE}" stroke-width="4" '
        f'stroke-linejoin="round"/><path d="M40 4v12h12" fill="none" stroke="{BLUE}" '
        f'stroke-width="4"/><path d="M21 28h24M21 38h24M21 48h16" stroke="{BLUE}" stroke-width="4" '
        'stroke-linecap="round"/>'
    ),
    "speech": (
        f'<path d="M6 10h52v34H26l-12 12V44H6z" fill="#fff" stroke="{BLUE}" stroke-width="4" '
        f'stroke-linejoin="round"/><circle cx="20" cy="27" r="4" fill="{BLUE}"/><circle cx="32" '
        f'cy="27" r="4" fill="{BLUE}"/><circle cx="44" cy="27" r="4" fill="{BLUE}"/>'
    ),
    "happy": (
        f'<circle cx="32" cy="32" r="27" fill="#fff" stroke="{GREEN}" stroke-width="5"/><circle '
        f'cx="23" cy="26" r="4" fill="{GREEN}"/><circle cx="41" cy="26" r="4" fill="{GREEN}"/><path '
        f'd="M20 38c6 9 18 9 24 0" fill="none" stroke="{GREEN}" stroke-width="5" '
        'stroke-linecap="round"/>'
    ),
    "worried": (
        f'<circle cx="32" cy="32" r="27" fill="#fff" stroke="{YELLOW}" stroke-width="5"/><circle '
        f'cx="23" cy="26" r="4" fill="{DARK}"/><circle cx="41" cy="26" r="4" fill="{DARK}"/><path '
        f'd="M21 43h22" stroke="{DARK}" stroke-width="5" stroke-linecap="round"/>'
    ),
    "very_worried": (
        f'<path d="M32 4 61 56H3z" fill="{RED}" stroke="{RED}" stroke-width="4" '
        'stroke-linejoin="round"/><path d="M32 22v16" stroke="#fff" stroke-width="6" '
        'stroke-linecap="round"/><circle cx="32" cy="47" r="4" fill="#fff"/>'
    ),
    "not_known": (
        f'<circle cx="32" cy="32" r="27" fill="#fff" stroke="{GREY}" stroke-width="5"/><path '
        f'd="M24 24a8 8 0 1 1 12 7c-3 2-4 3-4 7" fill="none" stroke="{GREY}" stroke-width="5" '
        f'stroke-linecap="round"/><circle cx="32" cy="47" r="3.5" fill="{GREY}"/>'
    ),
    "action": (
        f'<rect x="10" y="8" width="44" height="52" rx="4" fill="#fff" stroke="{BLUE}" '
        f'stroke-width="4"/><rect x="22" y="3" width="20" height="10" rx="3" fill="{BLUE}"/><path '
        f'd="M18 30l6 6 10-12" fill="none" stroke="{GREEN}" stroke-width="5" stroke-linecap="round" '
        f'stroke-linejoin="round"/><path d="M38 32h10M18 48h30" stroke="{BLUE}" stroke-width="4" '
        'stroke-linecap="round"/>'
    ),
    "who": _HEAD.format(c=DARK)
    + _BODY.format(c=DARK)
    + (
        f'<circle cx="50" cy="46" r="9" fill="{YELLOW}"/><path d="M46 46l3 3 6-6" fill="none" '
        f'stroke="{DARK}" stroke-width="3"/>'
    ),
    "idea": (
        f'<path d="M32 4a18 18 0 0 1 10 33v9H22v-9A18 18 0 0 1 32 4z" fill="{YELLOW}" stroke="{DARK}" '
        f'stroke-width="3"/><rect x="23" y="49" width="18" height="5" rx="2" fill="{DARK}"/><rect '
        f'x="26" y="56" width="12" height="5" rx="2" fill="{DARK}"/>'
    ),
    "question": (
        f'<path d="M6 10h52v34H26l-12 12V44H6z" fill="{BLUE}"/><path d="M26 20a6 6 0 1 1 9 5c-2 1-3 '
        '2-3 5" fill="none" stroke="#fff" stroke-width="4" stroke-linecap="round"/><circle '
        'cx="32" cy="37" r="2.5" fill="#fff"/>'
    ),
}

ALT_TEXTS = {
    "person": "A person",
    "panel": "The panel, three people",
    "calendar": "A calendar",
    "report": "A report",
    "speech": "A speech bubble",
    "happy": "A happy face",
    "worried": "A worried face",
    "very_worried": "A warning sign",
    "not_known": "A question mark",
    "action": "A list of things to do",
    "who": "A person with a tick",
    "idea": "A light bulb",
    "question": "A question in a speech bubble",
}

SYMBOLS = {
    name: mark_safe(  # noqa: S308 (our own constant markup)
        '<svg class="easy-read__symbol" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" '
        f'width="64" height="64" aria-hidden="true" focusable="false"><title>{ALT_TEXTS[name]}'
        f"</title>{shape}</svg>"
    )
    for name, shape in _SHAPES.items()
}

RATING_SYMBOLS = {
    "no_concerns": "happy",
    "some_concerns": "worried",
    "serious_concerns": "very_worried",
    "not_able_to_assess": "not_known",
    "": "not_known",
}
