"""The one extension mechanism: Django signals (ADR 0008, after pretix's `base/signals.py`).

An app that builds on another connects its receivers in its `AppConfig.ready()`, each with a
`dispatch_uid` named after the app and the part ("reviews.dashboard_cards"), so the app that sends
the signal never imports it, and a test can disconnect one receiver and connect its own. Each
signal says what it is sent with and what a receiver returns; `collect` gathers the answers.
"""

from django.dispatch import Signal

nav_items = Signal()
"""Sent for every signed-in page. A receiver returns the header's `NavItem`s its app adds; the
header shows those whose permission the user holds, in `order`."""

dashboard_cards = Signal()
"""Sent with `request` when the dashboard is drawn. A receiver returns the `Card`s its app shows
this user (or nothing), making a fixed number of queries whatever the rows behind them."""

page_asides = Signal()
"""Sent with `request` when a signed-in page is drawn, once, and only when base.html reaches the
end of the page's content. A receiver returns the `navigation.Aside`s its app shows this user
on every page (or nothing), making a fixed number of queries; the aside's partial also sees the
page's own context (its `review`, when it is about one)."""

email_attachments = Signal()
"""Sent with `notification` when an email is built for sending (never when it is queued). A
receiver returns a list of `(filename, content, mimetype)` for the entries of
`notification.context["attachments"]` whose "builder" it owns; the outbox keeps only ids."""

letter_pdf = Signal()
"""Sent with `notification` when a letter is posted. The receiver that owns
`notification.context["letter_id"]` returns the letter's PDF as bytes."""

notice_undeliverable = Signal()
"""Sent with `notification` when a notice finally could not be delivered (a permanent failure,
a receipt saying so, or the last attempt failed), once per notice. The app that chose its way
of being reached (`notification.reach_of`) tells whoever can mend it."""

demo_seed = Signal()
"""Sent with `stdout` by `manage.py seed_demo`, once, inside one transaction. Receivers run in
the order the apps are ready (INSTALLED_APPS), and each is idempotent: a second run changes
nothing."""

nhs_login_link = Signal()
"""Sent with `answer` (`oidc.Answer`, NHS login's checked claims) and `invitation_token` (the
invitation link the person followed to NHS login, or "") when NHS login has checked someone whose
NHS login is not yet linked to an account here (ADR 0023). A receiver returns the account it
links them to, or None when it has nothing to say; it raises `oidc.Refused` to refuse. Never by
name: the person by their NHS number at P9, family only through their invitation."""


def collect(signal: Signal, sender=None, **kwargs) -> list:
    """Every receiver's answer in one list: a list answer is spread, None is skipped."""
    items = []
    for _receiver, response in signal.send(sender=sender, **kwargs):
        if response is None:
            continue
        if isinstance(response, list):
            items.extend(response)
        else:
            items.append(response)
    return items
