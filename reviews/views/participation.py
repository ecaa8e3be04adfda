"""Consent, participants, invitations and independence declarations.

Each review page finds its review through `queries.review_for_user` (404 for someone with no
part in it, the latest consent read afresh on every request) and asks the rules for the right
(403 for a participant without it). Writes go through the services; their ValidationErrors are
shown beside the fields, with everything typed kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views import View
from django.views.generic import FormView, TemplateView

from ctr_portal import services as portal_services
from ctr_portal.formatting import nhs_date
from ctr_portal.permissions import Perm
from ctr_portal.queries import account_for_email
from ctr_portal.views.base import add_service_errors

from .. import queries, services
from ..forms.participation import (
    AttendanceForm,
    ConsentForm,
    IndependenceForm,
    InvitationAcceptForm,
    JoinReviewForm,
    ParticipantForm,
    contact_label,
)
from ..models import FAMILY_ROLES, InvitedThrough, ParticipantRole
from ..rules import latest_consent, participant_for
from .base import ReviewPageMixin

# --- Consent -------------------------------------------------------------------------------


def _consent_rows(record) -> list[dict]:
    """One consent record as summary list rows: only the answers that apply to it."""
    invitees = list(record.invitees.all())
    attend = [i.contact.name for i in invitees if i.may_attend]
    report = [i.contact.name for i in invitees if i.may_receive_report]
    rows = [
        {"key": "Decision", "value": record.get_decision_display()},
        {"key": "Date of the decision", "value": nhs_date(record.decided_on)},
        record.route and {"key": "How it was made", "value": record.get_route_display()},
        record.given_by
        and {"key": "Person with parental responsibility", "value": record.given_by},
        record.capacity_assessed_by
        and {"key": "Capacity assessed by", "value": record.capacity_assessed_by},
        record.decision_maker
        and {"key": "Best-interests decision made by", "value": record.decision_maker},
        record.consulted and {"key": "Who was consulted", "value": record.consulted},
        record.in_own_words and {"key": "In their own words", "value": record.in_own_words},
    ]
    if record.opens_gate:
        rows += [
            {
                "key": "Information shared with the panel",
                "value": "Yes" if record.shares_information else "No",
            },
            {"key": "Report format", "value": record.get_report_format_display()},
            {"key": "May come to the review", "value": ", ".join(attend) or "Nobody chosen"},
            {"key": "May receive the report", "value": ", ".join(report) or "Nobody chosen"},
        ]
    rows.append(
        {
            "key": "Recorded by",
            "value": f"{record.recorded_by.display_name}, {nhs_date(record.recorded_at)}",
        }
    )
    return [row for row in rows if row]


class ConsentRecordView(ReviewPageMixin, FormView):
    """Record a new consent decision; the history below is never edited, the latest decides."""

    permission_required = Perm.MANAGE_REVIEW
    template_name = "reviews/participation/consent_record.html"
    form_class = ConsentForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(
            person=self.review.person, contacts=queries.contacts_for_person(self.review.person)
        )
        return kwargs

    def get_initial(self):
        return ConsentForm.initial_from(latest_consent(self.review))

    def get_context_data(self, **kwargs):
        review = self.review
        history = [
            {"record": record, "rows": _consent_rows(record)}
            for record in queries.consent_history(review)
        ]
        kwargs.update(
            current=history[0] if history else None,
            earlier=history[1:],
            age=review.person.age_on(timezone.localdate()),
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            record = services.consent_record(
                actor=self.request.user, review=self.review, **form.service_arguments()
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Decision saved: {record.get_decision_display().lower()}")
        return redirect("reviews:review_consent", pk=self.review.pk)


class ConsentFormView(ReviewPageMixin, TemplateView):
    """The easy read consent form to print and go through with the person."""

    permission_required = Perm.VIEW_CONSENT
    template_name = "reviews/participation/consent_form.html"

    def get_context_data(self, **kwargs):
        review = self.review
        person = review.person
        kwargs.update(
            contacts=[contact_label(c) for c in queries.contacts_for_person(person)],
            child=person.age_on(review.review_date) < 16,
            can_manage=self.request.user.has_perm(Perm.MANAGE_REVIEW, review),
        )
        return super().get_context_data(**kwargs)


# --- Participants --------------------------------------------------------------------------


class ParticipantAddView(ReviewPageMixin, FormView):
    """Add someone to the review. With an account they find it on their dashboard; without one
    they get an email with a single-use link to set one up."""

    permission_required = Perm.MANAGE_REVIEW
    template_name = "reviews/participation/participant_add.html"
    form_class = ParticipantForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["contacts"] = queries.contacts_for_person(self.review.person)
        return kwargs

    def get_context_data(self, **kwargs):
        participants = queries.participants_for_review(self.review)
        kwargs.update(
            participants=participants,
            participant_head=["Name", "Role", "Account"],
            participant_rows=[
                [
                    p.name,
                    p.get_role_display()
                    + (" (independence not declared yet)" if not p.is_independent else ""),
                    "Set up"
                    if p.user_id
                    else (
                        "Invited, not set up yet"
                        if p.invited_through == InvitedThrough.EMAIL
                        else f"Invited {p.get_invited_through_display().lower()}"
                    ),
                ]
                for p in participants
            ],
        )
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            participant, warnings = services.participant_add(
                actor=self.request.user,
                review=self.review,
                role=data["role"],
                name=data["name"],
                email=data["email"],
                contact=data["contact"],
                invited_through=data["invited_through"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        who = f"{participant.name} ({participant.get_role_display().lower()})"
        if participant.invited_through != InvitedThrough.EMAIL:
            text = (
                f"{who} has been added. Their invitation goes "
                f"{participant.get_invited_through_display().lower()}: nothing is emailed"
            )
        elif participant.user_id:
            text = f"{who} has been added. They will find the review on their home page"
        else:
            text = f"{who} has been added and sent an invitation by email"
        messages.success(self.request, text)
        for warning in warnings:
            messages.warning(self.request, warning)
        return redirect("reviews:review_detail", pk=self.review.pk)


class AttendanceView(ReviewPageMixin, FormView):
    """Who took part on the day, recorded by the commissioner or the chair."""

    permission_required = Perm.MANAGE_REVIEW
    template_name = "reviews/participation/attendance.html"
    form_class = AttendanceForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["participants"] = queries.participants_for_review(self.review)
        return kwargs

    def form_valid(self, form):
        try:
            count = services.review_record_attendance(
                actor=self.request.user, review=self.review, attended=form.attended_ids()
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved: {count} took part in the review")
        return redirect("reviews:review_detail", pk=self.review.pk)


# --- Independence --------------------------------------------------------------------------


class IndependenceView(ReviewPageMixin, FormView):
    """A panel expert declares that they are independent of the person's care. The page shows
    the person's name and the review date, nothing more: the declaration comes before access."""

    permission_required = Perm.DECLARE_INDEPENDENCE
    template_name = "reviews/participation/independence.html"
    form_class = IndependenceForm

    @property
    def participant(self):
        return participant_for(self.request.user, self.review)

    def get_context_data(self, **kwargs):
        participant = self.participant
        kwargs["participant"] = participant
        if participant.independence_declared_at:
            kwargs["declaration_rows"] = [
                {"key": "Declared on", "value": nhs_date(participant.independence_declared_at)},
                {"key": "You confirmed", "value": participant.independence_statement},
                {
                    "key": "Connections you told us about",
                    "value": participant.conflict_declared or "None",
                },
            ]
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if self.participant.independence_declared_at:
            return redirect("reviews:review_independence", pk=self.review.pk)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.participant_declare_independence(
                actor=self.request.user,
                participant=self.participant,
                statement=form.statement(),
                conflicts=form.cleaned_data["conflicts"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Declaration made. Thank you")
        return redirect("reviews:review_detail", pk=self.review.pk)


# --- Invitations ---------------------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class InvitationAcceptView(View):
    """Set up an account from an emailed invitation, or join the review with the account that
    already exists for the invited address. Nothing about the person is on these pages: whoever
    holds the link has not signed in."""

    template_name = "reviews/participation/invitation_accept.html"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = services.invitation_for_token(kwargs["token"])
        if self.invitation is None:
            raise Http404("Not found")
        self.participant = self.invitation.participant
        self.review = self.participant.review
        if not self.invitation.is_usable:
            return self._unusable()
        self.account = account_for_email(self.participant.email)
        return super().dispatch(request, *args, **kwargs)

    def _context(self, **extra):
        return {
            "invitation": self.invitation,
            "participant": self.participant,
            "review": self.review,
            "commissioner": self.review.commissioner,
            **extra,
        }

    def _unusable(self, used=None):
        used = self.invitation.used_at is not None if used is None else used
        return render(
            self.request,
            "reviews/participation/invitation_unusable.html",
            self._context(used=used),
            status=410,
        )

    def _form(self, data=None):
        if self.account is not None:
            return JoinReviewForm(data)
        return InvitationAcceptForm(
            data, email=self.participant.email, initial={"display_name": self.participant.name}
        )

    def _render(self, form, status=200):
        signed_in_as_invited = (
            self.account is not None
            and self.request.user.is_authenticated
            and self.request.user.pk == self.account.pk
        )
        return render(
            self.request,
            self.template_name,
            self._context(
                form=form if self.account is None or signed_in_as_invited else None,
                account=self.account,
                signed_in_as_invited=signed_in_as_invited,
                sign_in_url=reverse("accounts:login")
                + "?"
                + urlencode({"next": self.request.path}),
                nhs_login_url=self._nhs_login_url(),
            ),
            status=status,
        )

    def _nhs_login_url(self):
        """The person and family may join through NHS login instead (ADR 0023)."""
        from ctr_portal import oidc

        if oidc.provider(oidc.NHS_LOGIN) is None or self.participant.role not in (
            *FAMILY_ROLES,
            ParticipantRole.PERSON,
        ):
            return ""
        return (
            reverse("accounts:oidc_start", args=[oidc.NHS_LOGIN])
            + "?"
            + urlencode(
                {
                    "invitation": self.kwargs["token"],
                    "next": reverse("reviews:review_detail", args=[self.review.pk]),
                }
            )
        )

    def get(self, request, *args, **kwargs):
        return self._render(self._form())

    def post(self, request, *args, **kwargs):
        form = self._form(request.POST)
        if self.account is not None:
            if not (request.user.is_authenticated and request.user.pk == self.account.pk):
                return self._render(self._form())
            if form.is_valid():
                return self._accept(password=None, display_name=self.account.display_name)
            return self._render(form)
        if not form.is_valid():
            return self._render(form)
        return self._accept(
            password=form.cleaned_data["password1"],
            display_name=form.cleaned_data["display_name"],
        )

    def _accept(self, *, password, display_name):
        try:
            user = services.invitation_accept(
                invitation=self.invitation,
                password=password,
                display_name=display_name,
                signed_in=self.request.user if self.request.user.is_authenticated else None,
            )
        except ValidationError:
            return self._unusable(used=True)  # someone used the link a moment ago
        signed_in = self.request.user.is_authenticated and self.request.user.pk == user.pk
        if not signed_in:
            if password is None or not user.check_password(password):
                # The service linked an account made in the meantime: its owner signs in.
                return redirect("accounts:login")
            portal_services.session_sign_in(request=self.request, user=user)
        messages.success(self.request, f"You have joined the {self.review.type_long}")
        return redirect("reviews:review_detail", pk=self.review.pk)
