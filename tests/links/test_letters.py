"""Printable letters and the way each participant is reached: made in the worker as a PDF
(easy read at 18 point where the consent record asks for it), the report's letter carrying its
single-purpose link and short code, and the hand-over recorded on the timeline and audited."""

import io

import pikepdf
import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ctr_portal.models import AuditEvent
from links import services
from links.letters import FONT_POINTS, letter_html, letter_pdf
from links.models import Letter
from reports import services as reports
from reviews.models import ConsentRecord, InvitedThrough, Participant, ParticipantRole, ReviewEvent
from reviews.queries import review_for_user
from reviews.services import participant_reach_set
from tests.panels.factories import make_held
from tests.pdf_ua import pdf_ua_problems


@pytest.fixture
def on_paper(world):
    """The person, without an account, reached on paper."""
    person = world["participants"]["person"]
    Participant.objects.filter(pk=person.pk).update(
        user=None, email="", invited_through=InvitedThrough.PAPER
    )
    person.refresh_from_db()
    return person


def pdf_text(letter) -> str:
    letter.refresh_from_db()
    with letter.file.open("rb") as handle:
        reader = pypdf.PdfReader(io.BytesIO(handle.read()))
    return " ".join(page.extract_text() for page in reader.pages)


def make(world, participant, kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.letter_request(
            actor=world["users"]["commissioner"], participant=participant, kind=kind
        )


def test_invitation_letter_renders_in_the_worker_as_a_pdf(
    world, on_paper, django_capture_on_commit_callbacks
):
    letter = make(world, on_paper, Letter.Kind.INVITATION, django_capture_on_commit_callbacks)
    letter.refresh_from_db()
    assert letter.state == Letter.State.READY and letter.pages >= 1
    text = pdf_text(letter)
    assert on_paper.name in text
    assert world["review"].commissioner.name in text


def test_report_letter_carries_its_link_and_short_code(
    client, world, on_paper, django_capture_on_commit_callbacks
):
    chair = world["users"]["chair"]
    review = make_held(world["review"], days_ago=1)
    reports.report_issue(actor=chair, review=review_for_user(chair, review.pk))
    letter = make(world, on_paper, Letter.Kind.REPORT, django_capture_on_commit_callbacks)
    text = " ".join(pdf_text(letter).split())
    assert "/l/" in text.replace(" ", "")
    assert "Your code" in text


def test_letter_is_easy_read_at_18_point_when_the_consent_asks_for_easy_read(world, on_paper):
    ConsentRecord.objects.filter(pk=world["consent"].pk).update(
        report_format=ConsentRecord.Format.EASY_READ
    )
    assert services.letter_format_for(on_paper) == Letter.Format.EASY_READ
    letter = Letter(
        participant=on_paper,
        kind=Letter.Kind.INVITATION,
        format=services.letter_format_for(on_paper),
        requested_by=world["users"]["commissioner"],
        requested_at=timezone.now(),
    )
    html = letter_html(letter)
    assert "font-size: 18pt" in html
    assert "A review is a meeting about you" in html


def test_easy_read_letter_pdf_says_it_in_easy_read(
    world, on_paper, django_capture_on_commit_callbacks
):
    ConsentRecord.objects.filter(pk=world["consent"].pk).update(
        report_format=ConsentRecord.Format.EASY_READ
    )
    letter = make(world, on_paper, Letter.Kind.INVITATION, django_capture_on_commit_callbacks)
    assert letter.format == Letter.Format.EASY_READ
    assert "A review is a meeting about you" in " ".join(pdf_text(letter).split())


def test_report_letter_refused_when_there_is_no_issued_report(world, on_paper):
    with pytest.raises(ValidationError):
        services.letter_request(
            actor=world["users"]["commissioner"], participant=on_paper, kind=Letter.Kind.REPORT
        )


def test_hand_over_is_recorded_on_the_timeline_and_audited(
    world, on_paper, django_capture_on_commit_callbacks, client_for
):
    letter = make(world, on_paper, Letter.Kind.INVITATION, django_capture_on_commit_callbacks)
    client = client_for("commissioner")
    today = timezone.localdate()
    response = client.post(
        reverse("links:letter_handover", args=[letter.pk]),
        {
            "handed_over_by": "Keyworker Pat Reid",
            "handed_over_on[day]": today.day,
            "handed_over_on[month]": today.month,
            "handed_over_on[year]": today.year,
        },
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.handed_over_by == "Keyworker Pat Reid" and letter.handed_over_on == today
    assert ReviewEvent.objects.filter(
        review=world["review"], kind="letter", summary__contains="handed over"
    ).exists()
    assert AuditEvent.objects.filter(
        object_type="links.letter", object_id=str(letter.pk), action="update"
    ).exists()
    page = client.get(reverse("links:review_letters", args=[world["review"].pk]))
    assert "Keyworker Pat Reid" in page.content.decode()


def test_commissioner_downloads_the_letter_and_it_is_audited(
    world, on_paper, django_capture_on_commit_callbacks, client_for
):
    letter = make(world, on_paper, Letter.Kind.INVITATION, django_capture_on_commit_callbacks)
    response = client_for("commissioner").get(reverse("links:letter_pdf", args=[letter.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_type="links.letter", action="download").exists()


def test_way_to_be_reached_by_text_needs_a_mobile_number(world, on_paper):
    with pytest.raises(ValidationError) as error:
        participant_reach_set(
            actor=world["users"]["commissioner"],
            participant=on_paper,
            invited_through=InvitedThrough.TEXT,
        )
    assert "phone" in error.value.message_dict
    participant_reach_set(
        actor=world["users"]["commissioner"],
        participant=on_paper,
        invited_through=InvitedThrough.KEYWORKER,
        reached_through="Pat Reid",
    )
    on_paper.refresh_from_db()
    assert on_paper.invited_through == InvitedThrough.KEYWORKER
    assert on_paper.reached_through == "Pat Reid"


def test_only_the_person_is_reached_other_than_by_email(world):
    family = world["participants"]["family_carer"]
    with pytest.raises(ValidationError):
        participant_reach_set(
            actor=world["users"]["commissioner"],
            participant=family,
            invited_through=InvitedThrough.PAPER,
        )
    assert family.role == ParticipantRole.FAMILY_CARER


def test_commissioner_revokes_a_report_link_on_the_review_page(world, on_paper, client_for):
    from ctr_portal.links import Purpose, link_issue

    link, _token = link_issue(purpose=Purpose.READ_REPORT, obj=on_paper)
    client = client_for("commissioner")
    url = reverse("links:review_letters", args=[world["review"].pk])
    assert "Read this report" in client.get(url).content.decode()
    client.post(url, {"revoke": str(link.pk)})
    link.refresh_from_db()
    assert link.state == "revoked"


def test_plan_letter_says_how_each_recommendation_is_going_with_a_link_to_follow_it(
    world, on_paper, client_for, django_capture_on_commit_callbacks
):
    """Each update reaches someone on paper: a letter of the action plan as it stands."""
    from datetime import timedelta

    from recommendations.models import State
    from tests.recommendations.factories import RecommendationFactory

    chair = world["users"]["chair"]
    review = make_held(world["review"], days_ago=1)
    reports.report_issue(actor=chair, review=review_for_user(chair, review.pk))
    RecommendationFactory(
        review=review,
        number=1,
        action="Find Daniel a home near his family",
        state=State.IN_PROGRESS,
        owner=world["users"]["provider"],
        owner_organisation="Riverside Hospital",
        created_by=chair,
        due_date=timezone.localdate() + timedelta(days=60),
    )
    from recommendations.services import recommendation_progress

    recommendation_progress(
        actor=world["users"]["provider"],
        recommendation=review.recommendations.get(number=1),
        note="Two homes visited with Daniel's mother",
    )
    page = client_for("commissioner").get(reverse("links:review_letters", args=[review.pk]))
    assert "The action plan has changed since" in page.content.decode()
    letter = make(world, on_paper, Letter.Kind.PLAN, django_capture_on_commit_callbacks)
    page = client_for("commissioner").get(reverse("links:review_letters", args=[review.pk]))
    assert "The action plan has changed since" not in page.content.decode()
    text = " ".join(pdf_text(letter).split())
    assert "Find Daniel a home near his family" in text
    assert "Riverside Hospital has started" in text
    assert "Your code" in text and "/l/" in text.replace(" ", "")


@pytest.mark.parametrize(
    "kind,format",
    [
        (Letter.Kind.INVITATION, Letter.Format.STANDARD),
        (Letter.Kind.REPORT, Letter.Format.STANDARD),
        (Letter.Kind.PLAN, Letter.Format.STANDARD),
        (Letter.Kind.INVITATION, Letter.Format.EASY_READ),
        (Letter.Kind.PLAN, Letter.Format.EASY_READ),
        (Letter.Kind.REPORT, Letter.Format.LARGE_PRINT),
    ],
)
def test_every_letter_pdf_passes_the_pdf_ua_check(world, on_paper, kind, format):
    letter = Letter(
        participant=on_paper,
        kind=kind,
        format=format,
        requested_by=world["users"]["commissioner"],
        requested_at=timezone.now(),
    )

    data, _pages = letter_pdf(letter)

    assert pdf_ua_problems(data, min_points=FONT_POINTS[format]) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.docinfo.Title).endswith(
            f"a letter to {on_paper.name} from "
            f"{world['review'].commissioner.name}, "
            f"{timezone.localdate().strftime('%-d %B %Y')}"
        )


def test_without_a_format_in_the_consent_the_letter_follows_how_the_person_reads(world, on_paper):
    ConsentRecord.objects.filter(pk=world["consent"].pk).update(
        report_format=ConsentRecord.Format.STANDARD
    )
    person = world["person"]
    person.reading_format = "large_print"
    person.save(update_fields=["reading_format"])
    on_paper.refresh_from_db()
    assert services.letter_format_for(on_paper) == Letter.Format.LARGE_PRINT
