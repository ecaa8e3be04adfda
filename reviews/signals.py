"""What `reviews` lets the apps built on it add, without ever importing them (ADR 0008).

Each is a Django signal; receivers are connected in the other app's `AppConfig.ready()` with a
`dispatch_uid`. `ctr_portal.signals.collect` gathers the answers.
"""

from django.dispatch import Signal

readiness_checks = Signal()
"""Sent with `review` when the review page or the move to "ready" asks what is missing. A
receiver returns a `reviews.readiness.ReadinessItem` (or a list), making a fixed number of
queries; it may rely on what `review_for_user` prefetches."""

review_links = Signal()
"""Sent when the review page is drawn. A receiver returns the `reviews.sections.ReviewLink`s its
app adds (the pack, the workbooks, the report); the page shows those whose permission the user
holds on the review, in `order`."""

review_scheduled = Signal()
"""Sent with `review` (locked) inside the scheduling transaction, after the review is saved:
an app makes what the review now needs (documents: its pack). A receiver that raises undoes the
scheduling."""

person_timeline_entries = Signal()
"""Sent with `person` when their timeline is drawn. A receiver returns the
`reviews.queries.TimelineEntry`s its app adds (a request from the family, an oversight visit),
in a fixed number of queries."""

transition_checks = Signal()
"""Sent with `review` and `to` whenever the lifecycle asks whether the review may move to `to`
(the review page's buttons and `review_transition`). A receiver returns the plain-English
reasons its app refuses the move (a string or a list; nothing when it has none), e.g.
recommendations: "closed" only once every recommendation is closed."""

person_links = Signal()
"""Sent when the person's page is drawn. A receiver returns the `reviews.sections.PersonLink`s
its app adds (oversight visits); the page shows those whose permission the user holds on the
person, in `order`."""

review_trail = Signal()
"""Sent with `review` and `user` when a page about the review draws its breadcrumbs. A receiver
may return, as a tuple of (text, href) pairs, the trail up to and including the review for a
user who follows it on another app's pages (portal: the person and family, who never land on
the professional review page); the first answer is used, and with none the trail is
Home › Reviews › the review."""

invitation_asks = Signal()
"""Sent with `review` and `participant` when an invitation email is written. A receiver returns
what the invitee is asked for (documents: the pack items their organisation owes, as
{"count": n, "lines": ["5 core documents: by …", …]}), JSON only, with no name or record text."""

person_reviews_compared = Signal()
"""Sent with `person` and `reviews` (their held reviews the user may see, oldest first) when the
person's page sets those reviews side by side. A receiver returns the
`reviews.sections.ComparedLine`s its app adds (panels: each key line of enquiry's rating), in
one or two queries whatever the number of reviews."""
