"""What the portal lets the apps built on reviews add to it, without importing them (ADR 0008)."""

from django.dispatch import Signal

portal_sections = Signal()
"""Sent with `review` and `user` when the portal's page for one review is drawn, only after the
consent gate has said the user may see the review's details (the person, or a family carer or
advocate the latest consent invites). A receiver returns `portal.sections.PortalSection`s (the
report, how the recommendations are going), making a fixed number of queries, and itself asks
any further permission its content needs (a report the consent says this person may not
receive is not offered)."""
