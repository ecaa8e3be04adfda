"""Demo people and reviews: adults and children, in hospital and in the community, every DSR
rating and every lifecycle state. Made-up people only. Idempotent: a person already there (by
NHS number) is left as it is."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from . import services
from .models import (
    OPEN_STATES,
    ConsentInvitee,
    ConsentRecord,
    Contact,
    DsrRatingChange,
    LaepMeeting,
    Participant,
    Person,
    Review,
    ReviewEvent,
    SettingChange,
)
from .nhs_number import made_up_nhs_number
from .policy import due_date_for


def _nhs(n):
    """A valid made-up NHS number in the 999 range, which is never issued to real patients."""
    return made_up_nhs_number(999_000_000 + n * 13)


def _years_ago(today, years, days=0):
    try:
        return today.replace(year=today.year - years) - timedelta(days=days)
    except ValueError:
        return date(today.year - years, 3, 1) - timedelta(days=days)


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


PEOPLE = [
    # key, given, family, age, ld, autism, setting, dsr, admitted days ago, org
    ("daniel", "Daniel", "Clarke", 24, True, True, "non_secure", "blue", 20, "icb"),
    ("aisha", "Aisha", "Khan", 16, False, True, "non_secure", "blue", 70, "icb"),
    ("tyler", "Tyler", "Brooks", 14, True, False, "community", "red", None, "icb"),
    ("grace", "Grace", "Oduya", 30, True, False, "community", "amber", None, "icb"),
    ("marcus", "Marcus", "Webb", 35, True, True, "medium_secure", "blue", 420, "specialised"),
    ("sophie", "Sophie", "Turner", 19, False, True, "non_secure", "blue", 190, "icb"),
    ("noah", "Noah", "Green", 45, True, False, "non_secure", "blue", 200, "icb"),
    ("liam", "Liam", "Patel", 27, True, False, "non_secure", "blue", 400, "icb"),
    ("chloe", "Chloe", "Evans", 17, True, False, "community", "green", None, "icb"),
    ("ryan", "Ryan", "Hughes", 40, True, False, "high_secure", "blue", 900, "specialised"),
    ("ella", "Ella", "Morris", 22, False, True, "community", "green", None, "icb"),
    ("kai", "Kai", "Robinson", 29, True, True, "community", "amber", None, "icb_other"),
]

COMMUNICATION = {
    "daniel": "Call me Dan. Speak slowly and give me time to answer. I like to see things "
    "written down. Loud rooms make me anxious; I do better with one person at a time.",
    "aisha": "I use some Makaton. Tell me what will happen before it happens. Please do not "
    "touch me without asking.",
    "tyler": "Short sentences. I like talking about football. My mum helps me explain.",
}


def seed_people_and_reviews(sender=None, *, stdout=None, **kwargs):
    from ctr_portal.demo import ORGANISATIONS
    from ctr_portal.models import Organisation, User

    users = {u.email.split("@")[0]: u for u in User.objects.exclude(demo_persona="")}
    orgs = {key: Organisation.objects.get(name=name) for key, (name, _, _) in ORGANISATIONS.items()}
    commissioner = users["commissioner"]
    today = timezone.localdate()
    made = 0
    for n, row in enumerate(PEOPLE, start=1):
        if Person.objects.filter(nhs_number=_nhs(n)).exists():
            continue
        key = row[0]
        person = _seed_person(n, row, orgs, commissioner, today)
        mother = _seed_contacts(person, key)
        _seed_reviews(key, person, mother, users, commissioner, today)
        made += 1
    if stdout:
        stdout.write(f"Demo people added: {made}")


def _seed_person(n, row, orgs, commissioner, today):
    """The person of PEOPLE's row `n`, with where they are and their rating as first recorded."""
    key, given, family, age, ld, autism, setting, dsr, admitted, org = row
    in_hospital = setting != "community"
    person = Person.objects.create(
        given_name=given,
        family_name=family,
        nhs_number=_nhs(n),
        preferred_name="Dan" if key == "daniel" else "",
        pronouns="he/him"
        if key in ("daniel", "tyler", "marcus", "noah", "liam", "ryan", "kai")
        else "she/her",
        date_of_birth=_years_ago(today, age, days=40 + n * 11),
        has_learning_disability=ld,
        has_autism=autism,
        setting=setting,
        provider=orgs["provider"] if in_hospital else orgs["provider_community"],
        ward={"daniel": "Willow ward", "aisha": "Birch ward (young people)"}.get(
            key, "Oak ward" if in_hospital else ""
        ),
        admission_date=today - timedelta(days=admitted) if admitted else None,
        mha_status="s3" if in_hospital else "not_detained",
        communication=COMMUNICATION.get(key, "Ask me how I am feeling first. Use plain words."),
        reasonable_adjustments="Quiet room; breaks every 45 minutes." if key == "daniel" else "",
        responsible_commissioner=orgs[org],
        host_commissioner=orgs["icb"] if org == "specialised" else None,
        local_authority=orgs["local_authority"],
        keyworker_name="Sara Lewis" if age < 18 else "",
        keyworker_contact="sara.lewis@demo.example" if age < 18 else "",
        dsr_rating=dsr,
        created_by=commissioner,
    )
    SettingChange.objects.create(
        person=person,
        kind="admission" if in_hospital else "registered",
        effective_date=person.admission_date or today - timedelta(days=60),
        setting=setting,
        provider=person.provider,
        ward=person.ward,
        recorded_by=commissioner,
    )
    DsrRatingChange.objects.create(
        person=person,
        rating=dsr,
        recorded_by=commissioner,
        reason="Agreed at the Dynamic Support Register meeting",
    )
    return person


def _seed_contacts(person, key):
    """Their mother (Daniel's has the family carer's demo login) and an advocate; returns the
    mother."""
    mother = Contact.objects.create(
        person=person,
        name="Maureen Clarke" if key == "daniel" else f"{person.family_name} family",
        relationship="family_carer",
        relationship_detail="Mother",
        email="family@demo.example" if key == "daniel" else f"{key}.family@demo.example",
        phone="07700 900123",
    )
    Contact.objects.create(
        person=person,
        name="Ravi Desai",
        relationship="advocate",
        relationship_detail="Independent advocate (IMHA)",
        email=f"advocate.{key}@demo.example",
    )
    return mother


def _review(
    person,
    kind,
    state,
    commissioner,
    *,
    due,
    starts=None,
    held=None,
    reason="",
    event_reason="",
    requested_by="",
):
    due_rule = due_date_for(person=person, kind=kind, today=timezone.localdate(), last_held=held)
    review = Review.objects.create(
        person=person,
        kind=kind,
        state=state,
        commissioner=person.responsible_commissioner,
        setting=person.setting,
        provider=person.provider,
        due_date=due,
        due_rule=due_rule.rule.code,
        due_basis=due_rule.basis,
        starts_at=starts,
        duration_minutes=420 if starts else None,
        venue="Riverside Hospital, Cedar meeting room"
        if starts and person.in_hospital
        else ("Harbour Community Centre" if starts else ""),
        held_on=held,
        state_reason=reason,
        event_reason=event_reason,
        requested_by=requested_by,
        created_by=commissioner,
        late_reason="Family could not attend earlier dates"
        if starts and timezone.localdate(starts) > due
        else "",
    )
    ReviewEvent.objects.create(
        review=review, kind="transition", to_state="planned", summary="Planned", actor=commissioner
    )
    if state != "planned":
        ReviewEvent.objects.create(
            review=review,
            kind="transition",
            from_state="planned",
            to_state=state,
            summary=f"Planned → {review.get_state_display()}",
            reason=reason,
            actor=commissioner,
        )
    if starts:
        services.agenda_generate(review=review)
    return review


def _panel(review, users, commissioner, *, declared=True, family=None, person_user=None):
    now = timezone.now()

    def add(role, user, name, email, **fields):
        Participant.objects.create(
            review=review,
            role=role,
            user=user,
            name=name,
            email=email,
            added_by=commissioner,
            invited_at=now,
            **fields,
        )

    rows = [
        ("chair", users["chair"]),
        ("clinical_expert", users["clinical.expert"]),
        ("expert_by_experience", users["ebe"]),
    ]
    for role, user in rows:
        add(
            role,
            user,
            user.display_name,
            user.email,
            independence_declared_at=now if declared and role != "chair" else None,
            independence_statement="I have no part in this person's care and I am not "
            "employed by the provider."
            if declared
            else "",
        )
    if family is not None:
        user = users.get("family") if family.email == "family@demo.example" else None
        add("family_carer", user, family.name, family.email, contact=family)
    if person_user is not None:
        add("person", person_user, person_user.display_name, person_user.email)


def _consent(review, commissioner, family, *, best_interests=False, decided_on):
    record = ConsentRecord.objects.create(
        review=review,
        decision="best_interests" if best_interests else "consented",
        route="best_interests"
        if best_interests
        else ("gillick" if review.person.age_on(decided_on) < 16 else "own"),
        shares_information=True,
        in_own_words="" if best_interests else "Yes. I want Mum there. Not too many people.",
        capacity_assessed_by="Dr Amir Khan, responsible clinician" if best_interests else "",
        decision_maker="Asha Patel, case manager" if best_interests else "",
        consulted="Mother; independent advocate; named nurse" if best_interests else "",
        decided_on=decided_on,
        report_format="easy_read",
        recorded_by=commissioner,
    )
    ConsentInvitee.objects.create(
        consent=record, contact=family, may_attend=True, may_receive_report=True
    )
    ReviewEvent.objects.create(
        review=review,
        kind="consent",
        actor=commissioner,
        summary=f"Consent: {record.get_decision_display()}",
    )
    return record


@dataclass(frozen=True)
class _Plan:
    """A demo review. Its due date, its day (held on it once the review is past it) and the day
    of the consent decision count in days from today, or from the admission."""

    person: str
    kind: str
    state: str
    due: int
    day: int | None = None
    consent: int | None = None
    panel: bool = False  # the panel and the family carer invited
    reason: str = ""
    requested_by: str = ""
    from_admission: bool = False


# The reviews, oldest first, through every state of the lifecycle. Daniel's is `_seed_daniel`'s;
# Tyler has none, only a meeting under the local area emergency protocol.
REVIEWS = [
    _Plan("aisha", "inpatient_repeat", "scheduled", due=30, day=35),
    _Plan("grace", "community", "planned", due=-3),
    _Plan("marcus", "inpatient_repeat", "ready", due=3, day=1, consent=-20, panel=True),
    _Plan("sophie", "inpatient_repeat", "report_drafting", due=0, day=-3, consent=-30, panel=True),
    _Plan("noah", "inpatient_repeat", "held", due=5, day=-1, consent=-25, panel=True),
    _Plan("liam", "post_admission", "closed", due=28, day=21, consent=7, from_admission=True),
    _Plan("liam", "inpatient_repeat", "report_issued", due=-10, day=-20, consent=-40, panel=True),
    _Plan("chloe", "community", "follow_up", due=-50, day=-55, consent=-70),
    _Plan(
        "ryan",
        "inpatient_repeat",
        "postponed",
        due=-12,
        reason="Ward closed to visitors after an outbreak; new date being agreed",
    ),
    _Plan(
        "ella",
        "requested",
        "cancelled",
        due=-30,
        reason="Ella and her family asked to stop: support at home is working",
        requested_by="Ella's mother",
    ),
    _Plan("kai", "community", "planned", due=12),
]


def _seed_reviews(key, person, family, users, commissioner, today):
    if key == "daniel":
        _seed_daniel(person, family, users, commissioner, today)
    elif key == "tyler":
        LaepMeeting.objects.create(
            person=person,
            held_on=today - timedelta(days=6),
            outcome="Crisis support at home for two weeks; admission "
            "avoided. Community C(E)TR to be arranged.",
            recorded_by=commissioner,
        )
    for plan in REVIEWS:
        if plan.person == key:
            _seed_plan(plan, person, family, users, commissioner, today)


def _seed_plan(plan, person, family, users, commissioner, today):
    start = person.admission_date if plan.from_admission else today
    day = None if plan.day is None else start + timedelta(days=plan.day)
    review = _review(
        person,
        plan.kind,
        plan.state,
        commissioner,
        due=start + timedelta(days=plan.due),
        starts=_at(day) if day else None,
        held=day if plan.state not in OPEN_STATES else None,
        reason=plan.reason,
        requested_by=plan.requested_by,
    )
    if plan.consent is not None:
        _consent(review, commissioner, family, decided_on=start + timedelta(days=plan.consent))
    if plan.panel:
        _panel(review, users, commissioner, family=family)


def _seed_daniel(person, family, users, commissioner, today):
    """Daniel's post-admission C(E)TR is being prepared: a best-interests decision, Daniel and
    his mother invited, and of the experts only the clinical expert has declared independence."""
    review = _review(
        person,
        "post_admission",
        "preparing",
        commissioner,
        due=person.admission_date + timedelta(days=28),
        starts=_at(today + timedelta(days=10)),
    )
    _consent(
        review, commissioner, family, best_interests=True, decided_on=today - timedelta(days=2)
    )
    _panel(review, users, commissioner, declared=False, family=family, person_user=users["person"])
    Participant.objects.filter(review=review, role="clinical_expert").update(
        independence_declared_at=timezone.now(),
        independence_statement="I have no part in Daniel's care.",
    )
