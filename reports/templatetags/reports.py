from django import template

from ctr_portal.formatting import unquoted

register = template.Library()
register.filter("unquoted", unquoted)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
