"""`{% role_in_plain_words role as words %}`: a role on a review in plain words, with its picture
(reviews/roles.py), for the pages the person and family read. Draw it with the partial
`reviews/_role_in_plain_words.html`."""

from django import template

from ..roles import role_in_plain_words as lookup

register = template.Library()


@register.simple_tag
def role_in_plain_words(role):
    return lookup(role)
