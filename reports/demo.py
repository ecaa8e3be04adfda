"""Demo reports for `make run`: the issued review has recommendations, the chair's narrative
and an issued report (version 1) with its easy read version, both rendered to PDF now; the
review whose report is being drafted has a draft and a panel member's open comment. Made-up
people only. Idempotent: a review that already has a draft is left as it is. No email is sent:
the rows are written as they would stand."""

from datetime import timedelta

from django.utils import timezone

from panels.models import CarriedRecommendation, Kloe
from recommendations.models import ForWhom, Recommendation, RecommendationUpdate, State
from reviews.models import ParticipantRole, Review
from reviews.queries import review_for_user

from .models import ReportComment, ReportDraft, ReportPdf, ReportVersion

NARRATIVE = {
    "about": "{name} is funny, loves music and football, and wants to live near their family. "
    "They told the panel they want their own front door.",
    "is_safe": "Yes. Staff know {name} well. Restraint has fallen over the last three months.",
    "good_care_now": "Mostly. The positive behaviour support plan is out of date.",
    "future_plans": "There is a discharge plan, but no housing has been found yet.",
    "community_care": "Yes, with the right home and a team that knows {name}.",
    "summary": "The panel thinks {name} could leave hospital within six months if housing and "
    "a community team are found. The commissioner will check progress every month.",
    "easy_read": "The panel liked meeting you.\nYou are safe on the ward.\nThe panel wants to "
    "help you find a home near your family.",
}
OWNERS = [
    ("Sam Whitfield", "Riverside Hospital", "sam.whitfield@demo.example", ForWhom.PROVIDER),
    ("Priya Shah", "Northshire County Council", "priya.shah@demo.example", ForWhom.LOCAL_AUTHORITY),
    ("Asha Patel", "Northshire ICB", "asha.patel@demo.example", ForWhom.COMMISSIONER),
    ("Tom Reed", "Northshire Community Team", "tom.reed@demo.example", ForWhom.PERSON),
]
ROLES = ["Ward manager", "Housing officer", "Case manager", "Community nurse"]
# Each action in plain words, as the chair writes it for the person (issue 22).
PLAIN_WORDS = [
    "The hospital will write a new plan with you and your family about what helps you stay "
    "calm and safe.",
    "The council will find out what kind of home would suit you.",
    "Your health services will find people to support you outside hospital, and agree who pays.",
    "You will visit the new area every week.",
]
ACTIONS = [
    (
        "Update the positive behaviour support plan with the person and their family",
        "The new plan is signed by the person and shared with the family",
    ),
    ("Start a housing needs assessment", "The assessment report is shared with the panel chair"),
    ("Find a community provider and agree funding", "A provider is named and funding agreed"),
    ("Arrange weekly visits to the new area", "Four visits recorded in the care notes"),
]


def seed_reports(sender=None, *, stdout=None, **kwargs):
    made = 0
    for state in ("report_issued", "report_drafting"):
        for review in Review.objects.filter(state=state).order_by("pk"):
            if ReportDraft.objects.filter(review=review).exists():
                continue
            chair = review.participants.filter(role=ParticipantRole.CHAIR).first()
            if chair is None or chair.user is None:
                continue
            _seed_one(review, chair.user, issue=state == "report_issued")
            made += 1
    if stdout:
        stdout.write(f"Demo reports: {made}")


def _seed_one(review, chair, *, issue):
    name = review.person.known_as
    ReportDraft.objects.create(
        review=review,
        version=1,
        updated_by=chair,
        updated_at=timezone.now(),
        **{key: text.format(name=name) for key, text in NARRATIVE.items()},
    )
    _seed_recommendations(review, chair)
    if issue:
        _seed_issued(review, chair)
    else:
        expert = review.participants.filter(role=ParticipantRole.CLINICAL_EXPERT).first()
        if expert and expert.user:
            ReportComment.objects.create(
                review=review,
                section="summary",
                author=expert.user,
                text="Say who will tell the person about the housing assessment, and when.",
            )


def _seed_recommendations(review, chair):
    if Recommendation.objects.filter(review=review).exists():
        return
    held = review.held_on or timezone.localdate()
    carried = list(CarriedRecommendation.objects.filter(consolidated__panel__review=review)[:4])
    kloes = list(Kloe.objects.filter(pk__in=[c.consolidated.kloe_id for c in carried]))
    rows = zip(ACTIONS, OWNERS, ROLES, PLAIN_WORDS, strict=True)
    for n, ((action, measure), owner, role, plain_words) in enumerate(rows, start=1):
        rec = Recommendation.objects.create(
            review=review,
            number=n,
            action=action,
            plain_words=plain_words,
            measure=measure,
            for_whom=owner[3],
            owner_name=owner[0],
            owner_organisation=owner[1],
            owner_role=role,
            owner_email=owner[2],
            due_date=held + timedelta(weeks=4 * n),
            state=State.AGREED,
            created_by=chair,
            carried=carried[n - 1] if n <= len(carried) else None,
        )
        if kloes:
            rec.kloes.add(kloes[(n - 1) % len(kloes)])
        # Issuing sent the plan; each owner answered (issue 21): the history the portal shows.
        for kind, note in (("sent", "Sent with the issued report"), ("accepted", "")):
            RecommendationUpdate.objects.create(recommendation=rec, kind=kind, note=note)


def _seed_issued(review, chair):
    from . import queries, rendering, services

    seen = review_for_user(chair, review.pk)
    content = queries.report_content(seen)
    version = ReportVersion(review=review, number=1, issued_by=chair)
    # Issued within the report's due days, as a well-run review's is.
    now = timezone.now()
    days_ago = (timezone.localdate() - (review.held_on or timezone.localdate())).days
    version.issued_at = now - timedelta(days=max(days_ago - 10, 0))
    version.html = rendering.report_body(content, version=version)
    version.easy_read_html = rendering.easy_read_body(content, version=version)
    version.large_print_html = rendering.report_body(content, version=version, large_print=True)
    version.save()
    for kind in queries.pdf_kinds_for(seen):
        pdf = ReportPdf.objects.create(
            review=review, version=version, kind=kind, requested_by=chair
        )
        services.report_pdf_render(pdf_id=pdf.pk)
