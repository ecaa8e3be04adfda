"""A value drawn by a template partial: what a presenter hands a component (a table cell, a
summary list value, a callout's ``html=``) when the value needs markup: a link, a tag, a line
break. The presenter names the partial and gives it plain values; the markup stays in the
partial (``templates/<app>/_<name>.html``), and nothing is rendered until the page prints it.

It goes into the components as a SafeString did, since Django prints anything with an
``__html__`` method as it is: the table's cells and the summary list's values need no change,
and a plain text cell costs the table nothing more (ADR 0015).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.template.loader import get_template
from django.utils.safestring import SafeString

from .templatetags.nhsuk import nhsuk_tag


@dataclass(frozen=True)
class Partial:
    """``Partial("reviews/_due_by.html", {"review": review})``: the partial, rendered with the
    context, its surrounding white space trimmed (so that a partial may open with a comment)."""

    template: str
    context: Mapping = field(default_factory=dict)

    def __html__(self) -> SafeString:
        # The output of an autoescaping template, trimmed of white space only.
        return SafeString(get_template(self.template).render(dict(self.context)).strip())

    def __str__(self) -> str:
        return self.__html__()


def tag(text, colour=None) -> Partial:
    """The NHS.UK tag, as a cell or value: ``tag("Overdue", "red")``."""
    return Partial("nhsuk/components/tag.html", nhsuk_tag(text, colour))


def line_breaks(text) -> Partial:
    """Text as typed, each line break kept (Django's ``linebreaksbr``, escaped)."""
    return Partial("ctr_portal/_line_breaks.html", {"text": text})


def paragraphs(text) -> Partial:
    """Text as typed, in paragraphs (Django's ``linebreaks``, escaped)."""
    return Partial("ctr_portal/_paragraphs.html", {"text": text})
