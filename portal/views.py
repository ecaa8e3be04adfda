"""Portal: parse the request, check the permission, call a query or service, render.

The portal's review page is found through `portal_review` (the person, or a family carer or
advocate on the review; anyone else 404), and shows anything beyond the date and who to contact
only while the latest consent allows it, asked again at every request.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ctr_portal.audit import Action, audit_record
from ctr_portal.formatting import nhs_date, nhs_datetime
from ctr_portal.permissions import Perm
from ctr_portal.signals import collect
from ctr_portal.views.base import ScopedObjectMixin, add_service_errors
from reviews.models import ParticipantRole, ReviewState
from reviews.rules import participant_for
from reviews.views.base import ReviewPageMixin

from . import presenters, queries, services
from .forms import (
    AnswerForm,
    BookletsForm,
    EasyReadFeedbackForm,
    FeedbackForm,
    PlannerQuestionForm,
    RequestForm,
)
from .models import PLANNER_QUESTIONS, Request
from .policy import REPLY_WORKING_DAYS
from .rules import PORTAL_ROLES
from .signals import portal_sections
from .words import HARD_WORDS


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


class HardWordsView(PermissionRequiredMixin, TemplateView):
    """The words the person and family meet in the portal, in plain English."""

    permission_required = Perm.USE_PORTAL
    template_name = "portal/words.html"

    def get_context_data(self, **kwargs):
        kwargs.update(
            words=HARD_WORDS,
            breadcrumbs=[("Home", reverse("dashboard")), ("Your reviews", reverse("portal:home"))],
        )
        return super().get_context_data(**kwargs)


class PortalReviewMixin(ReviewPageMixin):
    def get_scoped_object(self):
        return queries.portal_review(self.request.user, self.kwargs["pk"])

    @property
    def review_label(self) -> str:
        return f"Review for {self.review.person.known_as}"


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
            participants=list(review.participants.all()) if details else [],
            requests=queries.requests_made_by(user, review),
            may_plan=user.has_perm(Perm.FILL_PLANNER, review),
            is_the_person=getattr(participant_for(user, review), "role", "")
            == ParticipantRole.PERSON,
            planner_started=queries.planner_of(review).started,
            help=presenters.help_routes(review.commissioner),
            reply_days=REPLY_WORKING_DAYS.value(),
            may_give_feedback=user.has_perm(Perm.GIVE_FEEDBACK, review)
            and queries.feedback_given(user, review) is None,
            breadcrumbs=self.breadcrumbs()[:-1],
        )
        return super().get_context_data(**kwargs)


class RequestCreateView(PortalReviewMixin, FormView):
    """Ask for a review or raise a worry. Urgent help comes first on the page (999, 111, the
    area's safeguarding contact), and the complaints and advocacy routes after the form."""

    permission_required = Perm.ASK_FOR_REVIEW
    template_name = "portal/ask.html"
    form_class = RequestForm

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {"kind": kind} if kind in Request.Kind.values else {}

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "person_name": self.review.person.known_as,
            "may_send_for_person": self.request.user.has_perm(Perm.SEND_FOR_PERSON, self.review),
        }

    def get_context_data(self, **kwargs):
        kwargs.update(
            help=presenters.help_routes(self.review.commissioner),
            reply_days=REPLY_WORKING_DAYS.value(),
            breadcrumbs=self.breadcrumbs(),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            request = services.request_make(
                actor=self.request.user,
                review=self.review,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
                on_behalf_of_person=form.on_behalf_of_person,
                at_risk=form.cleaned_data["at_risk"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, presenters.request_sent_message(request))
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
                        "text": f"{r.get_kind_display()} (urgent)"
                        if r.urgent
                        else r.get_kind_display(),
                        "href": reverse("portal:request_detail", args=[r.pk]),
                    },
                    r.sender_description,
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
        if self.request.user.reading_format == "easy_read":
            return True
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


# --- The person's planner ------------------------------------------------------------------


class PlannerMixin(ReviewPageMixin):
    """A page of the person's planner. The person and their family find it in their portal;
    the commissioner and the panel from the review's page."""

    def get_scoped_object(self):
        return queries.planner_review(self.request.user, self.kwargs["pk"])

    @property
    def in_portal(self) -> bool:
        participant = participant_for(self.request.user, self.review)
        return participant is not None and participant.role in PORTAL_ROLES

    def breadcrumbs(self, *extra):
        if not self.in_portal:
            return super().breadcrumbs(*extra)
        return [
            ("Home", reverse("dashboard")),
            ("Your reviews", reverse("portal:home")),
            (
                f"Review for {self.review.person.known_as}",
                reverse("portal:review", args=[self.review.pk]),
            ),
            *extra,
        ]

    def planner_url(self):
        return reverse("portal:planner", args=[self.review.pk])


class PlannerView(PlannerMixin, TemplateView):
    permission_required = Perm.VIEW_PLANNER
    template_name = "portal/planner.html"

    def get_context_data(self, **kwargs):
        user, review = self.request.user, self.review
        planner = queries.planner_of(review)
        audit_record(action=Action.VIEW, actor=user, obj=review, request=self.request)
        may_fill = user.has_perm(Perm.FILL_PLANNER, review)
        answers = [
            {
                "question": q,
                "answer": planner.get_take_part_display()
                if q.field == "take_part"
                else getattr(planner, q.field),
                "change": reverse("portal:planner_question", args=[review.pk, number])
                if may_fill
                else "",
            }
            for number, q in enumerate(PLANNER_QUESTIONS, start=1)
        ]
        kwargs.update(
            planner=planner,
            answers=answers,
            may_fill=may_fill,
            is_the_person=self.in_portal
            and participant_for(user, review).role == ParticipantRole.PERSON,
            first_question=reverse("portal:planner_question", args=[review.pk, 1]),
            breadcrumbs=self.breadcrumbs()[:-1] if self.in_portal else self.breadcrumbs(),
        )
        return super().get_context_data(**kwargs)


class PlannerQuestionView(PlannerMixin, FormView):
    permission_required = Perm.FILL_PLANNER
    template_name = "portal/planner_question.html"
    form_class = PlannerQuestionForm

    @property
    def question(self):
        number = self.kwargs["number"]
        if not 1 <= number <= len(PLANNER_QUESTIONS):
            raise Http404("No such question")
        return number, PLANNER_QUESTIONS[number - 1]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["question"] = self.question[1]
        return kwargs

    def get_initial(self):
        planner = queries.planner_of(self.review)
        return {"answer": getattr(planner, self.question[1].field)}

    def form_valid(self, form):
        number, question = self.question
        services.planner_answer(
            actor=self.request.user,
            review=self.review,
            field=question.field,
            value=form.cleaned_data["answer"] or "",
        )
        if number < len(PLANNER_QUESTIONS):
            return redirect("portal:planner_question", pk=self.review.pk, number=number + 1)
        messages.success(self.request, "Your planner is saved")
        return redirect("portal:planner", pk=self.review.pk)

    def get_context_data(self, **kwargs):
        number, question = self.question
        kwargs.update(
            question=question,
            number=number,
            total=len(PLANNER_QUESTIONS),
            breadcrumbs=[],
            back=reverse("portal:planner_question", args=[self.review.pk, number - 1])
            if number > 1
            else self.planner_url(),
        )
        return super().get_context_data(**kwargs)


class PlannerPdfView(PlannerMixin, View):
    """The planner as an easy-read PDF: what is filled in, and room to write where it is not,
    so it can be filled in on paper and typed in when it comes back."""

    permission_required = Perm.VIEW_PLANNER

    def get(self, request, *args, **kwargs):
        from django.http import HttpResponse

        from .rendering import planner_pdf

        review = self.review
        pdf = planner_pdf(review, queries.planner_of(review))
        audit_record(action=Action.DOWNLOAD, actor=request.user, obj=review, request=request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="planner-{review.pk}.pdf"'
        return response


class BookletsView(ReviewPageMixin, FormView):
    """The commissioner records how and when the person had the booklets, or why not."""

    permission_required = Perm.RECORD_BOOKLETS
    template_name = "portal/booklets.html"
    form_class = BookletsForm

    def get_initial(self):
        booklets = queries.booklets_of(self.review)
        if booklets is None:
            return {}
        return {
            "how": booklets.how,
            "given_on": booklets.given_on,
            "reason_not_given": booklets.reason_not_given,
        }

    def form_valid(self, form):
        try:
            services.booklets_record(
                actor=self.request.user, review=self.review, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Saved: how the person had the booklets")
        return redirect("reviews:review_detail", pk=self.review.pk)

    def get_context_data(self, **kwargs):
        kwargs.update(breadcrumbs=self.breadcrumbs())
        return super().get_context_data(**kwargs)


@method_decorator(login_not_required, name="dispatch")
class AboutYourReviewView(TemplateView):
    """The booklet *My Care and Treatment Review* as easy-read pages of the service: what a
    review is, who comes, what happens on the day and after. Open to anyone, signed in or not,
    so a letter or a keyworker can point to it."""

    template_name = "portal/about_your_review.html"

    def get_context_data(self, **kwargs):
        kwargs["who_comes"] = WHO_COMES
        return super().get_context_data(**kwargs)


# Who comes to a review, in the order the booklet tells it (their words: reviews/roles.py).
WHO_COMES = (
    ParticipantRole.CHAIR,
    ParticipantRole.CLINICAL_EXPERT,
    ParticipantRole.EXPERT_BY_EXPERIENCE,
    ParticipantRole.FAMILY_CARER,
    ParticipantRole.ADVOCATE,
    ParticipantRole.PROVIDER,
    ParticipantRole.COMMISSIONER,
)
