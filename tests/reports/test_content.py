"""The report's content comes from the data: nothing is retyped, and a change shows in the next
draft."""

from ctr_portal.formatting import nhs_date
from reports import queries, rendering, services
from reports.easy_read import easy_read_parts
from reviews.models import Participant
from tests.recommendations.factories import PLAIN_WORDS, RecommendationFactory

from .factories import FINDING, PERSON_QUOTE, due_date, seen_by


def draft_html(world):
    review = seen_by(world["chair"], world["review"])
    return rendering.report_body(queries.report_content(review))


def test_the_draft_gives_the_person_the_review_findings_quotes_and_recommendations(held_world):
    html = draft_html(held_world)

    assert "Daniel Clarke" in html
    assert "Speak slowly; I like to see things written down." in html
    assert "Post-admission" in html
    assert FINDING in html
    assert "Serious concerns" in html
    assert "the restraint log decided it" in html
    assert PERSON_QUOTE in html and "own words" in html
    for n in (1, 2, 3):
        assert f"Action number {n}" in html
        assert f"Measure {n}" in html
        assert f"Owner {n}, Riverside Hospital" in html
    assert nhs_date(due_date(held_world["review"], 1)) in html
    assert "Next review due:" in html
    assert "Marion Carer (family carer)" in html  # the consent lets her receive it


def test_a_change_in_the_data_shows_in_the_next_draft(held_world):
    before = draft_html(held_world)
    RecommendationFactory(
        review=held_world["review"],
        number=4,
        action="Book an easy-read tenancy meeting",
        created_by=held_world["chair"],
    )
    after = draft_html(held_world)

    assert "Book an easy-read tenancy meeting" not in before
    assert "Book an easy-read tenancy meeting" in after


def test_the_chairs_narrative_is_the_only_thing_typed(held_world):
    review = seen_by(held_world["chair"], held_world["review"])
    services.report_draft_save(
        actor=held_world["chair"],
        review=review,
        expected_version=0,
        is_safe="Yes, with the changes to restraint below.",
    )

    html = draft_html(held_world)
    assert "Yes, with the changes to restraint below." in html
    review.refresh_from_db()
    assert review.state == "report_drafting"


def test_the_easy_read_version_says_what_was_found_and_who_does_what_by_when(held_world):
    review = seen_by(held_world["chair"], held_world["review"])
    parts = {p.heading: p for p in easy_read_parts(queries.report_content(review))}

    found = [[line.text for line in box] for box in parts["What the panel found"].boxes]
    assert [
        "Are risks handled safely and kindly? The panel is very worried about this.",
        # The finding one idea per line, then what it means for the person.
        "Restraint was used four times last month.",
        "The plan has not been reviewed.",
        "What this means for you:",
        "You are safe on the ward.",
        "The staff know how to help you.",
    ] in found
    boxes = parts["What will happen"].boxes
    assert len(boxes) == 3
    assert [line.symbol for line in boxes[0]] == ["action", "who", "calendar"]
    assert boxes[0][0].text == PLAIN_WORDS
    assert "Action number" not in rendering.easy_read_body(queries.report_content(review))
    assert boxes[0][1].text == "Who will do it: Owner 1, Riverside Hospital."
    assert boxes[0][2].text == f"By when: {nhs_date(due_date(held_world['review'], 1))}."
    about = [line.text for line in parts["About this report"].lines]
    assert f"You told us: “{PERSON_QUOTE}”" in about
    html = rendering.easy_read_body(queries.report_content(review))
    assert html.count("<svg") == sum(len(p.lines) + sum(map(len, p.boxes)) for p in parts.values())


def test_the_easy_read_names_each_panel_member_with_their_role_in_plain_words(held_world):
    review = seen_by(held_world["chair"], held_world["review"])
    content = queries.report_content(review)
    parts = {p.heading: p for p in easy_read_parts(content)}
    about = parts["About this report"].lines
    members = [line for line in about if line.role]
    assert {line.role for line in members} >= {"chair", "clinical_expert", "expert_by_experience"}
    chair = next(line for line in members if line.role == "chair")
    assert chair.text.endswith(": the person who runs the review.")
    expert = next(line for line in members if line.role == "expert_by_experience")
    assert expert.text.endswith(
        ": someone who has been through this themselves or cares for someone who has."
    )
    html = rendering.easy_read_body(content)
    # Each role's own picture, hidden from screen readers (the words beside it say the same),
    # with a title for the PDF's alternative text.
    assert '<svg class="easy-read__symbol"' in html
    assert "<title>A person with a health cross</title>" in html
    assert "The panel was " not in html


def test_someone_recorded_as_not_there_on_the_day_is_not_listed_as_taking_part(held_world):
    Participant.objects.filter(pk=held_world["participants"]["family_carer"].pk).update(
        attended=False
    )
    html = draft_html(held_world)
    took_part = html[html.index("Who else took part") :][:600]
    assert "Marion Carer" not in took_part
    assert "Dee Person" in took_part


def test_easy_read_is_spelt_one_way_in_every_template():
    """ "easy read", never "easy-read", in what people read (class names and URLs aside)."""
    import re
    from pathlib import Path

    hyphenated = re.compile(r'(?<![-_"/=?.\w#\'])[Ee]asy-read(?![-_\w/"])')
    root = Path(__file__).resolve().parents[2]
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in [*root.glob("*/templates/**/*.*"), *root.glob("templates/**/*.*")]
        if "node_modules" not in path.parts
        for match in hyphenated.finditer(path.read_text())
    ]
    assert found == []


def test_a_cetr_report_asks_the_key_questions_of_a_child_or_young_person(held_world):
    review = held_world["review"]
    person = review.person
    person.date_of_birth = review.review_date.replace(year=review.review_date.year - 15)
    person.save()

    html = draft_html(held_world)

    assert seen_by(held_world["chair"], review).is_child_review
    assert "Is the child or young person safe?" in html
    assert "What are their care and education plans for the future?" in html
    assert "Is the person safe?" not in html


def test_an_adult_ctr_report_asks_them_of_the_person(held_world):
    html = draft_html(held_world)

    assert "Is the person safe?" in html and "child or young person" not in html


def test_a_quote_typed_in_quotation_marks_is_not_put_in_a_second_pair(held_world):
    from panels.models import Evidence

    Evidence.objects.filter(shows=PERSON_QUOTE).update(shows=f'  "{PERSON_QUOTE}" ')
    review = seen_by(held_world["chair"], held_world["review"])

    html = draft_html(held_world)
    parts = {p.heading: p for p in easy_read_parts(queries.report_content(review))}

    assert f"“{PERSON_QUOTE}”" in html and "“&quot;" not in html and '“"' not in html
    assert f"You told us: “{PERSON_QUOTE}”" in [
        line.text for line in parts["About this report"].lines
    ]
