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
    MeetingFormat,
    Participant,
    Person,
    RestrictivePractice,
    Review,
    ReviewEvent,
    SettingChange,
    TransferRequest,
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


def _at(day):
    """The demo reviews start at half past nine; the agenda starts with them."""
    return timezone.make_aware(datetime.combine(day, time(9, 30)))


PEOPLE = [
    # key, given, family, age, ld, autism, setting, dsr, admitted days ago, org
    ("daniel", "Daniel", "Clarke", 24, True, True, "non_secure", "blue", 20, "icb"),
    # A child in hospital is NHS England specialised commissioning's (domain.md §4).
    ("aisha", "Aisha", "Khan", 16, False, True, "non_secure", "blue", 70, "specialised"),
    ("tyler", "Tyler", "Brooks", 14, True, False, "community", "red", None, "icb"),
    ("grace", "Grace", "Oduya", 30, True, False, "community", "amber", None, "icb"),
    ("marcus", "Marcus", "Webb", 35, True, True, "medium_secure", "blue", 380, "specialised"),
    ("sophie", "Sophie", "Turner", 19, False, True, "non_secure", "blue", 190, "icb"),
    ("noah", "Noah", "Green", 45, True, False, "non_secure", "blue", 200, "icb"),
    ("liam", "Liam", "Patel", 27, True, False, "non_secure", "blue", 400, "icb"),
    ("chloe", "Chloe", "Evans", 17, True, False, "community", "green", None, "icb"),
    ("ryan", "Ryan", "Hughes", 40, True, False, "high_secure", "blue", 800, "specialised"),
    ("ella", "Ella", "Morris", 22, False, True, "community", "green", None, "icb"),
    ("kai", "Kai", "Robinson", 29, True, True, "community", "amber", None, "icb_other"),
]

# Not everyone in hospital is on section 3: Noah is an informal patient.
DETENTION = {
    "daniel": "s2",
    "aisha": "s3",
    "marcus": "s37_41",
    "sophie": "s3",
    "noah": "not_detained",
    "liam": "s3",
    "ryan": "s47_49",
}

# The family carer each person has, by name. Liam's mother has the family carer's demo login:
# she follows his reviews in the portal, with an issued report and its recommendations.
FAMILY_LOGIN = "liam"
FAMILY = {
    "daniel": ("Maureen Clarke", "Mother"),
    "aisha": ("Samina Khan", "Mother"),
    "tyler": ("Donna Brooks", "Mother"),
    "grace": ("Joseph Oduya", "Father"),
    "marcus": ("Carol Webb", "Mother"),
    "sophie": ("Helen Turner", "Mother"),
    "noah": ("Ruth Green", "Sister"),
    "liam": ("Meera Patel", "Mother"),
    "chloe": ("Gareth Evans", "Father"),
    "ryan": ("Linda Hughes", "Mother"),
    "ella": ("Sarah Morris", "Mother"),
    "kai": ("Andrea Robinson", "Mother"),
}

COMMUNICATION = {
    "daniel": "Call me Dan. Speak slowly and give me time to answer. I like to see things "
    "written down. Loud rooms make me anxious; I do better with one person at a time.",
    "aisha": "I use some Makaton. Tell me what will happen before it happens. Please do not "
    "touch me without asking.",
    "tyler": "Short sentences. I like talking about football. My mum helps me explain.",
}


# The care team's planned discharge date, in days from today: Liam's is set, Sophie's has
# passed (the person's page sets each against the time since admission).
PLANNED_DISCHARGE = {"liam": 95, "sophie": -12}


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
    _seed_transfer_request(orgs, users)
    # Daniel reads easy read: his own account follows his record.
    if "person" in users and users["person"].reading_format != "easy_read":
        from ctr_portal.services import reading_format_set

        reading_format_set(user=users["person"], reading_format="easy_read")
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
        mha_status=DETENTION.get(key, "not_detained"),
        communication=COMMUNICATION.get(key, "Ask me how I am feeling first. Use plain words."),
        reasonable_adjustments="Quiet room; breaks every 45 minutes." if key == "daniel" else "",
        reading_format="easy_read" if key in ("daniel", "aisha") else "standard",
        responsible_commissioner=orgs[org],
        host_commissioner=orgs["icb"] if org == "specialised" else None,
        # Who commissions the bed of a child in hospital or anyone in a secure bed.
        bed_commissioner=orgs["specialised"] if org == "specialised" and in_hospital else None,
        local_authority=orgs["local_authority"],
        keyworker_name="Sara Lewis" if age < 18 else "",
        keyworker_contact="sara.lewis@demo.example" if age < 18 else "",
        responsible_clinician="Dr Amir Khan, consultant psychiatrist" if in_hospital else "",
        care_coordinator="Jo Patel, community learning disability team",
        dsr_rating=dsr,
        # Liam's home address (as PDS would give it): his letters can be posted.
        address="14 Mill Lane\nRiverside\nLeeds\nLS6 2DT" if key == "liam" else "",
        created_by=commissioner,
        planned_discharge_date=today + timedelta(days=PLANNED_DISCHARGE[key])
        if key in PLANNED_DISCHARGE
        else None,
        **(_segregation(today) if key == "ryan" else {}),
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


def _seed_transfer_request(orgs, users):
    """Grace Oduya has moved to South Vale: its commissioner asked for her record, and the
    demo ICB's commissioner has it to accept or refuse (dashboard and Grace's page)."""
    grace = Person.objects.filter(given_name="Grace", family_name="Oduya").first()
    if grace is None or grace.responsible_commissioner_id != orgs["icb"].pk:
        return
    TransferRequest.objects.get_or_create(
        person=grace,
        to_organisation=orgs["icb_other"],
        state=TransferRequest.State.PENDING,
        defaults={
            "from_organisation": orgs["icb"],
            "requested_by": users["commissioner.southvale"],
            "requested_at": timezone.now() - timedelta(days=2),
        },
    )


def _segregation(today):
    """Ryan has been in long-term segregation for four months; no Independent C(E)TR yet."""
    return {
        "segregation_started_on": today - timedelta(days=120),
        "segregation_ward": "Ash suite",
        "segregation_icetr_held": False,
    }


def _seed_contacts(person, key):
    """Their family carer, named (Liam's mother has the family carer's demo login), and an
    advocate; returns the family carer."""
    name, detail = FAMILY[key]
    mother = Contact.objects.create(
        person=person,
        name=name,
        relationship="family_carer",
        relationship_detail=detail,
        email="family@demo.example" if key == FAMILY_LOGIN else f"{key}.family@demo.example",
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


def _review(person, plan, commissioner, *, planned, day=None, last_held=None):
    """A review as the rule table would have planned it on `planned`: its due date and the rule
    and basis the page shows agree, counting from the admission, the last review held or the
    day it was planned."""
    due = due_date_for(person=person, kind=plan.kind, today=planned, last_held=last_held)
    held = day if plan.state not in OPEN_STATES else None
    starts = _at(day) if day else None
    review = Review.planned_for(
        person,
        due,
        kind=plan.kind,
        state=plan.state,
        starts_at=starts,
        # A community review meets by video for a morning (its agenda has no look at a ward);
        # a hospital review is a day on the ward.
        duration_minutes=(480 if person.in_hospital else 240) if starts else None,
        venue="Riverside Hospital, Cedar meeting room" if starts and person.in_hospital else "",
        video_link=f"https://meet.example.com/ctr-{person.pk}"
        if starts and not person.in_hospital
        else "",
        meeting_format=MeetingFormat.IN_PERSON if person.in_hospital else MeetingFormat.VIDEO,
        held_on=held,
        state_reason=plan.reason,
        requested_by=plan.requested_by,
        created_by=commissioner,
        created_at=_at(planned),
        late_reason="Family could not attend earlier dates" if day and day > due.date else "",
    )
    review.save()
    _review_events(review, commissioner, due)
    if starts:
        services.agenda_generate(review=review)
    return review


def _review_events(review, commissioner, due):
    when = review.created_at
    ReviewEvent.objects.create(
        review=review,
        kind="transition",
        to_state="planned",
        summary="Planned",
        actor=commissioner,
        occurred_at=when,
    )
    ReviewEvent.objects.create(
        review=review,
        kind="due_date",
        summary=f"Due by {due.date:%-d %B %Y}",
        reason=due.rule.description,
        actor=commissioner,
        occurred_at=when,
    )
    if review.state != "planned":
        ReviewEvent.objects.create(
            review=review,
            kind="transition",
            from_state="planned",
            to_state=review.state,
            summary=f"Planned → {review.get_state_display()}",
            reason=review.state_reason,
            actor=commissioner,
            occurred_at=min(timezone.now(), review.starts_at or timezone.now()),
        )


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
    """A demo review: when it was planned and its day (held on it once the review is past
    it), in days from today, and the day of the consent decision in days before its day (or,
    with no day, from today). Its due date comes from the rule table."""

    person: str
    kind: str
    state: str
    planned: int
    day: int | None = None
    consent: int | None = None
    panel: bool = False  # the panel and the family carer invited
    reason: str = ""
    requested_by: str = ""


def _earlier(person, kind, planned, day, consent=7):
    """A review held and closed long ago: people long in hospital have a history."""
    return _Plan(person, kind, "closed", planned=planned, day=day, consent=consent)


# The reviews, each person's oldest first, through every state of the lifecycle. Daniel's is
# `_seed_daniel`'s; Tyler has none, only a meeting under the local area emergency protocol.
REVIEWS = [
    _earlier("aisha", "post_admission", planned=-69, day=-58),
    _Plan("aisha", "inpatient_repeat", "scheduled", planned=-57, day=30),
    _Plan("grace", "community", "planned", planned=-17),
    _earlier("marcus", "post_admission", planned=-378, day=-359),
    _Plan("marcus", "inpatient_repeat", "ready", planned=-358, day=1, consent=21, panel=True),
    _earlier("sophie", "post_admission", planned=-189, day=-166),
    _Plan("sophie", "inpatient_repeat", "report_drafting", -165, day=-3, consent=27, panel=True),
    _earlier("noah", "post_admission", planned=-199, day=-174),
    _Plan("noah", "inpatient_repeat", "held", planned=-173, day=-1, consent=24, panel=True),
    _earlier("liam", "post_admission", planned=-399, day=-379),
    _earlier("liam", "inpatient_repeat", planned=-378, day=-200),
    _Plan("liam", "inpatient_repeat", "report_issued", -199, day=-20, consent=20, panel=True),
    _Plan("chloe", "community", "follow_up", planned=-68, day=-55, consent=11),
    _earlier("ryan", "post_admission", planned=-799, day=-778),
    _earlier("ryan", "inpatient_repeat", planned=-777, day=-415),
    _Plan(
        "ryan",
        "inpatient_repeat",
        "postponed",
        planned=-414,
        reason="Ward closed to visitors after an outbreak; new date being agreed",
    ),
    _Plan(
        "ella",
        "requested",
        "cancelled",
        planned=-58,
        reason="Ella and her family asked to stop: support at home is working",
        requested_by="Ella's mother",
    ),
    _Plan("kai", "community", "planned", planned=-2),
]


# Restraint and seclusion the hospital reported for people with a history of reviews: what
# the person's page lists and the next report's "since the last review" counts. (kind, days
# ago it began, days ago it ended or None, how many times, note)
RESTRICTIVE_PRACTICE = {
    "liam": [
        ("physical", 260, 231, 6, "Mostly at shift changes; the ward tries a quieter handover."),
        ("prone", 150, None, 1, "Reviewed by the ward's reducing restrictive practice lead."),
        ("physical", 120, 91, 3, "Fewer than in the months before."),
        ("seclusion", 64, None, 1, "Four hours, after a visit home was cancelled."),
        ("rapid_tranquillisation", 64, None, 1, ""),
    ],
    "sophie": [
        ("physical", 100, 71, 2, "When she was told about a move of ward."),
        ("seclusion", 40, None, 1, "Ended after two hours."),
    ],
}


def _seed_restrictive_practice(key, person, commissioner, today):
    for kind, began, ended, count, note in RESTRICTIVE_PRACTICE.get(key, []):
        RestrictivePractice.objects.create(
            person=person,
            kind=kind,
            occurred_on=today - timedelta(days=began),
            ended_on=None if ended is None else today - timedelta(days=ended),
            count=count,
            note=note,
            recorded_by=commissioner,
        )


def _seed_reviews(key, person, family, users, commissioner, today):
    _seed_restrictive_practice(key, person, commissioner, today)
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
    last_held = None
    for plan in REVIEWS:
        if plan.person == key:
            review = _seed_plan(plan, person, family, users, commissioner, today, last_held)
            last_held = review.held_on or last_held


def _seed_plan(plan, person, family, users, commissioner, today, last_held):
    day = None if plan.day is None else today + timedelta(days=plan.day)
    planned = today + timedelta(days=plan.planned)
    review = _review(person, plan, commissioner, planned=planned, day=day, last_held=last_held)
    if plan.consent is not None:
        decided = (day or today) - timedelta(days=plan.consent)
        _consent(review, commissioner, family, decided_on=min(decided, today))
    if plan.panel:
        _panel(review, users, commissioner, family=family)
    return review


def _seed_daniel(person, family, users, commissioner, today):
    """Daniel's post-admission C(E)TR is being prepared: a best-interests decision, Daniel and
    his mother invited, and of the experts only the clinical expert has declared independence.

    Before he was admitted his mother asked for a review, which was held in the community; its
    report is issued (reports/demo.py), so his portal offers him its easy read version first."""
    asked = today - timedelta(days=75)
    earlier = _review(
        person,
        _Plan(
            "daniel",
            "requested",
            "report_issued",
            planned=-75,
            day=-45,
            requested_by="Daniel's mother",
        ),
        commissioner,
        planned=asked,
        day=today - timedelta(days=45),
    )
    Review.objects.filter(pk=earlier.pk).update(
        venue="Harbour Community Support Services, Quay Street"
    )
    _consent(earlier, commissioner, family, decided_on=today - timedelta(days=55))
    _panel(earlier, users, commissioner, family=family, person_user=users["person"])
    review = _review(
        person,
        _Plan("daniel", "post_admission", "preparing", planned=-20),
        commissioner,
        planned=person.admission_date,
        day=today + timedelta(days=6),
    )
    _consent(
        review, commissioner, family, best_interests=True, decided_on=today - timedelta(days=2)
    )
    _panel(review, users, commissioner, declared=False, family=family, person_user=users["person"])
    Participant.objects.filter(review=review, role="clinical_expert").update(
        independence_declared_at=timezone.now(),
        independence_statement="I have no part in Daniel's care.",
    )
