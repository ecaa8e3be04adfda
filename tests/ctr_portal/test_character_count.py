"""A real form's free text renders as the NHS.UK character count, driven by its maximum length.

The blue light meeting's outcome (5,000 characters, the model's and the form's limit) is
rendered through the `nhsuk` pack and compared with nhsuk-frontend's own character-count
fixtures, their parameters (name, label, hint, limit, value, error) swapped for the field's.
"""

from datetime import timedelta

from django.utils import timezone

from ctr_portal import limits
from ctr_portal.nhsuk import render_bound_field
from reviews.forms.people import LaepMeetingForm
from reviews.models import LaepMeeting
from tests.nhsuk_fixtures import assert_same_html, fixture

AS_PAGE_HEADING = {"label_size": "l", "label_is_page_heading": True}
LIMIT = limits.LONG_NOTE


def expected_html(name: str, *, value: str = "", error: str = "") -> str:
    """The fixture's HTML with its parameters replaced by the outcome field's."""
    fx = fixture("character-count", name)
    params = fx["context"]
    html = fx["html"]
    if "value" in params:
        html = html.replace(params["value"], value)
    if "errorMessage" in params:
        html = html.replace(params["errorMessage"]["text"], error)
    limit = params["maxlength"]
    for old, new in (
        (params["label"]["heading"], "What was agreed?"),
        (params["hint"]["text"], "The outcome of the meeting, and who will do what"),
        (params["id"], "outcome"),
        ('name="example"', 'name="outcome"'),
        (f'data-maxlength="{limit}"', f'data-maxlength="{LIMIT}"'),
        (f"up to {limit} characters", f"up to {LIMIT:,} characters"),
    ):
        assert old in html, old
        html = html.replace(old, new)
    return html


def test_the_outcome_is_limited_alike_in_the_model_and_the_form():
    assert LaepMeeting._meta.get_field("outcome").max_length == LIMIT
    assert LaepMeetingForm.base_fields["outcome"].max_length == LIMIT


def test_an_empty_outcome_renders_as_the_character_count_fixture():
    form = LaepMeetingForm(auto_id="%s")

    html = render_bound_field(form["outcome"], AS_PAGE_HEADING)

    assert_same_html(html, expected_html("with hint"))


def test_an_outcome_over_the_limit_renders_as_the_fixture_with_its_error():
    too_long = "Extra support at home. " + "x" * LIMIT
    yesterday = timezone.localdate() - timedelta(days=1)
    form = LaepMeetingForm(
        data={
            "held_on[day]": yesterday.day,
            "held_on[month]": yesterday.month,
            "held_on[year]": yesterday.year,
            "outcome": too_long,
        },
        auto_id="%s",
    )

    assert not form.is_valid()
    html = render_bound_field(form["outcome"], AS_PAGE_HEADING)

    assert_same_html(
        html,
        expected_html(
            "with error message and hint",
            value=too_long,
            error="Outcome must be 5,000 characters or fewer",
        ),
    )
