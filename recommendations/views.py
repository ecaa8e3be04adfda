"""Recommendations: parse the request, check the permission, call a query or service, render.

A review's recommendations are found through the review (`ReviewPageMixin`: 404 for someone with
no part, 403 for a participant without the right); one recommendation through
`queries.recommendation_for_user`, which answers None (404) to anyone who may not see it. Every
step of the lifecycle is a small form page (`StepView`) that hands its cleaned data to one
service; a refusal shows beside the field, with what was typed kept.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ctr_portal.exports import CsvWriter
from ctr_portal.formatting import nhs_date
from ctr_portal.permissions import Perm
from ctr_portal.views.base import ScopedObjectMixin
from documents.services import stored_file_download_name, stored_file_open
from documents.uploads import use_limited_upload_handlers
from reviews.models import ReviewState
from reviews.views.base import ReviewPageMixin

from . import queries, services
from .forms import (
    CheckDoneForm,
    ConfirmForm,
    DoneForm,
    DueDateForm,
    EscalateForm,
    EscalationActionForm,
    EscalationCloseForm,
    EscalationDecisionForm,
    FollowUpForm,
    NotAchievedForm,
    PlainWordsForm,
    ProgressForm,
    RecommendationForm,
    ReopenForm,
    ResolveForm,
    RespondForm,
    SupersedeForm,
    TrackerFilterForm,
)
from .models import OPEN_STATES, State, timescale_phrase
from .plain import plain_progress
from .rules import sees_evidence_withheld_from_family
from .services import RecommendationError

PAGE_SIZE = 25
DOWNLOAD_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"


def add_errors(form, error: RecommendationError) -> None:
    """A service's refusal on the form: beside the field it names, or in the error summary."""
    for field, message in error.errors.items():
        form.add_error(field if field in form.fields else None, message)


def row(recommendation, today=None) -> dict:
    """One recommendation as the lists and the CSV show it: the same values in the same order."""
    today = today or timezone.localdate()
    review = recommendation.review
    overdue = recommendation.is_overdue(today)
    return {
        "pk": recommendation.pk,
        "person": review.person.full_name,
        "review_date": nhs_date(review.review_date),
        "number": recommendation.number,
        "action": recommendation.action,
        "owner": recommendation.owner_display,
        "organisation": recommendation.owner_organisation,
        "due": nhs_date(recommendation.due_date) if recommendation.due_date else "Not set",
        "state": recommendation.get_state_display(),
        "state_colour": recommendation.state_colour,
        "overdue": f"{recommendation.days_overdue(today)} days overdue" if overdue else "",
        "escalated": "Escalated" if recommendation.escalated_to_id else "",
        "review_pk": review.pk,
    }


CSV_COLUMNS = [
    ("person", "Person"),
    ("review_date", "Review"),
    ("number", "Recommendation"),
    ("action", "What will be done"),
    ("owner", "Owner"),
    ("organisation", "Owner's organisation"),
    ("due", "Due by"),
    ("state", "Status"),
    ("overdue", "Overdue"),
    ("escalated", "Escalated"),
]


# --- A review's recommendations ------------------------------------------------------------


class ReviewRecommendationsView(ReviewPageMixin, TemplateView):
    """The review's recommendations and their state; for the chair, the panel's suggestions to
    draft from; the previous review's recommendations; the commissioner's follow-up checks."""

    permission_required = Perm.VIEW_REVIEW_RECOMMENDATIONS
    template_name = "recommendations/review.html"

    def get_context_data(self, **kwargs):
        review, user = self.review, self.request.user
        can_write = user.has_perm(Perm.WRITE_RECOMMENDATIONS, review)
        recommendations = queries.recommendations_for_review(review)
        if not can_write:
            recommendations = [r for r in recommendations if r.state != State.DRAFT]
        today = timezone.localdate()
        kwargs.update(
            rows=[row(r, today) for r in recommendations],
            previous=[row(r, today) for r in queries.previous_review_recommendations(review)],
            suggestions=queries.suggestions_to_draft(review) if can_write else [],
            can_write=can_write,
            can_follow_up=user.has_perm(Perm.RECORD_FOLLOW_UP, review),
            not_answered=queries.awaiting_answer(review) if can_write else [],
            plan=queries.plan_with_history(review, for_family=not can_write),
            checks=queries.follow_up_checks(review),
            draft_form=ConfirmForm(submit_label="Make a draft from this suggestion"),
            breadcrumbs=self.breadcrumbs(),
        )
        return super().get_context_data(**kwargs)


class RecommendationFormMixin(ReviewPageMixin):
    template_name = "recommendations/form.html"

    def make_form(self, data=None, initial=None, suggestion=None):
        review = self.review
        return RecommendationForm(
            data,
            initial=initial,
            review=review,
            kloes=queries.kloes_for_review(review),
            candidates=queries.owner_candidates(review),
            suggestion=suggestion,
        )

    def review_breadcrumbs(self):
        return self.breadcrumbs(
            ("Recommendations", reverse("recommendations:review", args=[self.review.pk]))
        )


class RecommendationCreateView(RecommendationFormMixin, TemplateView):
    permission_required = Perm.WRITE_RECOMMENDATIONS

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.make_form())
        kwargs.update(heading="Write a recommendation", breadcrumbs=self.review_breadcrumbs())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                values = form.to_values()
                recommendation = services.recommendation_draft(
                    actor=request.user, review=self.review, **values
                )
            except RecommendationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request, f"Recommendation {recommendation.number} saved as a draft"
                )
                return redirect("recommendations:detail", pk=recommendation.pk)
        return self.render_to_response(self.get_context_data(form=form))


class DraftFromSuggestionView(ReviewPageMixin, View):
    """One click: the panel's suggestion becomes a draft, opened for the chair to finish."""

    permission_required = Perm.WRITE_RECOMMENDATIONS

    def post(self, request, *args, **kwargs):
        carried = queries.carried_of_review(self.review, self.kwargs["carried_pk"])
        if carried is None:
            raise Http404("No such suggestion")
        try:
            recommendation = services.recommendation_draft_from_suggestion(
                actor=request.user, review=self.review, carried=carried
            )
        except RecommendationError as error:
            messages.error(request, " ".join(error.errors.values()))
            return redirect("recommendations:review", pk=self.review.pk)
        messages.success(
            request,
            f"Recommendation {recommendation.number} drafted from the suggestion: make it SMART "
            "and save it",
        )
        return redirect("recommendations:edit", pk=recommendation.pk)


class FollowUpView(ReviewPageMixin, TemplateView):
    permission_required = Perm.RECORD_FOLLOW_UP
    template_name = "recommendations/follow_up.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", FollowUpForm())
        kwargs["breadcrumbs"] = self.breadcrumbs(
            ("Recommendations", reverse("recommendations:review", args=[self.review.pk]))
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.follow_up_check_record(
                    actor=request.user, review=self.review, **form.cleaned_data
                )
            except RecommendationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Follow-up check recorded")
                return redirect("recommendations:review", pk=self.review.pk)
        return self.render_to_response(self.get_context_data(form=form))


# --- One recommendation --------------------------------------------------------------------


class RecommendationPageMixin(ScopedObjectMixin):
    object_type = "recommendations.recommendation"
    permission_required = Perm.VIEW_RECOMMENDATION

    def get_scoped_object(self):
        return queries.recommendation_for_user(self.request.user, self.kwargs["pk"])

    @property
    def recommendation(self):
        return self.get_object()

    def breadcrumbs(self, *extra):
        recommendation, user = self.recommendation, self.request.user
        review = recommendation.review
        crumbs = [("Home", reverse("dashboard"))]
        if user.has_perm(Perm.VIEW_REVIEW_RECOMMENDATIONS, review):
            crumbs += [
                ("Reviews", reverse("reviews:review_list")),
                (
                    f"Review for {review.person.full_name}",
                    reverse("reviews:review_detail", args=[review.pk]),
                ),
                ("Recommendations", reverse("recommendations:review", args=[review.pk])),
            ]
        elif recommendation.owner_id == user.pk:
            crumbs.append(("My actions", reverse("recommendations:my_actions")))
        elif user.has_perm(Perm.VIEW_ESCALATED):
            crumbs.append(("Escalated recommendations", reverse("recommendations:escalated")))
        if extra:
            crumbs.append(
                (
                    f"Recommendation {recommendation.number}",
                    reverse("recommendations:detail", args=[recommendation.pk]),
                )
            )
        return [*crumbs, *extra]

    def get_context_data(self, **kwargs):
        kwargs.setdefault("recommendation", self.recommendation)
        kwargs.setdefault("rec", row(self.recommendation))
        kwargs.setdefault("breadcrumbs", self.breadcrumbs())
        return super().get_context_data(**kwargs)


# What each step is, who may take it, and from which states.
STEPS = {
    "send": (Perm.MANAGE_RECOMMENDATION, (State.DRAFT,), "Send to the owner"),
    "respond": (Perm.RESPOND_TO_RECOMMENDATION, (State.AWAITING_OWNER,), "Accept or dispute"),
    "resolve": (Perm.MANAGE_RECOMMENDATION, (State.DISPUTED,), "Resolve the dispute"),
    "progress": (
        Perm.UPDATE_RECOMMENDATION,
        (State.AGREED, State.IN_PROGRESS),
        "Post a progress update",
    ),
    "done": (Perm.UPDATE_RECOMMENDATION, (State.AGREED, State.IN_PROGRESS), "Mark as done"),
    "check": (
        Perm.CHECK_RECOMMENDATION_DONE,
        (State.DONE_CLAIMED,),
        "Check the evidence it is done",
    ),
    "reopen": (Perm.REOPEN_RECOMMENDATION, (State.DONE,), "Reopen the recommendation"),
    "not_achieved": (
        Perm.UPDATE_RECOMMENDATION,
        (State.AGREED, State.IN_PROGRESS),
        "Record as not achieved",
    ),
    "due_date": (Perm.MANAGE_RECOMMENDATION, OPEN_STATES, "Change the due date"),
    "supersede": (
        Perm.MANAGE_RECOMMENDATION,
        (State.DRAFT, *OPEN_STATES),
        "Record as superseded",
    ),
    "escalate": (Perm.ESCALATE_RECOMMENDATION, OPEN_STATES, "Escalate to the oversight panel"),
}


def plan_sent(recommendation) -> bool:
    """Whether the review's report has been issued, sending its action plan: before then, drafts
    wait to go together with the report; after, one added or redrafted is sent on its own."""
    return recommendation.review.state in (
        ReviewState.REPORT_ISSUED,
        ReviewState.FOLLOW_UP,
        ReviewState.CLOSED,
    )


def available_steps(user, recommendation) -> list[dict]:
    steps = []
    for name, (permission, states, label) in STEPS.items():
        if recommendation.state not in states or not user.has_perm(permission, recommendation):
            continue
        if name == "escalate" and recommendation.escalated_to_id:
            continue
        if name == "send" and not plan_sent(recommendation):
            continue  # issuing the report sends the plan
        steps.append(
            {"text": label, "href": reverse(f"recommendations:{name}", args=[recommendation.pk])}
        )
    if recommendation.state != State.SUPERSEDED and user.has_perm(
        Perm.MANAGE_RECOMMENDATION, recommendation
    ):
        # A draft is changed as a whole; one already sent only in its plain words (issue 22).
        label = (
            "Change the draft"
            if recommendation.state == State.DRAFT
            else (
                "Change the plain words"
                if recommendation.plain_words
                else "Write it in plain words"
            )
        )
        steps.insert(
            0, {"text": label, "href": reverse("recommendations:edit", args=[recommendation.pk])}
        )
    return steps


class RecommendationDetailView(RecommendationPageMixin, TemplateView):
    template_name = "recommendations/detail.html"

    def get_context_data(self, **kwargs):
        recommendation, user = self.recommendation, self.request.user
        updates = queries.history(user, recommendation)
        escalation = queries.escalation_of(recommendation)
        if not sees_evidence_withheld_from_family(user, recommendation):
            # The person or family: where it stands in the portal's words (issue 22).
            label, sentence, colour = plain_progress(recommendation, timezone.localdate())
            kwargs["rec"] = {
                **row(recommendation),
                "state": label,
                "state_colour": colour,
                "overdue": "",
                "plain_sentence": sentence,
            }
            kwargs["for_family"] = True
        kwargs.update(
            steps=available_steps(user, recommendation),
            escalation=escalation,
            panel_steps=escalation_steps(user, recommendation, escalation),
            history=[
                {
                    "heading": update.get_kind_display(),
                    "time": update.occurred_at,
                    "actor": update.actor.display_name if update.actor else "CTR Portal",
                    "description": update.note,
                    "files": list(update.evidence_files.all()),
                }
                for update in updates
            ],
            evidence=[f for update in updates for f in update.evidence_files.all()],
            kloes=list(recommendation.kloes.all()),
            reminder_head=["Date", "Reminder", "To", "Status"],
            reminder_rows=[
                [
                    nhs_date(r.send_on),
                    r.get_kind_display(),
                    r.recipient_name or "Not named",  # never the email address
                    r.get_state_display(),
                ]
                for r in queries.reminders_for(recommendation)
            ],
        )
        return super().get_context_data(**kwargs)


class RecommendationEditView(RecommendationPageMixin, RecommendationFormMixin, TemplateView):
    permission_required = Perm.MANAGE_RECOMMENDATION
    template_name = "recommendations/form.html"

    @property
    def review(self):
        return self.recommendation.review

    def initial(self):
        r = self.recommendation
        return {
            "kloes": [k.pk for k in r.kloes.all()],
            "action": r.action,
            "plain_words": r.plain_words,
            "measure": r.measure,
            "for_whom": r.for_whom,
            "priority": r.priority,
            "owner": r.owner_id,
            "owner_name": "" if r.owner_id else r.owner_name,
            "owner_organisation": "" if r.owner_id else r.owner_organisation,
            "owner_role": "" if r.owner_id else r.owner_role,
            "owner_email": r.owner_email,
            "due_date": r.due_date,
            "progress_check_date": r.progress_check_date,
        }

    def suggestion(self):
        r = self.recommendation
        parts = [f"{r.suggested_owner}" if r.suggested_owner else "", r.suggested_timescale]
        if not any(parts):
            return None
        owner = r.suggested_owner or "no owner named"
        return f"{owner}{timescale_phrase(r.suggested_timescale)}"

    @property
    def only_plain_words(self) -> bool:
        """Sent already: only its plain words for the person can change here (issue 22)."""
        return self.recommendation.state != State.DRAFT

    def plain_words_form(self, data=None):
        return PlainWordsForm(
            data, initial={"plain_words": self.recommendation.plain_words}, review=self.review
        )

    def get_context_data(self, **kwargs):
        if self.only_plain_words:
            kwargs.setdefault("form", self.plain_words_form())
            kwargs["action_text"] = self.recommendation.action
        kwargs.setdefault(
            "form", self.make_form(initial=self.initial(), suggestion=self.suggestion())
        )
        kwargs.update(
            heading=f"Change recommendation {self.recommendation.number}",
            is_draft=self.recommendation.state == State.DRAFT,
            breadcrumbs=self.breadcrumbs(("Change", "")),
        )
        return super().get_context_data(**kwargs)

    def post_plain_words(self, request):
        form = self.plain_words_form(request.POST)
        if form.is_valid():
            try:
                services.recommendation_plain_words_set(
                    actor=request.user,
                    recommendation=self.recommendation,
                    plain_words=form.cleaned_data["plain_words"],
                )
            except RecommendationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Plain words saved")
                return redirect("recommendations:detail", pk=self.recommendation.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        if self.only_plain_words:
            return self.post_plain_words(request)
        form = self.make_form(request.POST, suggestion=self.suggestion())
        if form.is_valid():
            try:
                services.recommendation_edit(
                    actor=request.user, recommendation=self.recommendation, **form.to_values()
                )
            except RecommendationError as error:
                add_errors(form, error)
            else:
                messages.success(request, "Recommendation saved")
                return redirect("recommendations:detail", pk=self.recommendation.pk)
        return self.render_to_response(self.get_context_data(form=form))


class StepView(RecommendationPageMixin, TemplateView):
    """One step of the lifecycle: `step` names it in STEPS; `act(form)` calls its service. By
    default the form is `form_class(data)` and `act` passes the cleaned data to the service
    function named `service` (in recommendations.services)."""

    template_name = "recommendations/step.html"
    step = ""
    success = ""
    form_class = None
    service = ""

    @property
    def permission_required(self):
        return STEPS[self.step][0]

    def make_form(self, data=None, files=None):
        return self.form_class(data)

    def act(self, form):
        getattr(services, self.service)(
            actor=self.request.user, recommendation=self.recommendation, **form.cleaned_data
        )

    def label_and_possible(self) -> tuple[str, bool]:
        """The step's heading, and whether the recommendation is in a state to take it."""
        _perm, states, label = STEPS[self.step]
        return label, self.recommendation.state in states

    def get_context_data(self, **kwargs):
        label, possible = self.label_and_possible()
        kwargs.setdefault("form", self.make_form())
        kwargs.update(heading=label, possible=possible, breadcrumbs=self.breadcrumbs((label, "")))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.act(form)
            except RecommendationError as error:
                add_errors(form, error)
            else:
                messages.success(request, self.success)
                return redirect("recommendations:detail", pk=self.recommendation.pk)
        return self.render_to_response(self.get_context_data(form=form))


class SendView(StepView):
    """Only for a recommendation added or redrafted after the report was issued: issuing the
    report sends every draft at once."""

    step, success = "send", "Sent to the owner, who is asked to accept it"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["possible"] = context["possible"] and plan_sent(self.recommendation)
        return context

    def post(self, request, *args, **kwargs):
        if not plan_sent(self.recommendation):
            return self.render_to_response(self.get_context_data())
        return super().post(request, *args, **kwargs)

    def make_form(self, data=None, files=None):
        return ConfirmForm(data, submit_label="Send to the owner")

    def act(self, form):
        services.recommendation_send(actor=self.request.user, recommendation=self.recommendation)


class RespondView(StepView):
    step, success = "respond", "Your answer is recorded"

    def make_form(self, data=None, files=None):
        return RespondForm(data)

    def act(self, form):
        data, user, rec = form.cleaned_data, self.request.user, self.recommendation
        if data["response"] == "accept":
            services.recommendation_accept(
                actor=user, recommendation=rec, remit_confirmed=data["remit_confirmed"]
            )
        else:
            services.recommendation_dispute(actor=user, recommendation=rec, reason=data["reason"])


class ResolveView(StepView):
    step, success = "resolve", "The dispute is resolved"
    form_class, service = ResolveForm, "recommendation_resolve"


class ProgressView(StepView):
    step, success = "progress", "Progress update posted"
    form_class, service = ProgressForm, "recommendation_progress"


@method_decorator(csrf_exempt, name="dispatch")
class DoneView(StepView):
    """Done, with evidence: the upload streams to a size-limited temporary file (as the pack's
    uploads do) before anything reads the form; the CSRF check follows."""

    step, success = "done", "Marked as done, with the evidence"
    service = "recommendation_mark_done"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            use_limited_upload_handlers(request)
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def make_form(self, data=None, files=None):
        return DoneForm(data, files)


class CheckDoneView(StepView):
    """The commissioner checks the owner's evidence: confirms it done, or sends it back."""

    step, success = "check", "Your check is recorded"

    def make_form(self, data=None, files=None):
        return CheckDoneForm(data)

    def act(self, form):
        data, user, rec = form.cleaned_data, self.request.user, self.recommendation
        if data["decision"] == "confirm":
            services.recommendation_done_confirm(actor=user, recommendation=rec, note=data["note"])
        else:
            services.recommendation_done_send_back(
                actor=user, recommendation=rec, reason=data["reason"]
            )


class ReopenView(StepView):
    step, success = "reopen", "Reopened: the owner has been told"
    form_class, service = ReopenForm, "recommendation_reopen"


class NotAchievedView(StepView):
    step, success = "not_achieved", "Recorded as not achieved"
    form_class, service = NotAchievedForm, "recommendation_not_achieved"


class DueDateView(StepView):
    step, success = "due_date", "Due date changed"
    service = "recommendation_change_due_date"

    def make_form(self, data=None, files=None):
        r = self.recommendation
        initial = {"due_date": r.due_date, "progress_check_date": r.progress_check_date}
        return DueDateForm(data, initial=initial)


class SupersedeView(StepView):
    step, success = "supersede", "Recorded as superseded"
    service = "recommendation_supersede"

    def make_form(self, data=None, files=None):
        return SupersedeForm(data, others=queries.other_recommendations(self.recommendation))


class EscalateView(StepView):
    step, success = "escalate", "Escalated to the oversight panel"
    service = "recommendation_escalate"

    def make_form(self, data=None, files=None):
        return EscalateForm(data, panels=list(queries.oversight_panels()))


class EvidenceDownloadView(RecommendationPageMixin, View):
    """An evidence file, as an attachment, to whoever may see the recommendation."""

    def get(self, request, *args, **kwargs):
        evidence = queries.evidence_file_of(
            request.user, self.recommendation, self.kwargs["file_pk"]
        )
        if evidence is None:
            raise Http404("No such file")
        services.evidence_file_access_record(user=request.user, evidence=evidence, request=request)
        response = FileResponse(
            stored_file_open(evidence.file.name),
            content_type=evidence.content_type,
            as_attachment=True,
            filename=stored_file_download_name(evidence.original_name, evidence.kind),
        )
        response["Content-Security-Policy"] = DOWNLOAD_POLICY
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "no-store, private"
        return response


# --- Lists ----------------------------------------------------------------------------------


class MyActionsView(PermissionRequiredMixin, TemplateView):
    """The owner's recommendations across every review, soonest due first."""

    permission_required = Perm.VIEW_MY_ACTIONS
    raise_exception = True
    template_name = "recommendations/my_actions.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        kwargs.update(
            rows=[row(r, today) for r in queries.my_actions(user)],
            closed=[row(r, today) for r in queries.my_closed_actions(user)],
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        return super().get_context_data(**kwargs)


class TrackerMixin(PermissionRequiredMixin):
    permission_required = Perm.VIEW_TRACKER
    raise_exception = True

    def tracker_form(self):
        user = self.request.user
        wanted = any(key != "page" for key in self.request.GET)
        return TrackerFilterForm(
            self.request.GET if wanted else None,
            organisations=queries.tracker_organisations(user),
        )


class TrackerView(TrackerMixin, TemplateView):
    """Every recommendation of the reviews the commissioner's organisations commission, with
    filters, totals at the top and the same rows as a CSV."""

    template_name = "recommendations/tracker.html"

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        form = self.tracker_form()
        filters = form.to_filter()
        # Page the ids, then load the page's 25 rows.
        page = Paginator(queries.tracker_ids(user, filters, today), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        page.object_list = queries.tracker_rows_in_order(page.object_list)
        query = self.request.GET.copy()
        query.pop("page", None)
        kwargs.update(
            filter_form=form,
            filtered=form.is_bound,
            page_obj=page,
            rows=[row(r, today) for r in page.object_list],
            totals=queries.tracker_totals(user, filters, today),
            review=queries.tracker_review(user, filters.review) if filters.review else None,
            csv_href=reverse("recommendations:tracker_csv")
            + (f"?{query.urlencode()}" if query else ""),
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        return super().get_context_data(**kwargs)


class TrackerCsvView(TrackerMixin, View):
    """The tracker's rows as CSV: the same query, filters, order and values as the page (every
    page of it)."""

    def get(self, request, *args, **kwargs):
        today = timezone.localdate()
        filters = self.tracker_form().to_filter()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="recommendations.csv"'
        response["X-Content-Type-Options"] = "nosniff"
        writer = CsvWriter(response)
        writer.writerow([label for _key, label in CSV_COLUMNS])
        for recommendation in queries.tracker(request.user, filters, today).iterator(
            chunk_size=500
        ):
            values = row(recommendation, today)
            writer.writerow([values[key] for key, _label in CSV_COLUMNS])
        return response


class EscalatedView(PermissionRequiredMixin, TemplateView):
    """The oversight panel's meeting view: every open escalation, oldest first, with why it
    was escalated and what the panel has decided and set so far, and counts at the top; one
    page, a fixed number of queries. A commissioner sees their own reviews' escalations."""

    permission_required = Perm.VIEW_ESCALATED
    raise_exception = True
    template_name = "recommendations/escalated.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        items = []
        for r in queries.escalated_to_user(self.request.user):
            actions = list(r.escalation_actions.all())
            decisions = list(r.escalation_decisions.all())
            items.append(
                {
                    "row": row(r, today),
                    "recommendation": r,
                    "decision": decisions[-1] if decisions else None,
                    "actions": actions,
                    "actions_overdue": sum(1 for a in actions if a.due_date < today),
                }
            )
        kwargs.update(
            items=items,
            counts={
                "open": len(items),
                "undecided": sum(1 for i in items if i["decision"] is None),
                "overdue": sum(1 for i in items if i["row"]["overdue"]),
                "actions_overdue": sum(i["actions_overdue"] for i in items),
            },
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        return super().get_context_data(**kwargs)


# --- The oversight panel acts on an escalation (issue 21) -----------------------------------

ESCALATION_STEPS = {
    "escalation_decision": "Record the panel's decision",
    "escalation_action": "Add an action",
    "escalation_close": "Close the escalation",
}


def escalation_steps(user, recommendation, escalation) -> list[dict]:
    """The panel member's steps, while the escalation is open."""
    if escalation["closure"] is not None or not user.has_perm(
        Perm.ACT_ON_ESCALATION, recommendation
    ):
        return []
    return [
        {"text": label, "href": reverse(f"recommendations:{name}", args=[recommendation.pk])}
        for name, label in ESCALATION_STEPS.items()
    ]


class EscalationStepView(StepView):
    """One of the panel's acts on an open escalation (`step` names it in ESCALATION_STEPS)."""

    permission_required = Perm.ACT_ON_ESCALATION

    def label_and_possible(self) -> tuple[str, bool]:
        label = ESCALATION_STEPS[self.step]
        return label, queries.escalation_of(self.recommendation)["closure"] is None


class EscalationDecisionView(EscalationStepView):
    step, success, form_class = (
        "escalation_decision",
        "The panel's decision is recorded",
        EscalationDecisionForm,
    )
    service = "escalation_decision_record"


class EscalationActionView(EscalationStepView):
    step, success, form_class = ("escalation_action", "Action added", EscalationActionForm)
    service = "escalation_action_add"


class EscalationCloseView(EscalationStepView):
    step, success, form_class = ("escalation_close", "Escalation closed", EscalationCloseForm)
    service = "escalation_close"
