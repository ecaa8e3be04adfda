"""Question sets, workbooks, serious concerns and the consolidation, through the services."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from ctr_portal.models import AuditEvent, Notification
from panels import queries, services
from panels.models import (
    Concern,
    Kloe,
    KloePrompt,
    KloeSet,
    Panel,
    PromptScope,
    Rating,
    Workbook,
)
from reviews.models import ReviewEvent, ReviewState
from reviews.queries import review_for_user
from tests.reviews.factories import (
    ConsentRecordFactory,
    ParticipantFactory,
    PersonFactory,
    ReviewFactory,
)

from .factories import kloe_of, make_held, make_on_the_day

pytestmark = pytest.mark.django_db

ADULT_TITLES = [
    "Key areas of concern",
    "Does the person need to be in hospital?",
    "Is the person receiving the right care and treatment?",
    "Is care person-centred?",
    "Are the person's health needs known and met?",
    "Is there the right use of medication?",
    "Are there clear, safe and positive approaches to risk?",
    "Are any autism needs being met?",
    "Is there active planning for the future and discharge?",
    "Are families and/or carers involved?",
    "Are the person's rights upheld?",
]
CHILD_TITLES = [
    "Key areas of concern",
    "Does the child or young person need to be in hospital?",
    "Is the child or young person receiving the right care, education and treatment?",
    "Is the child or young person being involved in their care, education and treatment?",
    "Are the child or young person's health needs known and met?",
    "Is there the right use of medication?",
    "Are there clear, safe and positive approaches to risk?",
    "Are any autism needs being met?",
    "Is there active planning for the future, including discharge from hospital?",
    "Are parent(s)/carers, family members and other carers involved?",
    "Are any specific issues for children or young people being addressed?",
    "Are the child or young person's rights upheld?",
]


def fresh(user, review):
    """The review as a request would load it: participants and the latest consent."""
    return review_for_user(user, review.pk)


@pytest.fixture
def world(review_world, users):
    return {**review_world, "users": users}


def open_workbook(world, role="clinical_expert"):
    user = world["users"][role]
    review = fresh(user, world["review"])
    return services.workbook_open(actor=user, review=review)


def save(world, workbook, number=1, role="clinical_expert", version=None, **fields):
    kloe = kloe_of(workbook.panel, number)
    answer = queries.answer_for(workbook, kloe)
    return services.kloe_answer_save(
        actor=world["users"][role],
        workbook=workbook,
        kloe=kloe,
        expected_version=(answer.version if answer else 0) if version is None else version,
        **fields,
    )


# --- Question sets -------------------------------------------------------------------------


def test_the_current_set_has_the_adult_and_child_kloes_with_their_titles():
    kloe_set = KloeSet.objects.current()
    assert kloe_set.version == 2
    adult = list(kloe_set.kloes.filter(audience="adult").order_by("number"))
    child = list(kloe_set.kloes.filter(audience="child").order_by("number"))
    assert [k.title for k in adult] == ADULT_TITLES
    assert [k.title for k in child] == CHILD_TITLES
    assert all(k.prompts.exists() for k in adult + child)


def test_child_prompts_cover_education_and_transition():
    texts = " ".join(
        KloePrompt.objects.filter(kloe__audience="child").values_list("text", flat=True)
    )
    assert "EHC plan" in texts and "adult services" in texts and "STAMP" in texts


@pytest.mark.parametrize(
    ("child", "setting", "kind", "count"),
    [
        (False, "community", "adult_community", 11),
        (False, "non_secure", "adult_hospital", 11),
        (False, "medium_secure", "adult_secure", 11),
        (True, "community", "child_community", 12),
        (True, "non_secure", "child_hospital", 12),
        (True, "low_secure", "child_secure", 12),
    ],
)
def test_each_review_gets_the_right_workbook_and_kloe_set(child, setting, kind, count):
    person = PersonFactory(
        child=child,
        **({"setting": setting} if setting == "community" else {"in_hospital": True}),
    )
    if setting != "community":
        person.setting = setting
        person.save(update_fields=["setting"])
    review = ReviewFactory(person=person, scheduled=True)
    panel = services.panel_form(review=review)
    assert panel.workbook_kind == kind
    kloes = queries.kloes_for_panel(panel, prompts=True)
    assert [k.number for k in kloes] == list(range(1, count + 1))
    scopes = {p.scope for k in kloes for p in k.prompts.all()}
    assert PromptScope.PROVIDER not in scopes
    if setting == "community":
        assert scopes == {PromptScope.ALL, PromptScope.COMMUNITY}
    elif "secure" in setting and setting != "non_secure":
        assert PromptScope.SECURE in scopes and PromptScope.NON_SECURE not in scopes
        assert PromptScope.COMMUNITY not in scopes
    else:
        assert PromptScope.SECURE not in scopes and PromptScope.HOSPITAL in scopes
    texts = " ".join(p.text for k in kloes for p in k.prompts.all())
    # Long-term segregation is asked about in every hospital workbook, not only secure ones.
    assert ("long-term segregation" in texts) is (setting != "community")
    if setting != "community":
        assert "has an Independent C(E)TR been held" in texts


def test_a_new_version_never_changes_a_panel_already_formed(world):
    workbook = open_workbook(world)
    v2 = KloeSet.objects.create(version=3, published_on=date(2026, 1, 1))
    Kloe.objects.create(kloe_set=v2, audience="adult", number=1, title="A new first KLOE")
    panel = Panel.objects.get(pk=workbook.panel_id)
    assert panel.kloe_set.version == 2
    assert queries.kloes_for_panel(panel)[0].title == "Key areas of concern"
    later = ReviewFactory(scheduled=True)
    assert services.panel_form(review=later).kloe_set == v2


# --- Opening a workbook --------------------------------------------------------------------


def test_a_declared_panel_member_gets_one_workbook(world):
    first = open_workbook(world)
    again = open_workbook(world)
    assert first.pk == again.pk
    assert Workbook.objects.count() == 1
    assert AuditEvent.objects.filter(
        action="create", object_type="panels.workbook", object_id=str(first.pk)
    ).exists()


def test_no_workbook_before_the_independence_declaration(world):
    with pytest.raises(ValidationError, match="Declare your independence"):
        open_workbook(world, "expert_by_experience")


def test_no_workbook_while_the_consent_gate_is_closed(world):
    ConsentRecordFactory(review=world["review"], withdrawn=True)
    with pytest.raises(ValidationError, match="consent"):
        open_workbook(world)


def test_only_panel_members_have_a_workbook(world):
    with pytest.raises(ValidationError, match="panel members"):
        open_workbook(world, "family_carer")


# --- Saving answers ------------------------------------------------------------------------


def test_saving_an_answer_keeps_evidence_and_suggestions_in_order(world):
    workbook = open_workbook(world)
    saved = save(
        world,
        workbook,
        3,
        findings="Dan has a clear daily plan.",
        rating=Rating.NO_CONCERNS,
        evidence=[
            {"source_kind": "document", "source": "Activity planner", "shows": "Daily walks"},
            {},
            {
                "source_kind": "conversation",
                "source": "Dan",
                "shows": "I like my walks",
                "quote_from": "person",
            },
        ],
        suggestions=[{"text": "Keep the walks", "owner": "Named nurse", "timescale": "Ongoing"}],
    )
    answer = queries.answer_for(workbook, kloe_of(workbook.panel, 3))
    assert saved.answer.version == answer.version == 1
    assert [(e.position, e.source, e.is_quote) for e in answer.evidence.all()] == [
        (1, "Activity planner", False),
        (2, "Dan", True),
    ]
    assert [s.owner for s in answer.suggestions.all()] == ["Named nurse"]

    save(
        world,
        workbook,
        3,
        findings="Dan has a clear daily plan.",
        evidence=[{"source_kind": "conversation", "source": "Dan", "shows": "I like my walks"}],
    )
    answer = queries.answer_for(workbook, kloe_of(workbook.panel, 3))
    assert answer.version == 2
    assert [e.source for e in answer.evidence.all()] == ["Dan"]
    assert not answer.suggestions.exists()


def test_a_save_based_on_an_old_version_is_not_applied(world):
    workbook = open_workbook(world)
    save(world, workbook, findings="First tab", version=0)
    save(world, workbook, findings="First tab, more", version=1)
    with pytest.raises(services.EditConflict) as conflict:
        save(world, workbook, findings="Second tab", version=1)
    assert conflict.value.current.findings == "First tab, more"
    answer = queries.answer_for(workbook, kloe_of(workbook.panel, 1))
    assert (answer.findings, answer.version) == ("First tab, more", 2)


def test_an_old_version_with_the_same_text_is_no_conflict(world):
    workbook = open_workbook(world)
    save(world, workbook, findings="Same words", version=0)
    saved = save(world, workbook, findings="Same words", version=0)
    assert saved.answer.version == 2


def test_the_member_may_choose_their_version_by_saving_on_the_current_one(world):
    workbook = open_workbook(world)
    save(world, workbook, findings="Other tab", version=0)
    with pytest.raises(services.EditConflict) as conflict:
        save(world, workbook, findings="Mine", version=0)
    save(world, workbook, findings="Mine", version=conflict.value.current.version)
    answer = queries.answer_for(workbook, kloe_of(workbook.panel, 1))
    assert answer.findings == "Mine"


def test_only_the_owner_saves_their_workbook(world):
    workbook = open_workbook(world)
    with pytest.raises(ValidationError, match="your own workbook"):
        save(world, workbook, role="chair", findings="Not mine")


# --- Submitting and reopening --------------------------------------------------------------


def fill_all(world, workbook, role="clinical_expert", rating=Rating.NO_CONCERNS):
    for kloe in queries.kloes_for_panel(workbook.panel):
        save(
            world, workbook, kloe.number, role=role, findings=f"Found {kloe.number}", rating=rating
        )


def test_submission_needs_every_kloe_rated_with_findings(world):
    workbook = open_workbook(world)
    save(world, workbook, 1, findings="Something", rating=Rating.NO_CONCERNS)
    with pytest.raises(ValidationError) as error:
        services.workbook_submit(actor=world["users"]["clinical_expert"], workbook=workbook)
    assert "KLOE 2: select a rating" in error.value.messages
    assert "KLOE 1: select a rating" not in error.value.messages


def test_submitting_locks_the_workbook_until_the_chair_reopens_it(
    world, django_capture_on_commit_callbacks
):
    workbook = open_workbook(world)
    fill_all(world, workbook)
    services.workbook_submit(actor=world["users"]["clinical_expert"], workbook=workbook)
    workbook.refresh_from_db()
    assert workbook.is_submitted
    assert ReviewEvent.objects.filter(kind="workbook", review=world["review"]).exists()
    with pytest.raises(ValidationError, match="submitted"):
        save(world, workbook, 2, findings="A change")

    chair = world["users"]["chair"]
    with pytest.raises(ValidationError, match="chair"):
        services.workbook_reopen(
            actor=world["users"]["clinical_expert"],
            review=fresh(world["users"]["clinical_expert"], world["review"]),
            workbook=workbook,
        )
    with django_capture_on_commit_callbacks(execute=False):
        services.workbook_reopen(
            actor=chair, review=fresh(chair, world["review"]), workbook=workbook
        )
    workbook.refresh_from_db()
    assert not workbook.is_submitted and workbook.reopened_by == chair
    assert (
        Notification.objects.filter(
            template="panel_workbook_reopened", recipient=world["users"]["clinical_expert"].email
        ).count()
        == 1
    )
    save(world, workbook, 2, findings="A change")


# --- Serious concerns ----------------------------------------------------------------------


def test_a_serious_concern_notifies_the_chair_and_commissioner_exactly_once(
    world, django_capture_on_commit_callbacks
):
    workbook = open_workbook(world)
    with django_capture_on_commit_callbacks(execute=False):
        first = save(
            world,
            workbook,
            7,
            findings="Prone restraint used twice last week.",
            rating=Rating.SERIOUS_CONCERNS,
            concern_detail="Prone restraint used.",
        )
        save(
            world,
            workbook,
            7,
            findings="More detail.",
            rating=Rating.SERIOUS_CONCERNS,
            concern_detail="Prone restraint used twice.",
        )
        save(world, workbook, 7, rating=Rating.SOME_CONCERNS, concern_detail="")
        save(world, workbook, 7, rating=Rating.SERIOUS_CONCERNS, concern_detail="Again.")
    assert first.concern_raised
    assert Concern.objects.count() == 1
    sent = Notification.objects.filter(template="panel_concern")
    assert sorted(sent.values_list("recipient", flat=True)) == sorted(
        [world["users"]["chair"].email, world["users"]["commissioner"].email]
    )
    body = str(sent.first().context)
    assert "Daniel" not in body and "Prone" not in body  # no person or detail in the email
    assert ReviewEvent.objects.filter(kind="concern", review=world["review"]).count() == 1


def test_autosave_keeps_a_serious_rating_until_the_concern_is_described(world):
    workbook = open_workbook(world)
    saved = save(world, workbook, 4, rating=Rating.SERIOUS_CONCERNS)
    assert saved.needs_concern_detail and not saved.concern_raised
    assert not Concern.objects.exists()
    with pytest.raises(ValidationError) as error:
        save(world, workbook, 4, rating=Rating.SERIOUS_CONCERNS, complete=True)
    assert error.value.message_dict == {"concern_detail": ["Describe the concern"]}


def test_an_immediate_safety_concern_is_only_under_kloe_1(world):
    workbook = open_workbook(world)
    ignored = save(world, workbook, 2, immediate_safety_concern=True, concern_detail="x")
    assert not ignored.answer.immediate_safety_concern and not ignored.concern_raised
    raised = save(
        world,
        workbook,
        1,
        immediate_safety_concern=True,
        concern_detail="A window restrictor is broken in Dan's bedroom.",
    )
    assert raised.concern_raised
    assert Concern.objects.get().kind == Concern.Kind.SAFETY


def test_the_chair_closes_a_concern_with_what_was_done_and_by_whom(world):
    workbook = open_workbook(world)
    save(world, workbook, 1, rating=Rating.SERIOUS_CONCERNS, concern_detail="Broken window.")
    concern = Concern.objects.get()
    chair = world["users"]["chair"]
    review = fresh(chair, world["review"])
    assert queries.open_concern_count(review) == 1
    with pytest.raises(ValidationError) as error:
        services.concern_resolve(
            actor=chair, review=review, concern=concern, action_taken="", action_by=""
        )
    assert set(error.value.message_dict) == {"action_taken", "action_by"}
    with pytest.raises(ValidationError, match="chair"):
        services.concern_resolve(
            actor=world["users"]["clinical_expert"],
            review=fresh(world["users"]["clinical_expert"], world["review"]),
            concern=concern,
            action_taken="Fixed",
            action_by="Estates",
        )
    services.concern_resolve(
        actor=chair,
        review=review,
        concern=concern,
        action_taken="Window repaired the same day",
        action_by="Sam Whitfield, ward manager",
    )
    assert queries.open_concern_count(review) == 0


# --- The provider's part -------------------------------------------------------------------


def test_the_provider_completes_kloe_5_and_6_of_a_hospital_review(world):
    provider = world["users"]["provider"]
    review = fresh(provider, world["review"])
    parts = services.provider_part_save(
        actor=provider, review=review, texts={5: "Epilepsy, controlled.", 6: "Clozapine 200mg."}
    )
    assert sorted(p.kloe.number for p in parts) == [5, 6]
    panel = queries.panel_for_review(review)
    assert queries.provider_parts_by_kloe(panel)[kloe_of(panel, 6).pk].text == "Clozapine 200mg."


def test_a_community_review_has_no_provider_part(users):
    review = ReviewFactory(scheduled=True)
    with pytest.raises(ValidationError):
        services.provider_part_save(actor=users["provider"], review=review, texts={5: "x"})


# --- Consolidation -------------------------------------------------------------------------


def chair_review(world):
    return fresh(world["users"]["chair"], world["review"])


def consolidate(world, number, version=None, **fields):
    chair = world["users"]["chair"]
    review = chair_review(world)
    panel = services.panel_form(review=review)
    kloe = kloe_of(panel, number)
    row = queries.consolidation_for(panel).consolidated.get(kloe.pk)
    return services.consolidated_kloe_save(
        actor=chair,
        review=review,
        panel=panel,
        kloe=kloe,
        expected_version=(row.version if row else 0) if version is None else version,
        **{
            "finding": "Agreed.",
            "rating": Rating.NO_CONCERNS,
            "reasoning": "The members' findings and the documents agree.",
            **fields,
        },
    )


def test_consolidation_opens_once_the_review_is_held_or_on_the_day(world):
    review = chair_review(world)
    assert not services.consolidation_is_open(review, None)
    with pytest.raises(ValidationError, match="opens once the review is held"):
        consolidate(world, 1)
    make_on_the_day(world["review"])
    assert services.consolidation_is_open(chair_review(world), None)
    make_held(world["review"])
    assert services.consolidation_is_open(chair_review(world), None)


def test_how_the_panel_decided_is_asked_for_every_kloe(world):
    expert = open_workbook(world)
    chair_book = open_workbook(world, "chair")
    save(world, expert, 2, findings="Could be at home", rating=Rating.SOME_CONCERNS)
    save(
        world, chair_book, 2, role="chair", findings="Needs hospital now", rating=Rating.NO_CONCERNS
    )
    save(world, expert, 3, findings="Good", rating=Rating.NO_CONCERNS)
    save(world, chair_book, 3, role="chair", findings="Good", rating=Rating.NO_CONCERNS)
    make_held(world["review"])

    with pytest.raises(ValidationError) as error:
        consolidate(world, 2, reasoning="  ")
    assert error.value.message_dict == {
        "reasoning": ["Members' ratings differ: enter how or why the panel decided"]
    }
    consolidate(world, 2, reasoning="The clinical expert's view was supported by the MDT.")
    with pytest.raises(ValidationError) as error:
        consolidate(world, 3, reasoning="")  # the members agree: still asked (issue 23)
    assert error.value.message_dict == {"reasoning": ["Enter how or why the panel decided"]}
    consolidate(world, 3)
    with pytest.raises(ValidationError, match="not the members' rating"):
        consolidate(world, 3, rating=Rating.SERIOUS_CONCERNS, reasoning="")


def test_the_chair_carries_suggestions_forward_as_copies(world):
    expert = open_workbook(world)
    save(
        world,
        expert,
        9,
        findings="No discharge date",
        rating=Rating.SOME_CONCERNS,
        suggestions=[
            {"text": "Set a discharge date", "owner": "RC", "timescale": "4 weeks"},
            {"text": "Find housing", "owner": "Commissioner", "timescale": "3 months"},
        ],
    )
    make_held(world["review"])
    answer = queries.answer_for(expert, kloe_of(expert.panel, 9))
    first, second = answer.suggestions.all()
    row = consolidate(world, 9, rating=Rating.SOME_CONCERNS, carry=[first.pk, second.pk, 99999])
    assert [(c.text, c.owner) for c in row.carried.all()] == [
        ("Set a discharge date", "RC"),
        ("Find housing", "Commissioner"),
    ]
    assert "clinical expert" in row.carried.first().suggested_by
    row = consolidate(world, 9, rating=Rating.SOME_CONCERNS, carry=[second.pk])
    assert [c.text for c in row.carried.all()] == ["Find housing"]


def test_a_stale_consolidation_save_is_not_applied(world):
    make_held(world["review"])
    consolidate(world, 1, finding="First")
    with pytest.raises(services.EditConflict):
        consolidate(world, 1, finding="Stale", version=0)


def test_finishing_needs_every_kloe_consolidated(world):
    make_held(world["review"])
    consolidate(world, 1)
    chair = world["users"]["chair"]
    review = chair_review(world)
    with pytest.raises(ValidationError) as error:
        services.consolidation_finish(
            actor=chair, review=review, panel=services.panel_form(review=review)
        )
    assert "KLOE 2: enter the panel's finding and rating" in error.value.messages


def finish_all(world):
    chair = world["users"]["chair"]
    review = chair_review(world)
    panel = services.panel_form(review=review)
    for kloe in queries.kloes_for_panel(panel):
        consolidate(world, kloe.number)
    review = chair_review(world)
    return services.consolidation_finish(actor=chair, review=review, panel=panel), review


def test_finishing_moves_the_review_to_report_drafting_and_closes_workbooks(world):
    expert = open_workbook(world)
    make_held(world["review"])
    panel, review = finish_all(world)
    assert review.state == ReviewState.REPORT_DRAFTING
    world["review"].refresh_from_db()
    assert world["review"].state == ReviewState.REPORT_DRAFTING
    assert panel.is_finished
    assert ReviewEvent.objects.filter(kind="consolidation").exists()
    with pytest.raises(ValidationError, match="finished"):
        save(world, Workbook.objects.get(pk=expert.pk), 1, findings="Too late")
    assert not services.consolidation_is_open(review, Panel.objects.get(pk=panel.pk))


def test_finishing_on_the_day_records_the_review_as_held_first(world):
    make_on_the_day(world["review"], state="ready")
    _, review = finish_all(world)
    world["review"].refresh_from_db()
    assert world["review"].state == ReviewState.REPORT_DRAFTING
    assert world["review"].held_on is not None
    moves = list(
        ReviewEvent.objects.filter(review=world["review"], kind="transition")
        .order_by("occurred_at", "pk")
        .values_list("to_state", flat=True)
    )
    assert moves[-2:] == ["held", "report_drafting"]


def test_finishing_is_refused_when_the_lifecycle_refuses(world):
    make_on_the_day(world["review"], state="preparing")
    with pytest.raises(ValidationError, match="cannot be moved to held"):
        finish_all(world)
    assert not Panel.objects.get(review=world["review"]).is_finished


def test_another_panel_member_joins_the_panel_formed_earlier(world):
    open_workbook(world)
    ParticipantFactory(
        review=world["review"],
        role="panel_member",
        independent=True,
        user__email="pharmacist@example.nhs.uk",
    )
    from ctr_portal.models import User

    pharmacist = User.objects.get(email="pharmacist@example.nhs.uk")
    workbook = services.workbook_open(actor=pharmacist, review=fresh(pharmacist, world["review"]))
    assert Panel.objects.count() == 1
    assert workbook.panel.workbook_kind == "adult_hospital"


def test_the_concern_email_is_sent_without_the_persons_name(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    workbook = open_workbook(world)
    with django_capture_on_commit_callbacks(execute=True):
        save(
            world,
            workbook,
            1,
            immediate_safety_concern=True,
            concern_detail="Daniel's window restrictor is broken.",
        )
    assert len(mailoutbox) == 2
    message = mailoutbox[0]
    assert message.subject == "Immediate safety concern raised on a Care and Treatment Review"
    assert "KLOE 1: Key areas of concern" in message.body
    assert "/panels/reviews/" in message.body
    assert "Daniel" not in message.body and "window" not in message.body
    html = message.alternatives[0][0]
    assert "Read the concern and record what was done" in html


def test_the_reopened_email_renders(world, django_capture_on_commit_callbacks, mailoutbox):
    workbook = open_workbook(world)
    fill_all(world, workbook)
    services.workbook_submit(actor=world["users"]["clinical_expert"], workbook=workbook)
    chair = world["users"]["chair"]
    with django_capture_on_commit_callbacks(execute=True):
        services.workbook_reopen(
            actor=chair, review=fresh(chair, world["review"]), workbook=workbook
        )
    assert [m.subject for m in mailoutbox] == ["Your KLOE workbook has been reopened"]
    assert "submit it again" in mailoutbox[0].body
