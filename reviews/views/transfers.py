"""Moving a person's record to another commissioner (ADR 0018): the request form and the page
that follows it, the same whether or not the details matched anyone, and the current
commissioner's decision."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ctr_portal.formatting import nhs_date
from ctr_portal.permissions import Perm
from ctr_portal.views.base import ScopedObjectMixin, add_service_errors

from .. import queries, services
from ..forms.transfers import ACCEPT, TransferDecisionForm, TransferRequestForm


def _breadcrumbs():
    return [("Home", reverse("dashboard")), ("People", reverse("reviews:person_list"))]


class TransferRequestView(PermissionRequiredMixin, FormView):
    permission_required = Perm.REQUEST_TRANSFER
    raise_exception = True
    form_class = TransferRequestForm
    template_name = "reviews/transfers/request.html"

    @cached_property
    def commissioners(self):
        return queries.commissioning_organisations(self.request.user)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "commissioners": self.commissioners}

    def get_context_data(self, **kwargs):
        kwargs.update(heading="Request a transfer of a person's record", breadcrumbs=_breadcrumbs())
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.transfer_request(
                actor=self.request.user,
                to_organisation=data["organisation"],
                nhs_number=data["nhs_number"],
                date_of_birth=data["date_of_birth"],
                family_name=data["family_name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        # The same page whether or not the details matched anyone: see ADR 0018.
        return redirect("reviews:transfer_sent")


class TransferSentView(PermissionRequiredMixin, TemplateView):
    permission_required = Perm.REQUEST_TRANSFER
    raise_exception = True
    template_name = "reviews/transfers/sent.html"

    def get_context_data(self, **kwargs):
        kwargs.update(breadcrumbs=_breadcrumbs())
        return super().get_context_data(**kwargs)


class TransferDecideView(ScopedObjectMixin, FormView):
    """The current commissioner accepts or refuses a request for one of its people."""

    permission_required = Perm.DECIDE_TRANSFER
    object_type = "reviews.transferrequest"
    form_class = TransferDecisionForm
    template_name = "reviews/transfers/decide.html"

    def get_scoped_object(self):
        return queries.transfer_request_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        request = self.get_object()
        person = request.person
        person_href = reverse("reviews:person_detail", args=[person.pk])
        kwargs.update(
            transfer=request,
            person=person,
            person_href=person_href,
            rows=[
                {"key": "Person", "value": person.full_name},
                {"key": "Asked for by", "value": request.to_organisation.name},
                {"key": "Asked on", "value": nhs_date(request.requested_at)},
            ],
            breadcrumbs=[*_breadcrumbs(), (person.full_name, person_href)],
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        request, user = self.get_object(), self.request.user
        name = request.person.full_name
        try:
            if form.cleaned_data["decision"] == ACCEPT:
                services.transfer_accept(actor=user, request=request)
            else:
                services.transfer_refuse(
                    actor=user, request=request, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if form.cleaned_data["decision"] == ACCEPT:
            messages.success(
                self.request, f"{name}'s record has been transferred to {request.to_organisation}."
            )
            return redirect("dashboard")
        messages.success(self.request, "Transfer refused. The organisation that asked is told.")
        return redirect("reviews:person_detail", pk=request.person_id)
