"""A review whose report can be written: held, with findings, quotes and recommendations."""

import datetime

from panels.models import QuoteFrom, Rating
from reviews.queries import review_for_user
from tests.panels.factories import (
    ConsolidatedKloeFactory,
    EvidenceFactory,
    KloeAnswerFactory,
    PanelFactory,
    WorkbookFactory,
    kloe_of,
    make_held,
)
from tests.recommendations.factories import RecommendationFactory

PERSON_QUOTE = "I want to live near my mum and have my own front door."
FINDING = "Restraint was used four times last month; the plan has not been reviewed."


def report_world(world, *, recommendations=3):
    review = make_held(world["review"], days_ago=1)
    participants = world["participants"]
    chair = participants["chair"].user
    panel = PanelFactory(review=review)
    ConsolidatedKloeFactory(
        panel=panel,
        kloe=kloe_of(panel, 1),
        finding="Daniel is safe on the ward.",
        updated_by=chair,
    )
    ConsolidatedKloeFactory(
        panel=panel,
        kloe=kloe_of(panel, 7),
        finding=FINDING,
        rating=Rating.SERIOUS_CONCERNS,
        reasoning="Two members rated some concerns; the restraint log decided it.",
        updated_by=chair,
    )
    workbook = WorkbookFactory(panel=panel, participant=participants["clinical_expert"])
    answer = KloeAnswerFactory(workbook=workbook, kloe=kloe_of(panel, 9))
    EvidenceFactory(
        answer=answer,
        source_kind="conversation",
        source="Daniel",
        shows=PERSON_QUOTE,
        quote_from=QuoteFrom.PERSON,
    )
    # Each SMART (a KLOE, a named owner, a measure, a date after the review): issuing the report
    # sends them to their owners, and an unfinished one would stop it.
    for n in range(1, recommendations + 1):
        made = RecommendationFactory(
            review=review,
            number=n,
            action=f"Action number {n}: review the positive behaviour support plan",
            measure=f"Measure {n}: the new plan is shared with Daniel and his mum",
            owner=None,
            owner_name=f"Owner {n}",
            owner_organisation="Riverside Hospital",
            owner_email=f"owner{n}@example.nhs.uk",
            due_date=due_date(review, n),
            # Due more than three months on: a date to check progress before then.
            progress_check_date=review.review_date + datetime.timedelta(weeks=12)
            if n > 13
            else None,
            created_by=chair,
        )
        made.kloes.set([kloe_of(panel, 9)])
    return {**world, "review": review, "panel": panel, "chair": chair}


def due_date(review, n) -> datetime.date:
    """Recommendation n's due date: n weeks after the review."""
    return review.review_date + datetime.timedelta(weeks=n)


def seen_by(user, review):
    """The review as a request by `user` would load it (participants, latest consent)."""
    return review_for_user(user, review.pk)
