"""Demo data: a request from Liam's mother waiting for the commissioner, one the commissioner
has answered, and feedback from the panels of the reviews already held. Idempotent."""

from datetime import timedelta

from django.utils import timezone

FEEDBACK = {
    "chair@demo.example": (4, 3, "Send the pack a week before, not two days."),
    "clinical.expert@demo.example": (3, 2, "The care plan in the pack was out of date."),
    "ebe@demo.example": (4, 4, ""),
}


def seed_portal(sender=None, *, stdout=None, **kwargs):
    from ctr_portal.models import User
    from reviews.models import Participant

    from .models import Feedback, Request

    made = 0
    family = User.objects.filter(email="family@demo.example").first()
    mine = Participant.objects.filter(user=family, role="family_carer").select_related(
        "review", "review__person", "review__commissioner", "review__created_by"
    )
    participation = mine.order_by("review__due_date").first()
    if participation and not Request.objects.filter(made_by=family).exists():
        _seed_requests(participation, family)
        made += 2
    held = Participant.objects.filter(
        review__held_on__isnull=False, user__email__in=FEEDBACK
    ).select_related("review", "user")
    for participant in held:
        involved, clear, change = FEEDBACK[participant.user.email]
        _, created = Feedback.objects.get_or_create(
            review=participant.review,
            given_by=participant.user,
            defaults={
                "group": "panel",
                "involved": involved,
                "clear": clear,
                "change": change,
                "given_at": timezone.now() - timedelta(days=1),
            },
        )
        made += created
    _seed_planner(stdout)
    if stdout:
        stdout.write(f"Demo portal requests and feedback added: {made}")


def _seed_planner(stdout):
    """Daniel's planner for his coming review, half filled in: he has started, and his mother
    helped with one answer (recorded as helping)."""
    from reviews.models import NOT_HELD_STATES, Participant

    from .models import Planner

    mine = (
        Participant.objects.filter(user__email="person@demo.example", role="person")
        .filter(review__state__in=NOT_HELD_STATES)
        .select_related("review")
        .order_by("review__due_date")
        .first()
    )
    if mine is None or Planner.objects.filter(review=mine.review).exists():
        return
    Planner.objects.create(
        review=mine.review,
        about_me="I am Dan. I like football, buses and my PlayStation. I am good at drawing.",
        important_to_me="Seeing my mum every week. My own room. Going out for walks.",
        going_well="I go to the gym on Tuesdays. I like my named nurse.",
        talk_about="When I can go home. My medicine makes me tired.",
        helped_by="Maureen Clarke (Family carer) helped with one answer",
        updated_at=timezone.now() - timedelta(days=2),
    )
    if stdout:
        stdout.write("Daniel's planner is half filled in")


def _seed_requests(participation, family):
    from .models import Request

    review = participation.review
    common = {
        "person": review.person,
        "review": review,
        "commissioner": review.commissioner,
        "made_by": family,
        "made_by_role": participation.get_role_display(),
    }
    Request.objects.create(
        kind=Request.Kind.WORRY,
        details="Liam has not been out in the garden for two weeks. He told me he feels "
        "shut in. Nobody has told us about the housing assessment either.",
        made_at=timezone.now() - timedelta(days=2),
        **common,
    )
    Request.objects.create(
        kind=Request.Kind.WORRY,
        details="Nobody has told us when the next ward round is.",
        made_at=timezone.now() - timedelta(days=20),
        state=Request.State.ANSWERED,
        answer="The ward round is every Tuesday at 2pm. The ward will call you the day before "
        "from now on.",
        answered_by=review.created_by,
        answered_at=timezone.now() - timedelta(days=18),
        **common,
    )
