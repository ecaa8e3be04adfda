"""The first version of the KLOE question sets: 11 adult KLOEs, 12 for a child or young person,
their titles as in the 2023 templates (domain.md §9), and our own plain-English prompts.

Each prompt carries a scope, so one set gives the six workbooks: adult and child × community,
hospital non-secure and hospital secure. "provider" prompts guide the provider's physical health
and medication part (KLOE 5 and 6) of a hospital review.

The data is frozen here, not imported from the app: a later version is a new migration that adds
KloeSet version 2, and reviews already using version 1 keep it.
"""

import datetime

from django.db import migrations

VERSION = 1
PUBLISHED_ON = datetime.date(2025, 1, 6)
DESCRIPTION = (
    "First version, written from the 2023 DSR and C(E)TR policy and toolkit: adult and child "
    "KLOEs, with prompts for community, hospital and secure settings."
)

ALL, COMMUNITY, HOSPITAL, NON_SECURE, SECURE, PROVIDER = (
    "all",
    "community",
    "hospital",
    "non_secure",
    "secure",
    "provider",
)

# (scope, prompt, where to look). {who} is "the person" or "the child or young person".
CONCERNS = [
    (
        ALL,
        "What worries {who}, their family and the people who support them most right now?",
        "{who_cap}; family; My C(E)TR planner",
    ),
    (
        ALL,
        "Is anyone at risk of harm now? If so, record an immediate safety concern and tell the "
        "chair straight away.",
        "What you see and hear on the day",
    ),
    (
        ALL,
        "Which recommendations from the last review have not been done, and why?",
        "The previous C(E)TR report and action plan",
    ),
    (
        HOSPITAL,
        "Have there been safeguarding concerns or serious incidents since admission or "
        "the last review? What was done about them?",
        "Safeguarding reports from the last year; incident forms",
    ),
    (
        SECURE,
        "Does the level of security still match the risks? Is anyone planning a move to a "
        "less secure setting?",
        "Risk assessments; MDT minutes; Ministry of Justice documents",
    ),
    (
        COMMUNITY,
        "What is happening now that could lead to an admission to hospital?",
        "Crisis contingency plan; Dynamic Support Register rating",
    ),
]

NEED_HOSPITAL = [
    (
        HOSPITAL,
        "What is the hospital giving {who} that could not be given in the community with "
        "the right support?",
        "MDT minutes; progress notes; discharge plan",
    ),
    (
        HOSPITAL,
        "What do {who} and their family say about being in hospital? Record their words.",
        "Talking with {who} and their family",
    ),
    (
        HOSPITAL,
        "Is {who} detained under the Mental Health Act? Is the section still needed, and "
        "have they had a tribunal or hospital managers' hearing?",
        "Mental Health Act papers; latest tribunal report",
    ),
    (
        SECURE,
        "Could their needs be met in a lower level of security? What stands in the way?",
        "Risk assessments; Ministry of Justice documents",
    ),
    (
        COMMUNITY,
        "Would going into hospital help, or could more support at home avoid it? What "
        "support would make the difference?",
        "Crisis contingency plan; risk assessments; care plans",
    ),
    (
        COMMUNITY,
        "Has a Local Area Emergency Protocol meeting been held, or extra crisis support "
        "been tried?",
        "The commissioner; the community team",
    ),
]

RIGHT_CARE = [
    (
        ALL,
        "Is there a clear reason for each part of their care and treatment, and is it working?",
        "Care plans; progress notes; MDT minutes",
    ),
    (
        ALL,
        "Do staff have the training they need, for example in learning disability, autism and "
        "positive behaviour support?",
        "Talking with staff; the ward or service manager",
    ),
    (
        HOSPITAL,
        "What does a usual day look like? Is there therapy, activity and time outside the ward?",
        "Activity planner; progress notes from the last four weeks",
    ),
    (
        HOSPITAL,
        "How often are restraint, seclusion or segregation used? Is each use recorded, "
        "reviewed and going down?",
        "Incident forms where restraint was used; seclusion and segregation records",
    ),
    (
        SECURE,
        "Is {who} in long-term segregation? If so, is it reviewed as the Mental Health Act "
        "Code of Practice requires, and is there a plan to end it?",
        "Segregation records and reviews; MDT minutes",
    ),
    (
        COMMUNITY,
        "Is the support in place what the care plan says? Are there gaps in staffing or services?",
        "Care plans; the support provider; family",
    ),
]

PERSON_CENTRED = [
    (
        ALL,
        "Does the care plan say what matters to {who}, in their own words?",
        "Person-centred care plan; communication passport",
    ),
    (
        ALL,
        "How does {who} communicate, and do staff use it? What reasonable adjustments are made?",
        "Communication passport; hospital passport; what you see",
    ),
    (
        ALL,
        "Does {who} choose what they do each day, what they eat and who they see?",
        "Talking with {who}; activity planner",
    ),
    (
        ALL,
        "Is there a positive behaviour support plan written with {who} and the people who know "
        "them best?",
        "Positive behaviour support plan",
    ),
    (
        HOSPITAL,
        "Can they keep their own things, go outside, and have privacy and time alone?",
        "What you see on the ward; ward rules",
    ),
]

HEALTH = [
    (
        ALL,
        "Have they had an annual health check, and is there a health action plan?",
        "Health action plan",
    ),
    (
        ALL,
        "Are physical health conditions known, recorded and treated (for example epilepsy, "
        "constipation, weight, teeth, eyes, hearing and screening)?",
        "Health action plan; GP records; hospital passport",
    ),
    (
        ALL,
        "Could pain or illness explain changes in behaviour or mood? Has anyone checked?",
        "Progress notes; talking with nurses and family",
    ),
    (
        HOSPITAL,
        "Does the provider's physical health section match what you saw and heard?",
        "The provider's part, shown beside this KLOE",
    ),
    (
        PROVIDER,
        "Describe their physical health needs and how each is met: conditions, the "
        "health action plan and annual health check, screening, teeth, eyes and hearing, weight and "
        "diet.",
        "",
    ),
    (
        PROVIDER,
        "List physical health appointments or tests that are due or overdue, and who is "
        "arranging them.",
        "",
    ),
]

MEDICATION = [
    (ALL, "What medicines do they take, and why? Is each one still needed?", "Medication chart"),
    (
        ALL,
        "Is psychotropic medication reviewed to stop over-medication ({stomp})? When was it "
        "last reviewed, by whom, and what changed?",
        "Medication chart; MDT minutes",
    ),
    (
        ALL,
        "Are 'as needed' (PRN) medicines for distress given often? Is each use recorded with "
        "the reason?",
        "Medication chart; incident forms",
    ),
    (
        ALL,
        "Are side effects checked? Do they and their family understand the medicines and "
        "agree to them?",
        "Talking with {who}, family and the prescriber",
    ),
    (
        HOSPITAL,
        "Is medication given under the Mental Health Act covered by the right "
        "certificate or second opinion?",
        "Mental Health Act papers; medication chart",
    ),
    (
        PROVIDER,
        "List current medicines, doses and what each is for, including 'as needed' (PRN) "
        "medicines and how often each was given in the last four weeks.",
        "",
    ),
    (PROVIDER, "When was medication last reviewed under {stomp}, by whom, and what changed?", ""),
]

RISK = [
    (
        ALL,
        "Is there an up-to-date risk assessment written with {who}? Does it say what helps as "
        "well as what the risks are?",
        "Risk assessments",
    ),
    (
        ALL,
        "Is every restriction the least restrictive option? Is each one reviewed and going down?",
        "Care plans; risk assessments; ward rules",
    ),
    (
        ALL,
        "Do staff know and follow the positive behaviour support plan?",
        "Positive behaviour support plan; talking with staff; what you see",
    ),
    (
        HOSPITAL,
        "Are restraint, seclusion and segregation used only as a last resort? Is "
        "face-down (prone) restraint ever used?",
        "Incident forms; seclusion records",
    ),
    (
        SECURE,
        "Are security measures (searches, escorted leave, limits on belongings) set for "
        "{who}, not applied to everyone by default?",
        "Ward rules; risk assessments",
    ),
    (
        COMMUNITY,
        "Is there a crisis plan that {who}, their family and services know: who to call "
        "and what helps?",
        "Crisis contingency plan",
    ),
]

AUTISM = [
    (
        ALL,
        "Do they have an autism diagnosis or assessment? Do staff understand what it means for "
        "them? If they are not autistic, say so and rate 'not able to assess' or explain.",
        "Clinical assessments; care plans",
    ),
    (
        ALL,
        "Are sensory needs assessed and met (noise, light, touch, space)?",
        "Occupational therapy sensory assessment; what you see",
    ),
    (
        ALL,
        "Is information given the way they prefer, with time to take it in?",
        "Communication passport; talking with {who}",
    ),
    (
        HOSPITAL,
        "Does the ward suit them? Is there a quiet space they can use when they want?",
        "What you see on the ward",
    ),
]

FAMILY = [
    (
        ALL,
        "Are the family listened to and involved in decisions, as {who} wants?",
        "Talking with the family; My C(E)TR planner",
    ),
    (
        ALL,
        "Do the family know who to contact, and how to raise a concern or complaint?",
        "Talking with the family",
    ),
    (
        HOSPITAL,
        "How far is the hospital from home? Is help with travel or video calls offered? "
        "Are visits ever limited, and why?",
        "Talking with the family; ward rules",
    ),
    (
        ALL,
        "What did the family tell the panel? Record their words as quotes.",
        "Talking with the family",
    ),
]

RIGHTS = [
    (
        ALL,
        "Do they know their rights, explained in a way they understand?",
        "Talking with {who}; Mental Health Act papers",
    ),
    (
        ALL,
        "Do they have an advocate (an Independent Mental Health Advocate or Independent Mental "
        "Capacity Advocate where they qualify)?",
        "Talking with {who} and staff",
    ),
    (
        ALL,
        "Where they lack capacity for a decision, is there a Mental Capacity Act assessment "
        "and a best-interests decision, with the family consulted?",
        "Mental capacity assessments",
    ),
    (
        HOSPITAL,
        "Is the detention lawful and reviewed? Have they been told about tribunals and appeals?",
        "Mental Health Act papers; latest tribunal report",
    ),
    (
        HOSPITAL,
        "Are restrictions (locked doors, phones, internet, visitors) justified, recorded "
        "and explained to them?",
        "Ward rules; care plans",
    ),
    (
        SECURE,
        "Are limits on leave and contact set by the Ministry of Justice explained to them "
        "and reviewed?",
        "Ministry of Justice documents",
    ),
    (
        ALL,
        "Are there concerns about equality or discrimination (for example about culture, "
        "religion, sexuality or gender)?",
        "Talking with {who} and family",
    ),
]

ADULT = [
    (1, "Key areas of concern", CONCERNS),
    (2, "Does the person need to be in hospital?", NEED_HOSPITAL),
    (3, "Is the person receiving the right care and treatment?", RIGHT_CARE),
    (4, "Is care person-centred?", PERSON_CENTRED),
    (5, "Are the person's health needs known and met?", HEALTH),
    (6, "Is there the right use of medication?", MEDICATION),
    (7, "Are there clear, safe and positive approaches to risk?", RISK),
    (8, "Are any autism needs being met?", AUTISM),
    (
        9,
        "Is there active planning for the future and discharge?",
        [
            (
                HOSPITAL,
                "Is there a discharge plan with a date, written with the person and family?",
                "Discharge plan; MDT minutes",
            ),
            (
                HOSPITAL,
                "Are housing, a support provider and funding agreed? What is holding "
                "discharge up, and who is sorting it out?",
                "Social circumstances report; community service specification",
            ),
            (
                HOSPITAL,
                "Is the community team involved now, and visiting?",
                "MDT minutes; talking with the care coordinator",
            ),
            (
                SECURE,
                "Is there a plan to step down to less secure care? Has the Ministry of "
                "Justice been asked about leave or conditions where needed?",
                "Ministry of Justice documents; MDT minutes",
            ),
            (
                COMMUNITY,
                "What needs to happen for the person to keep living in the community? "
                "Is their home stable and funding agreed?",
                "Care plans; the commissioner",
            ),
            (
                ALL,
                "Does the plan include work, learning, relationships and things the person enjoys?",
                "Person-centred care plan; talking with the person",
            ),
        ],
    ),
    (10, "Are families and/or carers involved?", FAMILY),
    (11, "Are the person's rights upheld?", RIGHTS),
]

EDUCATION = [
    (
        ALL,
        "Is the child or young person getting full-time education that meets their needs? Is "
        "the EHC plan up to date and followed?",
        "EHC plan and its last annual review",
    ),
    (
        HOSPITAL,
        "Is the hospital school in touch with their home school or college, and is a "
        "return planned?",
        "Education reports; talking with teachers",
    ),
]

CHILD = [
    (
        1,
        "Key areas of concern",
        [
            *CONCERNS,
            (
                ALL,
                "Is the child or young person safe from harm by others, and is a safeguarding "
                "referral needed?",
                "Safeguarding records; the local authority",
            ),
        ],
    ),
    (
        2,
        "Does the child or young person need to be in hospital?",
        [
            *NEED_HOSPITAL,
            (
                HOSPITAL,
                "How far from home is the hospital? What would it take to be cared for "
                "closer to home?",
                "The commissioner; the local authority",
            ),
        ],
    ),
    (
        3,
        "Is the child or young person receiving the right care, education and treatment?",
        [*RIGHT_CARE, *EDUCATION],
    ),
    (
        4,
        "Is the child or young person being involved in their care, education and treatment?",
        [
            (
                ALL,
                "Were they asked what they think, in the way they communicate best? Record their "
                "words.",
                "Talking with the child or young person",
            ),
            (
                ALL,
                "Do they know what their care plan and EHC plan say, and did they help write them?",
                "Care plans; EHC plan",
            ),
            *PERSON_CENTRED[1:],
        ],
    ),
    (5, "Are the child or young person's health needs known and met?", HEALTH),
    (6, "Is there the right use of medication?", MEDICATION),
    (
        7,
        "Are there clear, safe and positive approaches to risk?",
        [
            *RISK,
            (
                HOSPITAL,
                "Are restraint and seclusion of a child reported to the commissioner and the "
                "local authority?",
                "Incident forms; safeguarding records",
            ),
        ],
    ),
    (8, "Are any autism needs being met?", AUTISM),
    (
        9,
        "Is there active planning for the future, including discharge from hospital?",
        [
            (
                HOSPITAL,
                "Is there a plan for leaving hospital: where they will live, who will support "
                "them and where they will learn?",
                "Discharge plan; EHC plan; MDT minutes",
            ),
            (
                HOSPITAL,
                "What is holding discharge up, and who is sorting it out?",
                "MDT minutes; the local authority; the commissioner",
            ),
            (
                ALL,
                "If they are 14 or older, is planning for adulthood (moving to adult services at "
                "18) under way?",
                "EHC plan annual review; transition plan",
            ),
            (
                COMMUNITY,
                "What needs to happen for them to keep living at home or in their "
                "placement, and going to school or college?",
                "Child in need plan; EHC plan; care plans",
            ),
            (SECURE, "Is there a plan to step down to less secure care?", "MDT minutes"),
        ],
    ),
    (
        10,
        "Are parent(s)/carers, family members and other carers involved?",
        [
            (
                ALL,
                "Are parents and carers listened to and involved in decisions? Who has parental "
                "responsibility?",
                "Talking with parents; My C(E)TR planner",
            ),
            (
                ALL,
                "Is support offered to the family, brothers and sisters included?",
                "Talking with the family; the local authority",
            ),
            *FAMILY[1:],
        ],
    ),
    (
        11,
        "Are any specific issues for children or young people being addressed?",
        [
            (
                ALL,
                "Is the local authority involved, and does a social worker visit? Is there a "
                "child in need or looked-after child plan?",
                "Child in need plan; looked-after child plan",
            ),
            (
                ALL,
                "If they are looked after, is their placement stable and is the plan followed?",
                "Looked-after child plan",
            ),
            (
                ALL,
                "Do they keep in touch with friends and do things that suit their age?",
                "Talking with the child or young person; activity planner",
            ),
            (
                ALL,
                "Is there youth justice involvement, and is it coordinated with their care?",
                "Youth justice assessment or plan",
            ),
            (
                ALL,
                "Do they have a keyworker, and what does the keyworker say?",
                "Talking with the keyworker",
            ),
        ],
    ),
    (
        12,
        "Are the child or young person's rights upheld?",
        [
            (
                ALL,
                "Is consent given the right way: their own if they are competent (Gillick, or the "
                "Mental Capacity Act at 16 or 17), otherwise a person with parental responsibility?",
                "My C(E)TR planner; mental capacity assessments",
            ),
            *RIGHTS,
        ],
    ),
]


def _format(text, audience):
    who = "the person" if audience == "adult" else "the child or young person"
    stomp = "STOMP" if audience == "adult" else "STAMP"
    return text.format(who=who, who_cap=who[0].upper() + who[1:], stomp=stomp)


def add_version_1(apps, schema_editor):
    KloeSet = apps.get_model("panels", "KloeSet")
    Kloe = apps.get_model("panels", "Kloe")
    KloePrompt = apps.get_model("panels", "KloePrompt")
    kloe_set = KloeSet.objects.create(
        version=VERSION, published_on=PUBLISHED_ON, description=DESCRIPTION
    )
    for audience, kloes in (("adult", ADULT), ("child", CHILD)):
        for number, title, prompts in kloes:
            kloe = Kloe.objects.create(
                kloe_set=kloe_set, audience=audience, number=number, title=title
            )
            KloePrompt.objects.bulk_create(
                KloePrompt(
                    kloe=kloe,
                    scope=scope,
                    position=position,
                    text=_format(text, audience),
                    where_to_look=_format(look, audience),
                )
                for position, (scope, text, look) in enumerate(prompts, start=1)
            )


def remove_version_1(apps, schema_editor):
    KloeSet = apps.get_model("panels", "KloeSet")
    Kloe = apps.get_model("panels", "Kloe")
    KloePrompt = apps.get_model("panels", "KloePrompt")
    kloe_set = KloeSet.objects.filter(version=VERSION).first()
    if kloe_set is None:
        return
    KloePrompt.objects.filter(kloe__kloe_set=kloe_set).delete()
    Kloe.objects.filter(kloe_set=kloe_set).delete()
    kloe_set.delete()


class Migration(migrations.Migration):
    dependencies = [("panels", "0001_kloe_sets_workbooks_consolidation")]

    operations = [migrations.RunPython(add_version_1, remove_version_1)]
