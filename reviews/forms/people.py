"""Forms for the register of people: the search, registering and changing a person, contacts,
the Dynamic Support Register rating, admissions and moves, and blue light meetings.

No database writes and no reads of their own here: organisation choices come from the query
functions (reference data, or the user's own organisations passed in by the view).
"""

from django import forms
from django.utils import timezone

from ctr_portal import limits
from ctr_portal.formatting import nhs_date
from ctr_portal.models import Organisation, ReadingFormat, normalise_email
from ctr_portal.nhsuk import (
    ButtonGroup,
    Field,
    Fieldset,
    Layout,
    NHSUKFormMixin,
    SplitDateField,
    Submit,
)
from ctr_portal.queries import organisations_among

from ..models import (
    SECURE_SETTINGS,
    AdmissionRootCause,
    Contact,
    DsrRating,
    MentalHealthActStatus,
    Person,
    RestrictivePractice,
    Setting,
    SettingChange,
    age_on,
)
from ..nhs_number import normalise_nhs_number, validate_nhs_number
from ..policy import ADULT_AGE
from ..queries import (
    PeopleFilter,
    commissioner_choices,
    commissioners_of_kind,
    hospital_choices,
    local_authority_choices,
)

COMMUNITY = Setting.COMMUNITY.value
HOSPITAL = "hospital"

# The four hospital settings by their security level, for the question asked once "in hospital"
# is chosen.
SECURITY_LEVELS = [
    (Setting.NON_SECURE.value, "Non-secure"),
    (Setting.LOW_SECURE.value, "Low secure"),
    (Setting.MEDIUM_SECURE.value, "Medium secure"),
    (Setting.HIGH_SECURE.value, "High secure"),
]


def dsr_meaning(value: str) -> str:
    """What a rating means: 'High risk of admission now'."""
    meaning = DsrRating(value).label.split(": ", 1)[1]
    return meaning[:1].upper() + meaning[1:]


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


# --- Who the person is: asked when registering or changing them, and to find their record ---


class NhsNumberField(forms.CharField):
    """An NHS number as typed (spaces or dashes allowed), checked and given back as 10 digits."""

    def __init__(self):
        super().__init__(
            label="NHS number",
            help_text="This is a 10 digit number, like 485 777 3456",
            max_length=20,
            error_messages={
                "required": "Enter their NHS number",
                "max_length": "NHS number must be 10 digits",
            },
        )

    def clean(self, value):
        value = super().clean(value)
        validate_nhs_number(value)
        return normalise_nhs_number(value)


def family_name_field():
    return forms.CharField(
        label="Last name", max_length=100, error_messages={"required": "Enter their last name"}
    )


def date_of_birth_field():
    return SplitDateField(
        label="Date of birth",
        bounds=limits.BIRTH,
        help_text="For example, 15 3 1984",
        error_messages={"required": "Enter their date of birth"},
    )


# --- Where the person is -------------------------------------------------------------------


# Who commissions a bed (domain.md §4): the kind of organisation, then which one, each kind's
# organisations revealed under its answer. (kind, the answer, the field naming the organisation)
BED_COMMISSIONER_KINDS = [
    (Organisation.Kind.ICB.value, "An integrated care board (ICB)", "bed_icb"),
    (
        Organisation.Kind.SPECIALISED.value,
        "NHS England specialised commissioning",
        "bed_specialised",
    ),
    (Organisation.Kind.COLLABORATIVE.value, "A provider collaborative", "bed_collaborative"),
]
BED_COMMISSIONER_WHEN = (
    "Asked for a child or young person in hospital and for anyone in a secure bed"
)


def _bed_organisation_field(label):
    return OrganisationChoiceField(
        label=label,
        queryset=None,
        required=False,
        empty_label="Select an organisation",
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )


class WhereNowForm(forms.Form):
    """Where the person is now: the community, or a hospital with its security level, the
    hospital itself and the ward. The hospital questions are revealed under "In hospital" (and
    shown anyway without JavaScript); `resolve_where_now()` turns the answers into the model's
    setting."""

    location = forms.ChoiceField(
        label="Where are they now?",
        choices=[(COMMUNITY, "In the community"), (HOSPITAL, "In hospital")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select where they are now",
            "invalid_choice": "Select where they are now",
        },
    )
    hospital_setting = forms.ChoiceField(
        label="Security level",
        choices=SECURITY_LEVELS,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select the security level"},
    )
    provider = OrganisationChoiceField(
        label="Hospital",
        queryset=None,
        required=False,
        empty_label="Select a hospital",
        error_messages={"invalid_choice": "Select a hospital from the list"},
    )
    ward = forms.CharField(label="Ward (optional)", max_length=100, required=False)
    bed_commissioner_kind = forms.ChoiceField(
        label="Who commissions the bed?",
        help_text=BED_COMMISSIONER_WHEN,
        choices=[(kind, label) for kind, label, _field in BED_COMMISSIONER_KINDS],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select who commissions the bed"},
    )
    bed_icb = _bed_organisation_field("Integrated care board")
    bed_specialised = _bed_organisation_field("NHS England specialised commissioning")
    bed_collaborative = _bed_organisation_field("Provider collaborative")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = hospital_choices()
        for kind, _label, name in BED_COMMISSIONER_KINDS:
            self.fields[name].queryset = commissioners_of_kind(kind)

    def hospital_fields(self):
        """The questions revealed under "In hospital"."""
        return [
            Field("hospital_setting", legend_size="s"),
            Field("provider"),
            Field("ward", width=20),
            Field(
                "bed_commissioner_kind",
                legend_size="s",
                conditional={kind: name for kind, _label, name in BED_COMMISSIONER_KINDS},
            ),
        ]

    def where_now_layout(self, legend_size="m"):
        return Field(
            "location", legend_size=legend_size, conditional={HOSPITAL: self.hospital_fields()}
        )

    def resolve_where_now(self):
        """Sets cleaned_data["setting"], and clears the hospital answers in the community."""
        data = self.cleaned_data
        location = data.get("location")
        if location == HOSPITAL:
            if not data.get("hospital_setting") and "hospital_setting" not in self.errors:
                self.add_error("hospital_setting", "Select the security level")
            if not data.get("provider") and "provider" not in self.errors:
                self.add_error("provider", "Select the hospital")
            data["setting"] = data.get("hospital_setting") or ""
        elif location == COMMUNITY:
            data["setting"] = COMMUNITY
            data["hospital_setting"] = ""
            data["provider"] = None
            data["ward"] = ""
        return data

    def resolve_bed_commissioner(self, *, under_18: bool) -> None:
        """Sets cleaned_data["bed_commissioner"]: asked (and needed) for a child in hospital or
        anyone in a secure bed, kept if given for anyone else in hospital, none in the
        community."""
        data = self.cleaned_data
        data["bed_commissioner"] = None
        if data.get("location") != HOSPITAL:
            return
        needed = under_18 or data.get("hospital_setting") in SECURE_SETTINGS
        kind = data.get("bed_commissioner_kind")
        if not kind:
            if needed and "bed_commissioner_kind" not in self.errors:
                self.add_error("bed_commissioner_kind", "Select who commissions the bed")
            return
        name = next(n for k, _label, n in BED_COMMISSIONER_KINDS if k == kind)
        data["bed_commissioner"] = data.get(name)
        if data["bed_commissioner"] is None and name not in self.errors:
            self.add_error(name, "Select the organisation that commissions the bed")


# --- The people list's search -------------------------------------------------------------

SETTING_FILTERS = [
    ("", "Any setting"),
    (COMMUNITY, "In the community"),
    (HOSPITAL, "In hospital (any)"),
    *[(value, f"Hospital, {label.lower()}") for value, label in SECURITY_LEVELS],
]


class PeopleSearchForm(NHSUKFormMixin, forms.Form):
    """Search and filters for the people list. Posted, never sent in a query string: an NHS
    number typed here must not end up in a URL (see PersonListView)."""

    q = forms.CharField(
        label="Name or NHS number",
        help_text="For example, Daniel Clarke or 943 476 5919",
        max_length=100,
        required=False,
    )
    organisation = forms.TypedChoiceField(
        label="Organisation",
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )
    setting = forms.ChoiceField(
        label="Setting",
        choices=SETTING_FILTERS,
        required=False,
        error_messages={"invalid_choice": "Select a setting from the list"},
    )
    dsr_rating = forms.ChoiceField(
        label="Dynamic Support Register rating",
        choices=[("", "Any rating")] + [(r.value, r.short_label) for r in DsrRating],
        required=False,
        error_messages={"invalid_choice": "Select a rating from the list"},
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "All organisations")] + [
            (o.pk, o.name) for o in organisations
        ]

    def get_layout(self):
        return Layout(
            Field("q", width="two-thirds", autocomplete="off", spellcheck="false"),
            Field("organisation"),
            Field("setting"),
            Field("dsr_rating"),
            ButtonGroup(
                Submit("action", "Search", button_value="search"),
                Submit("action", "Clear search", secondary=True, button_value="clear"),
            ),
        )

    def to_filter(self) -> PeopleFilter:
        data = self.cleaned_data
        return PeopleFilter(
            q=data.get("q", "").strip(),
            organisation=data.get("organisation"),
            setting=data.get("setting", ""),
            dsr_rating=data.get("dsr_rating", ""),
        )

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.values())


# --- Registering and changing a person ----------------------------------------------------

DIAGNOSES = [("learning_disability", "Learning disability"), ("autism", "Autism")]
# Said to anyone registering a number already registered, whoever holds it, with a button to
# request a transfer; it names no organisation and says nothing of where (ADR 0018).
NHS_NUMBER_IN_USE = "A person with this NHS number is already registered"  # on changing it
DUPLICATE_NHS_NUMBER = (
    "This NHS number cannot be registered. If this person has moved to your area, request a "
    "transfer of their record"
)


class PersonDetailsForm(NHSUKFormMixin, forms.Form):
    """Who the person is and how to support them: what registering and changing share."""

    given_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter their first name"}
    )
    family_name = family_name_field()
    preferred_name = forms.CharField(
        label="Preferred name (optional)",
        max_length=100,
        required=False,
        help_text="What they like to be called",
    )
    pronouns = forms.CharField(
        label="Pronouns (optional)",
        max_length=40,
        required=False,
        help_text="For example, she/her, he/him or they/them",
    )
    nhs_number = NhsNumberField()
    date_of_birth = date_of_birth_field()
    diagnosis = forms.MultipleChoiceField(
        label="Do they have a learning disability, autism or both?",
        help_text="Select all that apply",
        choices=DIAGNOSES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select learning disability, autism or both"},
    )
    mha_status = forms.ChoiceField(
        label="Mental Health Act status",
        choices=MentalHealthActStatus.choices,
        widget=forms.RadioSelect,
        initial=MentalHealthActStatus.NOT_DETAINED,
        error_messages={"required": "Select their Mental Health Act status"},
    )
    communication = forms.CharField(
        label="How to talk with me (optional)",
        help_text="Their communication needs, in their own words where possible",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
    )
    reading_format = forms.ChoiceField(
        label="How do they need to read things?",
        help_text="Every page, notice and letter they get will follow it",
        choices=ReadingFormat.choices,
        widget=forms.RadioSelect,
        initial=ReadingFormat.STANDARD,
        required=False,
    )
    reasonable_adjustments = forms.CharField(
        label="Reasonable adjustments (optional)",
        help_text="For example, a quiet room, short breaks, or easy read documents",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
    )
    responsible_commissioner = OrganisationChoiceField(
        label="Responsible commissioner",
        help_text="The organisation that arranges their reviews and follows them up",
        queryset=None,
        empty_label="Select an organisation",
        error_messages={
            "required": "Select the responsible commissioner",
            "invalid_choice": "Select one of your organisations",
        },
    )
    host_commissioner = OrganisationChoiceField(
        label="Host commissioner (optional)",
        help_text="Where the hospital is, if that is a different commissioner",
        queryset=None,
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Select a commissioner from the list"},
    )
    local_authority = OrganisationChoiceField(
        label="Local authority (optional)",
        queryset=None,
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Select a local authority from the list"},
    )
    keyworker_name = forms.CharField(
        label="Keyworker's name (optional)",
        help_text="Children and young people with the most complex needs have a keyworker",
        max_length=150,
        required=False,
    )
    keyworker_contact = forms.CharField(
        label="Keyworker's phone number or email address (optional)",
        max_length=200,
        required=False,
    )
    responsible_clinician = forms.CharField(
        label="Responsible clinician (optional)",
        help_text="The doctor in charge of their care and treatment under the Mental Health Act, "
        "with their job title. For example, Dr Amir Khan, consultant psychiatrist",
        max_length=150,
        required=False,
    )
    care_coordinator = forms.CharField(
        label="Care coordinator (optional)",
        help_text="Who coordinates their care in the community, with their team",
        max_length=150,
        required=False,
    )

    def __init__(self, *args, commissioners=(), **kwargs):
        """commissioners: the user's own commissioning organisations."""
        super().__init__(*args, **kwargs)
        own = self.fields["responsible_commissioner"]
        own.queryset = organisations_among(commissioners)
        if len(commissioners) == 1 and not self.initial.get("responsible_commissioner"):
            self.initial["responsible_commissioner"] = commissioners[0].pk
        self.fields["host_commissioner"].queryset = commissioner_choices()
        self.fields["local_authority"].queryset = local_authority_choices()

    # Layout pieces, shared by the register and edit forms.

    def about_layout(self):
        return Fieldset(
            "About them",
            Field("given_name", width="one-half", autocomplete="off", spellcheck="false"),
            Field("family_name", width="one-half", autocomplete="off", spellcheck="false"),
            Field("preferred_name", width="one-half"),
            Field("pronouns", width=20),
            Field("nhs_number", width=10, code=True, inputmode="numeric", autocomplete="off"),
            Field("date_of_birth", legend_size="s"),
            Field("diagnosis", legend_size="s"),
            legend_size="l",
        )

    def support_layout(self):
        return Fieldset(
            "How to support them",
            Field("mha_status", legend_size="s"),
            Field("reading_format", legend_size="s"),
            Field("communication", rows=5),
            Field("reasonable_adjustments", rows=3),
            legend_size="l",
        )

    def organisations_layout(self):
        return Fieldset(
            "Who commissions and supports their care",
            Field("responsible_commissioner"),
            Field("host_commissioner"),
            Field("local_authority"),
            Field("keyworker_name", width="one-half"),
            Field("keyworker_contact", width="two-thirds"),
            Field("responsible_clinician", width="two-thirds"),
            Field("care_coordinator", width="two-thirds"),
            legend_size="l",
        )

    DETAIL_FIELDS = (
        "given_name",
        "family_name",
        "preferred_name",
        "pronouns",
        "nhs_number",
        "date_of_birth",
        "mha_status",
        "reading_format",
        "communication",
        "reasonable_adjustments",
        "responsible_commissioner",
        "host_commissioner",
        "local_authority",
        "keyworker_name",
        "keyworker_contact",
        "responsible_clinician",
        "care_coordinator",
    )

    def person_fields(self) -> dict:
        """The cleaned answers as the model's fields, for the service."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.DETAIL_FIELDS}
        fields["reading_format"] = data.get("reading_format") or ReadingFormat.STANDARD
        for name in ("given_name", "family_name", "preferred_name", "pronouns"):
            fields[name] = fields[name].strip()
        fields["has_learning_disability"] = "learning_disability" in data["diagnosis"]
        fields["has_autism"] = "autism" in data["diagnosis"]
        return fields


DSR_REGISTER_CHOICES = [
    *((r.value, r.short_label) for r in (DsrRating.RED, DsrRating.AMBER, DsrRating.GREEN)),
    ("none", "Not on the register"),
]


class PersonRegisterForm(WhereNowForm, PersonDetailsForm):
    submit_label = "Register person"
    # In page order, so the error summary lists problems in the order the page shows them.
    field_order = [
        "given_name",
        "family_name",
        "preferred_name",
        "pronouns",
        "nhs_number",
        "date_of_birth",
        "diagnosis",
        "location",
        "hospital_setting",
        "provider",
        "ward",
        "bed_commissioner_kind",
        "bed_icb",
        "bed_specialised",
        "bed_collaborative",
        "admission_date",
        "mha_status",
        "communication",
        "reasonable_adjustments",
        "responsible_commissioner",
        "host_commissioner",
        "local_authority",
        "keyworker_name",
        "keyworker_contact",
        "responsible_clinician",
        "care_coordinator",
        "dsr_rating",
        "dsr_reason",
    ]

    admission_date = SplitDateField(
        label="Date admitted",
        bounds=limits.CARE_HISTORY,
        help_text="For example, 27 3 2026",
        required=False,
    )
    dsr_rating = forms.ChoiceField(
        label="Dynamic Support Register rating (optional)",
        help_text="Someone in hospital is rated blue automatically",
        choices=DSR_REGISTER_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    dsr_reason = forms.CharField(
        label="Why this rating? (optional)",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        error_messages=limits.too_long("Reason for the rating", limits.NOTE),
    )

    def hospital_fields(self):
        return [*super().hospital_fields(), Field("admission_date", legend_size="s")]

    def get_layout(self):
        return Layout(
            self.about_layout(),
            Fieldset("Where they are now", self.where_now_layout(legend_size="s"), legend_size="l"),
            self.support_layout(),
            self.organisations_layout(),
            Fieldset(
                "Dynamic Support Register",
                Field(
                    "dsr_rating",
                    legend_size="s",
                    choice_hints={
                        value: dsr_meaning(value)
                        for value, _ in DSR_REGISTER_CHOICES
                        if value != "none"
                    },
                ),
                Field("dsr_reason", rows=3),
                legend_size="l",
            ),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        data = super().clean()
        self.resolve_where_now()
        if data.get("location") == HOSPITAL and "admission_date" not in self.errors:
            admitted = data.get("admission_date")
            born = data.get("date_of_birth")
            if admitted is None:
                self.add_error("admission_date", "Enter the date they were admitted")
            elif born and admitted < born:
                self.add_error("admission_date", "Date admitted must be after their date of birth")
        elif data.get("location") == COMMUNITY:
            data["admission_date"] = None
        born = data.get("date_of_birth")
        self.resolve_bed_commissioner(
            under_18=bool(born) and age_on(born, timezone.localdate()) < ADULT_AGE
        )
        return data

    def person_fields(self) -> dict:
        data = self.cleaned_data
        fields = super().person_fields()
        rating = data.get("dsr_rating")
        fields.update(
            setting=data["setting"],
            provider=data.get("provider"),
            ward=data.get("ward", "").strip(),
            admission_date=data.get("admission_date"),
            bed_commissioner=data.get("bed_commissioner"),
            dsr_rating="" if rating in ("", "none", None) else rating,
        )
        return fields


class PersonEditForm(PersonDetailsForm):
    """Who they are and how to support them. Where they are and their rating change on their
    own pages, so each change is recorded with its date and reason."""

    submit_label = "Save changes"

    ward = forms.CharField(label="Ward (optional)", max_length=100, required=False)

    def __init__(self, *args, person: Person, **kwargs):
        self.person = person
        kwargs["initial"] = {**self.initial_for(person), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        if not person.in_hospital:
            del self.fields["ward"]
            self.helper.layout = self.get_layout()  # the one built above still asks for it

    @staticmethod
    def initial_for(person):
        initial = {name: getattr(person, name) for name in PersonDetailsForm.DETAIL_FIELDS}
        initial["nhs_number"] = person.nhs_number_display
        for name in ("responsible_commissioner", "host_commissioner", "local_authority"):
            initial[name] = getattr(person, f"{name}_id")
        initial["diagnosis"] = [
            value
            for value, flag in (
                ("learning_disability", person.has_learning_disability),
                ("autism", person.has_autism),
            )
            if flag
        ]
        initial["ward"] = person.ward
        return initial

    def get_layout(self):
        parts = [self.about_layout(), self.support_layout(), self.organisations_layout()]
        if "ward" in self.fields:
            parts.insert(
                1, Fieldset("Where they are now", Field("ward", width=20), legend_size="l")
            )
        return Layout(*parts, Submit("submit", self.submit_label))

    def person_fields(self) -> dict:
        fields = super().person_fields()
        if "ward" in self.fields:
            fields["ward"] = self.cleaned_data["ward"].strip()
        return fields


# --- Contacts, rating, setting, blue light meetings ---------------------------------------


class ContactForm(NHSUKFormMixin, forms.Form):
    submit_label = "Add contact"

    name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter their full name"}
    )
    relationship = forms.ChoiceField(
        label="Who are they to the person?",
        choices=Contact.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who they are to the person"},
    )
    relationship_detail = forms.CharField(
        label="Relationship (optional)",
        max_length=100,
        required=False,
        help_text="For example, mother, brother or independent mental health advocate",
    )
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        help_text="We use this to invite them to reviews, if the person agrees",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="Phone number (optional)",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def get_layout(self):
        return Layout(
            Field("name", width="one-half"),
            Field("relationship", legend_size="s"),
            Field("relationship_detail", width="one-half"),
            Field("email", width="two-thirds"),
            Field("phone", width=20),
            Submit("submit", self.submit_label),
        )

    def contact_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "relationship": data["relationship"],
            "relationship_detail": data["relationship_detail"].strip(),
            "email": normalise_email(data["email"]),
            "phone": data["phone"].strip(),
        }


class DsrRatingForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save rating"

    rating = forms.ChoiceField(
        label="Dynamic Support Register rating",
        choices=[(r.value, r.short_label) for r in DsrRating],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a rating"},
    )
    reason = forms.CharField(
        label="Why is the rating changing?",
        help_text="This is kept in their history",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        error_messages={
            "required": "Enter why the rating is changing",
            **limits.too_long("Reason for the change", limits.NOTE),
        },
    )

    def __init__(self, *args, person: Person, **kwargs):
        self.person = person
        super().__init__(*args, **kwargs)
        self.initial.setdefault("rating", person.dsr_rating or None)

    def get_layout(self):
        return Layout(
            Field(
                "rating",
                legend_size="m",
                choice_hints={r.value: dsr_meaning(r.value) for r in DsrRating},
            ),
            Field("reason", rows=4),
            Submit("submit", self.submit_label),
        )

    def clean_rating(self):
        rating = self.cleaned_data["rating"]
        if self.person.in_hospital and rating != DsrRating.BLUE:
            raise forms.ValidationError(
                "Someone in hospital is rated blue. Record their discharge first"
            )
        if not self.person.in_hospital and rating == DsrRating.BLUE:
            raise forms.ValidationError(
                "Blue is for someone in hospital. Record their admission instead"
            )
        return rating


SETTING_CHANGE_KINDS = [
    (kind.value, kind.label) for kind in SettingChange.Kind if kind != SettingChange.Kind.REGISTERED
]


class SettingChangeForm(WhereNowForm, NHSUKFormMixin, forms.Form):
    submit_label = "Save"
    field_order = [
        "kind",
        "effective_date",
        "location",
        "hospital_setting",
        "provider",
        "ward",
        "bed_commissioner_kind",
        "bed_icb",
        "bed_specialised",
        "bed_collaborative",
        "note",
    ]

    kind = forms.ChoiceField(
        label="What happened?",
        choices=SETTING_CHANGE_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what happened"},
    )
    effective_date = SplitDateField(
        label="Date it happened",
        bounds=limits.CARE_HISTORY,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date it happened"},
    )
    note = forms.CharField(
        label="Notes (optional)",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        help_text="For example, why they moved",
    )

    community_review = forms.ChoiceField(
        label="What happens to the community review that is planned?",
        choices=[
            ("close", "Close it: the admission has overtaken it"),
            ("convert", "Hold it as the post-admission review"),
        ],
        initial="close",
        widget=forms.RadioSelect,
        required=False,
        help_text="If a community C(E)TR was already held before the admission, no "
        "post-admission review is needed and the planned one is closed",
        error_messages={"invalid_choice": "Select what happens to the community review"},
    )

    def __init__(self, *args, person: Person, open_community_review=None, **kwargs):
        """open_community_review: the person's open community review, if any: an admission
        asks what becomes of it."""
        self.person = person
        self.open_community_review = open_community_review
        super().__init__(*args, **kwargs)
        self.fields["location"].label = "Where are they now, after this change?"
        if open_community_review is None:
            del self.fields["community_review"]
            self.helper.layout = self.get_layout()  # the one built above still asks for it

    def get_layout(self):
        kind = Field("kind", legend_size="m")
        if "community_review" in self.fields:
            kind = Field(
                "kind",
                legend_size="m",
                conditional={
                    SettingChange.Kind.ADMISSION.value: Field("community_review", legend_size="s")
                },
            )
        return Layout(
            kind,
            Field("effective_date", legend_size="s"),
            self.where_now_layout(legend_size="s"),
            Field("note", rows=3),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        data = super().clean()
        self.resolve_where_now()
        kind, location = data.get("kind"), data.get("location")
        person, kinds = self.person, SettingChange.Kind
        name = person.known_as
        when = data.get("effective_date")
        if (
            when
            and person.admission_date
            and kind != kinds.ADMISSION
            and when < person.admission_date
        ):
            self.add_error(
                "effective_date",
                "Date it happened must be on or after the date they "
                f"were admitted ({nhs_date(person.admission_date)})",
            )
        if kind == kinds.ADMISSION:
            if person.in_hospital:
                self.add_error(
                    "kind",
                    f"{name} is already in hospital. Select moved hospital or "
                    "security level changed",
                )
            elif location == COMMUNITY:
                self.add_error("location", "Select in hospital: an admission is to hospital")
        elif kind == kinds.DISCHARGE:
            if not person.in_hospital:
                self.add_error("kind", f"{name} is not in hospital")
            elif location == HOSPITAL:
                self.add_error(
                    "location", "Select in the community: a discharge is to the community"
                )
        elif kind in (kinds.MOVE, kinds.SECURITY):
            if not person.in_hospital:
                self.add_error("kind", f"{name} is not in hospital. Select admitted to hospital")
            elif location == COMMUNITY:
                self.add_error("location", "Select in hospital and where they are now")
            elif (
                kind == kinds.MOVE
                and data.get("provider")
                and data["provider"].pk == person.provider_id
            ):
                self.add_error(
                    "provider",
                    f"Select the hospital they moved to. {name} is already "
                    f"at {data['provider'].name}",
                )
            elif kind == kinds.SECURITY and data.get("hospital_setting") == person.setting:
                self.add_error("hospital_setting", "Select the new security level")
        self.resolve_bed_commissioner(
            under_18=person.age_on(when or timezone.localdate()) < ADULT_AGE
        )
        return data

    def change_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "effective_date": data["effective_date"],
            "setting": data["setting"],
            "provider": data.get("provider"),
            "ward": data.get("ward", "").strip(),
            "note": data.get("note", "").strip(),
            "community_review": data.get("community_review") or "close",
            "bed_commissioner": data.get("bed_commissioner"),
        }


class LaepMeetingForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save meeting"

    held_on = SplitDateField(
        label="Date of the meeting",
        bounds=limits.RECENT_EVENT,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date of the meeting"},
    )
    outcome = forms.CharField(
        label="What was agreed?",
        help_text="The outcome of the meeting, and who will do what",
        widget=forms.Textarea,
        max_length=limits.LONG_NOTE,
        error_messages={
            "required": "Enter what was agreed",
            **limits.too_long("Outcome", limits.LONG_NOTE),
        },
    )

    def get_layout(self):
        return Layout(
            Field("held_on", legend_size="s"),
            Field("outcome", rows=5),
            Submit("submit", self.submit_label),
        )


class DiagnosisRemovedForm(NHSUKFormMixin, forms.Form):
    submit_label = "Record the removal"

    removed_on = SplitDateField(
        label="Date the diagnosis was removed",
        bounds=limits.RECENT_EVENT,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date the diagnosis was removed"},
    )

    def get_layout(self):
        return Layout(Field("removed_on", legend_size="s"), Submit("submit", self.submit_label))


class RootCauseForm(NHSUKFormMixin, forms.Form):
    submit_label = "Save the root cause analysis"

    why_no_community_review = forms.CharField(
        label="Why was there no community C(E)TR before the admission?",
        help_text="What happened, and what stopped a community C(E)TR from taking place",
        widget=forms.Textarea,
        max_length=limits.LONG_NOTE,
        error_messages={
            "required": "Enter why there was no community C(E)TR",
            **limits.too_long("Why there was no community C(E)TR", limits.LONG_NOTE),
        },
    )
    on_register = forms.ChoiceField(
        label="Was the child on the Dynamic Support Register before the admission?",
        choices=AdmissionRootCause.OnRegister.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the child was on the register"},
    )
    learning = forms.CharField(
        label="What will be done differently (optional)",
        widget=forms.Textarea,
        max_length=limits.LONG_NOTE,
        required=False,
        error_messages=limits.too_long("What will be done differently", limits.LONG_NOTE),
    )

    def get_layout(self):
        return Layout(
            Field("why_no_community_review", rows=5),
            Field("on_register", legend_size="s"),
            Field("learning", rows=4),
            Submit("submit", self.submit_label),
        )


class SegregationForm(NHSUKFormMixin, forms.Form):
    """Long-term segregation on the person: when it started, on which ward, whether an
    Independent C(E)TR has been held, and when it ended."""

    submit_label = "Save"

    started_on = SplitDateField(
        label="When did long-term segregation start?",
        bounds=limits.CARE_HISTORY,
        help_text="For example, 27 3 2026",
        error_messages={"required": "Enter the date long-term segregation started"},
    )
    ward = forms.CharField(
        label="Ward",
        max_length=100,
        required=False,
        error_messages=limits.too_long("Ward", 100),
    )
    icetr_held = forms.ChoiceField(
        label="Has an Independent C(E)TR been held?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if an Independent C(E)TR has been held"},
    )
    ended_on = SplitDateField(
        label="When did it end? (optional)",
        bounds=limits.CARE_HISTORY,
        help_text="Leave empty while it goes on",
        required=False,
    )

    def __init__(self, *args, person: Person, **kwargs):
        self.person = person
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("started_on", person.segregation_started_on)
        initial.setdefault("ward", person.segregation_ward or person.ward)
        initial.setdefault(
            "icetr_held",
            ("yes" if person.segregation_icetr_held else "no")
            if person.segregation_started_on
            else None,
        )
        initial.setdefault("ended_on", person.segregation_ended_on)
        super().__init__(*args, **kwargs)

    def get_layout(self):
        return Layout(
            Field("started_on", legend_size="s"),
            Field("ward", width="two-thirds"),
            Field("icetr_held", legend_size="s", inline=True),
            Field("ended_on", legend_size="s"),
            Submit("submit", self.submit_label),
        )

    def segregation_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "started_on": data["started_on"],
            "ward": data["ward"].strip(),
            "icetr_held": data["icetr_held"] == "yes",
            "ended_on": data.get("ended_on"),
        }


# --- Checking the details against the Personal Demographics Service (ADR 0019) -------------


def pds_shown(field: str, value) -> str:
    """A detail as the page shows it: an NHS number in its groups, a date the NHS way, an
    address on one line."""
    if not value:
        return "Not given"
    if field == "nhs_number":
        return f"{value[:3]} {value[3:6]} {value[6:]}"
    if field == "date_of_birth":
        return nhs_date(value)
    if field == "address":
        return ", ".join(line for line in value.splitlines() if line.strip())
    if field == "gp_ods_code":
        return f"ODS code {value}"
    return str(value)


class PdsCheckForm(NHSUKFormMixin, forms.Form):
    """Nothing to answer: the button that asks PDS."""

    submit_label = "Check with PDS"


class PdsChoiceForm(NHSUKFormMixin, forms.Form):
    """For each detail where what we hold (or what was typed) and PDS differ: which to keep.
    `differences` come from `reviews.pds.compare`; `ours_label` says whose the other value is
    ("What you entered", "What we hold")."""

    OURS, THEIRS = "ours", "pds"

    def __init__(self, *args, differences, ours_label, submit_label, **kwargs):
        self.differences = differences
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        for difference in differences:
            label = difference.label.lower() if difference.field != "nhs_number" else "NHS number"
            self.fields[difference.field] = forms.ChoiceField(
                label=difference.label,
                choices=[
                    (self.OURS, f"{ours_label}: {pds_shown(difference.field, difference.ours)}"),
                    (self.THEIRS, f"PDS: {pds_shown(difference.field, difference.theirs)}"),
                ],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select which {label} to keep",
                    "invalid_choice": f"Select which {label} to keep",
                },
            )
        self.helper.layout = self.get_layout()  # the one built before the fields were added

    def get_layout(self):
        return Layout(
            *(Field(d.field, legend_size="m") for d in getattr(self, "differences", [])),
            Submit("submit", self.submit_label),
        )

    def chosen(self) -> dict:
        """{field: the value chosen}, for the service."""
        return {
            d.field: d.theirs if self.cleaned_data[d.field] == self.THEIRS else d.ours
            for d in self.differences
        }


class RestrictivePracticeForm(NHSUKFormMixin, forms.Form):
    """Restraint, seclusion or segregation the hospital reported: one day, or a period and how
    many times in it."""

    submit_label = "Save"

    kind = forms.ChoiceField(
        label="What was used?",
        choices=RestrictivePractice.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what was used"},
    )
    occurred_on = SplitDateField(
        label="When was it used?",
        bounds=limits.CARE_HISTORY,
        help_text="The day, or the first day of a period. For example, 27 3 2026",
        error_messages={"required": "Enter the date it was used"},
    )
    ended_on = SplitDateField(
        label="Last day of the period (optional)",
        bounds=limits.CARE_HISTORY,
        help_text="Leave empty for a single day",
        required=False,
    )
    count = forms.IntegerField(
        label="How many times?",
        help_text="On that day, or in the period",
        initial=1,
        min_value=1,
        max_value=999,
        error_messages={
            "required": "Enter how many times it was used",
            "invalid": "How many times must be a number, like 3",
            "min_value": "How many times must be 1 or more",
            "max_value": "How many times must be 999 or fewer",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        help_text="What led to it and what the hospital is doing to reduce it",
        widget=forms.Textarea,
        max_length=limits.NOTE,
        required=False,
        error_messages=limits.too_long("Note", limits.NOTE),
    )

    def clean(self):
        data = super().clean()
        first, last = data.get("occurred_on"), data.get("ended_on")
        if first and last and last < first:
            self.add_error("ended_on", "The last day must be the same as or after the first day")
        return data

    def practice_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "occurred_on": data["occurred_on"],
            "ended_on": data.get("ended_on"),
            "count": data["count"],
            "note": data.get("note", ""),
        }

    def get_layout(self):
        return Layout(
            Field("kind", legend_size="s"),
            Field("occurred_on", legend_size="s"),
            Field("ended_on", legend_size="s"),
            Field("count", width=3),
            Field("note", rows=4),
            Submit("submit", self.submit_label),
        )
