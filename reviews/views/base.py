"""The one mixin for every page about a review, here and in the apps built on `reviews`
(panels, documents): they import it, and `reviews` never imports them."""

from django.urls import reverse

from ctr_portal.permissions import Perm
from ctr_portal.signals import collect
from ctr_portal.views.base import ScopedObjectMixin

from .. import queries
from ..signals import review_trail


class ReviewPageMixin(ScopedObjectMixin):
    """A page about one review, or about something in one.

    The review is found through the user's own reviews (`queries.review_for_user`, which reads
    the latest consent afresh), so someone with no part in it gets 404; `permission_required`
    then decides (403). Every such page has the same breadcrumbs, Home › Reviews › the review ›
    what `breadcrumbs(*extra)` adds (or, for the person and family, the portal's trail to the
    review: the `review_trail` signal), and the context carries `review`, `person` and
    `review_label`.

    A page about something inside a review (a pack item, a document) sets `object_type`,
    overrides `get_scoped_object` and makes `review` the review it belongs to.
    """

    object_type = "reviews.review"

    def get_scoped_object(self):
        return queries.review_for_user(self.request.user, self.kwargs["pk"])

    @property
    def review(self):
        return self.get_object()

    @property
    def review_label(self) -> str:
        """ "CTR for Daniel Clarke"; "Review for Daniel Clarke" for someone the consent gate
        keeps out, as the type tells whether the person is a child."""
        review = self.review
        if self.request.user.has_perm(Perm.VIEW_REVIEW_DETAILS, review):
            return f"{review.type_label} for {review.person.full_name}"
        return f"Review for {review.person.full_name}"

    def breadcrumbs(self, *extra) -> list[tuple[str, str]]:
        trails = collect(review_trail, review=self.review, user=self.request.user)
        if trails:
            return [*trails[0], *extra]
        return [
            ("Home", reverse("dashboard")),
            ("Reviews", reverse("reviews:review_list")),
            (self.review_label, reverse("reviews:review_detail", args=[self.review.pk])),
            *extra,
        ]

    def get_context_data(self, **kwargs):
        review = self.review
        kwargs.setdefault("review", review)
        kwargs.setdefault("person", review.person)
        kwargs.setdefault("review_label", self.review_label)
        kwargs.setdefault("breadcrumbs", self.breadcrumbs())
        return super().get_context_data(**kwargs)
