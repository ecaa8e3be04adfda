"""Compare our markup with the NHS.UK frontend's own expected HTML.

`nhsuk-frontend` ships `dist/nhsuk/components/<name>/fixtures.json`: for each example, the
parameters given to the Nunjucks macro and the HTML it renders. Our templates are rendered with
the same parameters and compared after normalising: attribute order, class order, whitespace
between and inside tags, and void-element syntax do not count; everything else does.
"""

import json
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings

COMPONENTS = (
    Path(settings.BASE_DIR) / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk" / "components"
)


@cache
def fixtures(component: str) -> dict[str, dict]:
    """All fixtures of a component, by name. Names repeat in some files; the first one wins."""
    data = json.loads((COMPONENTS / component / "fixtures.json").read_text())
    by_name = {}
    for item in data["fixtures"]:
        by_name.setdefault(item["name"], item)
    return by_name


def fixture(component: str, name: str) -> dict:
    return fixtures(component)[name]


class _Normaliser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tokens: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tokens.append(f"<{tag}{_attrs(attrs)}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.tokens.append(f"</{tag}>")

    def handle_data(self, data):
        text = " ".join(data.split())
        if text:
            self.tokens.append(text)


def _attrs(attrs) -> str:
    parts = []
    for name, value in sorted(attrs):
        if name == "class" and value:
            value = " ".join(sorted(value.split()))
        elif value is not None:
            value = " ".join(value.split())
        parts.append(f" {name}" if value in (None, "") else f' {name}="{value}"')
    return "".join(parts)


def normalise(html: str) -> list[str]:
    parser = _Normaliser()
    parser.feed(html)
    parser.close()
    return parser.tokens


def assert_same_html(actual: str, expected: str) -> None:
    """Fails with both normalised token lists shown, so the difference is easy to find."""
    got, want = normalise(actual), normalise(expected)
    assert got == want, "\n".join(
        ["Markup differs from the NHS.UK fixture.", "ours:", *got, "", "nhsuk-frontend:", *want]
    )
