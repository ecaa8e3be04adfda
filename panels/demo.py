"""Demo workbooks for `make run`: the held reviews' panels (chair@, clinical.expert@ and ebe@
demo.example) have filled workbooks with varied findings, evidence, quotes, ratings and
suggestions; the provider has completed KLOE 5 and 6; reviews past the day have the chair's
consolidation, and the held one an open serious concern. Made-up people only. Idempotent: a
review whose panel is already formed is left as it is. No email is sent: the rows are written
directly, as they would stand after the day."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from reviews.models import Participant, Review

from .models import (
    CarriedRecommendation,
    Concern,
    ConsolidatedKloe,
    Evidence,
    Kloe,
    KloeAnswer,
    KloeSet,
    Panel,
    ProviderPart,
    SuggestedRecommendation,
    Workbook,
    workbook_kind_for,
)

# Findings per KLOE number (adult set), one per member: chair, clinical expert, expert by
# experience. {name} is the person's known-as name.
FINDINGS = {
    1: (
        "The main worry for {name} and {his} family is how long this admission is lasting. Two "
        "recommendations from the last review are not done: the housing referral and the "
        "sensory assessment.",
        "No immediate risks seen on the day. Incident numbers have fallen since the new "
        "positive behaviour support plan started, but night-time incidents are still high.",
        "{name} told me {he} is bored and misses {his} dog. {His} mum is worried {he} is "
        "losing the skills {he} had at home, like cooking {his} own tea.",
    ),
    2: (
        "The team agree {name} is ready to leave hospital once the right home is found. There "
        "is no clinical reason for {him} to stay on the ward.",
        "Treatment here could now be given in the community with a specialist provider and "
        "input from the community learning disability team. Section 3 is renewed to next "
        "month; the tribunal has not been asked to review it.",
        "{name} said very clearly that {he} does not want to be here. {His} mum agrees and says "
        "every extra month makes it harder for {him} to go home.",
    ),
    3: (
        "Care is safe but mainly about containment. Therapy sessions are often cancelled when "
        "the ward is short of staff.",
        "Psychology input is good when it happens: 6 of 12 planned sessions took place in the "
        "last month. Restraint was used 4 times in 4 weeks, each recorded and reviewed.",
        "Staff were kind, but {name} spends a lot of time in {his} room. The activity planner on "
        "the wall was for last month.",
    ),
    4: (
        "The care plan is written about {name}, not with {him}. It does not say what matters "
        "to {him}.",
        "The communication passport is good and staff use it. The positive behaviour support "
        "plan was written without {his} family.",
        "{name} showed me {his} room and {his} football programmes. Nobody had asked {him} "
        "what {he} wanted {his} plan to say.",
    ),
    5: (
        "Physical health is well looked after. The annual health check is up to date.",
        "Epilepsy is well controlled. {He} has put on 9 kg since admission, and nobody has a "
        "plan for it. The dentist appointment is overdue.",
        "{name} said {his} tooth hurts sometimes. {He} likes the food but would like to cook.",
    ),
    6: (
        "Medication has been reviewed, but not with {name} or {his} family.",
        "Two antipsychotics at once, and the second was started in a crisis 8 months ago. "
        "There is no STOMP review on record. 'As needed' lorazepam was given 11 times in 4 "
        "weeks.",
        "{name} did not know what {his} tablets are for. {He} said they make {him} tired in the "
        "mornings.",
    ),
    7: (
        "Risk assessments are current and written in a positive way.",
        "The risk assessment says what helps as well as what the risks are. Restrictions on "
        "{his} phone use have not been reviewed for 3 months.",
        "Staff told me what helps {name} calm down, and it matched what {his} mum said.",
    ),
    8: (
        "Autism needs are mostly understood, but the ward is loud at mealtimes.",
        "{He} has an autism diagnosis. A sensory assessment was recommended at the last review "
        "and has not been done.",
        "The ward was very noisy when we visited. {name} said the noise makes {his} head hurt and "
        "{he} has nowhere quiet to go.",
    ),
    9: (
        "There is a discharge plan but no date, and no provider has been found yet.",
        "The social circumstances report says funding is agreed between the ICB and the "
        "council. The community team has not visited since admission.",
        "{name} wants to live near {his} mum in a flat of {his} own with staff to help. Nobody has "
        "told {him} what is happening about finding a home.",
    ),
    10: (
        "The family are involved in ward rounds by video, but not in care planning.",
        "{His} mother attends the monthly meetings. She was not told about the medication change.",
        "{His} mum drives 2 hours each way to visit. She said she feels she has to fight to be "
        "heard.",
    ),
    11: (
        "{name}'s rights are explained and {he} has an advocate.",
        "Detention papers are in order. The capacity assessment for medication is over a year old.",
        "{name} knows {he} can talk to {his} advocate but did not know {he} could appeal "
        "{his} section.",
    ),
}

RATINGS = {
    # (chair, clinical expert, expert by experience), varied per review below
    1: ("some_concerns", "some_concerns", "some_concerns"),
    2: ("some_concerns", "serious_concerns", "some_concerns"),
    3: ("some_concerns", "some_concerns", "some_concerns"),
    4: ("some_concerns", "no_concerns", "some_concerns"),
    5: ("no_concerns", "some_concerns", "no_concerns"),
    6: ("some_concerns", "some_concerns", "some_concerns"),
    7: ("no_concerns", "no_concerns", "no_concerns"),
    8: ("some_concerns", "some_concerns", "some_concerns"),
    9: ("some_concerns", "some_concerns", "serious_concerns"),
    10: ("some_concerns", "some_concerns", "some_concerns"),
    11: ("no_concerns", "some_concerns", "not_able_to_assess"),
}

# The two serious concerns a demo panel raises.
CONCERNS = {
    2: "{name} has no clinical need to be in hospital and has been ready to leave for months. "
    "Staying is now doing {him} harm: {he} is losing skills and is more withdrawn each visit.",
    9: "Nobody is finding {name} a home. There is no discharge date, no provider and no one "
    "named to sort it out.",
}

EVIDENCE = {
    1: [("document", "Previous CTR report and action plan", "2 of 7 actions not done", "")],
    2: [
        ("document", "MDT minutes, last month", "Team agree {he} is ready for discharge", ""),
        ("conversation", "{name}", "I don't want to be here. I want to go home.", "person"),
    ],
    3: [
        ("document", "Incident forms where restraint was used", "4 uses in 4 weeks", ""),
        ("observation", "The ward, mid-morning", "Most patients in their rooms", ""),
    ],
    4: [
        ("document", "Person-centred care plan", "Written by staff; no words of {his}", ""),
        ("conversation", "{name}", "Nobody asked me what I like.", "person"),
    ],
    5: [("document", "Health action plan", "Weight up 9 kg; dental check overdue", "")],
    6: [
        ("document", "Medication chart", "PRN lorazepam given 11 times in 4 weeks", ""),
        ("conversation", "Ward pharmacist", "No STOMP review since admission", ""),
    ],
    7: [("document", "Risk assessment", "Reviewed this month; positive in tone", "")],
    8: [
        ("observation", "Dining room at lunch", "Very loud; no quiet space offered", ""),
        ("conversation", "{name}", "The noise makes my head hurt.", "person"),
    ],
    9: [
        ("document", "Discharge plan", "No date; no provider named", ""),
        ("conversation", "{His} mother", "Every month here makes it harder for {him}.", "family"),
    ],
    10: [("conversation", "{His} mother", "I feel I have to fight to be heard.", "family")],
    11: [("document", "Mental capacity assessments", "Medication assessment 14 months old", "")],
}

SUGGESTIONS = {
    2: (
        "Agree a discharge date and a named lead for finding a home",
        "ICB case manager",
        "Within 4 weeks",
    ),
    3: (
        "Protect psychology sessions from cancellation when the ward is short-staffed",
        "Ward manager",
        "From now",
    ),
    5: (
        "Make a healthy weight plan with {name} and book the dentist",
        "Named nurse",
        "Within 6 weeks",
    ),
    6: (
        "Hold a STOMP review of both antipsychotics with {name} and {his} mother",
        "Responsible clinician",
        "Within 4 weeks",
    ),
    8: (
        "Complete the sensory assessment and set up a quiet space",
        "Occupational therapist",
        "Within 8 weeks",
    ),
    9: (
        "Community team to visit monthly until discharge",
        "Community learning disability team",
        "Starting this month",
    ),
    10: (
        "Invite {his} mother to care planning meetings, with travel costs paid",
        "Ward manager",
        "Before the next meeting",
    ),
}

PROVIDER_PARTS = {
    5: "Epilepsy: well controlled on lamotrigine, last seizure 10 months ago. Annual health "
    "check done in March. Weight 98 kg (up 9 kg since admission); dietitian referral made. "
    "Dental check overdue: appointment being arranged. Sight and hearing checked last year.",
    6: "Olanzapine 15 mg at night; aripiprazole 10 mg in the morning (started during a crisis "
    "8 months ago); lamotrigine 100 mg twice a day. As needed: lorazepam 1 mg, given 11 times "
    "in the last 4 weeks, mostly in the evening. Last medication review: at the ward round 6 "
    "weeks ago; no STOMP review yet.",
}

# What each finding means for the person, by the panel's rating (issue 22).
FOR_YOU = {
    "no_concerns": "This part of your care is going well. Keep telling staff what you think.",
    "some_concerns": "Some things need to get better. The plan below says who will do what, "
    "and by when.",
    "serious_concerns": "This needs to change soon. The commissioner will check that it does.",
    "not_able_to_assess": "The panel will find out more before your next review.",
}

AGREED_REASONING = (
    "Every member gave this rating. The documents and what {name} told us point the same way."
)
CONSOLIDATED_REASONING = (
    "Members' ratings differed. The panel agreed on this rating because the documents and what "
    "{name} and {his} family told us point the same way, and the clinical expert's view was "
    "supported by the MDT minutes."
)


def _words(person) -> dict:
    she = person.pronouns.startswith("she")
    they = person.pronouns.startswith("they")
    he, his, him = (
        ("she", "her", "her")
        if she
        else ("they", "their", "them")
        if they
        else (
            "he",
            "his",
            "him",
        )
    )
    return {
        "name": person.known_as,
        "he": he,
        "He": he.capitalize(),
        "his": his,
        "His": his.capitalize(),
        "him": him,
    }


def _rating(number, index, variant):
    ratings = RATINGS[number]
    # Vary the ratings a little from one review to the next.
    if variant and number in (1, 5, 10):
        return ratings[(index + variant) % 3]
    return ratings[index]


def seed_workbooks(sender=None, *, stdout=None, **kwargs):
    kloe_set = KloeSet.objects.current()
    if kloe_set is None:
        return
    reviews = (
        Review.objects.filter(
            state__in=["held", "report_drafting", "report_issued"],
            participants__user__email="clinical.expert@demo.example",
        )
        .select_related("person", "provider")
        .order_by("held_on", "pk")
        .distinct()
    )
    made = sum(_seed_panel(review, kloe_set, variant) for variant, review in enumerate(reviews))
    for review in reviews:
        _seed_earlier_ratings(review, kloe_set)
    if stdout:
        stdout.write(f"Demo panels with filled workbooks: {made}")


MEMBER_ROLES = ("chair", "clinical_expert", "expert_by_experience")  # the order of FINDINGS


def _seed_panel(review, kloe_set, variant) -> bool:
    """Form the review's panel as it stands after the day: three filled workbooks, the
    provider's part and the chair's consolidation. False when the panel is already formed or a
    member is missing."""
    if Panel.objects.filter(review=review).exists():
        return False
    held = timezone.make_aware(
        datetime.combine(review.held_on or timezone.localdate(), time(15, 0))
    )
    kind = workbook_kind_for(review)
    members = [Participant.objects.filter(review=review, role=r).first() for r in MEMBER_ROLES]
    if None in members:
        return False
    panel = Panel.objects.create(
        review=review, kloe_set=kloe_set, workbook_kind=kind, formed_at=held - timedelta(days=9)
    )
    kloes = list(Kloe.objects.filter(kloe_set=kloe_set, audience=panel.audience).order_by("number"))
    words = _words(review.person)
    chair = members[0].user
    answers_by_kloe = {}
    for index, member in enumerate(members):
        workbook = _seed_workbook(panel, member, held, words["name"])
        for kloe in kloes:
            answer = _seed_answer(workbook, kloe, index, variant, words, held, chair=chair)
            answers_by_kloe.setdefault(kloe.pk, []).append((member, answer))
    if review.provider_id:
        _seed_provider_part(panel, kloes, chair, held)
    _seed_consolidation(panel, kloes, answers_by_kloe, words, held, chair=chair)
    return True


# The ratings the panel agreed at the review before, for the person's page and the report's
# "since the last review": mostly more concern than now, two lines the same, one worse now.
EARLIER_RATINGS = {
    1: "serious_concerns",
    2: "serious_concerns",
    3: "some_concerns",
    4: "serious_concerns",
    5: "some_concerns",
    6: "serious_concerns",
    7: "no_concerns",
    8: "some_concerns",
    9: "serious_concerns",
    10: "no_concerns",
    11: "some_concerns",
}


def _seed_earlier_ratings(review, kloe_set):
    """The chair's agreed ratings at the person's review before `review`, when that one was held
    with no panel here (the demo's earlier reviews are closed history): the panel formed, its
    consolidation finished, no workbooks."""
    from reviews.queries import previous_held_review

    previous = previous_held_review(review)
    chair = Participant.objects.filter(review=review, role="chair").first()
    if previous is None or chair is None or Panel.objects.filter(review=previous).exists():
        return
    held = timezone.make_aware(datetime.combine(previous.held_on, time(15, 0)))
    panel = Panel.objects.create(
        review=previous,
        kloe_set=kloe_set,
        workbook_kind=workbook_kind_for(previous),
        formed_at=held - timedelta(days=9),
        consolidation_finished_at=held + timedelta(hours=3),
        consolidation_finished_by=chair.user,
    )
    for kloe in Kloe.objects.filter(kloe_set=kloe_set, audience=panel.audience):
        ConsolidatedKloe.objects.create(
            panel=panel,
            kloe=kloe,
            finding=f"Agreed at the review held on {previous.held_on:%-d %B %Y}.",
            rating=EARLIER_RATINGS.get(kloe.number, "some_concerns"),
            version=1,
            updated_by=chair.user,
            updated_at=held + timedelta(hours=2),
        )


def _seed_workbook(panel, member, held, name):
    return Workbook.objects.create(
        panel=panel,
        participant=member,
        created_at=held - timedelta(days=5),
        submitted_at=held + timedelta(hours=1),
        is_safe=f"Yes, {name} is safe on the ward day to day.",
        good_care_now="Care is kind but there is too little therapy and activity.",
        future_plans="There is a plan to leave hospital but no date and no home yet.",
        community_care=f"Yes, with a specialist provider near {name}'s family.",
        key_questions_version=1,
        key_questions_updated_at=held,
    )


def _seed_answer(workbook, kloe, index, variant, words, held, *, chair):
    """The member's answer to the KLOE (`index` is their place in MEMBER_ROLES), with its
    evidence, any suggestion and any serious concern."""
    number = kloe.number if kloe.number in FINDINGS else 11
    rating = _rating(number, index, variant)
    answer = KloeAnswer.objects.create(
        workbook=workbook,
        kloe=kloe,
        findings=FINDINGS[number][index].format(**words),
        rating=rating,
        concern_detail=CONCERNS[number].format(**words) if rating == "serious_concerns" else "",
        version=3,
        updated_at=held,
    )
    for position, (source_kind, source, shows, quote) in enumerate(
        EVIDENCE.get(number, []), start=1
    ):
        if index == 2 and not quote and source_kind == "document":
            continue  # the expert by experience mostly talks and looks
        Evidence.objects.create(
            answer=answer,
            position=position,
            source_kind=source_kind,
            source=source.format(**words),
            shows=shows.format(**words),
            quote_from=quote,
        )
    if number in SUGGESTIONS and index != 0:
        text, owner, timescale = SUGGESTIONS[number]
        SuggestedRecommendation.objects.create(
            answer=answer, position=1, text=text.format(**words), owner=owner, timescale=timescale
        )
    if rating == "serious_concerns":
        _seed_concern(answer, workbook, held, chair=chair)
    return answer


def _seed_concern(answer, workbook, held, *, chair):
    """A serious concern raised on the day: still open on a held review, dealt with the next
    day on one past it."""
    panel = workbook.panel
    resolved = {
        "action_taken": "Escalated to the ICB's discharge panel; a provider search started the "
        "next day.",
        "action_by": "Asha Patel, case manager",
        "resolved_at": held + timedelta(days=1),
        "resolved_by": chair,
    }
    Concern.objects.create(
        panel=panel,
        answer=answer,
        kind=Concern.Kind.SERIOUS,
        raised_by=workbook.participant.user,
        raised_at=held - timedelta(hours=2),
        **({} if panel.review.state == "held" else resolved),
    )


def _seed_provider_part(panel, kloes, chair, held):
    for kloe in kloes:
        if kloe.number in PROVIDER_PARTS:
            ProviderPart.objects.create(
                panel=panel,
                kloe=kloe,
                text=PROVIDER_PARTS[kloe.number],
                updated_by=chair,
                updated_at=held - timedelta(days=3),
            )


def _seed_consolidation(panel, kloes, answers_by_kloe, words, held, *, chair):
    """The chair's consolidation: finished once the report is being written; on a held
    review, begun (the first four KLOEs). The clinical expert's suggestions are carried."""
    finished = panel.review.state != "held"
    for kloe in kloes if finished else kloes[:4]:
        answers = answers_by_kloe[kloe.pk]
        ratings = [a.rating for _, a in answers]
        rating = max(set(ratings), key=ratings.count)
        row = ConsolidatedKloe.objects.create(
            panel=panel,
            kloe=kloe,
            finding=" ".join(a.findings for _, a in answers[:2]),
            for_you=FOR_YOU.get(rating, ""),
            rating=rating,
            reasoning=(
                CONSOLIDATED_REASONING if len(set(ratings)) > 1 else AGREED_REASONING
            ).format(**words),
            version=1,
            updated_by=chair,
            updated_at=held + timedelta(hours=2),
        )
        for member, answer in answers:
            for suggestion in answer.suggestions.all()[:1]:
                if member.role == "clinical_expert":
                    CarriedRecommendation.objects.create(
                        consolidated=row,
                        source=suggestion,
                        text=suggestion.text,
                        owner=suggestion.owner,
                        timescale=suggestion.timescale,
                        suggested_by=f"{member.name} (clinical expert)",
                    )
    if finished:
        panel.consolidation_finished_at = held + timedelta(hours=3)
        panel.consolidation_finished_by = chair
        panel.save(update_fields=["consolidation_finished_at", "consolidation_finished_by"])
