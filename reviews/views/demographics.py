"""A person's details checked against the Personal Demographics Service (PDS, ADR 0019): the
step of registering where the commissioner chooses between what they typed and what PDS says,
and the same check of someone already registered, from their page.

Both pages exist only while PDS is switched on (404 otherwise). What PDS returned is carried
from one request to the next in the session, never in a URL, and only what we keep of it
(`reviews.pds.Demographics`).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import FormView
from rules.contrib.views import PermissionRequiredMixin

from ctr_portal.permissions import Perm

from .. import queries, services
from ..forms.people import (
    NHS_NUMBER_IN_USE,
    PdsCheckForm,
    PdsChoiceForm,
    PersonRegisterForm,
    pds_shown,
)
from ..pds import COMPARED, Demographics, Outcome, compare, pds_enabled
from .people import (
    PDS_REGISTRATION_KEY,
    RESTRICTED,
    PersonFormView,
    _add_person_errors,
    _people_breadcrumbs,
    pending_form_data,
    registered_message,
)

# A check of a registered person waiting for the commissioner's choice: {"person": pk,
# "record": Demographics.as_session()}.
PDS_CHECK_KEY = "reviews.pds_check"


class PdsSwitchedOnMixin:
    def dispatch(self, request, *args, **kwargs):
        if not pds_enabled():
            raise Http404("PDS is switched off")
        return super().dispatch(request, *args, **kwargs)


def filled_rows(filled: dict) -> list[dict]:
    """What PDS adds where we hold nothing, as summary list rows."""
    return [
        {"key": COMPARED[name], "value": pds_shown(name, value)} for name, value in filled.items()
    ]


class PersonRegisterCheckView(PdsSwitchedOnMixin, PermissionRequiredMixin, FormView):
    """Registering, second step: for each detail where what was typed and PDS differ, which to
    keep. Nothing is saved until this is answered."""

    permission_required = Perm.ADD_PERSON
    raise_exception = True
    form_class = PdsChoiceForm
    template_name = "reviews/people/pds_check.html"

    @cached_property
    def pending(self):
        return self.request.session.get(PDS_REGISTRATION_KEY)

    @cached_property
    def register_form(self):
        return PersonRegisterForm(
            pending_form_data(self.pending),
            commissioners=queries.commissioning_organisations(self.request.user),
        )

    @cached_property
    def record(self) -> Demographics:
        return Demographics.from_session(self.pending["record"])

    @cached_property
    def comparison(self):
        return compare(self.register_form.person_fields(), self.record)

    def get(self, request, *args, **kwargs):
        return self._go_back() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._go_back() or super().post(request, *args, **kwargs)

    def _go_back(self):
        """Nothing waiting (or answers no longer valid, an organisation gone say): back to the
        register form, with the answers if there are any."""
        if self.pending is None:
            return redirect("reviews:person_create")
        if not self.register_form.is_valid():
            return redirect(reverse("reviews:person_create") + "?change=1")
        return None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            differences=self.comparison[0],
            ours_label="What you entered",
            submit_label="Register person",
        )
        return kwargs

    def get_context_data(self, **kwargs):
        fields = self.register_form.person_fields()
        kwargs.update(
            heading="Check their details with PDS",
            caption=f"{fields['given_name']} {fields['family_name']}",
            lead=[
                "The Personal Demographics Service (PDS) holds different details for NHS "
                f"number {pds_shown('nhs_number', fields['nhs_number'])}.",
                "For each one, choose what to keep. PDS is usually right: it is what GP "
                "practices and hospitals use.",
            ],
            restricted=RESTRICTED if self.record.restricted else "",
            filled_rows=filled_rows(self.comparison[1]),
            links=[
                {
                    "href": reverse("reviews:person_create") + "?change=1",
                    "text": "Change what you entered",
                },
                {"href": reverse("reviews:person_list"), "text": "Cancel"},
            ],
            breadcrumbs=_people_breadcrumbs(),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        register_form, user = self.register_form, self.request.user
        fields = {**register_form.person_fields(), **self.comparison[1], **form.chosen()}
        try:
            person = services.person_register(
                actor=user,
                dsr_reason=register_form.cleaned_data["dsr_reason"].strip(),
                pds_record=self.record,
                **fields,
            )
        except ValidationError as error:
            _add_person_errors(form, error, duplicate=NHS_NUMBER_IN_USE)
            return self.form_invalid(form)
        self.request.session.pop(PDS_REGISTRATION_KEY, None)
        messages.success(self.request, registered_message(user, person))
        return redirect("reviews:person_detail", pk=person.pk)


class PersonPdsView(PdsSwitchedOnMixin, PersonFormView):
    """A registered person's details checked with PDS: a button that asks, then (when they
    differ) which to keep, as when registering."""

    template_name = "reviews/people/pds_check.html"
    heading = "Check their details with PDS"

    @cached_property
    def record(self) -> Demographics | None:
        pending = self.request.session.get(PDS_CHECK_KEY)
        if pending and pending.get("person") == self.person.pk:
            return Demographics.from_session(pending["record"])
        return None

    @cached_property
    def comparison(self):
        ours = {name: getattr(self.person, name) for name in COMPARED}
        return compare(ours, self.record)

    @property
    def choosing(self) -> bool:
        return self.record is not None and self.request.POST.get("action") != "lookup"

    def get_form_class(self):
        return PdsChoiceForm if self.choosing else PdsCheckForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["person"]
        if self.choosing:
            kwargs.update(
                differences=self.comparison[0],
                ours_label="What we hold",
                submit_label="Save these details",
            )
        return kwargs

    def lead(self):
        if not self.choosing:
            checked = self.person.pds_verified_at
            return [
                "Check their NHS number, name and date of birth with the Personal Demographics "
                "Service (PDS), and add their address and GP practice from it.",
                f"Last checked: {pds_shown('date_of_birth', timezone.localdate(checked))}."
                if checked
                else "Not checked with PDS yet.",
            ]
        return [
            "The Personal Demographics Service (PDS) holds different details for "
            f"{self.person.full_name}.",
            "For each one, choose what to keep. PDS is usually right: it is what GP practices "
            "and hospitals use.",
        ]

    def get_context_data(self, **kwargs):
        choosing = self.choosing
        kwargs.update(
            restricted=RESTRICTED if choosing and self.record.restricted else "",
            filled_rows=filled_rows(self.comparison[1]) if choosing else [],
            links=[{"href": self.person_url(), "text": "Cancel"}],
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        if not self.choosing:
            return self.look_up(form)
        try:
            text = self.save(form)
        except ValidationError as error:
            _add_person_errors(form, error, duplicate=NHS_NUMBER_IN_USE)
            return self.form_invalid(form)
        self.request.session.pop(PDS_CHECK_KEY, None)
        messages.success(self.request, text)
        return redirect(self.person_url())

    def look_up(self, form):
        person = self.person
        self.request.session.pop(PDS_CHECK_KEY, None)
        lookup = services.person_pds_lookup(
            actor=self.request.user, nhs_number=person.nhs_number, person=person
        )
        if lookup.record is None:
            message = lookup.message
            if lookup.outcome == Outcome.UNAVAILABLE:
                message += ". Try again later"
            form.add_error(None, message)
            return self.form_invalid(form)
        self.request.session[PDS_CHECK_KEY] = {
            "person": person.pk,
            "record": lookup.record.as_session(),
        }
        self.__dict__.pop("record", None)
        self.__dict__.pop("comparison", None)
        if self.comparison[0]:
            return redirect("reviews:person_pds", pk=person.pk)  # to choose what to keep
        text = self.save(None)
        self.request.session.pop(PDS_CHECK_KEY, None)
        messages.success(self.request, text)
        return redirect(self.person_url())

    def save(self, form) -> str:
        differences, filled = self.comparison
        chosen = form.chosen() if form is not None else {}
        person = services.person_update(
            actor=self.request.user,
            person=self.person,
            pds_record=self.record,
            **filled,
            **chosen,
        )
        if self.record.restricted:
            return f"{person.full_name}'s details were checked with PDS. {RESTRICTED}"
        if not differences:
            return f"{person.full_name}'s details match PDS."
        return f"{person.full_name}'s details have been checked with PDS and saved."
