"""`{% spell_out text %}`: a text with each hard word spelt out where it first appears on the
page (portal/words.py)."""

from django import template

from ..words import spell_out as spell_out_text

register = template.Library()


@register.simple_tag(takes_context=True)
def spell_out(context, text):
    request = context.get("request")
    seen = getattr(request, "_hard_words_seen", None) if request is not None else None
    if seen is None:
        seen = set()
        if request is not None:
            request._hard_words_seen = seen
    return spell_out_text(str(text), seen)
