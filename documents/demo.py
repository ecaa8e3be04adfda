"""Demo data: the demo reviews' document packs, at every stage of completeness, with small real
PDFs made here by WeasyPrint. Idempotent: an item already settled is left alone."""

from functools import cache

# What each pack gets, by the order of the reviews that have a date: nothing yet; the planner
# only; the core documents; nearly everything; everything.
STAGES = ["empty", "planner", "core", "most", "complete"]
SEEDED_STATES = ("scheduled", "preparing", "ready", "held", "report_drafting", "report_issued")


def _pdf(title: str, review) -> bytes:
    return _rendered_pdf(title, review.type_long, review.person.full_name)


@cache
def _rendered_pdf(title: str, review_type: str, person: str) -> bytes:
    """WeasyPrint takes a tenth of a second a page: each text is rendered once a process (the
    test suite seeds the demo a dozen times)."""
    from html import escape

    from ctr_portal.pdf import pdf_html

    html = f"""<html><head><style>
      @page {{ size: A4; margin: 2cm; }}
      body {{ font-family: "DejaVu Sans", sans-serif; font-size: 11pt; color: #212b32; }}
      h1 {{ font-size: 18pt; color: #005eb8; }}
      .note {{ border-left: 6px solid #ffeb3b; padding-left: 12px; }}
    </style></head><body>
      <h1>{escape(title)}</h1>
      <p class="note">Demo document. Everything in it is made up.</p>
      <p>For the {escape(review_type)} of {escape(person)}.</p>
      <p>This is where the provider's or commissioner's document would be: care plans, risk
      assessments, reports. The panel reads it in the browser, with their name on every
      page.</p>
    </body></html>"""
    return pdf_html(html).write_pdf()


def _uploader(item, users_by_org):
    return users_by_org.get(item.organisation_id)


def _fill(pack, stage, users_by_org, commissioner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .models import ItemStatus
    from .services import documents_upload, item_settle

    items = list(pack.items.select_related("organisation").order_by("position"))
    if stage == "empty":
        return 0
    if stage == "planner":
        chosen = [i for i in items if i.is_planner]
    elif stage == "core":
        chosen = [i for i in items if i.core]
    elif stage == "most":
        chosen = items[: max(1, len(items) - 3)]
    else:
        chosen = items
    done = 0
    for n, item in enumerate(chosen):
        if item.status != ItemStatus.OUTSTANDING:
            continue
        actor = _uploader(item, users_by_org) or commissioner
        if "tribunal" in item.title.lower() or "previous review" in item.title.lower():
            reason = "No tribunal yet" if "tribunal" in item.title.lower() else "First review"
            item_settle(actor=actor, item=item, status=ItemStatus.NOT_HELD, reason=reason)
        elif "Ministry of Justice" in item.title or "youth justice" in item.title.lower():
            item_settle(
                actor=actor,
                item=item,
                status=ItemStatus.NOT_APPLICABLE,
                reason="Not on a restricted section" if n % 2 else "No youth justice involvement",
            )
        else:
            data = _pdf(item.title, pack.review)
            name = item.title.split(",")[0].lower().replace(" ", "-")[:60] + ".pdf"
            documents_upload(
                actor=actor,
                item=item,
                files=[SimpleUploadedFile(name, data, content_type="application/pdf")],
            )
        done += 1
    return done


def seed_document_packs(sender=None, *, stdout=None, **kwargs):
    from ctr_portal.models import Membership, User
    from reviews.models import Review

    from .services import pack_for_review

    demo_users = User.objects.exclude(demo_persona="")
    users_by_org = {}
    for m in Membership.objects.filter(user__in=demo_users).select_related("user"):
        users_by_org.setdefault(m.organisation_id, m.user)
    commissioner = demo_users.filter(email="commissioner@demo.example").first()
    reviews = (
        Review.objects.filter(state__in=SEEDED_STATES, starts_at__isnull=False)
        .select_related("person", "person__provider", "person__local_authority", "commissioner")
        .order_by("pk")
    )
    filled = 0
    for index, review in enumerate(reviews):
        pack = pack_for_review(review=review)
        stage = "complete" if review.state != "scheduled" and index % 2 else STAGES[index % 5]
        filled += _fill(pack, stage, users_by_org, commissioner or review.created_by)
    if stdout:
        stdout.write(f"Document packs: {reviews.count()} ({filled} items filled now)")
