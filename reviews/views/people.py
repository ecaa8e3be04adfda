"""The commissioner's register of people: the list and its search, registering a person, their
page, and the changes recorded on it (details, contacts, rating, setting, blue light meetings).

Parse the request, check the permission, call a query or a service, render. People are found
only through `queries.person_for_user`, so someone else's person is a 404.
"""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ctr_portal.formatting import nhs_date
from ctr_portal.permissions import Perm
from ctr_portal.views.base import ScopedObjectMixin, add_service_errors

from .. import queries, services
from ..forms.people import (
    DUPLICATE_NHS_NUMBER,
    NHS_NUMBER_IN_USE,
    ContactForm,
    DiagnosisRemovedForm,
    DsrRatingForm,
    LaepMeetingForm,
    PeopleSearchForm,
    PersonEditForm,
    PersonRegisterForm,
    RestrictivePracticeForm,
    RootCauseForm,
    SegregationForm,
    SettingChangeForm,
)
from ..models import DsrRating, SettingChange
from ..pds import Outcome, compare, pds_enabled
from ..presenters import (
    RESTRICTIVE_PRACTICE_HEAD,
    dsr_tag,
    hospital_stay,
    person_review_row,
    restrictive_practice_row,
)
from ..sections import person_links_for, reviews_compared

PAGE_SIZE = 25
SETTING_CHANGE_RECORDED = {
    SettingChange.Kind.ADMISSION: "Admission to hospital recorded.",
    SettingChange.Kind.DISCHARGE: "Discharge recorded.",
    SettingChange.Kind.MOVE: "Move of hospital recorded.",
    SettingChange.Kind.SECURITY: "Change of security level recorded.",
}
SEARCH_SESSION_KEY = "reviews.people_search"
# A registration waiting for the commissioner to choose between what they typed and what PDS
# says: the form's answers and PDS's record (ADR 0019). Never in a URL.
PDS_REGISTRATION_KEY = "reviews.pds_registration"
RESTRICTED = (
    "Their record on PDS is restricted. We do not keep the address or GP practice of a "
    "restricted record, and nobody here will see them."
)
PDS_NOT_CHECKED = (
    "We could not check their details with the Personal Demographics Service (PDS) just now: "
    "check them from their page later."
)


def pending_form_data(pending) -> QueryDict:
    """The register form's answers kept with a registration waiting on PDS, as a form's data."""
    data = QueryDict(mutable=True)
    for key, values in pending["data"].items():
        data.setlist(key, values)
    return data


# --- Small helpers for the pages -----------------------------------------------------------


def _born(person, today) -> str:
    return f"{nhs_date(person.date_of_birth)} (aged {person.age_on(today)})"


def _where(person) -> str:
    parts = [person.get_setting_display()]
    if person.in_hospital and person.provider:
        parts.append(person.provider.name)
    return ", ".join(parts)


def _relationship(contact) -> str:
    detail = contact.relationship_detail
    return contact.get_relationship_display() + (f" ({detail})" if detail else "")


def _segregation(person) -> str:
    if person.segregation_started_on is None:
        return "None recorded"
    parts = [f"Since {nhs_date(person.segregation_started_on)}"]
    if person.segregation_ward:
        parts.append(person.segregation_ward)
    if person.segregation_ended_on:
        parts.append(f"ended {nhs_date(person.segregation_ended_on)}")
    held = "has been held" if person.segregation_icetr_held else "not held yet"
    parts.append(f"Independent C(E)TR {held}")
    return ", ".join(parts)


def _bed_commissioner(person) -> str:
    bed = person.bed_commissioner
    return f"{bed.name} ({bed.get_kind_display()})" if bed else "Not given"


def _pds_rows(person, can_change) -> list[dict]:
    """When the details were checked with PDS (while it is switched on, or once they have
    been), and what PDS alone told us: the address (never a restricted record's) and GP."""
    rows = []
    enabled = pds_enabled()
    if enabled or person.pds_verified_at:
        checked = person.pds_verified_at
        check = {
            "href": reverse("reviews:person_pds", args=[person.pk]),
            "text": "Check",
            "visually_hidden_text": "their details with PDS",
        }
        rows.append(
            {
                "key": "Checked with PDS",
                "value": f"Yes, on {nhs_date(timezone.localdate(checked))}"
                if checked
                else "Not checked",
                "actions": [check] if enabled and can_change else [],
            }
        )
    if person.pds_restricted:
        rows.append({"key": "Address", "value": "Not kept: their record on PDS is restricted"})
    elif person.address:
        rows.append({"key": "Address", "value": ", ".join(person.address.splitlines())})
    if person.gp_ods_code:
        rows.append({"key": "GP practice", "value": f"ODS code {person.gp_ods_code}"})
    return rows


def _people_breadcrumbs():
    return [("Home", reverse("dashboard")), ("People", reverse("reviews:person_list"))]


def _article(words: str) -> str:
    return "An" if words[:1].lower() in "aeiou" else "A"


# --- The list ------------------------------------------------------------------------------


class PersonListView(PermissionRequiredMixin, TemplateView):
    """People the user's organisations commission, with a search.

    The search is posted, kept in the session and the page redirected to (post/redirect/get),
    rather than sent in a GET query string: the box takes NHS numbers, and an NHS number must
    never be in a URL, where browser history, proxies and server logs would keep it. Pages of
    results are then plain links (`?page=2`) that carry nothing but the page number.
    """

    permission_required = Perm.ADD_PERSON  # commissioners; the "People" header link asks the same
    raise_exception = True
    template_name = "reviews/people/list.html"

    @cached_property
    def _organisations(self):
        own = queries.commissioning_organisations(self.request.user)
        return [*own, *queries.hospital_choices()]

    def _search_form(self, data):
        return PeopleSearchForm(data, organisations=self._organisations)

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "clear":
            request.session.pop(SEARCH_SESSION_KEY, None)
            return redirect("reviews:person_list")
        form = self._search_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        request.session[SEARCH_SESSION_KEY] = {
            name: request.POST.get(name, "") for name in form.fields
        }
        return redirect("reviews:person_list")

    def get_context_data(self, **kwargs):
        user, today = self.request.user, timezone.localdate()
        saved = self._search_form(self.request.session.get(SEARCH_SESSION_KEY))
        filtering = saved.is_filtering  # a saved search no longer valid is simply not applied
        filters = saved.to_filter() if filtering else queries.PeopleFilter()
        kwargs.setdefault("form", saved if filtering else self._search_form(None))
        page = Paginator(queries.people_list(user, filters), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        people = list(page.object_list)
        next_due = queries.next_due_dates(user, people)
        count = page.paginator.count
        caption = f"{count} {'person' if count == 1 else 'people'}"
        if page.paginator.num_pages > 1:
            caption += f" (page {page.number} of {page.paginator.num_pages})"
        kwargs.update(
            page_obj=page,
            caption=caption,
            head=[
                "Name",
                "NHS number",
                "Date of birth",
                "Where they are",
                "DSR rating",
                "Next review due",
            ],
            rows=[self._row(person, next_due.get(person.pk), today) for person in people],
            filtering=filtering,
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        return super().get_context_data(**kwargs)

    @staticmethod
    def _row(person, due, today):
        return [
            {"text": person.full_name, "href": reverse("reviews:person_detail", args=[person.pk])},
            person.nhs_number_display,
            _born(person, today),
            _where(person),
            dsr_tag(person),
            nhs_date(due) if due else "None planned",
        ]


# --- Registering a person ------------------------------------------------------------------


def _add_person_errors(form, error: ValidationError, duplicate=DUPLICATE_NHS_NUMBER) -> None:
    """A service's errors on the form; a duplicate NHS number says so without saying whose."""
    if hasattr(error, "error_dict") and "nhs_number" in error.error_dict:
        error.error_dict["nhs_number"] = [
            ValidationError(duplicate) if e.code == "unique" else e
            for e in error.error_dict["nhs_number"]
        ]
    add_service_errors(form, error)


class PersonCreateView(PermissionRequiredMixin, FormView):
    """Register a person. With PDS switched on (ADR 0019) the NHS number is checked with PDS
    first: a number PDS knows nobody by is refused beside the field; details that differ are
    offered on the next page (`PersonRegisterCheckView`); the same details register at once."""

    permission_required = Perm.ADD_PERSON
    raise_exception = True
    form_class = PersonRegisterForm
    template_name = "reviews/people/form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["commissioners"] = queries.commissioning_organisations(self.request.user)
        pending = self.request.session.get(PDS_REGISTRATION_KEY)
        if self.request.method == "GET" and "change" in self.request.GET and pending:
            kwargs["data"] = pending_form_data(pending)  # back from the PDS step to change it
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.update(
            heading="Register a person",
            back_href=reverse("reviews:person_list"),
            breadcrumbs=_people_breadcrumbs(),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        self.request.session.pop(PDS_REGISTRATION_KEY, None)
        if not pds_enabled():
            return self.register(form, form.person_fields())
        return self.check_with_pds(form)

    def check_with_pds(self, form):
        user, fields = self.request.user, form.person_fields()
        try:
            services.person_register_validate(actor=user, **fields)
        except ValidationError as error:
            return self.refuse(form, error)
        lookup = services.person_pds_lookup(actor=user, nhs_number=fields["nhs_number"])
        if lookup.outcome == Outcome.UNAVAILABLE:
            return self.register(form, fields, note=PDS_NOT_CHECKED)
        if lookup.record is None:
            form.add_error("nhs_number", lookup.message)
            return self.form_invalid(form)
        differences, filled = compare(fields, lookup.record)
        if differences:
            self.request.session[PDS_REGISTRATION_KEY] = {
                "data": {
                    key: self.request.POST.getlist(key)
                    for key in form.data
                    if key != "csrfmiddlewaretoken"
                },
                "record": lookup.record.as_session(),
            }
            return redirect("reviews:person_register_check")
        note = "Their details match the Personal Demographics Service (PDS)."
        if lookup.record.restricted:
            note += f" {RESTRICTED}"
        return self.register(form, {**fields, **filled}, pds_record=lookup.record, note=note)

    def register(self, form, fields, *, pds_record=None, note=""):
        try:
            person = services.person_register(
                actor=self.request.user,
                dsr_reason=form.cleaned_data["dsr_reason"].strip(),
                pds_record=pds_record,
                **fields,
            )
        except ValidationError as error:
            return self.refuse(form, error)
        messages.success(self.request, registered_message(self.request.user, person, note))
        return redirect("reviews:person_detail", pk=person.pk)

    def refuse(self, form, error):
        _add_person_errors(form, error)
        if DUPLICATE_NHS_NUMBER in form.errors.get("nhs_number", []):
            self.extra_context = {"transfer_href": reverse("reviews:transfer_request")}
        return self.form_invalid(form)


def registered_message(user, person, note="") -> str:
    text = f"{person.full_name} has been registered."
    review = queries.open_review_for_person(user, person)
    if review is not None:
        kind = review.get_kind_display().lower()
        text += f" {_article(kind)} {kind} review is due by {nhs_date(review.due_date)}."
    return f"{text} {note}".strip()


# --- One person ----------------------------------------------------------------------------


class PersonMixin(ScopedObjectMixin):
    """Finds the person through the user's scope: someone else's person is a 404. The one
    lookup for every page about a person, here and in the apps built on `reviews` (oversight),
    which set their own `permission_required`."""

    object_type = "reviews.person"
    permission_required = Perm.CHANGE_PERSON

    def get_scoped_object(self):
        return queries.person_for_user(self.request.user, self.kwargs["pk"])

    @property
    def person(self):
        return self.get_object()

    def person_breadcrumbs(self, *extra):
        return [*_people_breadcrumbs(), (self.person.full_name, self.person_url()), *extra]

    def person_url(self):
        return reverse("reviews:person_detail", args=[self.person.pk])


class PersonDetailView(PersonMixin, TemplateView):
    permission_required = Perm.VIEW_PERSON
    template_name = "reviews/people/detail.html"

    def get_context_data(self, **kwargs):
        user, person, today = self.request.user, self.person, timezone.localdate()
        can_change = user.has_perm(Perm.CHANGE_PERSON, person)
        reviews = queries.reviews_for_person(user, person)
        kwargs.update(
            person=person,
            contact_head=["Name", "Relationship", "Email address", "Phone number"],
            review_head=["Review", "Kind", "Due by", "State"],
            dsr_tag=dsr_tag(person),
            about_rows=self._about_rows(person, today, can_change),
            where_rows=self._where_rows(person),
            contact_rows=[
                [c.name, _relationship(c), c.email, c.phone]
                for c in queries.contacts_for_person(person)
            ],
            review_rows=[person_review_row(r, today) for r in reviews],
            compared=reviews_compared(person, reviews),
            hospital_stay=hospital_stay(person, today),
            restrictive_head=RESTRICTIVE_PRACTICE_HEAD,
            restrictive_rows=[
                restrictive_practice_row(r)
                for r in queries.restrictive_practices_for_person(person)
            ],
            timeline=queries.person_timeline(person),
            links=person_links_for(user, person),
            breadcrumbs=_people_breadcrumbs(),
            no_post_admission=queries.no_post_admission_reason(person),
            awaiting_root_cause=queries.admission_awaiting_root_cause(person),
            diagnosis_removal=queries.diagnosis_removal_status(person),
            transfer_requests=queries.transfer_requests_for_person(user, person),
        )
        return super().get_context_data(**kwargs)

    @staticmethod
    def _about_rows(person, today, can_change):
        edit = reverse("reviews:person_edit", args=[person.pk])

        def row(key, value):
            hidden = key if key in ("NHS number", "Mental Health Act status") else key.lower()
            actions = [{"href": edit, "text": "Change", "visually_hidden_text": hidden}]
            return {"key": key, "value": value, "actions": actions if can_change else []}

        keyworker = ", ".join(filter(None, [person.keyworker_name, person.keyworker_contact]))
        rows = [
            row("Name", person.full_name),
            row("Preferred name", person.preferred_name or "Not given"),
            row("Pronouns", person.pronouns or "Not given"),
            row("NHS number", person.nhs_number_display),
            row("Date of birth", _born(person, today)),
            row("Diagnosis", person.diagnosis_display),
            row("Mental Health Act status", person.get_mha_status_display()),
            row("Responsible commissioner", person.responsible_commissioner.name),
            row(
                "Host commissioner",
                person.host_commissioner.name if person.host_commissioner else "None",
            ),
            row(
                "Local authority", person.local_authority.name if person.local_authority else "None"
            ),
            row("Keyworker", keyworker or "None"),
            row("Responsible clinician", person.responsible_clinician or "Not given"),
            row("Care coordinator", person.care_coordinator or "Not given"),
        ]
        rows[5:5] = _pds_rows(person, can_change)
        return rows

    @staticmethod
    def _where_rows(person):
        rows = [{"key": "Setting", "value": person.get_setting_display()}]
        if person.in_hospital:
            rows += [
                {"key": "Hospital", "value": person.provider.name if person.provider else ""},
                {"key": "Ward", "value": person.ward or "Not given"},
                {"key": "Date admitted", "value": nhs_date(person.admission_date) or "Not given"},
                {"key": "Bed commissioned by", "value": _bed_commissioner(person)},
            ]
        if person.in_hospital or person.segregation_started_on:
            rows.append({"key": "Long-term segregation", "value": _segregation(person)})
        return rows


class PersonFormView(PersonMixin, FormView):
    """A change to one person, through one service. Needs Perm.CHANGE_PERSON."""

    template_name = "reviews/people/form.html"
    heading = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["person"] = self.person
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.update(
            heading=self.heading,
            caption=self.person.full_name,
            person=self.person,
            lead=self.lead(),
            back_href=self.person_url(),
            breadcrumbs=self.person_breadcrumbs(),
        )
        return super().get_context_data(**kwargs)

    def lead(self) -> str:
        """A sentence above the form: where things stand now."""
        return ""

    def form_valid(self, form):
        try:
            text = self.save(form)
        except ValidationError as error:
            self.add_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, text)
        return redirect(self.person_url())

    def add_errors(self, form, error):
        add_service_errors(form, error)

    def save(self, form) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError


class PersonEditView(PersonFormView):
    form_class = PersonEditForm
    heading = "Change their details"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["commissioners"] = queries.commissioning_organisations(self.request.user)
        return kwargs

    def add_errors(self, form, error):
        _add_person_errors(form, error, duplicate=NHS_NUMBER_IN_USE)

    def save(self, form):
        # The service sets the fields before it validates them: give it a copy, so that a
        # refused change leaves the page's own person (its heading, its breadcrumbs) as it was.
        person = services.person_update(
            actor=self.request.user, person=copy.copy(self.person), **form.person_fields()
        )
        text = f"{person.full_name}'s details have been saved."
        if pds_enabled() and person.nhs_number != self.person.nhs_number:
            text += " Their NHS number changed: check their details with PDS."
        return text


class ContactCreateView(PersonFormView):
    form_class = ContactForm
    heading = "Add a contact"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["person"]
        return kwargs

    def save(self, form):
        contact = services.contact_add(
            actor=self.request.user, person=self.person, **form.contact_fields()
        )
        return f"{contact.name} has been added as a contact."


class DsrRatingView(PersonFormView):
    form_class = DsrRatingForm
    heading = "Change their Dynamic Support Register rating"

    def lead(self):
        rated = self.person.dsr_rating
        return f"Rated now: {self.person.dsr_short_label if rated else 'not rated'}."

    def save(self, form):
        data = form.cleaned_data
        services.person_rate_dsr(
            actor=self.request.user,
            person=self.person,
            rating=data["rating"],
            reason=data["reason"],
        )
        rating = DsrRating(data["rating"]).short_label
        return f"Dynamic Support Register rating changed to {rating}."


class SettingChangeView(PersonFormView):
    form_class = SettingChangeForm
    heading = "Record an admission, discharge or move"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["open_community_review"] = queries.open_community_review_for_person(
            self.request.user, self.person
        )
        return kwargs

    def lead(self):
        person = self.person
        parts = [_where(person), person.ward if person.in_hospital else ""]
        if person.in_hospital and person.admission_date:
            parts.append(f"admitted {nhs_date(person.admission_date)}")
        return "Where they are now: " + ", ".join(filter(None, parts)) + "."

    def save(self, form):
        user = self.request.user
        before = queries.open_review_for_person(user, self.person)
        change = services.person_change_setting(
            actor=user, person=self.person, **form.change_fields()
        )
        return f"{SETTING_CHANGE_RECORDED[change.kind]} {self._review_news(before)}".strip()

    def _review_news(self, before) -> str:
        """What the change did to the person's next review, read after the service ran."""
        person = queries.person_for_user(self.request.user, self.person.pk)
        after = queries.open_review_for_person(self.request.user, person)
        if after is None:
            return queries.no_post_admission_reason(person)
        kind = after.get_kind_display().lower()
        due = nhs_date(after.due_date)
        if before is None or before.pk != after.pk:
            return f"{_article(kind)} {kind} review is now due by {due}."
        if before.due_date != after.due_date:
            return f"The {kind} review is now due by {due} (it was {nhs_date(before.due_date)})."
        return f"The {kind} review is still due by {due}."


class LaepCreateView(PersonFormView):
    form_class = LaepMeetingForm
    heading = "Record a blue light (LAEP) meeting"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["person"]
        return kwargs

    def save(self, form):
        data = form.cleaned_data
        meeting = services.laep_record(
            actor=self.request.user,
            person=self.person,
            held_on=data["held_on"],
            outcome=data["outcome"],
        )
        return f"Blue light (LAEP) meeting on {nhs_date(meeting.held_on)} recorded."


class DiagnosisRemovedView(PersonFormView):
    form_class = DiagnosisRemovedForm
    heading = "Record that a diagnosis was removed"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["person"]
        return kwargs

    def lead(self):
        return (
            f"Record this when {self.person.known_as}'s learning disability or autism diagnosis "
            "is removed. Their diagnoses stay on record, an event-triggered review is planned, "
            "and they stay on the register until it is held."
        )

    def save(self, form):
        review = services.person_record_diagnosis_removed(
            actor=self.request.user,
            person=self.person,
            removed_on=form.cleaned_data["removed_on"],
        )
        return (
            "Removal of the diagnosis recorded. An event-triggered review is due by "
            f"{nhs_date(review.due_date)}."
        )


class RootCauseView(PersonFormView):
    """The root cause analysis NHS England asks for when a child is admitted without a
    community C(E)TR (domain.md §3), for the person's admission still waiting for one."""

    form_class = RootCauseForm
    heading = "Record the root cause analysis of the admission"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["person"]
        return kwargs

    @cached_property
    def admission(self):
        return queries.admission_awaiting_root_cause(self.person)

    def lead(self):
        if self.admission is None:
            return f"No admission of {self.person.known_as} is waiting for a root cause analysis."
        return (
            f"{self.person.known_as} was admitted on {nhs_date(self.admission.effective_date)} "
            "as a child, without a community C(E)TR first. NHS England asks for a root cause "
            "analysis of every such admission."
        )

    def save(self, form):
        if self.admission is None:
            raise ValidationError("No admission is waiting for a root cause analysis")
        data = form.cleaned_data
        services.admission_root_cause_record(
            actor=self.request.user,
            admission=self.admission,
            why_no_community_review=data["why_no_community_review"],
            on_register=data["on_register"],
            learning=data["learning"],
        )
        return "Root cause analysis of the admission recorded."


class SegregationView(PersonFormView):
    """Long-term segregation on the person: the start, the ward, whether an Independent C(E)TR
    has been held, and the end."""

    form_class = SegregationForm
    heading = "Record long-term segregation"

    def lead(self):
        person = self.person
        if person.in_segregation:
            return f"In long-term segregation since {nhs_date(person.segregation_started_on)}."
        return (
            "People in long-term segregation should have an Independent C(E)TR, whose chair "
            "is independent too."
        )

    def save(self, form):
        person = services.person_record_segregation(
            actor=self.request.user, person=self.person, **form.segregation_fields()
        )
        if person.in_segregation:
            return f"Long-term segregation since {nhs_date(person.segregation_started_on)} saved."
        return f"Long-term segregation ended {nhs_date(person.segregation_ended_on)} saved."


class RestrictivePracticeView(PersonFormView):
    """Restraint, seclusion or segregation the hospital reported, recorded on the person."""

    form_class = RestrictivePracticeForm
    heading = "Record restraint, seclusion or segregation"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["person"]
        return kwargs

    def lead(self):
        return (
            "Record what the hospital reports: one day, or a period and how many times in it. "
            "The next review's report shows what was recorded since the last review."
        )

    def save(self, form):
        record = services.restrictive_practice_record(
            actor=self.request.user, person=self.person, **form.practice_fields()
        )
        return f"{record.get_kind_display()} recorded."
