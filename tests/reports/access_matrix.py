"""The reports app's rows of the access matrix (merged by tests/test_access_matrix.py).

The world's review is scheduled with consent recorded, which invites the family carer and lets
her receive the report. The chair writes and issues; the clinical expert (independence declared)
reads the draft and comments; the expert by experience (not yet declared) has no part in the
report (403). The commissioner reads the draft; the provider and local authority, the person
and the family carer read only issued versions. Someone with no part in the review (another
ICB, the administrator) gets 404. The issued version below is made directly: the lifecycle that
leads to it is tested in tests/reports/test_services.py.
"""

from tests.test_access_matrix import ACTS, NO_POST, acting, only

PARTICIPANTS = ("chair", "clinical_expert", "expert_by_experience", "family_carer", "person")
PARTNERS = ("commissioner", "provider", "local_authority")


def _allowed(allowed: dict):
    return only({**dict.fromkeys((*PARTICIPANTS, *PARTNERS), 403), **allowed}, others=404)


def review_kwargs(ctx):
    return {"pk": ctx["world"]["review"].pk}


def comment_kwargs(ctx):
    from reports.models import ReportComment

    review = ctx["world"]["review"]
    author = ctx["world"]["participants"]["clinical_expert"].user
    comment = ReportComment.objects.filter(review=review).first() or ReportComment.objects.create(
        review=review, section="summary", text="Say who tells Daniel.", author=author
    )
    return {"pk": review.pk, "comment_pk": comment.pk}


def _issued(ctx):
    import hashlib

    from django.core.files.base import ContentFile

    from reports.models import PdfStatus, ReportPdf, ReportVersion
    from reports.services import report_storage

    review = ctx["world"]["review"]
    chair = ctx["world"]["participants"]["chair"].user
    version = ReportVersion.objects.filter(review=review).first()
    if version is None:
        version = ReportVersion.objects.create(
            review=review,
            number=1,
            html="<p>Issued</p>",
            easy_read_html="<p>Easy</p>",
            issued_by=chair,
        )
        data = b"%PDF-1.7\n% a stand-in for the access matrix\n%%EOF\n"
        name = report_storage().save("reports/matrix.pdf", ContentFile(data))
        ReportPdf.objects.create(
            review=review,
            version=version,
            kind="full",
            status=PdfStatus.READY,
            requested_by=chair,
            file=name,
            size=len(data),
            pages=1,
            sha256=hashlib.sha256(data).hexdigest(),
        )
    return version


def version_kwargs(ctx):
    return {"pk": ctx["world"]["review"].pk, "number": _issued(ctx).number}


def pdf_kwargs(ctx):
    version = _issued(ctx)
    return {"pk": ctx["world"]["review"].pk, "pdf_pk": version.pdfs.get().pk}


READERS = _allowed(
    {role: 200 for role in ("chair", "clinical_expert", "family_carer", "person", *PARTNERS)}
)
DRAFT_READERS = _allowed({"chair": 200, "clinical_expert": 200, "commissioner": 200})
DRAFT_STATUS = _allowed({"chair": 302, "clinical_expert": 302, "commissioner": 302})
COMMENTERS = _allowed({"chair": 200, "clinical_expert": 200})
CHAIR = _allowed({"chair": 200})
CHAIR_POST_ONLY = _allowed({"chair": 405})
CHAIR_ACTS = _allowed({"chair": ACTS})

MATRIX = {
    "reports:report": (review_kwargs, READERS, NO_POST),
    "reports:easy_read": (review_kwargs, DRAFT_READERS, NO_POST),
    "reports:edit": (review_kwargs, CHAIR, acting(CHAIR)),
    "reports:comment": (review_kwargs, COMMENTERS, acting(COMMENTERS)),
    "reports:comment_resolve": (comment_kwargs, CHAIR, acting(CHAIR)),
    "reports:pdf_request": (review_kwargs, CHAIR_POST_ONLY, CHAIR_ACTS),
    "reports:pdf_status": (review_kwargs, DRAFT_STATUS, NO_POST),
    "reports:pdf": (pdf_kwargs, READERS, NO_POST),
    "reports:issue": (review_kwargs, CHAIR, acting(CHAIR)),
    "reports:version": (version_kwargs, READERS, NO_POST),
    "reports:version_easy_read": (version_kwargs, READERS, NO_POST),
}
