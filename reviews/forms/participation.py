"""Forms for consent, participants, invitations and independence. No database writes: the views
hand the cleaned data to the services, which have the last word."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.nhsuk import Field, Fieldset, Layout, NHSUKFormMixin, SplitDateField, Submit

from ..models import (
    FAMILY_ROLES,
    GATE_OPEN_DECISIONS,
    ConsentDecision,
    ConsentRecord,
    ConsentRoute,
    InvitedThrough,
    ParticipantRole,
)

# --- Consent -------------------------------------------------------------------------------

DECISION_CHOICES = [
    (ConsentDecision.CONSENTED, "Consented"),
    (ConsentDecision.BEST_INTERESTS, "Best-interests decision"),
    (ConsentDecision.DECLINED, "Declined"),
    (ConsentDecision.WITHDRAWN, "Withdrew consent"),
]
DECISION_HINTS = {
    ConsentDecision.CONSENTED: "They agreed to the review.",
    ConsentDecision.BEST_INTERESTS: (
        "They lack capacity to make this decision, so it was made in their best interests under "
        "the Mental Capacity Act."
    ),
    ConsentDecision.DECLINED: (
        "They do not want the review now. The panel will not see their information. Offer again "
        "later."
    ),
    ConsentDecision.WITHDRAWN: (
        "They have taken back consent they gave. From now on the panel and family will not see "
        "their information."
    ),
}
CHILD_CONSENTED_HINT = (
    "The child agreed to the review, or a person with parental responsibility agreed for them."
)
ROUTES_UNDER_16 = [
    (ConsentRoute.GILLICK, "The child's own consent (Gillick competent)"),
    (ConsentRoute.PARENTAL, "A person with parental responsibility"),
]
ROUTES_16_AND_OVER = [
    (ConsentRoute.OWN, "Their own consent (they have capacity to decide)"),
    (ConsentRoute.BEST_INTERESTS, "Mental Capacity Act: they lack capacity to decide"),
]
FORMAT_CHOICES = [
    (ConsentRecord.Format.STANDARD, "Standard"),
    (ConsentRecord.Format.EASY_READ, "Easy read"),
    (ConsentRecord.Format.SYMBOLS, "Easy read with symbols"),
    (ConsentRecord.Format.LARGE_PRINT, "Large print"),
]
YES_NO = [("yes", "Yes"), ("no", "No")]


def contact_label(contact) -> str:
    relationship = contact.relationship_detail or contact.get_relationship_display()
    return f"{contact.name} ({relationship})"


class ConsentForm(NHSUKFormMixin, forms.Form):
    """One consent decision. Which routes are offered depends on the person's age today: under 16,
    the child's own (Gillick) consent or a person with parental responsibility; 16 and over,
    their own consent or a best-interests decision under the Mental Capacity Act. The service
    checks the route again against their age on the date of the decision."""

    submit_label = "Save decision"

    decision = forms.ChoiceField(
        label="What did they decide?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select what they decided"},
    )
    route = forms.ChoiceField(
        label="How was the decision made?",
        widget=forms.RadioSelect,
        required=False,
        help_text="Only if they consented or a best-interests decision was made.",
        error_messages={"invalid_choice": "Select how the decision was made"},
    )
    given_by = forms.CharField(
        label="Name of the person with parental responsibility", max_length=150, required=False
    )
    capacity_assessed_by = forms.CharField(
        label="Who assessed their capacity to make this decision?",
        help_text="Name and role, for example Dr A Khan, responsible clinician.",
        max_length=150,
        required=False,
        error_messages=limits.too_long("Name and role of who assessed their capacity", 150),
    )
    decision_maker = forms.CharField(
        label="Who made the best-interests decision?",
        help_text="Name and role.",
        max_length=150,
        required=False,
        error_messages=limits.too_long("Name and role of who made the decision", 150),
    )
    consulted = forms.CharField(
        label="Who was consulted?",
        help_text="For example, family carers, an advocate, the care team.",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        error_messages=limits.too_long("Details of who was consulted", limits.NOTE),
    )
    decided_on = SplitDateField(
        label="Date of the decision",
        subject="The date of the decision",
        bounds=limits.RECENT_EVENT,
        help_text="For example, 15 3 2025",
        error_messages={"required": "Enter the date of the decision"},
    )
    in_own_words = forms.CharField(
        label="What the person said, in their own words",
        help_text="Write down what they said, or how they showed it, as closely as you can.",
        widget=forms.Textarea,
        max_length=limits.LONG_NOTE,
        required=False,
        error_messages=limits.too_long("What the person said", limits.LONG_NOTE),
    )
    shares_information = forms.ChoiceField(
        label="Do they agree to their information being shared with the panel?",
        widget=forms.RadioSelect,
        choices=YES_NO,
        required=False,
        help_text="The panel reads their care records and the document pack.",
    )
    report_format = forms.ChoiceField(
        label="How do they want their report?",
        widget=forms.RadioSelect,
        choices=FORMAT_CHOICES,
        initial=ConsentRecord.Format.STANDARD,
        error_messages={"required": "Select how they want their report"},
    )
    may_attend = forms.MultipleChoiceField(
        label="Who may come to the review?",
        help_text="Select everyone they want invited.",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select people from their contacts"},
    )
    may_receive_report = forms.MultipleChoiceField(
        label="Who may receive the report?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select people from their contacts"},
    )

    def __init__(self, *args, person, contacts, today=None, **kwargs):
        self.person = person
        self.contacts = {str(c.pk): c for c in contacts}
        self.under_16 = person.age_on(today or timezone.localdate()) < 16
        self.decision_hints = dict(DECISION_HINTS)
        decisions = DECISION_CHOICES
        if self.under_16:
            # Under 16 there is no best-interests decision: a person with parental
            # responsibility consents for a child who is not Gillick competent.
            decisions = [c for c in DECISION_CHOICES if c[0] != ConsentDecision.BEST_INTERESTS]
            self.decision_hints[ConsentDecision.CONSENTED] = CHILD_CONSENTED_HINT
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = decisions
        self.fields["route"].choices = ROUTES_UNDER_16 if self.under_16 else ROUTES_16_AND_OVER
        choices = [(key, contact_label(c)) for key, c in self.contacts.items()]
        self.fields["may_attend"].choices = choices
        self.fields["may_receive_report"].choices = choices

    def get_layout(self):
        if self.under_16:
            route = Field("route", legend_size="m", conditional={ConsentRoute.PARENTAL: "given_by"})
        else:
            route = Field(
                "route",
                legend_size="m",
                conditional={
                    ConsentRoute.BEST_INTERESTS: [
                        "capacity_assessed_by",
                        "decision_maker",
                        "consulted",
                    ]
                },
            )
        parts = [
            Field("decision", legend_size="m", choice_hints=self.decision_hints),
            route,
            Field("decided_on", legend_size="m"),
            Field("in_own_words", label_size="m", rows=5),
            Field("shares_information", legend_size="m", inline=True),
            Field("report_format", legend_size="m"),
        ]
        if self.contacts:
            parts += [
                Field("may_attend", legend_size="m"),
                Field("may_receive_report", legend_size="m"),
            ]
        parts.append(Submit("submit", self.submit_label))
        return Layout(*parts)

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == ConsentDecision.BEST_INTERESTS and not self.under_16:
            # At 16 and over a best-interests decision is always made under the Mental
            # Capacity Act: do not ask the same thing twice.
            cleaned["route"] = ConsentRoute.BEST_INTERESTS
            self.errors.pop("route", None)
        if decision in GATE_OPEN_DECISIONS:
            route = cleaned.get("route")
            if not route and "route" not in self.errors:
                self.add_error("route", "Select how the decision was made")
            elif route and not self.under_16:
                wanted = (
                    ConsentRoute.BEST_INTERESTS
                    if decision == ConsentDecision.BEST_INTERESTS
                    else ConsentRoute.OWN
                )
                if route != wanted:
                    self.add_error(
                        "route",
                        "Select the Mental Capacity Act for a best-interests decision"
                        if decision == ConsentDecision.BEST_INTERESTS
                        else "Select their own consent, or record a best-interests decision",
                    )
            if not cleaned.get("shares_information"):
                self.add_error(
                    "shares_information",
                    "Select yes if they agree to their information being shared with the panel",
                )
        return cleaned

    def service_arguments(self) -> dict:
        """The keyword arguments for `services.consent_record`, besides actor and review."""
        data = self.cleaned_data
        attend, report = set(data["may_attend"]), set(data["may_receive_report"])
        opens_gate = data["decision"] in GATE_OPEN_DECISIONS
        route = data["route"] if opens_gate else ""
        # Only the answers revealed under the chosen route count: others may have been typed
        # before the route was changed.
        mca = route == ConsentRoute.BEST_INTERESTS
        return {
            "decision": data["decision"],
            "decided_on": data["decided_on"],
            "route": route,
            "shares_information": opens_gate and data["shares_information"] == "yes",
            "in_own_words": data["in_own_words"],
            "given_by": data["given_by"] if route == ConsentRoute.PARENTAL else "",
            "capacity_assessed_by": data["capacity_assessed_by"] if mca else "",
            "decision_maker": data["decision_maker"] if mca else "",
            "consulted": data["consulted"] if mca else "",
            "report_format": data["report_format"],
            "invitees": [
                {
                    "contact": contact,
                    "may_attend": key in attend,
                    "may_receive_report": key in report,
                }
                for key, contact in self.contacts.items()
                if key in attend or key in report
            ],
        }

    @staticmethod
    def initial_from(record) -> dict:
        """Start a new decision from the latest one: the report format and who they chose."""
        if record is None:
            return {}
        invitees = list(record.invitees.all())
        return {
            "report_format": record.report_format,
            "may_attend": [str(i.contact_id) for i in invitees if i.may_attend],
            "may_receive_report": [str(i.contact_id) for i in invitees if i.may_receive_report],
        }


# --- Participants --------------------------------------------------------------------------

ROLE_HINTS = {
    ParticipantRole.CHAIR: "Leads the day and writes the report.",
    ParticipantRole.CLINICAL_EXPERT: (
        "Independent of the person's care. They will be asked to declare it."
    ),
    ParticipantRole.EXPERT_BY_EXPERIENCE: (
        "A person with lived experience or a family carer, independent of the person's care. "
        "They will be asked to declare it."
    ),
    ParticipantRole.PANEL_MEMBER: (
        "For example an education or social care professional, a pharmacist or an autism "
        "specialist."
    ),
    ParticipantRole.FAMILY_CARER: "Only someone the person's consent includes.",
    ParticipantRole.ADVOCATE: "Only someone the person's consent includes.",
}


class ParticipantForm(NHSUKFormMixin, forms.Form):
    """Someone to add to the review. A family carer or advocate is one of the person's contacts;
    their name and email come from the contact when left empty."""

    submit_label = "Add and invite"

    role = forms.ChoiceField(
        label="Role",
        widget=forms.RadioSelect,
        choices=ParticipantRole.choices,
        error_messages={"required": "Select their role in the review"},
    )
    contact = forms.ChoiceField(
        label="Who are they to the person?",
        help_text="For a family carer or advocate: choose them from the person's contacts.",
        required=False,
        error_messages={"invalid_choice": "Select someone from the person's contacts"},
    )
    name = forms.CharField(label="Full name", max_length=150, required=False)
    email = forms.EmailField(
        label="Email address",
        help_text="We will send the invitation here.",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    invited_through = forms.ChoiceField(
        label="How will the invitation reach them?",
        help_text="The person may have no email address: their keyworker or advocate can "
        "pass the invitation on, or it can go on paper.",
        widget=forms.RadioSelect,
        choices=InvitedThrough.choices,
        initial=InvitedThrough.EMAIL,
        required=False,
    )

    def __init__(self, *args, contacts, **kwargs):
        self.contacts = {str(c.pk): c for c in contacts}
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [("", "Select a contact")] + [
            (key, contact_label(c)) for key, c in self.contacts.items()
        ]

    def get_layout(self):
        return Layout(
            Field("role", legend_size="m", choice_hints=ROLE_HINTS),
            Field("contact"),
            Field("name", width="two-thirds", autocomplete="off"),
            Field("email", width="two-thirds"),
            Field("invited_through", legend_size="s"),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        cleaned = super().clean()
        contact = self.contacts.get(cleaned.get("contact") or "")
        cleaned["contact"] = contact
        if cleaned.get("role") in FAMILY_ROLES:
            if contact is None:
                if "contact" not in self.errors:
                    self.add_error("contact", "Select who this is from the person's contacts")
                return cleaned
            if not cleaned.get("name"):
                cleaned["name"] = contact.name
            if not cleaned.get("email") and "email" not in self.errors:
                cleaned["email"] = contact.email
        else:
            cleaned["contact"] = None
        if not cleaned.get("name") and "name" not in self.errors:
            self.add_error("name", "Enter their full name")
        self._clean_route(cleaned)
        return cleaned

    def _clean_route(self, cleaned):
        """Only the person may be invited other than by email, and then needs no address."""
        route = cleaned.get("invited_through") or InvitedThrough.EMAIL
        cleaned["invited_through"] = route
        if route != InvitedThrough.EMAIL:
            if cleaned.get("role") and cleaned["role"] != ParticipantRole.PERSON:
                self.add_error(
                    "invited_through", "Only the person can be invited other than by email"
                )
            return
        if not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", "Enter their email address")


# --- Invitations ---------------------------------------------------------------------------


class InvitationAcceptForm(NHSUKFormMixin, forms.Form):
    """Set up an account from an invitation: a name and a new password, checked by the
    project's password validators."""

    submit_label = "Create account"

    display_name = forms.CharField(
        label="Your name",
        max_length=150,
        error_messages={"required": "Enter your name"},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        help_text=(
            "At least 12 characters. A few unrelated words make a strong password that is easy "
            "to remember."
        ),
        max_length=limits.PASSWORD,
        error_messages={
            "required": "Enter a password",
            **limits.too_long("Password", limits.PASSWORD),
        },
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        max_length=limits.PASSWORD,
        error_messages={
            "required": "Confirm your password",
            **limits.too_long("Password", limits.PASSWORD),
        },
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def get_layout(self):
        return Layout(
            Field("display_name", width="two-thirds"),
            Field("password1", width="two-thirds"),
            Field("password2", width="two-thirds"),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The passwords do not match")
        elif first:
            # Checked against an unsaved account, so the similarity check sees name and email.
            account = get_user_model()(
                email=self.email, display_name=cleaned.get("display_name", "")
            )
            try:
                password_validation.validate_password(first, account)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class JoinReviewForm(NHSUKFormMixin, forms.Form):
    """Someone already signed in with the invited email address joins the review."""

    submit_label = "Join the review"

    def get_layout(self):
        return Layout(Submit("submit", self.submit_label))


# --- Independence --------------------------------------------------------------------------

NO_PART_IN_CARE = "I have no part in this person's care or treatment"
NOT_EMPLOYED_BY_PROVIDER = "I am not employed by the provider of their care"


class IndependenceForm(NHSUKFormMixin, forms.Form):
    submit_label = "Make declaration"

    no_part_in_care = forms.BooleanField(
        label=NO_PART_IN_CARE,
        error_messages={"required": "Confirm that you have no part in this person's care"},
    )
    not_employed_by_provider = forms.BooleanField(
        label=NOT_EMPLOYED_BY_PROVIDER,
        error_messages={"required": "Confirm that you are not employed by their care provider"},
    )
    conflicts = forms.CharField(
        label="Tell us about any connection with the person, their family or their care (optional)",
        help_text="For example, you once worked at the hospital, or you know the family.",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        error_messages=limits.too_long("Details of any connection", limits.NOTE),
    )

    def get_layout(self):
        return Layout(
            Fieldset(
                "Confirm that you are independent",
                Field("no_part_in_care"),
                Field("not_employed_by_provider"),
            ),
            Field("conflicts", label_size="s"),
            Submit("submit", self.submit_label),
        )

    def statement(self) -> str:
        return f"{NO_PART_IN_CARE}. {NOT_EMPLOYED_BY_PROVIDER}."


class AttendanceForm(NHSUKFormMixin, forms.Form):
    """Who took part on the day, the person among them whether or not they have an email."""

    submit_label = "Save who took part"

    attended = forms.MultipleChoiceField(
        label="Who took part in the review?",
        help_text="Select everyone who took part, in person, by video or by phone.",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [
            (str(p.pk), f"{p.name} ({p.get_role_display().lower()})") for p in participants
        ]
        self.initial.setdefault("attended", [str(p.pk) for p in participants if p.attended])

    def get_layout(self):
        return Layout(
            Field("attended", legend_size="m"),
            Submit("submit", self.submit_label),
        )

    def attended_ids(self) -> set[int]:
        return {int(pk) for pk in self.cleaned_data["attended"]}
