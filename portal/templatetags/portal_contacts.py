"""`{% contacts_shown contacts review as shown %}`: of the person's or family's review contacts
(reviews.queries.review_contacts_for), the ones a page shows: the page's own review's, or, on a
page about no review, those of the reviews still going on (the latest one's when none is), each
person once."""

from django import template

register = template.Library()


@register.simple_tag
def contacts_shown(contacts, review=None):
    if review is not None and getattr(review, "pk", None) is not None:
        return [c for c in contacts if c.review_id == review.pk][:1]
    current = [c for c in contacts if c.current] or contacts[:1]
    shown, seen = [], set()
    for contact in current:
        key = (contact.name, contact.phone, contact.email)
        if key not in seen:
            seen.add(key)
            shown.append(contact)
    return shown
