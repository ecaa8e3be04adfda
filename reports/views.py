"""The report's pages: the report page (the draft's preview, comments, PDFs and the issued
versions), the chair's editing and issuing, comments, the easy read pages and the PDF download.

Every page finds its review through `reviews.queries.review_for_user` (404 for someone with no
part; the latest consent read on every request) and asks `reports/rules.py` (403 for a
participant without the right). PDFs are never made here: a view asks for one, the worker makes
it, and the page follows its progress with htmx (or a refresh without JavaScript). Every view
of the report and every download is audited.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from ctr_portal.formatting import nhs_date
from ctr_portal.permissions import Perm
from ctr_portal.views.base import add_service_errors
from documents.queries import openable_document_ids
from recommendations import services as recommendations
from recommendations.policy import ACCEPT_WITHIN_WORKING_DAYS
from recommendations.queries import plan_with_history
from reviews.queries import review_for_user
from reviews.views.base import ReviewPageMixin

from . import easy_read, queries, rendering, services
from .forms import CommentForm, DraftForm, IssueForm, ResolveForm
from .models import PdfKind, Section
from .policy import DUE_DAYS


class ReportPageMixin(ReviewPageMixin):
    permission_required = Perm.VIEW_REPORT

    def get_scoped_object(self):
        return review_for_user(
            self.request.user,
            self.kwargs["pk"],
            with_related=queries.REVIEW_WITH,
            with_annotations=queries.review_annotations(),
        )

    def report_url(self):
        return reverse("reports:report", args=[self.review.pk])

    def report_breadcrumbs(self, *extra):
        return self.breadcrumbs(("Report", self.report_url()), *extra)

    def can(self, perm) -> bool:
        return self.request.user.has_perm(perm, self.review)

    def render_page(self, form, **context):
        """The page with `form` (and `context`), under the report's breadcrumbs."""
        return self.render_to_response(
            self.get_context_data(form=form, breadcrumbs=self.report_breadcrumbs(), **context)
        )


# --- The report page ---------------------------------------------------------------------


class ReportView(ReportPageMixin, TemplateView):
    template_name = "reports/report.html"

    def get_context_data(self, **kwargs):
        review, user = self.review, self.request.user
        can_draft = self.can(Perm.VIEW_REPORT_DRAFT)
        can_issued = self.can(Perm.VIEW_ISSUED_REPORT)
        kwargs.update(
            can_draft=can_draft,
            can_edit=self.can(Perm.EDIT_REPORT),
            can_comment=self.can(Perm.COMMENT_ON_REPORT),
            versions=queries.versions_for(review, with_pdfs=False)
            if (can_draft or can_issued)
            else [],
            easy_read_first=queries.easy_read_first(user, review),
            due_date=services.report_due_date(review),
            due_days=DUE_DAYS.value(),
        )
        kwargs["late"] = bool(kwargs["due_date"]) and kwargs["due_date"] < timezone.localdate()
        if can_draft:
            kwargs.update(self.draft_context())
        services.report_view_record(user=user, review=review, request=self.request)
        return super().get_context_data(**kwargs)

    def draft_context(self) -> dict:
        review = self.review
        content = queries.report_content(review)
        pdfs = queries.latest_draft_pdfs(review)
        comment_form = CommentForm(child=review.is_child_review)
        comment_form.helper.form_action = reverse("reports:comment", args=[review.pk])
        cited = [d for f in content.findings for d in f.documents]
        readable = openable_document_ids(self.request.user, review, content.documents_read + cited)
        return {
            "preview": rendering.report_body(content, document_links=readable),
            "comments": queries.comments_for(review),
            "comment_form": comment_form,
            "pdfs": pdfs,
            "waiting": any(pdf.is_waiting for pdf in pdfs.values()),
            "pdf_kinds": queries.pdf_kinds_for(review),
        }


class PdfStatusView(ReportPageMixin, View):
    """The draft PDFs' progress, for htmx to swap into the report page's live region (which
    stays, so each change is announced); without htmx, back to the report page. Once none is
    waiting, status 286 tells htmx to stop asking."""

    STOP_POLLING = 286

    permission_required = Perm.VIEW_REPORT_DRAFT

    def get(self, request, *args, **kwargs):
        if not getattr(request, "htmx", False):
            return redirect(self.report_url())
        pdfs = queries.latest_draft_pdfs(self.review)
        waiting = any(pdf.is_waiting for pdf in pdfs.values())
        return render(
            request,
            "reports/_pdf_status.html",
            {
                "review": self.review,
                "pdfs": pdfs,
                "waiting": waiting,
                "can_edit": self.can(Perm.EDIT_REPORT),
                "pdf_kinds": queries.pdf_kinds_for(self.review),
            },
            status=200 if waiting else self.STOP_POLLING,
        )


class PdfRequestView(ReportPageMixin, View):
    """The chair asks the worker for a PDF of the draft as the data stands."""

    permission_required = Perm.EDIT_REPORT
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        kind = request.POST.get("kind", PdfKind.FULL)
        if kind not in PdfKind.values:
            kind = PdfKind.FULL
        services.report_pdf_request(actor=request.user, review=self.review, kind=kind)
        messages.info(request, "The PDF is being made. This page updates when it is ready.")
        return redirect(self.report_url() + "#pdfs")


class PdfDownloadView(ReportPageMixin, View):
    """A stored PDF, as an attachment, after its SHA-256 is checked."""

    def get(self, request, *args, **kwargs):
        pdf = queries.pdf_of_review(self.review, kwargs["pdf_pk"])
        if pdf is None or not pdf.is_ready:
            raise Http404("No such PDF")
        needed = Perm.VIEW_ISSUED_REPORT if pdf.version_id else Perm.VIEW_REPORT_DRAFT
        if not self.can(needed) and not self.can(Perm.VIEW_REPORT_DRAFT):
            raise PermissionDenied
        try:
            data = services.report_pdf_read(user=request.user, pdf=pdf, request=request)
        except services.TamperedFile:
            return render(
                request, "reports/pdf_unavailable.html", {"review": self.review}, status=500
            )
        response = HttpResponse(data, content_type="application/pdf")
        stem = {
            PdfKind.EASY_READ: "easy-read-report",
            PdfKind.LARGE_PRINT: "large-print-report",
        }.get(pdf.kind, "report")
        suffix = f"-version-{pdf.version.number}" if pdf.version_id else "-draft"
        response["Content-Disposition"] = f'attachment; filename="{stem}{suffix}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- Easy read and issued versions --------------------------------------------------------


class EasyReadDraftView(ReportPageMixin, TemplateView):
    permission_required = Perm.VIEW_REPORT_DRAFT
    template_name = "reports/easy_read.html"

    def get_context_data(self, **kwargs):
        content = queries.report_content(self.review)
        kwargs.update(
            body=rendering.easy_read_body(content),
            breadcrumbs=self.report_breadcrumbs(),
        )
        services.report_view_record(
            user=self.request.user, review=self.review, request=self.request
        )
        return super().get_context_data(**kwargs)


class VersionView(ReportPageMixin, TemplateView):
    permission_required = Perm.VIEW_ISSUED_REPORT
    template_name = "reports/version.html"
    easy_read = False

    def get_context_data(self, **kwargs):
        version = queries.version_of_review(self.review, self.kwargs["number"])
        if version is None:
            raise Http404("No such version")
        if self.easy_read and version.is_current:
            kwargs["now"] = easy_read.progress_now(
                plan_with_history(self.review, for_family=True), timezone.localdate()
            )
        kwargs.update(
            version=version,
            body=version.easy_read_html if self.easy_read else version.html,
            pdfs=queries.pdfs_of_version(version),
            easy_read=self.easy_read,
            pdf_kind=PdfKind.EASY_READ if self.easy_read else PdfKind.FULL,
            large_print=PdfKind.LARGE_PRINT,
            superseded_on=nhs_date(version.superseded_at) if version.superseded_at else "",
            breadcrumbs=self.report_breadcrumbs(),
        )
        services.report_view_record(
            user=self.request.user, review=self.review, version=version, request=self.request
        )
        return super().get_context_data(**kwargs)


# --- The chair's work ----------------------------------------------------------------------


class DraftEditView(ReportPageMixin, TemplateView):
    permission_required = Perm.EDIT_REPORT
    template_name = "reports/edit.html"

    def get(self, request, *args, **kwargs):
        draft = queries.draft_for(self.review)
        initial = {s.value: draft.text(s) for s in Section}
        if not draft.version:  # never saved: the key questions start from the members' answers
            members = queries.members_key_questions(self.review)
            initial.update({k: v for k, v in members.items() if not initial.get(k)})
        return self.render_page(
            DraftForm(
                initial={**initial, "version": draft.version}, child=self.review.is_child_review
            )
        )

    def post(self, request, *args, **kwargs):
        form = DraftForm(request.POST, child=self.review.is_child_review)
        if not form.is_valid():
            return self.render_page(form)
        texts = {s.value: form.cleaned_data[s.value] for s in Section}
        try:
            services.report_draft_save(
                actor=request.user,
                review=self.review,
                expected_version=form.cleaned_data["version"],
                **texts,
            )
        except services.EditConflict:
            form.add_error(
                None,
                "Someone else saved the draft while you were editing. Copy your changes, "
                "reload the page and make them again.",
            )
            return self.render_page(form, conflict=True)
        messages.success(request, "Draft saved. The preview shows it with the latest data.")
        return redirect(self.report_url())


class CommentView(ReportPageMixin, TemplateView):
    permission_required = Perm.COMMENT_ON_REPORT
    template_name = "reports/comment.html"

    def get(self, request, *args, **kwargs):
        return self.render_page(CommentForm(child=self.review.is_child_review))

    def post(self, request, *args, **kwargs):
        form = CommentForm(request.POST, child=self.review.is_child_review)
        if not form.is_valid():
            return self.render_page(form)
        services.report_comment_add(actor=request.user, review=self.review, **form.cleaned_data)
        messages.success(request, "Comment added. The chair will see it on the report page.")
        return redirect(self.report_url() + "#comments")


class CommentResolveView(ReportPageMixin, TemplateView):
    permission_required = Perm.EDIT_REPORT
    template_name = "reports/comment_resolve.html"

    def comment(self):
        comment = queries.comment_of_review(self.review, self.kwargs["comment_pk"])
        if comment is None:
            raise Http404("No such comment")
        return comment

    def get(self, request, *args, **kwargs):
        return self.render_page(ResolveForm(), comment=self.comment())

    def post(self, request, *args, **kwargs):
        comment = self.comment()
        form = ResolveForm(request.POST)
        if not form.is_valid() or not comment.is_open:
            if not comment.is_open:
                form.add_error(None, "This comment was already resolved")
            return self.render_page(form, comment=comment)
        try:
            services.report_comment_resolve(
                actor=request.user, review=self.review, comment=comment, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_page(form, comment=comment)
        messages.success(request, "Comment resolved")
        return redirect(self.report_url() + "#comments")


class IssueView(ReportPageMixin, TemplateView):
    permission_required = Perm.EDIT_REPORT
    template_name = "reports/issue.html"

    def versions(self):
        return queries.versions_for(self.review)

    def get(self, request, *args, **kwargs):
        return self.render_page(IssueForm(correcting=bool(self.versions())))

    def render_page(self, form):
        versions = self.versions()
        problems = services.issue_problems(self.review, has_versions=False)
        # Listed below, each linked to the page where it is written.
        for listed in ("recommendations", "plain_words", "for_you"):
            problems.pop(listed, None)
        gaps, name = services.easy_read_gaps(self.review), self.review.person.known_as
        return super().render_page(
            form,
            versions=versions,
            problems=list(problems.values()),
            unfinished=[
                {
                    "text": f"Recommendation {r.number}: {'; '.join(found.values())}",
                    "href": reverse("recommendations:edit", args=[r.pk]),
                }
                for r, found in recommendations.plan_unfinished(self.review)
            ],
            to_write=[
                *(
                    {
                        "text": f"Recommendation {r.number}: write it in plain words for {name}",
                        "href": reverse("recommendations:edit", args=[r.pk]),
                    }
                    for r in gaps.recommendations
                ),
                *(
                    {
                        "text": f"{kloe.label}: say what the panel's finding means for {name}",
                        "href": reverse(
                            "panels:consolidation_kloe", args=[self.review.pk, kloe.number]
                        ),
                    }
                    for kloe, _row in gaps.findings
                ),
            ],
            person_name=name,
            recipients=services.report_recipients(self.review),
            accept_days=ACCEPT_WITHIN_WORKING_DAYS,
        )

    def post(self, request, *args, **kwargs):
        form = IssueForm(request.POST, correcting=bool(self.versions()))
        if not form.is_valid():
            return self.render_page(form)
        try:
            version = services.report_issue(
                actor=request.user,
                review=self.review,
                correction=form.cleaned_data.get("correction", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_page(form)
        messages.success(
            request,
            f"Version {version.number} issued. Everyone entitled has been sent a link; the PDFs "
            "are being made.",
        )
        return redirect("reports:version", pk=self.review.pk, number=version.number)
