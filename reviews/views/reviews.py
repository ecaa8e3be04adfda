"""The review pages: plan a review, the list, the review itself, its date and place, its agenda,
its lifecycle and its calendar file.

Every page finds the review (or person) through a query function that takes the user, so
someone with no part in it gets 404; the `rules` permission then decides what they may do
(403). The review page asks the consent gate (Perm.VIEW_REVIEW_DETAILS) on every request: without
it a panel or family member sees the person's name and the date of the review, nothing more.
"""

import contextlib
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ctr_portal.formatting import nhs_date, nhs_period
from ctr_portal.permissions import Perm
from ctr_portal.queries import organisation_ids_for_user
from ctr_portal.views.base import ScopedObjectMixin, add_service_errors

from .. import policy, queries, services
from .. import presenters as page
from ..forms.reviews import (
    AgendaFormSet,
    ReviewFilterForm,
    ReviewPlanForm,
    ReviewScheduleForm,
    ReviewTransitionForm,
    agenda_initial,
)
from ..models import (
    ACTION_LABELS,
    OPEN_STATES,
    TRANSITIONS,
    ReviewState,
    TransitionError,
)
from ..readiness import readiness_for
from ..rules import participant_for
from ..sections import review_links_for
from .base import ReviewPageMixin

PAGE_SIZE = 25

# --- Plan -----------------------------------------------------------------------------------


class ReviewPlanView(ScopedObjectMixin, FormView):
    """Plan a review for a person; its due date comes from the rule table (reviews/policy.py)."""

    permission_required = Perm.CHANGE_PERSON
    object_type = "reviews.person"
    form_class = ReviewPlanForm
    template_name = "reviews/review/plan.html"

    def get_scoped_object(self):
        return queries.person_for_user(self.request.user, self.kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.get_object()}

    def get_initial(self):
        """A link may start the form: "Plan a requested review" from a family's request."""
        query = self.request.GET
        initial = {name: query[name][:150] for name in ("kind", "requested_by") if name in query}
        with contextlib.suppress(ValueError):
            initial["requested_on"] = date.fromisoformat(query.get("requested_on", ""))
        return initial

    def get_context_data(self, **kwargs):
        person = self.get_object()
        kwargs.update(
            person=person,
            breadcrumbs=[
                ("Home", reverse("dashboard")),
                ("People", reverse("reviews:person_list")),
                (person.full_name, reverse("reviews:person_detail", args=[person.pk])),
            ],
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        person, data = self.get_object(), form.cleaned_data
        try:
            review = services.review_plan(
                actor=self.request.user,
                person=person,
                kind=data["kind"],
                event_reason=data["event_reason"],
                event_date=data["event_date"],
                requested_by=data["requested_by"].strip(),
                requested_on=data["requested_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        rule = policy.rule(review.due_rule)
        messages.success(
            self.request,
            f"The {review.type_long} for {person.full_name} is due by {nhs_date(review.due_date)}: "
            f"{rule.description}",
        )
        return redirect("reviews:review_detail", pk=review.pk)


# --- The list -------------------------------------------------------------------------------


class ReviewListView(PermissionRequiredMixin, TemplateView):
    """Every review the user has a part in, 25 to a page, with filters in the query string.

    The consent gate applies row by row: where the user may not see a review's details the row
    shows the person's name and the date of the review only. Filters are for people who work
    for an organisation in the review, and match only those reviews, so that filtering (by
    type, say) cannot reveal what a row hides.
    """

    permission_required = Perm.LIST_REVIEWS
    template_name = "reviews/review/list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form, filters = None, queries.ReviewFilter()
        if organisation_ids_for_user(user):
            wanted = any(key != "page" for key in self.request.GET)
            form = ReviewFilterForm(
                self.request.GET if wanted else None,
                organisations=queries.commissioning_organisations(user),
            )
            filters = form.to_filter()
        # Page the ids, then load the page's 25 rows.
        page = Paginator(queries.review_list_ids(user, filters), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        page.object_list = queries.with_consent_gate(
            user, queries.reviews_in_order(page.object_list)
        )
        kwargs.update(
            filter_form=form,
            page_obj=page,
            filtered=bool(form and form.is_bound),
            hidden_columns=["Type", "Kind", "Due by"],
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        return super().get_context_data(**kwargs)


# --- The review page ------------------------------------------------------------------------


class ReviewDetailView(ReviewPageMixin, TemplateView):
    """The review: for those the consent gate lets in, everything; for the rest, the person's
    name and the date, and for a panel expert the way to declare independence."""

    permission_required = Perm.VIEW_REVIEW
    template_name = "reviews/review/detail.html"

    def get_context_data(self, **kwargs):
        review, user = self.review, self.request.user
        me = participant_for(user, review)
        when = nhs_period(review.starts_at, review.ends_at)
        kwargs.update(
            when_rows=[{"key": "Date and time", "value": when or "Not set yet"}],
            breadcrumbs=self.breadcrumbs()[:-1],
            must_declare=user.has_perm(Perm.DECLARE_INDEPENDENCE, review)
            and me is not None
            and me.independence_declared_at is None,
        )
        if user.has_perm(Perm.VIEW_REVIEW_DETAILS, review):
            kwargs.update(details=True, **self._details(review, user, when))
        return super().get_context_data(**kwargs)

    def _details(self, review, user, when) -> dict:
        """Everything the page shows to those the consent gate lets in, card by card."""
        person, today = review.person, timezone.localdate()
        can_manage = user.has_perm(Perm.MANAGE_REVIEW, review)
        consent = review.latest_consent
        agenda = queries.agenda_for_review(review)
        stopped = review.state in (ReviewState.POSTPONED, ReviewState.CANCELLED)
        return {
            "overdue": review.state in OPEN_STATES and review.due_date < today,
            "moves": _moves(review) if can_manage else [],
            "date_actions": page.date_actions(
                review, can_schedule=can_manage and review.state in OPEN_STATES
            ),
            "date_rows": page.date_rows(
                review,
                when=when,
                rule=_rule_or_none(review.due_rule),
                stopped_reason=review.state_reason if stopped else "",
            ),
            "calendar_link": page.calendar_link(review),
            "talk_heading": f"How to talk with {person.known_as}",
            "readiness": readiness_for(review) if review.state in OPEN_STATES else [],
            "people_actions": page.people_actions(review, can_manage=can_manage),
            "participant_head": page.PARTICIPANT_HEAD,
            "participant_rows": page.participant_rows(
                queries.participants_for_review(review), can_manage=can_manage
            ),
            "consent_actions": page.consent_actions(
                review,
                can_manage=can_manage,
                can_view_consent=user.has_perm(Perm.VIEW_CONSENT, review),
            ),
            "consent_rows": page.consent_rows(consent),
            "no_consent": f"No consent decision has been recorded yet. Nothing about "
            f"{person.known_as} is shown to the panel until it is.",
            "agenda_actions": page.agenda_actions(review, agenda, can_manage=can_manage),
            "agenda_head": page.AGENDA_HEAD,
            "agenda_rows": page.agenda_rows(agenda),
            "links": review_links_for(user, review),
            "person_rows": page.person_rows(person, age=person.age_on(today)),
            "person_link": page.person_link(
                person, can_view_person=user.has_perm(Perm.VIEW_PERSON, person)
            ),
            "timeline": [
                queries.TimelineEntry(
                    event.summary,
                    event.occurred_at,
                    event.actor.display_name if event.actor else "",
                    event.reason,
                )
                for event in queries.review_timeline(review)
            ],
        }


def _moves(review) -> list[dict]:
    return [
        {
            "label": ACTION_LABELS[s],
            "href": _move_href(review, s),
            "warning": s == ReviewState.CANCELLED,
        }
        for s in review.allowed_moves
    ]


def _rule_or_none(code):
    try:
        return policy.rule(code)
    except KeyError:  # a rule since removed from the table: show the date without it
        return None


def _move_href(review, state):
    if state == ReviewState.SCHEDULED:
        return reverse("reviews:review_schedule", args=[review.pk])
    return f"{reverse('reviews:review_transition', args=[review.pk])}?to={state}"


# --- Schedule -------------------------------------------------------------------------------


class ReviewScheduleView(ReviewPageMixin, FormView):
    permission_required = Perm.MANAGE_REVIEW
    form_class = ReviewScheduleForm
    template_name = "reviews/review/schedule.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "review": self.review}

    def get_context_data(self, **kwargs):
        review = self.review
        kwargs.update(
            can_schedule=review.state in OPEN_STATES,
            rule=_rule_or_none(review.due_rule),
        )
        return super().get_context_data(**kwargs)

    def form_invalid(self, form):
        form.refresh_layout()
        return super().form_invalid(form)

    def form_valid(self, form):
        try:
            review = services.review_schedule(
                actor=self.request.user,
                review=self.review,
                starts_at=form.starts_at,
                **form.service_arguments(),
            )
        except ValidationError as error:
            add_service_errors(form, _renamed(error, {"starts_at": "date"}))
            return self.form_invalid(form)
        when = nhs_period(review.starts_at, review.ends_at)
        messages.success(self.request, f"The review is set for {when}")
        return redirect("reviews:review_detail", pk=review.pk)


def _renamed(error, names):
    """The service's ValidationError with its fields named as the form names them."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({names.get(k, k): v for k, v in error.error_dict.items()})


# --- Agenda ---------------------------------------------------------------------------------


class AgendaEditView(ReviewPageMixin, TemplateView):
    permission_required = Perm.MANAGE_REVIEW
    template_name = "reviews/review/agenda.html"
    prefix = "agenda"

    def _initial(self):
        return agenda_initial(queries.agenda_for_review(self.review))

    def get(self, request, *args, **kwargs):
        formset = AgendaFormSet(prefix=self.prefix, initial=self._initial())
        return self.render_to_response(self.get_context_data(formset=formset))

    def post(self, request, *args, **kwargs):
        formset = AgendaFormSet(request.POST, prefix=self.prefix, initial=self._initial())
        if not formset.is_valid():
            return self.render_to_response(self.get_context_data(formset=formset))
        services.agenda_update(actor=request.user, review=self.review, items=formset.items())
        messages.success(request, "The agenda has been saved")
        return redirect("reviews:review_detail", pk=self.review.pk)

    def get_context_data(self, **kwargs):
        formset = kwargs["formset"]
        kwargs.update(has_errors=formset.is_bound and not formset.is_valid())
        return super().get_context_data(**kwargs)


# --- The lifecycle --------------------------------------------------------------------------


class ReviewTransitionView(ReviewPageMixin, FormView):
    """Move the review on: the moves allowed now, a reason where one is needed, and the state
    the page showed, so that two people acting at once cannot both win."""

    permission_required = Perm.MANAGE_REVIEW
    form_class = ReviewTransitionForm
    template_name = "reviews/review/transition.html"

    def _shown_state(self):
        """The state the form was made for: the one posted back, else the review's own."""
        posted = self.request.POST.get("expected_state")
        return posted if posted in ReviewState.values else self.review.state

    def _caption(self):
        return f"{self.review.type_label} for {self.review.person.full_name}"

    def get_initial(self):
        wanted = self.request.GET.get("to")
        initial = {"expected_state": self.review.state}
        if wanted in TRANSITIONS[self.review.state]:
            initial["to"] = wanted
        return initial

    def get_form_kwargs(self):
        shown = ReviewState(self._shown_state())
        return {
            **super().get_form_kwargs(),
            "moves": TRANSITIONS[shown],
            "caption": self._caption(),
            "state": shown,
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            review = services.review_transition(
                actor=self.request.user,
                review=self.review,
                to=data["to"],
                reason=data["reason"],
                expected_state=data["expected_state"],
            )
        except TransitionError as error:
            return self.form_invalid(self._refused(form, error))
        messages.success(
            self.request, f"The review's status is now {review.get_state_display().lower()}"
        )
        return redirect("reviews:review_detail", pk=review.pk)

    def _refused(self, form, error):
        """The form again with the reasons beside the fields they concern. When someone else
        moved the review meanwhile, the page shows its state now and the moves from there."""
        fresh = queries.review_for_user(self.request.user, self.review.pk) or self.review
        if fresh.state != form.cleaned_data["expected_state"]:
            self._object = fresh
            data = form.data.copy()
            data["expected_state"] = fresh.state
            if data.get("to") not in TRANSITIONS[fresh.state]:
                data.pop("to", None)
            form = ReviewTransitionForm(
                data, moves=TRANSITIONS[fresh.state], caption=self._caption(), state=fresh.state
            )
            form.is_valid()
        for problem in error.problems:
            form.add_error("reason" if problem.startswith("Enter why") else "to", problem)
        return form


# --- Calendar -------------------------------------------------------------------------------


class ReviewCalendarView(ReviewPageMixin, View):
    """The review as an iCalendar file: its type, time and place, never the person's name. Its
    place and kind are details, so it asks what the review page asks before showing them."""

    permission_required = Perm.VIEW_REVIEW_DETAILS

    def get(self, request, *args, **kwargs):
        review = self.review
        if not review.starts_at:
            raise Http404("The review has no date yet")
        response = HttpResponse(
            services.review_ics(review), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="review.ics"'
        return response
