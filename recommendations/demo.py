"""Demo recommendations: every state of the lifecycle, some overdue, one escalated to the ICS
oversight panel, one disputed, one marked done waiting for the commissioner's check and one
the commissioner sent back, on the demo reviews that are past their day. Made-up text only.
Idempotent: a review that already has recommendations is left as it is."""

from datetime import timedelta

from django.utils import timezone

# (person key, review state) -> the review's recommendations:
# (state, action, measure, for whom, owner, due in days from today, escalated)
# owner: "provider" or "local_authority" (demo logins), or a named contact (name, org, email).
CONTACT = ("Jo Bloggs", "North Shore Council housing team", "jo.bloggs@demo.example")
PLANS = {
    ("liam", "closed"): [
        (
            "done",
            "Agree a discharge plan with Liam, his family and the community team",
            "The discharge plan is signed and shared with Liam",
            "provider",
            "provider",
            -40,
            False,
        ),
        (
            "not_achieved",
            "Find a supported living place near Liam's family in Harbour town",
            "Liam has visited the place and said he likes it",
            "local_authority",
            CONTACT,
            -30,
            False,
        ),
    ],
    ("liam", "report_issued"): [
        (
            "awaiting_owner",
            "Review Liam's medication with a pharmacist under STOMP",
            "The pharmacist's review is in Liam's notes and discussed with him",
            "provider",
            "provider",
            40,
            False,
        ),
        (
            "disputed",
            "Arrange weekly community leave with two staff Liam knows",
            "Leave happens every week for a month, recorded in the activity planner",
            "provider",
            "provider",
            20,
            False,
        ),
        (
            "agreed",
            "Complete a housing needs assessment for Liam",
            "The assessment is shared with Liam and his advocate",
            "local_authority",
            "local_authority",
            -5,
            False,
        ),
        (
            # Marked done, the commissioner sent it back (the evidence did not show it): in
            # progress again, with the send-back in its history (issue 21).
            "sent_back",
            "Write a communication passport with Liam and his speech therapist",
            "Liam's passport is on the ward and staff have read it",
            "person",
            "provider",
            25,
            False,
        ),
        (
            # Sent to a one-off owner with no account: they answer from the link in their
            # email (`make run` prints one; issue 21).
            "awaiting_owner",
            "Offer Liam a place on the travel training course before he leaves hospital",
            "Liam has been offered a start date and told his keyworker what he thinks",
            "person",
            ("Sam Okafor", "Harbour Town travel training service", "sam.okafor@demo.example"),
            60,
            False,
        ),
    ],
    ("chloe", "follow_up"): [
        (
            # Marked done with evidence, waiting for the commissioner to check (issue 21).
            "done_claimed",
            "Give Chloe's family a named contact at the council for respite bookings",
            "Chloe's family have the contact's name and have used it to book respite",
            "family",
            "local_authority",
            5,
            False,
        ),
        (
            "done",
            "Add Chloe to the Dynamic Support Register review every month",
            "Chloe's rating is reviewed at each monthly meeting",
            "commissioner",
            "provider",
            -10,
            False,
        ),
        (
            "in_progress",
            "Arrange respite at home for Chloe's family two nights a month",
            "Two respite nights a month happen for three months in a row",
            "family",
            "local_authority",
            -35,
            True,
        ),
        (
            "agreed",
            "Update Chloe's EHC plan to include a transition plan for college",
            "The updated EHC plan names the college and the support Chloe needs",
            "education",
            CONTACT,
            -3,
            False,
        ),
        (
            "superseded",
            "Find a day service for Chloe",
            "Chloe attends a day service she chose",
            "person",
            "local_authority",
            30,
            False,
        ),
        (
            "agreed",
            "Arrange a college taster week for Chloe with a support worker she knows",
            "Chloe has spent a week at college and says what she thought",
            "education",
            "local_authority",
            45,
            False,
        ),
    ],
    ("sophie", "report_drafting"): [
        (
            "draft",
            "Refer Sophie to the autism team for a sensory assessment",
            "The assessment report is shared with Sophie and the ward",
            "provider",
            "provider",
            60,
            False,
        ),
    ],
}


# Each action in plain words, as the chair writes it for the person (issue 22).
PLAIN_WORDS = {
    "Agree a discharge plan with Liam, his family and the community team": "The hospital will "
    "make a plan with you, your family and the community team for leaving hospital.",
    "Find a supported living place near Liam's family in Harbour town": "The council will look "
    "for a home near your family in Harbour Town, with staff to help you.",
    "Review Liam's medication with a pharmacist under STOMP": "A pharmacist will check your "
    "medicines with you. A pharmacist is an expert in medicines. They will see if you still "
    "need each one.",
    "Arrange weekly community leave with two staff Liam knows": "The hospital will take you "
    "out every week, with two staff you know.",
    "Complete a housing needs assessment for Liam": "The council will find out what kind of "
    "home would suit you. They will tell you and your advocate.",
    "Write a communication passport with Liam and his speech therapist": "You and your speech "
    "therapist will write down how you like people to talk with you. Staff will read it.",
    "Offer Liam a place on the travel training course before he leaves hospital": "You will be "
    "offered a course to learn to travel on your own, before you leave hospital.",
    "Give Chloe's family a named contact at the council for respite bookings": "The council will "
    "give your family one person to call to book breaks.",
    "Add Chloe to the Dynamic Support Register review every month": "The people who plan your "
    "care will check every month that you have the help you need.",
    "Arrange respite at home for Chloe's family two nights a month": "The council will arrange "
    "two nights a month when someone helps at home, so your family can rest.",
    "Update Chloe's EHC plan to include a transition plan for college": "Your education plan "
    "will say which college you will go to and the help you will have there.",
    "Find a day service for Chloe": "The council will find a place you can go in the day.",
    "Arrange a college taster week for Chloe with a support worker she knows": "You will spend "
    "a week trying college, with a support worker you know.",
    "Refer Sophie to the autism team for a sensory assessment": "The autism team will find out "
    "how sounds, lights and touch feel for you, and what helps.",
}


def seed_recommendations(sender=None, *, stdout=None, **kwargs):
    from ctr_portal.demo import ORGANISATIONS
    from ctr_portal.models import Organisation, User
    from panels.queries import kloes_for_panel, panel_or_unformed
    from reviews.models import Review

    from .models import Recommendation

    users = {u.demo_persona: u for u in User.objects.exclude(demo_persona="")}
    by_role = {
        "provider": User.objects.filter(email="provider@demo.example").first(),
        "local_authority": User.objects.filter(email="local.authority@demo.example").first(),
        "chair": User.objects.filter(email="chair@demo.example").first(),
        "commissioner": User.objects.filter(email="commissioner@demo.example").first(),
    }
    if not users or None in by_role.values():
        return
    panel = Organisation.objects.get(name=ORGANISATIONS["oversight_panel"][0])
    made = 0
    for (key, state), plans in PLANS.items():
        review = (
            Review.objects.filter(person__nhs_number__isnull=False, state=state)
            .filter(person__given_name__iexact=key)
            .select_related("person")
            .order_by("-held_on", "-pk")  # of a closed history, the latest: the one before now
            .first()
        )
        if review is None or Recommendation.objects.filter(review=review).exists():
            continue
        kloes = kloes_for_panel(panel_or_unformed(review))
        seeded = [
            _seed_one(review, number, plan, by_role, panel, kloes)
            for number, plan in enumerate(plans, start=1)
        ]
        made += len(seeded)
        # A superseded recommendation points at the one after it, which replaced it.
        for old, plan in zip(seeded, plans, strict=True):
            if plan[0] != "superseded":
                continue
            old.superseded_by = Recommendation.objects.get(review=review, number=old.number + 1)
            old.state = "superseded"
            old.save(update_fields=["superseded_by", "state"])
    if stdout:
        stdout.write(f"Demo recommendations added: {made}")


def _seed_one(review, number, plan, by_role, panel, kloes):
    from .models import Recommendation, RecommendationUpdate

    state, action, measure, for_whom, owner, due_in, escalated = plan
    steps_of = state
    state = "in_progress" if state == "sent_back" else state
    today, now = timezone.localdate(), timezone.now()
    account = by_role[owner] if isinstance(owner, str) else None
    name, organisation, email = (
        (account.display_name, _organisation_of(account), "") if account else owner
    )
    review_date = review.held_on or today - timedelta(days=30)
    recommendation = Recommendation.objects.create(
        review=review,
        number=number,
        action=action,
        plain_words=PLAIN_WORDS.get(action, ""),
        measure=measure,
        for_whom=for_whom,
        priority="urgent" if number == 1 else "routine",
        owner=account,
        owner_name=name,
        owner_organisation=organisation,
        owner_email=email,
        due_date=max(today + timedelta(days=due_in), review_date + timedelta(days=7)),
        # Saved as a draft marker first: it needs the recommendation that replaces it.
        state="agreed" if state == "superseded" else state,
        remit_confirmed_at=now if state not in ("draft", "awaiting_owner", "disputed") else None,
        dispute_reason="Leave needs two staff; the ward cannot staff it every week"
        if state == "disputed"
        else "",
        accept_by=today + timedelta(days=4) if state == "awaiting_owner" else None,
        outcome_note={
            "done": "Done: see the signed plan in the care record.",
            "done_claimed": "A named contact was given to the family by letter on Monday.",
            "not_achieved": "No place came free within the time; carried to the next review.",
        }.get(state, ""),
        closed_at=now if state in ("done", "not_achieved", "superseded") else None,
        escalated_to=panel if escalated else None,
        escalated_at=now if escalated else None,
        escalation_reason="Five weeks overdue and the family is at breaking point; the council "
        "has not answered two emails."
        if escalated
        else "",
        created_by=by_role["chair"],
        created_at=now - timedelta(days=20),
    )
    if state == "superseded":
        recommendation.superseded_by = (
            Recommendation.objects.filter(review=review, number=number - 1).first()
            or recommendation
        )
    recommendation.save()
    if kloes:
        recommendation.kloes.set([kloes[(number * 3) % len(kloes)]])
    for kind, note, actor in _history(steps_of, escalated, by_role, account):
        RecommendationUpdate.objects.create(
            recommendation=recommendation, kind=kind, note=note, actor=actor
        )
    if escalated:
        _panel_acts(recommendation)
    return recommendation


def _panel_acts(recommendation):
    """The oversight panel has met on it: a decision recorded and one action still open."""
    from ctr_portal.formatting import nhs_date
    from ctr_portal.models import User

    from .models import EscalationAction, EscalationDecision, RecommendationUpdate

    member = User.objects.filter(email="oversight@demo.example").first()
    if member is None:
        return
    today = timezone.localdate()
    met_on = today - timedelta(days=3)
    decision = (
        "The council's head of housing is to attend the next panel meeting with a date for "
        "the assessment; the commissioner to arrange interim respite meanwhile."
    )
    action = "Write to the council's head of housing asking for a date for the assessment"
    EscalationDecision.objects.create(
        recommendation=recommendation, met_on=met_on, decision=decision, recorded_by=member
    )
    EscalationAction.objects.create(
        recommendation=recommendation,
        action=action,
        owner_name="Grace Okoro",
        owner_organisation="North Shore ICS C(E)TR oversight panel",
        owner_email="grace.okoro@demo.example",
        due_date=today + timedelta(days=11),
        recorded_by=member,
    )
    for kind, note in (
        ("panel_decision", f"Meeting on {nhs_date(met_on)}. {decision}"),
        ("panel_action", f"{action} Owner: Grace Okoro. Due in 11 days."),
    ):
        RecommendationUpdate.objects.create(
            recommendation=recommendation, kind=kind, note=note, actor=member
        )


def _organisation_of(user):
    membership = user.memberships.select_related("organisation").first()
    return membership.organisation.name if membership else ""


def _history(state, escalated, by_role, owner):
    chair, commissioner = by_role["chair"], by_role["commissioner"]
    steps = [("created", "", chair)]
    if state != "draft":
        steps.append(("sent", "", chair))
    if state == "disputed":
        steps.append(("disputed", "The ward cannot staff this every week", owner))
    if state in (
        "agreed",
        "in_progress",
        "sent_back",
        "done_claimed",
        "done",
        "not_achieved",
        "superseded",
    ):
        steps.append(("accepted", "", owner or chair))
    if state in ("in_progress", "sent_back", "done_claimed", "done"):
        steps.append(("progress", "First meeting held; next one booked", owner or chair))
    if escalated:
        steps.append(("escalated", "Five weeks overdue; no answer from the council", commissioner))
    if state in ("sent_back", "done_claimed", "done"):
        steps.append(("done_claimed", "Recorded at the follow-up meeting", owner or chair))
    if state == "sent_back":
        steps.append(
            ("sent_back", "The passport is not on the ward yet: send a photo of it", commissioner)
        )
    if state == "done":
        steps.append(("done", "The evidence was checked", commissioner))
    elif state in ("not_achieved", "superseded"):
        steps.append((state, "Recorded at the follow-up meeting", owner or chair))
    return steps
