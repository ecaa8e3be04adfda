"""The demo's people without an account (run by `manage.py seed_demo`): a one-off
recommendation owner with a live link, printed here (only its hash is kept, so this is the one
time it can be shown; the commissioner can make another on the recommendation's links page),
and a person reached on paper with a letter made for them."""

from django.core.exceptions import ValidationError


def seed_links(sender=None, *, stdout=None, **kwargs):
    from ctr_portal.links import link_url, links_for
    from ctr_portal.models import User
    from recommendations.models import Recommendation, State

    from . import services

    commissioner = User.objects.filter(email="commissioner@demo.example").first()
    if commissioner is None:
        return
    recommendation = (
        Recommendation.objects.filter(owner__isnull=True, state=State.AWAITING_OWNER)
        .order_by("pk")
        .first()
        or Recommendation.objects.filter(
            owner__isnull=True, state__in=[State.AGREED, State.IN_PROGRESS]
        )
        .order_by("pk")
        .first()
    )
    if recommendation is not None and not links_for(recommendation):
        _link, token = services.recommendation_link_issue(
            actor=commissioner, recommendation=recommendation
        )
        if stdout is not None:
            stdout.write(
                f"Link for {recommendation.owner_display}, who has no account "
                f"(recommendation {recommendation.number}): {link_url(token)}"
            )
    _letter_on_paper(commissioner, stdout)
    _family_by_text(commissioner, stdout)


def _family_by_text(commissioner, stdout):
    """A family carer who asked for text messages: their notices show in the console as text
    messages (GOV.UK Notify sends them in production)."""
    from reviews.models import InvitedThrough, Participant, ParticipantRole, ReviewState
    from reviews.services import participant_reach_set

    carer = (
        Participant.objects.filter(
            role=ParticipantRole.FAMILY_CARER,
            review__state__in=[ReviewState.SCHEDULED, ReviewState.PREPARING, ReviewState.READY],
            review__commissioner__memberships__user=commissioner,
        )
        .exclude(email="")
        .order_by("pk")
        .first()
    )
    if carer is None or carer.invited_through == InvitedThrough.TEXT:
        return
    participant_reach_set(
        actor=commissioner,
        participant=carer,
        invited_through=InvitedThrough.TEXT,
        phone="07700 900123",
    )
    if stdout is not None:
        stdout.write(f"{carer.name} is reached by text message: their notices show as texts")


def _letter_on_paper(commissioner, stdout):
    """Liam (his report issued) takes part on paper: his invitation and report reach him as
    letters his keyworker hands over."""
    from reviews.models import InvitedThrough, Participant, ParticipantRole, Review, ReviewState
    from reviews.services import participant_add

    from . import services
    from .models import Letter

    review = (
        Review.objects.filter(state=ReviewState.REPORT_ISSUED, person__given_name__iexact="liam")
        .select_related("person")
        .first()
    )
    if review is None or Letter.objects.filter(participant__review=review).exists():
        return
    participant = Participant.objects.filter(review=review, role=ParticipantRole.PERSON).first()
    if participant is None:
        participant, _warnings = participant_add(
            actor=commissioner,
            review=review,
            role=ParticipantRole.PERSON,
            name=f"{review.person.given_name} {review.person.family_name}",
            invited_through=InvitedThrough.PAPER,
        )
    try:
        letter = services.letter_request(
            actor=commissioner, participant=participant, kind=Letter.Kind.REPORT
        )
    except ValidationError:  # no issued report he may have: his invitation, then
        letter = services.letter_request(
            actor=commissioner, participant=participant, kind=Letter.Kind.INVITATION
        )
    services.letter_render(letter_id=letter.pk)
    if stdout is not None:
        stdout.write(
            f"A letter on paper for {participant.name}: {letter.get_kind_display().lower()}"
        )
    if letter.kind == Letter.Kind.REPORT and stdout is not None:
        from ctr_portal.links import Purpose, link_issue, link_url

        _link, token = link_issue(purpose=Purpose.READ_REPORT, obj=participant)
        stdout.write(
            f"{participant.name}'s report and how its recommendations are going, as the link in "
            f"his letter opens them (no account): {link_url(token)}"
        )
