"""Documents: parse the request, check the permission, call a query or service, render.

Every page finds its object through `documents.queries` (which go through
`reviews.queries.review_for_user`: the consent gate, on every request): 404 for someone with no
part in it. The `rules` permission then decides (403 for a participant without the right).
Files are served only here, with a sandboxing policy, `nosniff` and `no-store`.
"""

import os

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from ctr_portal.formatting import nhs_datetime
from ctr_portal.permissions import Perm
from ctr_portal.views.base import add_service_errors
from reviews.rules import consent_gate_open
from reviews.views.base import ReviewPageMixin

from . import clamav, libreoffice, policy, presenters, queries, services
from .forms import AssignForm, DeleteForm, ReplaceForm, SettleForm, UploadForm
from .models import DocumentAccess, DocumentKind, ItemStatus, RenditionStatus, document_storage
from .rules import needs_watermark, prepares_pack
from .uploads import LimitedUploadMixin

# The file itself may be framed by our own viewer page, runs nothing and loads nothing.
INLINE_FILE_POLICY = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
DOWNLOAD_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
VIEW_TOKEN_SALT = "documents.view"
VIEW_TOKEN_SECONDS = 10 * 60


class PackPageMixin(ReviewPageMixin):
    """A page of the review's document pack: the review page's breadcrumbs, and the pack's."""

    def pack_breadcrumbs(self, *extra):
        pack = ("Document pack", reverse("documents:pack", args=[self.review.pk]))
        return self.breadcrumbs(pack, *extra)


# --- The pack -------------------------------------------------------------------------------


class PackView(PackPageMixin, TemplateView):
    """Completeness, who still owes what, the deadlines, the items, and the access log."""

    permission_required = Perm.VIEW_PACK
    template_name = "documents/pack.html"

    def get_scoped_object(self):
        return queries.review_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        user, review = self.request.user, self.review
        pack = queries.pack_or_unmade(review)
        window = policy.panel_window(review)
        is_preparer = prepares_pack(user, review)
        items = queries.pack_items(user, review, pack)
        if not is_preparer and not window.is_open:
            items = []
        for item in items:
            item.can_change = user.has_perm(Perm.CHANGE_PACK_ITEM, item)
        summary = queries.pack_summary(pack)
        deadlines = policy.deadlines(review, pack_made_at=pack.created_at if pack.pk else None)
        kwargs.update(
            pack=pack,
            items=items,
            core_rows=presenters.item_rows([i for i in items if i.core], is_preparer=is_preparer),
            other_rows=presenters.item_rows(
                [i for i in items if not i.core], is_preparer=is_preparer
            ),
            item_head=["Document", "Who provides it", "Status", "Files"]
            if is_preparer
            else ["Document", "Status", "Files"],
            summary=summary,
            percent=round(100 * summary["settled"] / summary["total"]) if summary["total"] else 0,
            owed=_owed_groups(items) if is_preparer else [],
            deadline_rows=presenters.deadline_rows(deadlines.values()),
            consent_open=consent_gate_open(user, review),
            access_head=["Who", "Document", "What", "When"],
            window=window,
            is_preparer=is_preparer,
            scanning=clamav.scanning_enabled(),
            access_rows=_access_rows(queries.access_log(pack))
            if user.has_perm(Perm.VIEW_PACK_ACCESS_LOG, review)
            else None,
        )
        return super().get_context_data(**kwargs)


def _access_rows(accesses) -> list[list]:
    return [
        [
            a.user.display_name,
            a.document.original_name,
            a.get_action_display() + (" (watermarked)" if a.watermarked else ""),
            nhs_datetime(a.occurred_at),
        ]
        for a in accesses
    ]


def _owed_groups(items) -> list[dict]:
    """Outstanding items grouped by who owes them."""
    groups: dict = {}
    for item in items:
        if item.status != ItemStatus.OUTSTANDING:
            continue
        who = item.organisation.name
        if item.assignee_id:
            who = f"{item.assignee.display_name} ({item.organisation.name})"
        group = groups.setdefault(who, {"who": who, "items": [], "core": 0})
        group["items"].append(item)
        group["core"] += item.core
    return sorted(groups.values(), key=lambda g: g["who"])


# --- Items ----------------------------------------------------------------------------------


class PackObjectMixin(PackPageMixin):
    """A page about something in a pack, found through `lookup`, a `documents.queries` function
    of the user and the key (404 for someone who may not know of it; the rules then decide,
    403). Its item (the object, or the document's item) gives the review and the breadcrumbs."""

    lookup = None  # staticmethod(queries.<thing>_for_user)

    def get_scoped_object(self):
        return self.lookup(self.request.user, self.kwargs["pk"])

    @property
    def item(self):
        return self.get_object()

    @property
    def review(self):
        return self.item.pack.review

    def item_url(self):
        return reverse("documents:item", args=[self.item.pk])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("item", self.item)
        kwargs.setdefault("breadcrumbs", self.pack_breadcrumbs((self.item.title, self.item_url())))
        return super().get_context_data(**kwargs)


class ItemMixin(PackObjectMixin):
    object_type = "documents.packitem"
    lookup = staticmethod(queries.item_for_user)


class ItemView(ItemMixin, TemplateView):
    permission_required = Perm.VIEW_PACK_ITEM
    template_name = "documents/item.html"

    def get_context_data(self, **kwargs):
        user, item = self.request.user, self.item
        can_change = user.has_perm(Perm.CHANGE_PACK_ITEM, item)
        documents = queries.item_documents(item)
        for document in documents:
            document.item = item
        current = [d for d in documents if d.is_current]
        upload_form = None
        if can_change:
            upload_form = UploadForm()
            upload_form.helper.form_action = reverse("documents:item_upload", args=[item.pk])
        history = [d for d in documents if not d.is_current] if can_change else []
        kwargs.update(
            breadcrumbs=self.pack_breadcrumbs(),
            summary_rows=_item_summary_rows(user, item, can_change),
            current=current,
            file_rows=[_file_row(d, can_change) for d in current],
            history=history,
            history_head=["File", "What happened"],
            history_rows=[presenters.history_row(d) for d in history],
            waiting=any(d.pdf_rendition and d.pdf_rendition.is_waiting for d in current),
            can_change=can_change,
            can_download=can_change,
            upload_form=upload_form,
            scanning=clamav.scanning_enabled(),
        )
        return super().get_context_data(**kwargs)


def _item_summary_rows(user, item, can_change) -> list[dict]:
    deadline = policy.deadlines(item.pack.review, pack_made_at=item.pack.created_at).get(
        "core" if item.core else "target"
    )
    status = item.get_status_display()
    if item.reason:
        status = f"{status}: {item.reason}"
    who = item.organisation.name
    assign_action = None
    if user.has_perm(Perm.ASSIGN_PACK_ITEM, item):
        assign_action = [
            {
                "href": reverse("documents:item_assign", args=[item.pk]),
                "text": "Change",
                "visually_hidden_text": "who provides it",
            }
        ]
    return [
        {"key": "Status", "value": status},
        {"key": "Core document", "value": "Yes" if item.core else "No"},
        {"key": "Who provides it", "value": who, "actions": assign_action},
        {
            "key": "Named person",
            "value": item.assignee.display_name if item.assignee_id else "Nobody named",
        }
        if can_change
        else None,
        {
            "key": "Due",
            "value": deadline.wording,
        }
        if deadline and can_change
        else None,
    ]


# How an office document's PDF for the panel stands, in a sentence (the item page: for those
# who prepare the pack, and for the panel); in a few words, presenters.PACK_RENDITION_WORDS.
RENDITION_SENTENCES = {
    RenditionStatus.PENDING: "It is being prepared for the panel to read in the browser",
    RenditionStatus.CONVERTING: "It is being prepared for the panel to read in the browser",
    RenditionStatus.READY: "The panel reads it in the browser",
    RenditionStatus.FAILED: "We could not open it for the panel. Upload it as a PDF instead",
    RenditionStatus.UNAVAILABLE: "It cannot be shown to the panel on this machine: "
    + libreoffice.MISSING_WORDS,
}
PANEL_RENDITION_SENTENCES = {
    **RENDITION_SENTENCES,
    RenditionStatus.READY: "",
    RenditionStatus.FAILED: "It could not be opened for reading in the browser. "
    "Whoever provides it has been asked for a PDF",
}


def _file_row(document, can_change) -> dict:
    about = f"{document.get_kind_display()}, {filesizeformat(document.size)}"
    if can_change:
        when = nhs_datetime(document.uploaded_at)
        about += f". Uploaded by {document.uploaded_by.display_name}, {when}"
    if document.scan_status == "not_scanned":
        about += ". Not scanned for viruses"
    rendition = document.pdf_rendition
    if rendition is not None:
        sentences = RENDITION_SENTENCES if can_change else PANEL_RENDITION_SENTENCES
        if sentences[rendition.status]:
            about += ". " + sentences[rendition.status]
    actions = [
        {
            "href": reverse("documents:document", args=[document.pk]),
            "text": "Open",
            "visually_hidden_text": document.original_name,
        }
    ]
    if can_change:
        actions += [
            {
                "href": reverse(f"documents:document_{action}", args=[document.pk]),
                "text": action.capitalize(),
                "visually_hidden_text": document.original_name,
            }
            for action in ("download", "replace", "delete")
        ]
    return {"key": document.original_name, "value": about, "actions": actions}


class ItemUploadView(LimitedUploadMixin, ItemMixin, FormView):
    """Upload one or more files. Works without JavaScript; with it, the page shows progress."""

    permission_required = Perm.CHANGE_PACK_ITEM
    template_name = "documents/upload.html"
    form_class = UploadForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "page_heading": True}

    def form_valid(self, form):
        result = services.documents_upload(
            actor=self.request.user, item=self.item, files=form.cleaned_data["files"]
        )
        names = ", ".join(d.original_name for d in result.accepted)
        if result.refused:
            for _name, message in result.refused:
                form.add_error("files", message)
            return self.render_to_response(
                self.get_context_data(
                    form=form, accepted=result.accepted, accepted_text=f"Uploaded: {names}"
                )
            )
        count = len(result.accepted)
        messages.success(self.request, f"{count} file{'s' if count != 1 else ''} uploaded: {names}")
        return redirect(self.item_url())


class ItemSettleView(ItemMixin, FormView):
    permission_required = Perm.CHANGE_PACK_ITEM
    template_name = "documents/settle.html"
    form_class = SettleForm

    def post(self, request, *args, **kwargs):
        if request.POST.get("reopen"):
            services.item_settle(actor=request.user, item=self.item, status=ItemStatus.OUTSTANDING)
            messages.success(request, f"{self.item.title} is marked as still needed")
            return redirect(self.item_url())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.item_settle(
                actor=self.request.user,
                item=self.item,
                status=form.cleaned_data["status"],
                reason=form.reason,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "reason" in error.error_dict:
                field = f"{form.cleaned_data['status']}_reason"
                form.add_error(field, error.error_dict.pop("reason"))
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{self.item.title}: {self.item.get_status_display().lower()}"
        )
        return redirect(self.item_url())


class ItemAssignView(ItemMixin, FormView):
    permission_required = Perm.ASSIGN_PACK_ITEM
    template_name = "documents/assign.html"
    form_class = AssignForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "people": queries.assignable_people(self.item)}

    def get_initial(self):
        return {"assignee": self.item.assignee_id}

    def form_valid(self, form):
        try:
            services.item_assign(
                actor=self.request.user, item=self.item, assignee=form.assignee_user
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Saved who should provide it")
        return redirect(self.item_url())


# --- Documents ------------------------------------------------------------------------------


class DocumentMixin(PackObjectMixin):
    object_type = "documents.document"
    lookup = staticmethod(queries.document_for_user)

    @property
    def document(self):
        return self.get_object()

    @property
    def item(self):
        return self.document.item

    def get_context_data(self, **kwargs):
        kwargs.setdefault("document", self.document)
        return super().get_context_data(**kwargs)


def view_token(user, document) -> str:
    return signing.TimestampSigner(salt=VIEW_TOKEN_SALT).sign(f"{document.pk}:{user.pk}")


def _token_is_valid(token, user, document) -> bool:
    try:
        value = signing.TimestampSigner(salt=VIEW_TOKEN_SALT).unsign(
            token, max_age=VIEW_TOKEN_SECONDS
        )
    except signing.BadSignature:
        return False
    return value == f"{document.pk}:{user.pk}"


class DocumentView(DocumentMixin, TemplateView):
    """The viewer: a PDF or picture shown in the page, from the permission-checked file view.
    Each opening is one view in the access log and the audit trail."""

    permission_required = Perm.VIEW_DOCUMENT
    template_name = "documents/document.html"

    def get_context_data(self, **kwargs):
        user, document = self.request.user, self.document
        rendition = document.pdf_rendition
        watermarked = (document.kind == DocumentKind.PDF or document.is_office) and (
            needs_watermark(user, document)
        )
        src = ""
        if document.viewable_in_browser or (rendition is not None and rendition.is_ready):
            services.document_access_record(
                user=user,
                document=document,
                action=DocumentAccess.Action.VIEW,
                watermarked=watermarked,
                request=self.request,
            )
            url_name = "document_file" if document.viewable_in_browser else "document_rendition"
            src = (
                reverse(f"documents:{url_name}", args=[document.pk])
                + "?t="
                + view_token(user, document)
            )
        can_download = user.has_perm(Perm.DOWNLOAD_DOCUMENT, document)
        kwargs.update(
            src=src,
            rendition=rendition,
            rendition_sentence=(RENDITION_SENTENCES if can_download else PANEL_RENDITION_SENTENCES)[
                rendition.status
            ]
            if rendition is not None
            else "",
            can_download=can_download,
            watermarked=watermarked and bool(src),
        )
        return super().get_context_data(**kwargs)


def _file_headers(response, policy_value, *, frame_same_origin=False):
    response["Content-Security-Policy"] = policy_value
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Frame-Options"] = "SAMEORIGIN" if frame_same_origin else "DENY"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


class DocumentFileView(DocumentMixin, View):
    """The file itself, inline, for the viewer page. Opened from the viewer (with its token) it
    is the view the viewer recorded; opened any other way it is recorded here."""

    permission_required = Perm.VIEW_DOCUMENT

    def get(self, request, *args, **kwargs):
        user, document = request.user, self.document
        if not document.viewable_in_browser:
            raise Http404("Not shown in the browser")
        watermark = document.kind == DocumentKind.PDF and needs_watermark(user, document)
        _record_view(request, document, watermarked=watermark)
        return _inline_response(
            document.file.name,
            name=services.download_name(document),
            content_type=document.content_type,
            watermark_for=user if watermark else None,
        )


def _record_view(request, document, *, watermarked):
    """Record a view of the document, unless it was opened from the viewer (with its token): the
    viewer recorded that one."""
    if not _token_is_valid(request.GET.get("t", ""), request.user, document):
        services.document_access_record(
            user=request.user,
            document=document,
            action=DocumentAccess.Action.VIEW,
            watermarked=watermarked,
            request=request,
        )


def _inline_response(stored_name, *, name, content_type, watermark_for=None):
    """A stored file, inline, for the viewer's frame; a PDF stamped with the reader's name and
    the time when `watermark_for` is given."""
    if watermark_for is not None:
        from .watermark import watermark_pdf

        with document_storage().open(stored_name, "rb") as source:
            body = watermark_pdf(source, name=watermark_for.display_name, when=timezone.now())
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = _disposition("inline", name)
    else:
        response = FileResponse(
            document_storage().open(stored_name, "rb"),
            content_type=content_type,
            as_attachment=False,
            filename=name,
        )
    return _file_headers(response, INLINE_FILE_POLICY, frame_same_origin=True)


class DocumentRenditionView(DocumentMixin, View):
    """The PDF made from an office document, inline, for the viewer page: watermarked for the
    panel as an uploaded PDF is, never as an attachment. 404 until it is ready. Opened from the
    viewer (with its token) it is the view the viewer recorded; opened any other way it is
    recorded here."""

    permission_required = Perm.VIEW_DOCUMENT

    def get(self, request, *args, **kwargs):
        user, document = request.user, self.document
        rendition = document.pdf_rendition
        if rendition is None or not rendition.is_ready:
            raise Http404("No PDF of this document to show")
        watermark = needs_watermark(user, document)
        _record_view(request, document, watermarked=watermark)
        stem = os.path.splitext(document.original_name)[0] or "document"
        return _inline_response(
            rendition.file.name,
            name=f"{stem}.pdf",
            content_type="application/pdf",
            watermark_for=user if watermark else None,
        )


def _disposition(kind, name):
    from django.utils.http import content_disposition_header

    return content_disposition_header(kind == "attachment", name)


class DocumentDownloadView(DocumentMixin, View):
    """A download, as an attachment, for those who prepare the pack."""

    permission_required = Perm.DOWNLOAD_DOCUMENT

    def get(self, request, *args, **kwargs):
        document = self.document
        services.document_access_record(
            user=request.user,
            document=document,
            action=DocumentAccess.Action.DOWNLOAD,
            request=request,
        )
        response = FileResponse(
            document_storage().open(document.file.name, "rb"),
            content_type=document.content_type,
            as_attachment=True,
            filename=services.download_name(document),
        )
        return _file_headers(response, DOWNLOAD_POLICY)


class DocumentActionView(DocumentMixin, FormView):
    """A form that acts on the current version of a file, on a page headed "<verb> <file name>"
    with a line of `intro` if it has one."""

    permission_required = Perm.CHANGE_PACK_ITEM
    template_name = "documents/document_action.html"
    verb = ""
    intro = ""

    def get_permission_object(self):
        return self.document.item

    def get(self, request, *args, **kwargs):
        if not self.document.is_current:
            raise Http404("Not the current version")
        return super().get(request, *args, **kwargs)


class DocumentReplaceView(LimitedUploadMixin, DocumentActionView):
    form_class = ReplaceForm
    verb = "Replace"
    intro = "The new version takes its place in the pack. The old one is kept in the history."

    def form_valid(self, form):
        try:
            new = services.document_replace(
                actor=self.request.user, document=self.document, uploaded=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"New version uploaded: {new.original_name}. The old one is kept in the history",
        )
        return redirect("documents:item", self.document.item.pk)


class DocumentDeleteView(DocumentActionView):
    form_class = DeleteForm
    verb = "Delete"

    def form_valid(self, form):
        try:
            services.document_delete(
                actor=self.request.user, document=self.document, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{self.document.original_name} deleted")
        return redirect("documents:item", self.document.item.pk)
