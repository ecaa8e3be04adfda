"""Oversight: parse the request, check the permission, call a query or service, render.

People are found through `reviews.queries.person_for_user`, so someone else's person is a 404.
The returns' organisations are the user's own; their rows, the CSV and the validation report
are one `returns.Extract`, so the page and the download cannot disagree.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ctr_portal.audit import Action, audit_record
from ctr_portal.formatting import nhs_date
from ctr_portal.permissions import Perm
from ctr_portal.views.base import add_service_errors
from reviews.views.people import PersonMixin

from . import policy, presenters, queries, returns, services
from .forms import ExtractForm, HomeAreaForm, ReturnItemsForm, VisitForm
from .presenters import due_text, status_tag

# --- The commissioner's list of visits due ---------------------------------------------------


class VisitsDueView(PermissionRequiredMixin, TemplateView):
    """People placed out of their home area, soonest visit due first."""

    permission_required = Perm.LIST_OVERSIGHT_VISITS
    raise_exception = True
    template_name = "oversight/visits_due.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        placements = queries.visits_due_for_user(self.request.user)
        kwargs.update(
            head=["Name", "Hospital", "Home area", "Last visit", "Next visit due", "Status"],
            rows=[self._row(p, today) for p in placements],
            caption="People placed out of their home area",
            settings_weeks={
                "adult": policy.VISIT_WEEKS_ADULT,
                "child": policy.VISIT_WEEKS_CHILD,
            },
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        return super().get_context_data(**kwargs)

    @staticmethod
    def _row(placement, today):
        person = placement.person
        return [
            {
                "text": person.full_name,
                "href": reverse("oversight:person_visits", args=[person.pk]),
            },
            person.provider.name if person.provider else "",
            placement.home.name,
            nhs_date(placement.last_visit) or "None yet",
            due_text(placement),
            status_tag(placement, today),
        ]


# --- One person's oversight visits ------------------------------------------------------------


class PersonOversightMixin(PersonMixin):
    """A page of one person's oversight visits: the person is found as on their own page."""

    permission_required = Perm.RECORD_OVERSIGHT_VISIT

    def visits_url(self):
        return reverse("oversight:person_visits", args=[self.person.pk])


def _placement_sentence(placement) -> str:
    person = placement.person
    if not person.in_hospital:
        return f"{person.known_as} is not in hospital, so no oversight visits are due."
    if placement.out_of_area is None:
        missing = "home area" if placement.home is None else "host commissioner"
        return (
            f"The {missing} is not recorded, so whether {person.known_as} is placed out of "
            "their home area cannot be told."
        )
    if not placement.out_of_area:
        return f"{person.known_as} is in hospital in their home area: no oversight visits are due."
    return f"{person.known_as} is placed in hospital out of their home area."


class PersonVisitsView(PersonOversightMixin, TemplateView):
    permission_required = Perm.VIEW_OVERSIGHT_VISITS
    template_name = "oversight/person_visits.html"

    def get_context_data(self, **kwargs):
        person, today = self.person, timezone.localdate()
        placement = queries.placement_for(person)
        kwargs.update(
            person=person,
            placement_sentence=_placement_sentence(placement),
            placement_rows=self._placement_rows(placement, today),
            visit_head=["Date", "Who visited", "What was found", "Actions agreed"],
            visit_rows=[
                [nhs_date(v.visited_on), v.visited_by, v.found, v.actions]
                for v in queries.visits_for_person(person)
            ],
            can_record=self.request.user.has_perm(Perm.RECORD_OVERSIGHT_VISIT, person),
            breadcrumbs=self.person_breadcrumbs(),
        )
        return super().get_context_data(**kwargs)

    def _placement_rows(self, placement, today):
        person = placement.person
        rows = [
            {
                "key": "Home area",
                "value": placement.home.name if placement.home else "Not recorded",
            },
            {
                "key": "Hospital's area (host commissioner)",
                "value": placement.host.name if placement.host else "Not recorded",
            },
            {
                "key": "Planned discharge date",
                "value": nhs_date(person.planned_discharge_date) or "Not recorded",
            },
            {"key": "Local patient identifier", "value": person.local_patient_id or "Not recorded"},
        ]
        if placement.out_of_area:
            rows += [
                {"key": "Last visit", "value": nhs_date(placement.last_visit) or "None yet"},
                {
                    "key": "Next visit due",
                    "value": presenters.next_visit_due(placement, today),
                },
            ]
        return rows


class PersonFormView(PersonOversightMixin, FormView):
    template_name = "oversight/form.html"
    heading = ""

    def get_context_data(self, **kwargs):
        kwargs.update(
            heading=self.heading,
            caption=self.person.full_name,
            back_href=self.visits_url(),
            breadcrumbs=self.person_breadcrumbs(("Oversight visits", self.visits_url())),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            text = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, text)
        return redirect(self.visits_url())

    def save(self, form) -> str:
        raise NotImplementedError


class VisitCreateView(PersonFormView):
    form_class = VisitForm
    heading = "Record an oversight visit"

    def save(self, form):
        visit = services.visit_record(
            actor=self.request.user, person=self.person, **form.cleaned_data
        )
        return f"Oversight visit on {nhs_date(visit.visited_on)} recorded."


class HomeAreaView(PersonFormView):
    form_class = HomeAreaForm
    heading = "Change their home area"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["icbs"] = queries.icb_choices()
        return kwargs

    def save(self, form):
        area = services.home_area_set(
            actor=self.request.user, person=self.person, icb=form.cleaned_data["icb"]
        )
        return f"Home area recorded: {area.icb.name}."


class ReturnItemsView(PersonFormView):
    form_class = ReturnItemsForm
    heading = "Change their planned discharge date and local patient identifier"

    def get_initial(self):
        return {
            "planned_discharge_date": self.person.planned_discharge_date,
            "local_patient_id": self.person.local_patient_id,
        }

    def save(self, form):
        services.return_items_update(
            actor=self.request.user, person=self.person, **form.cleaned_data
        )
        return "Planned discharge date and local patient identifier saved."


# --- The national returns ---------------------------------------------------------------------


class ExtractMixin(PermissionRequiredMixin):
    """The return `code` for the organisation and month the GET query chooses."""

    raise_exception = True
    code = ""

    def organisations(self):
        raise NotImplementedError

    def extract(self):
        form = ExtractForm(self.request.GET or None, organisations=self.organisations())
        chosen = form.chosen()
        if chosen is None:
            return form, None
        organisation, month = chosen
        return form, returns.extract_for(self.code, organisation=organisation, month=month)


class ExtractPageView(ExtractMixin, TemplateView):
    template_name = "oversight/extract.html"
    csv_url_name = ""

    def get_context_data(self, **kwargs):
        form, extract = self.extract()
        if extract is not None:
            audit_record(
                action=Action.VIEW,
                actor=self.request.user,
                obj=extract.organisation,
                request=self.request,
            )
        spec = returns.spec(self.code)
        kwargs.update(
            form=form,
            extract=extract,
            spec=spec,
            description=self.description,
            empty=self.empty,
            caption=self.caption,
            field_head=["Column", "Heading", "Where it comes from", "Format", "Mandatory"],
            field_rows=[
                [f.key, f.name, f.source, f.format, "Yes" if f.mandatory else "No"]
                for f in spec.fields
            ],
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        if extract is not None:
            query = f"?organisation={extract.organisation.pk}&month={extract.month:%Y-%m}"
            kwargs.update(
                csv_href=reverse(self.csv_url_name) + query,
                problems_html=presenters.extract_problems(extract),
            )
        return super().get_context_data(**kwargs)


class ExtractCsvView(ExtractMixin, View):
    def get(self, request, *args, **kwargs):
        form, extract = self.extract()
        if extract is None:
            return redirect(reverse(self.page_url_name) + "?" + request.GET.urlencode())
        audit_record(
            action=Action.DOWNLOAD, actor=request.user, obj=extract.organisation, request=request
        )
        response = HttpResponse(extract.csv_text(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{extract.filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class AtMixin:
    description = (
        "One row for each person in hospital your organisation is the responsible commissioner "
        "for at the end of the month, with what this service holds for the Assuring "
        "Transformation return."
    )
    caption = "One row for each person in hospital"
    empty = "Nobody your organisation commissions was in hospital at the end of the month."
    permission_required = Perm.VIEW_AT_RETURN
    code = "at"
    csv_url_name = "oversight:at_csv"
    page_url_name = "oversight:at"

    def organisations(self):
        return queries.at_organisations(self.request.user)


class MhsdsMixin:
    description = (
        "One row for each C(E)TR held in the month for people in your hospital, for the Mental "
        "Health Services Data Set."
    )
    caption = "One row for each C(E)TR held"
    empty = "No C(E)TR was held for your patients in the month."
    permission_required = Perm.VIEW_MHSDS_RETURN
    code = "mhsds"
    csv_url_name = "oversight:mhsds_csv"
    page_url_name = "oversight:mhsds"

    def organisations(self):
        return queries.mhsds_organisations(self.request.user)


class AtPageView(AtMixin, ExtractPageView):
    pass


class AtCsvView(AtMixin, ExtractCsvView):
    pass


class MhsdsPageView(MhsdsMixin, ExtractPageView):
    pass


class MhsdsCsvView(MhsdsMixin, ExtractCsvView):
    pass
