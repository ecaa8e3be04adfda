"""Portal: parse the request, check the permission, call a query or service, render.

The portal's review page is found through `portal_review` (the person, or a family carer or
advocate on the review; anyone else 404), and shows anything beyond the date and who to contact
only while the latest consent allows it, asked again at every request.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ctr_portal.audit import Action, audit_record
from ctr_portal.formatting import nhs_date, nhs_datetime
from ctr_portal.permissions import Perm
from ctr_portal.signals import collect
from ctr_portal.views.base import ScopedObjectMixin, add_service_errors
from reviews.models import ParticipantRole, ReviewState
from reviews.queries import commissioner_contacts
from reviews.rules import participant_for
from reviews.views.base import ReviewPageMixin

from . import presenters, queries, services
from .forms import AnswerForm, EasyReadFeedbackForm, FeedbackForm, RequestForm
from .models import Request
from .signals import portal_sections


class PortalHomeView(PermissionRequiredMixin, TemplateView):
    """The reviews the person, or their family carer, follows."""

    permission_required = Perm.USE_PORTAL
    template_name = "portal/home.html"

    def get_context_data(self, **kwargs):
        kwargs.update(
            reviews=queries.portal_reviews(self.request.user),
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        return super().get_context_data(**kwargs)


class PortalReviewMixin(ReviewPageMixin):
    def get_scoped_object(self):
        return queries.portal_review(self.request.user, self.kwargs["pk"])

    @property
    def review_label(self) -> str:
        return f"Review for {self.review.person.known_as}"

    def breadcrumbs(self, *extra):
        return [
            ("Home", reverse("dashboard")),
            ("Your reviews", reverse("portal:home")),
            (self.review_label, reverse("portal:review", args=[self.review.pk])),
            *extra,
        ]


# Where the review is, in words a family would use.
STATE_IN_PLAIN_ENGLISH = {
    ReviewState.PLANNED: "The review is being planned. The date has not been set yet.",
    ReviewState.SCHEDULED: "The date is set. People are getting ready for the review.",
    ReviewState.PREPARING: "The date is set. People are getting ready for the review.",
    ReviewState.READY: "Everything is ready for the review.",
    ReviewState.HELD: "The review has happened. The chair is writing the report.",
    ReviewState.REPORT_DRAFTING: "The review has happened. The chair is writing the report.",
    ReviewState.REPORT_ISSUED: "The report has been sent to the people who may have it.",
    ReviewState.FOLLOW_UP: "The commissioner is checking that the recommendations get done.",
    ReviewState.CLOSED: "This review is finished.",
    ReviewState.POSTPONED: "The review has been put off. A new date will be set.",
    ReviewState.CANCELLED: "The review was cancelled.",
}


def _when(review) -> str:
    if review.held_on:
        return f"Held on {nhs_date(review.held_on)}"
    if review.starts_at:
        return nhs_datetime(review.starts_at)
    return "Not set yet"


class PortalReviewView(PortalReviewMixin, TemplateView):
    permission_required = Perm.VIEW_PORTAL_REVIEW
    template_name = "portal/review.html"

    def _about_rows(self, review, details) -> list[dict]:
        rows = [{"key": "Date", "value": _when(review)}]
        if details:
            where = review.venue or ("By video call" if review.video_link else "")
            rows += [
                {"key": "Where", "value": where},
                {"key": "What is happening", "value": STATE_IN_PLAIN_ENGLISH[review.state]},
            ]
            nxt = queries.whats_next(review)
            if nxt.next_due:
                value = (
                    nhs_datetime(nxt.next_starts_at)
                    if nxt.next_starts_at
                    else f"Due by {nhs_date(nxt.next_due)}"
                )
                rows.append({"key": "Next review", "value": value})
        return rows

    def get_context_data(self, **kwargs):
        user, review = self.request.user, self.review
        details = user.has_perm(Perm.VIEW_PORTAL_DETAILS, review)
        audit_record(action=Action.VIEW, actor=user, obj=review, request=self.request)
        sections = collect(portal_sections, review=review, user=user) if details else []
        kwargs.update(
            details=details,
            about_rows=self._about_rows(review, details),
            sections=sorted(sections, key=lambda s: s.order),
            contacts=commissioner_contacts(review),
            participants=list(review.participants.all()) if details else [],
            requests=queries.requests_made_by(user, review),
            may_give_feedback=user.has_perm(Perm.GIVE_FEEDBACK, review)
            and queries.feedback_given(user, review) is None,
            breadcrumbs=self.breadcrumbs()[:-1],
        )
        return super().get_context_data(**kwargs)


class RequestCreateView(PortalReviewMixin, FormView):
    permission_required = Perm.ASK_FOR_REVIEW
    template_name = "portal/ask.html"
    form_class = RequestForm

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {"kind": kind} if kind in Request.Kind.values else {}

    def get_context_data(self, **kwargs):
        kwargs["breadcrumbs"] = self.breadcrumbs()
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            request = services.request_make(
                actor=self.request.user,
                review=self.review,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Sent. {self.review.commissioner.name} will reply to you here. "
            f"You {request.get_kind_display().lower()} on this page.",
        )
        return redirect("portal:review", self.review.pk)


# --- The commissioner's side: requests ------------------------------------------------------


class RequestListView(PermissionRequiredMixin, TemplateView):
    permission_required = Perm.LIST_REQUESTS
    template_name = "portal/requests.html"

    def get_context_data(self, **kwargs):
        answered = self.request.GET.get("state") == Request.State.ANSWERED
        state = Request.State.ANSWERED if answered else Request.State.OPEN
        requests = queries.requests_for_commissioner(self.request.user, state=state)
        kwargs.update(
            head=["Person", "Request", "From", "Sent"],
            rows=[
                [
                    r.person.full_name,
                    {
                        "text": r.get_kind_display(),
                        "href": reverse("portal:request_detail", args=[r.pk]),
                    },
                    f"{r.made_by.display_name} ({r.made_by_role.lower()})",
                    nhs_date(r.made_at),
                ]
                for r in requests
            ],
            caption="Answered requests" if answered else "Requests waiting for a reply",
            showing_answered=answered,
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        return super().get_context_data(**kwargs)


class RequestDetailView(ScopedObjectMixin, FormView):
    permission_required = Perm.ANSWER_REQUEST
    object_type = "portal.request"
    template_name = "portal/request.html"
    form_class = AnswerForm

    def get_scoped_object(self):
        return queries.request_for_user(self.request.user, self.kwargs["pk"])

    def plan_href(self, request) -> str:
        query = urlencode(
            {
                "kind": "requested",
                "requested_by": request.made_by.display_name,
                "requested_on": timezone.localdate(request.made_at).isoformat(),
            }
        )
        return reverse("reviews:review_plan", args=[request.person_id]) + "?" + query

    def get_context_data(self, **kwargs):
        request = self.get_object()
        kwargs.update(
            request_=request,
            rows=presenters.request_rows(request),
            plan_href=self.plan_href(request) if request.kind == Request.Kind.REVIEW else "",
            breadcrumbs=[
                ("Home", reverse("dashboard")),
                ("Requests from people and families", reverse("portal:requests")),
            ],
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if self.get_object().state == Request.State.ANSWERED:
            messages.info(request, "This request has already been answered.")
            return redirect("portal:request_detail", self.get_object().pk)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.request_answer(
                actor=self.request.user,
                request=self.get_object(),
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Reply sent. They have been told to sign in to read it.")
        return redirect("portal:requests")


# --- Feedback -------------------------------------------------------------------------------

SUMMARY_HEAD = [
    "Who",
    {"text": "Answers", "format": "numeric"},
    {"text": "Felt involved", "format": "numeric"},
    {"text": "Found the information clear", "format": "numeric"},
    {"text": "Mean scores (involved, clear)", "format": "numeric"},
]


def _percent(value) -> str:
    return "–" if value is None else f"{value}%"


def _mean(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def summary_table(summary) -> dict:
    return {
        "summary_head": SUMMARY_HEAD,
        "summary_rows": [
            [
                row.label,
                row.answers,
                _percent(row.felt_involved_percent),
                _percent(row.found_clear_percent),
                f"{_mean(row.involved)}, {_mean(row.clear)}",
            ]
            for row in summary
        ],
    }


def _answer_row(feedback) -> list:
    return [
        f"{feedback.given_by.display_name} ({feedback.get_group_display().lower()})",
        feedback.get_involved_display(),
        feedback.get_clear_display(),
        feedback.change or "–",
    ]


class FeedbackView(ReviewPageMixin, FormView):
    """Everyone who took part gives feedback once; the person gets the easy read form first,
    and anyone may switch."""

    permission_required = Perm.GIVE_FEEDBACK
    template_name = "portal/feedback.html"

    @property
    def easy_read(self) -> bool:
        version = self.request.GET.get("version")
        if version in ("easy-read", "standard"):
            return version == "easy-read"
        participant = participant_for(self.request.user, self.review)
        return participant is not None and participant.role == ParticipantRole.PERSON

    def get_form_class(self):
        return EasyReadFeedbackForm if self.easy_read else FeedbackForm

    def get_context_data(self, **kwargs):
        given = queries.feedback_given(self.request.user, self.review)
        form = self.get_form_class()
        kwargs.update(
            given=given,
            given_rows=[
                {"key": form.base_fields["involved"].label, "value": form.WORDS[given.involved]},
                {"key": form.base_fields["clear"].label, "value": form.WORDS[given.clear]},
                {"key": form.base_fields["change"].label, "value": given.change or "–"},
            ]
            if given
            else [],
            easy_read=self.easy_read,
            breadcrumbs=self.breadcrumbs(("Feedback", "")),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.feedback_give(
                actor=self.request.user,
                review=self.review,
                involved=data["involved"],
                clear=data["clear"],
                change=data["change"],
                easy_read=form.easy_read,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Thank you for your feedback.")
        return redirect(reverse("portal:feedback", args=[self.review.pk]))


class ReviewFeedbackView(ReviewPageMixin, TemplateView):
    permission_required = Perm.VIEW_FEEDBACK
    template_name = "portal/review_feedback.html"

    def get_context_data(self, **kwargs):
        kwargs.update(
            **summary_table(queries.feedback_summary(self.review.feedback.all())),
            answer_head=["Who", "Felt involved", "Information clear", "What to change"],
            answer_rows=[_answer_row(f) for f in queries.feedback_for_review(self.review)],
            breadcrumbs=self.breadcrumbs(("Feedback", "")),
        )
        return super().get_context_data(**kwargs)


class FeedbackSummaryView(PermissionRequiredMixin, TemplateView):
    permission_required = Perm.VIEW_FEEDBACK_SUMMARY
    template_name = "portal/feedback_summary.html"

    def get_context_data(self, **kwargs):
        feedback = queries.feedback_for_commissioner(self.request.user)
        kwargs.update(
            **summary_table(queries.feedback_summary(feedback)),
            suggestion_head=["Review", "Who", "What to change"],
            suggestion_rows=[
                [
                    {
                        "text": f"{f.review.person.full_name}, {nhs_date(f.review.review_date)}",
                        "href": reverse("portal:review_feedback", args=[f.review_id]),
                    },
                    f.get_group_display(),
                    f.change,
                ]
                for f in queries.recent_changes_suggested(feedback)
            ],
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        return super().get_context_data(**kwargs)
