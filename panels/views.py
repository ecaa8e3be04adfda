"""Workbooks, the chair's consolidation, serious concerns, the findings and the provider's part.

Every page finds its review through `reviews.queries.review_for_user` (404 for someone with no
part in it; the latest consent is read on every request, so the gate is asked each time) and
asks the rules for the right (403 for a participant without it). Writes go through the services.

The KLOE and key-question pages autosave with htmx: the form posts itself as the member types
and the answer is a small status fragment (with the new version number swapped in out of band).
Without JavaScript the same form posts with its buttons and the page reloads.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from ctr_portal.permissions import Perm
from ctr_portal.views.base import add_service_errors
from documents.queries import documents_for_evidence
from reviews.views.base import ReviewPageMixin

from . import policy, presenters, queries, services
from .forms import (
    ActionsForm,
    ConcernResolveForm,
    ConfirmForm,
    ConsolidatedKloeForm,
    EvidenceFormSet,
    ForYouForm,
    KeyQuestionsForm,
    KloeAnswerForm,
    ProviderPartForm,
    SuggestionFormSet,
)
from .models import PROVIDER_KLOE_NUMBERS

AUTOSAVE_TEMPLATE = "panels/_autosave_status.html"


def _status(request, **context):
    return render(request, AUTOSAVE_TEMPLATE, context)


def _error_texts(*forms) -> list[str]:
    from ctr_portal.templatetags.nhsuk_forms import summary_errors

    return [entry["text"] for entry in summary_errors(*forms)]


# --- A member's workbook -------------------------------------------------------------------


def _kloe_numbered(kloes, number):
    """The KLOE with this number, or 404."""
    kloe = next((k for k in kloes if k.number == number), None)
    if kloe is None:
        raise Http404("No such KLOE")
    return kloe


def _kloe_after(kloes, kloe):
    later = [k for k in kloes if k.number > kloe.number]
    return later[0] if later else None


def _edit_initial(row, fields) -> dict:
    """A form's initial values from a saved row (if any), with the version it was read at."""
    initial = {"version": row.version if row else 0}
    if row:
        initial.update({field: getattr(row, field) for field in fields})
    return initial


class WorkbookMixin(ReviewPageMixin):
    permission_required = Perm.FILL_WORKBOOK

    @property
    def workbook(self):
        """Opening a page writes nothing: a GET shows the workbook as it stands (empty until the
        first save); a POST, past the permission check, makes it if need be."""
        if not hasattr(self, "_workbook"):
            user, review = self.request.user, self.review
            self._workbook = (
                services.workbook_open(actor=user, review=review)
                if self.request.method == "POST"
                else queries.workbook_or_unstarted(user, review)
            )
        return self._workbook

    @property
    def panel(self):
        return self.workbook.panel

    @property
    def read_only(self) -> bool:
        return self.workbook.is_submitted or self.panel.is_finished

    def refuse_if_read_only(self, autosave):
        """The answer to a save on a submitted workbook (or a finished panel), else None."""
        if not self.read_only:
            return None
        message = "Not saved: this workbook is submitted. Ask the chair to reopen it."
        if autosave:
            return _status(self.request, error=message)
        messages.error(self.request, message)
        return redirect(self.request.path)

    def refused_by_service(self, error, autosave, form, page_forms):
        """The answer when the service refuses a save: its messages to an autosave, else the
        page again with them on the form."""
        if autosave:
            return _status(self.request, errors=error.messages)
        add_service_errors(form, error)
        return self.render_page(page_forms)

    def workbook_breadcrumbs(self):
        return self.breadcrumbs(
            ("Your workbook", reverse("panels:workbook", args=[self.review.pk]))
        )


class WorkbookView(WorkbookMixin, TemplateView):
    """The member's progress: which KLOEs are done, the key questions, and submitting."""

    template_name = "panels/workbook.html"

    def get_context_data(self, **kwargs):
        workbook = self.workbook
        kloes = queries.kloes_for_panel(self.panel)
        answers = queries.answers_by_kloe(workbook)
        rows = [{"kloe": k, "answer": answers.get(k.pk)} for k in kloes]
        for row in rows:
            row["status"] = row["answer"].status if row["answer"] else "not_started"
        key_questions = [
            workbook.is_safe,
            workbook.good_care_now,
            workbook.future_plans,
            workbook.community_care,
        ]
        kwargs.update(
            workbook=workbook,
            panel=self.panel,
            rows=rows,
            done=sum(1 for r in rows if r["status"] == "done"),
            key_questions_answered=sum(1 for text in key_questions if text.strip()),
            problems=services.workbook_problems(workbook, kloes, answers),
            kloe_head=["Key line of enquiry", "Status", "Your rating"],
            breadcrumbs=self.breadcrumbs(),
        )
        return super().get_context_data(**kwargs)


class KloeAnswerView(WorkbookMixin, TemplateView):
    """One KLOE: prompts beside the answer (findings, rating, any concern, evidence, suggested
    recommendations). Autosaves with htmx; the buttons work without JavaScript."""

    template_name = "panels/kloe_answer.html"

    def setup_kloe(self):
        panel = self.panel
        self.kloes = queries.kloes_for_panel(panel)
        self.kloe = _kloe_numbered(self.kloes, self.kwargs["number"])
        self.answer = queries.answer_for(self.workbook, self.kloe)
        # The pack's documents the member may open, to pick the one a piece of evidence is from.
        self.documents = {
            "documents": [
                (d.pk, d.item.title) for d in documents_for_evidence(self.request.user, self.review)
            ]
        }

    def get(self, request, *args, **kwargs):
        self.setup_kloe()
        return self.render_page(self.unbound_forms())

    def unbound_forms(self):
        answer = self.answer
        initial = _edit_initial(
            answer, ("findings", "rating", "immediate_safety_concern", "concern_detail")
        )
        evidence = [
            {f: getattr(e, f) for f in services.EVIDENCE_FIELDS}
            for e in (answer.evidence.all() if answer else [])
        ]
        suggestions = [
            {f: getattr(s, f) for f in services.SUGGESTION_FIELDS}
            for s in (answer.suggestions.all() if answer else [])
        ]
        add = self.request.GET.get("add", "")
        blank_evidence = 2 if add == "evidence" and evidence else 1
        blank_suggestions = 2 if add == "suggestion" and suggestions else 1
        return {
            "form": KloeAnswerForm(initial=initial, kloe=self.kloe),
            "evidence_formset": EvidenceFormSet(
                initial=evidence + [{}] * blank_evidence,
                prefix="evidence",
                row_kwargs=self.documents,
            ),
            "suggestion_formset": SuggestionFormSet(
                initial=suggestions + [{}] * blank_suggestions, prefix="suggestion"
            ),
        }

    def bound_forms(self, data, strict):
        return {
            "form": KloeAnswerForm(data, kloe=self.kloe),
            "evidence_formset": EvidenceFormSet(
                data, prefix="evidence", strict=strict, row_kwargs=self.documents
            ),
            "suggestion_formset": SuggestionFormSet(data, prefix="suggestion", strict=strict),
        }

    def next_kloe(self):
        return _kloe_after(self.kloes, self.kloe)

    def render_page(self, forms, conflict=None, status=200):
        next_kloe = self.next_kloe()
        provider_part = queries.provider_part_for(self.panel, self.kloe)
        buttons = (
            [("save", "Keep my version", False)]
            if conflict
            else [
                (
                    "next",
                    f"Save and go to {next_kloe.label}" if next_kloe else "Save and finish",
                    False,
                ),
                ("save", "Save", True),
            ]
        )
        position = [k.pk for k in self.kloes].index(self.kloe.pk) + 1
        context = self.get_context_data(
            **forms,
            kloe=self.kloe,
            kloe_count=len(self.kloes),
            kloe_position=position,
            prompts=queries.prompts_for(self.panel, self.kloe),
            answer=self.answer,
            provider_part=provider_part,
            show_provider_part=self.panel.is_hospital and self.kloe.number in PROVIDER_KLOE_NUMBERS,
            section_in_pack=queries.provider_section_in_pack(self.panel, self.kloe),
            read_only=self.read_only,
            workbook=self.workbook,
            conflict=conflict,
            actions=ActionsForm(buttons=buttons),
            add_evidence=ActionsForm(buttons=[("add_evidence", "Add more evidence", True)]),
            add_suggestion=ActionsForm(
                buttons=[("add_suggestion", "Add another suggestion", True)]
            ),
            previous_kloe=next(
                (k for k in reversed(self.kloes) if k.number < self.kloe.number), None
            ),
            next_kloe=next_kloe,
            autosave_delay=policy.AUTOSAVE_DELAY_MS,
            breadcrumbs=self.workbook_breadcrumbs(),
        )
        return self.render_to_response(context, status=status)

    def post(self, request, *args, **kwargs):
        self.setup_kloe()
        autosave = bool(getattr(request, "htmx", False))
        refused = self.refuse_if_read_only(autosave)
        if refused:
            return refused
        action = request.POST.get("action", "save")
        forms = self.bound_forms(request.POST, strict=not autosave)
        form = forms["form"]
        valid = all(f.is_valid() for f in forms.values())
        if not valid:
            if autosave:
                return _status(request, errors=_error_texts(*forms.values()))
            return self.render_page(forms)
        try:
            saved = services.kloe_answer_save(
                actor=request.user,
                workbook=self.workbook,
                kloe=self.kloe,
                expected_version=form.cleaned_data["version"],
                evidence=forms["evidence_formset"].rows(),
                suggestions=forms["suggestion_formset"].rows(),
                complete=not autosave,
                **form.service_arguments(),
            )
        except services.EditConflict as conflict:
            current = conflict.current
            if autosave:
                return _status(request, conflict=True)
            data = request.POST.copy()
            data["version"] = str(current.version if current else 0)
            return self.render_page(self.bound_forms(data, strict=True), conflict=current)
        except ValidationError as error:
            return self.refused_by_service(error, autosave, form, forms)
        if autosave:
            saved_form = KloeAnswerForm(initial={"version": saved.answer.version}, kloe=self.kloe)
            return _status(
                request,
                saved_at=saved.answer.updated_at,
                version_field=saved_form["version"],
                concern_raised=saved.concern_raised,
                needs_concern_detail=saved.needs_concern_detail,
            )
        if saved.concern_raised:
            messages.warning(
                request,
                "The chair and the commissioner have been told about the concern you raised.",
            )
        return self.redirect_after(action, saved)

    def redirect_after(self, action, saved):
        review_pk = self.review.pk
        here = reverse("panels:workbook_kloe", args=[review_pk, self.kloe.number])
        if action in ("add_evidence", "add_suggestion"):
            kind = action.removeprefix("add_")
            return redirect(f"{here}?add={kind}#{kind}-list")
        if action == "next":
            next_kloe = self.next_kloe()
            if next_kloe is not None:
                return redirect("panels:workbook_kloe", pk=review_pk, number=next_kloe.number)
            return redirect("panels:workbook", pk=review_pk)
        messages.success(self.request, f"{self.kloe.label} saved")
        return redirect(here)


class KeyQuestionsView(WorkbookMixin, TemplateView):
    template_name = "panels/key_questions.html"

    def make_form(self, data=None):
        workbook = self.workbook
        form = KeyQuestionsForm(
            data,
            initial={
                "is_safe": workbook.is_safe,
                "good_care_now": workbook.good_care_now,
                "future_plans": workbook.future_plans,
                "community_care": workbook.community_care,
                "version": workbook.key_questions_version,
            },
            child=self.panel.audience == "child",
        )
        form.helper.attrs.update(self.autosave_attrs())
        return form

    def autosave_attrs(self):
        return {
            "data-autosave": "",
            "hx-post": self.request.path,
            "hx-trigger": f"input delay:{policy.AUTOSAVE_DELAY_MS}ms, change",
            "hx-target": "#autosave-status",
            "hx-sync": "this:queue last",
        }

    def get(self, request, *args, **kwargs):
        return self.render_page(self.make_form())

    def render_page(self, form, conflict=None):
        source = conflict or self.workbook
        saved_rows = presenters.saved_rows(form, source)
        context = self.get_context_data(
            form=form,
            saved_rows=saved_rows,
            workbook=self.workbook,
            read_only=self.read_only,
            conflict=conflict,
            breadcrumbs=self.workbook_breadcrumbs(),
        )
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        autosave = bool(getattr(request, "htmx", False))
        refused = self.refuse_if_read_only(autosave)
        if refused:
            return refused
        form = self.make_form(request.POST)
        if not form.is_valid():
            if autosave:
                return _status(request, errors=_error_texts(form))
            return self.render_page(form)
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            workbook = services.key_questions_save(
                actor=request.user, workbook=self.workbook, expected_version=version, **data
            )
        except services.EditConflict as conflict:
            if autosave:
                return _status(request, conflict=True)
            post = request.POST.copy()
            post["version"] = str(conflict.current.key_questions_version)
            return self.render_page(self.make_form(post), conflict=conflict.current)
        except ValidationError as error:
            return self.refused_by_service(error, autosave, form, form)
        if autosave:
            fresh = KeyQuestionsForm(initial={"version": workbook.key_questions_version})
            return _status(
                request,
                saved_at=workbook.key_questions_updated_at,
                version_field=fresh["version"],
            )
        messages.success(request, "Your answers to the key questions are saved")
        return redirect("panels:workbook", pk=self.review.pk)


class WorkbookSubmitView(WorkbookMixin, TemplateView):
    template_name = "panels/workbook_submit.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ConfirmForm(label="Submit your workbook"))
        kloes = queries.kloes_for_panel(self.panel)
        kwargs.update(
            workbook=self.workbook,
            problems=services.workbook_problems(
                self.workbook, kloes, queries.answers_by_kloe(self.workbook)
            ),
            breadcrumbs=self.workbook_breadcrumbs(),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        return _confirmed(
            self,
            ConfirmForm(request.POST, label="Submit your workbook"),
            lambda: services.workbook_submit(actor=request.user, workbook=self.workbook),
            "Your workbook is submitted. The chair can now see it is finished.",
            reverse("panels:workbook", args=[self.review.pk]),
        )


def _confirmed(view, form, write, message, next_url):
    """A confirm button's post: `write()` the service call, then say `message` and go on to
    `next_url`; or, when the service refuses, show the page again with its reasons."""
    try:
        write()
    except ValidationError as error:
        form.is_valid()
        add_service_errors(form, error)
        return view.render_to_response(view.get_context_data(form=form))
    messages.success(view.request, message)
    return redirect(next_url)


# --- Pages that form the panel on a save ---------------------------------------------------


class FormsPanelMixin(ReviewPageMixin):
    @property
    def panel(self):
        """A GET shows the panel as it stands (formed at scheduling, or as it would be); a POST
        forms it if need be."""
        if not hasattr(self, "_panel"):
            self._panel = (
                services.panel_form(review=self.review)
                if self.request.method == "POST"
                else queries.panel_or_unformed(self.review)
            )
        return self._panel


# --- The chair -----------------------------------------------------------------------------


class ChairMixin(FormsPanelMixin):
    permission_required = Perm.CONSOLIDATE

    def chair_breadcrumbs(self):
        return self.breadcrumbs(
            ("Panel workbooks", reverse("panels:consolidation", args=[self.review.pk]))
        )


def _workbook_status(workbook, answers) -> dict:
    done = sum(1 for a in answers.values() if a.status == "done")
    if workbook.is_submitted:
        return {"text": "Submitted", "colour": "green", "done": done}
    if answers:
        return {"text": "In progress", "colour": "blue", "done": done}
    return {"text": "Not started", "colour": "grey", "done": done}


class ConsolidationView(ChairMixin, TemplateView):
    """The chair's overview: each member's workbook, each KLOE's ratings and the panel's, open
    concerns, and finishing."""

    template_name = "panels/consolidation.html"

    def get_context_data(self, **kwargs):
        review, panel = self.review, self.panel
        data = queries.consolidation_for(panel, details=False)
        kloe_rows = []
        for kloe in data.kloes:
            row = data.consolidated.get(kloe.pk)
            kloe_rows.append(
                {
                    "kloe": kloe,
                    "ratings": [a.rating if a else "" for _, a in data.answers_for(kloe)],
                    "consolidated": row,
                    "done": bool(row and row.is_done),
                }
            )
        members = [
            {
                "workbook": m.workbook,
                "heading": f"{m.workbook.participant.name} "
                f"({m.workbook.participant.get_role_display().lower()})",
                "status": _workbook_status(m.workbook, m.answers),
                "reopen_form": ConfirmForm(
                    label="Reopen this workbook",
                    secondary=True,
                    action=reverse("panels:workbook_reopen", args=[review.pk, m.workbook.pk]),
                )
                if m.workbook.is_submitted and not panel.is_finished
                else None,
            }
            for m in data.members
        ]
        is_open = services.consolidation_is_open(review, panel)
        kwargs.setdefault("form", self.finish_form())
        kwargs.update(
            panel=panel,
            data=data,
            open_concerns=[c for c in queries.concerns_for_panel(panel) if c.is_open],
            members=members,
            kloe_rows=kloe_rows,
            kloe_count=len(data.kloes),
            consolidated_count=sum(1 for r in kloe_rows if r["done"]),
            is_open=is_open,
            problems=services.consolidation_problems(data) if is_open else [],
            kloe_table_head=[
                "Key line of enquiry",
                *[
                    f"{m.workbook.participant.get_role_display()}: {m.workbook.participant.name}"
                    for m in data.members
                ],
                "Panel",
            ],
            breadcrumbs=self.breadcrumbs(),
        )
        return super().get_context_data(**kwargs)

    def finish_form(self, data=None):
        return ConfirmForm(
            data,
            label="Finish consolidation and start the report",
            action=reverse("panels:consolidation_finish", args=[self.review.pk]),
        )


class ConsolidationFinishView(ConsolidationView):
    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])

    def post(self, request, *args, **kwargs):
        return _confirmed(
            self,
            self.finish_form(request.POST),
            lambda: services.consolidation_finish(
                actor=request.user, review=self.review, panel=self.panel
            ),
            "Consolidation finished. The review has moved to report drafting.",
            reverse("panels:findings", args=[self.review.pk]),
        )


class WorkbookReopenView(ChairMixin, View):
    def post(self, request, *args, **kwargs):
        workbook = queries.workbook_of_review(self.review, kwargs["workbook_pk"])
        if workbook is None:
            raise Http404("No such workbook")
        try:
            services.workbook_reopen(actor=request.user, review=self.review, workbook=workbook)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"{workbook.participant.name}'s workbook is reopened. "
                "They have been told by email.",
            )
        return redirect("panels:consolidation", pk=self.review.pk)


def _suggestion_choices(consolidation, kloe) -> list[tuple[int, str]]:
    choices = []
    for workbook, answer in consolidation.answers_for(kloe):
        if answer is None:
            continue
        for s in answer.suggestions.all():
            if not s.text.strip():
                continue
            details = ", ".join(filter(None, [s.owner, s.timescale]))
            label = f"{s.text}" + (f" ({details})" if details else "")
            choices.append((s.pk, f"{label} – suggested by {workbook.participant.name}"))
    return choices


class ConsolidateKloeView(ChairMixin, TemplateView):
    """One KLOE: every member's findings, evidence and rating side by side, and the panel's
    agreed finding, rating and reasoning."""

    template_name = "panels/consolidate_kloe.html"

    def setup_kloe(self):
        # Only this KLOE's answers: the page shows each member's answer to it, not all eleven.
        self.data = queries.consolidation_for(self.panel, number=self.kwargs["number"])
        self.kloe = _kloe_numbered(self.data.kloes, self.kwargs["number"])
        self.row = self.data.consolidated.get(self.kloe.pk)
        self.ratings = services.member_ratings(self.data, self.kloe)
        self.is_open = services.consolidation_is_open(self.review, self.panel)

    def next_kloe(self):
        return _kloe_after(self.data.kloes, self.kloe)

    def make_form(self, data=None):
        row = self.row
        initial = _edit_initial(row, ("finding", "for_you", "rating", "reasoning"))
        if row:
            initial["carry"] = [c.source_id for c in row.carried.all() if c.source_id]
        next_kloe = self.next_kloe()
        return ConsolidatedKloeForm(
            data,
            initial=initial,
            suggestions=_suggestion_choices(self.data, self.kloe),
            ratings_differ=len(self.ratings) > 1,
            next_label=f"Save and go to {next_kloe.label}" if next_kloe else "Save and finish",
            person_name=self.review.person.known_as,
        )

    def for_you_form(self, data=None):
        """Once consolidation is finished: what a finding means for the person, still to write."""
        if not self.panel.is_finished or self.row is None or not self.row.finding.strip():
            return None
        return ForYouForm(
            data,
            initial=_edit_initial(self.row, ("for_you",)),
            person_name=self.review.person.known_as,
        )

    def get(self, request, *args, **kwargs):
        self.setup_kloe()
        return self.render_page(self.make_form())

    def render_page(self, form, conflict=None, for_you_form=None):
        columns = self.data.answers_for(self.kloe)
        context = self.get_context_data(
            form=form if self.is_open else None,
            for_you_form=None if self.is_open else (for_you_form or self.for_you_form()),
            kloe=self.kloe,
            columns=columns,
            column_class={1: "full", 2: "one-half", 3: "one-third"}.get(
                len(columns), "one-quarter"
            ),
            ratings_differ=len(self.ratings) > 1,
            row=self.row,
            is_open=self.is_open,
            provider_part=queries.provider_part_for(self.panel, self.kloe),
            show_provider_part=self.panel.is_hospital and self.kloe.number in PROVIDER_KLOE_NUMBERS,
            section_in_pack=queries.provider_section_in_pack(self.panel, self.kloe),
            conflict=conflict,
            conflict_rows=presenters.consolidated_rows(conflict),
            saved_rows=presenters.consolidated_rows(self.row),
            panel=self.panel,
            breadcrumbs=self.chair_breadcrumbs(),
        )
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        self.setup_kloe()
        if not self.is_open and self.for_you_form() is not None:
            return self.post_for_you(request)
        if not self.is_open:
            messages.error(request, "Consolidation opens once the review is held, or on the day")
            return redirect(request.path)
        form = self.make_form(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        data = form.cleaned_data
        try:
            services.consolidated_kloe_save(
                actor=request.user,
                review=self.review,
                panel=self.panel,
                kloe=self.kloe,
                expected_version=data["version"],
                finding=data["finding"],
                rating=data["rating"],
                reasoning=data["reasoning"],
                carry=data["carry"],
                for_you=data["for_you"],
            )
        except services.EditConflict as conflict:
            post = request.POST.copy()
            post["version"] = str(conflict.current.version if conflict.current else 0)
            return self.render_page(self.make_form(post), conflict=conflict.current)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_page(form)
        next_kloe = self.next_kloe()
        if request.POST.get("action") == "next":
            if next_kloe is not None:
                return redirect(
                    "panels:consolidation_kloe", pk=self.review.pk, number=next_kloe.number
                )
            return redirect("panels:consolidation", pk=self.review.pk)
        messages.success(request, f"The panel's view of {self.kloe.label} is saved")
        return redirect(request.path)

    def post_for_you(self, request):
        form = self.for_you_form(request.POST)
        if not form.is_valid():
            return self.render_page(None, for_you_form=form)
        try:
            services.consolidated_kloe_for_you_save(
                actor=request.user,
                review=self.review,
                panel=self.panel,
                kloe=self.kloe,
                expected_version=form.cleaned_data["version"],
                for_you=form.cleaned_data["for_you"],
            )
        except services.EditConflict:
            messages.error(request, f"{self.kloe.label} was changed somewhere else: try again")
            return redirect(request.path)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_page(None, for_you_form=form)
        messages.success(
            request, f"What {self.kloe.label} means for {self.review.person.known_as} is saved"
        )
        return redirect(request.path)


# --- Concerns ------------------------------------------------------------------------------


class ConcernListView(ReviewPageMixin, TemplateView):
    permission_required = Perm.VIEW_CONCERNS
    template_name = "panels/concerns.html"

    def get_context_data(self, **kwargs):
        panel = queries.panel_for_review(self.review)
        concerns = queries.concerns_for_panel(panel) if panel else []
        kwargs.update(
            open_concerns=[c for c in concerns if c.is_open],
            closed_concerns=[c for c in concerns if not c.is_open],
            can_resolve=self.request.user.has_perm(Perm.RESOLVE_CONCERN, self.review),
            breadcrumbs=self.breadcrumbs(),
        )
        return super().get_context_data(**kwargs)


class ConcernResolveView(ReviewPageMixin, TemplateView):
    permission_required = Perm.RESOLVE_CONCERN
    template_name = "panels/concern_resolve.html"

    def get_concern(self):
        concern = queries.concern_of_review(self.review, self.kwargs["concern_pk"])
        if concern is None:
            raise Http404("No such concern")
        return concern

    def get_context_data(self, **kwargs):
        kwargs.setdefault("concern", self.get_concern())
        kwargs.setdefault("form", ConcernResolveForm())
        kwargs["breadcrumbs"] = self.breadcrumbs(
            ("Serious concerns", reverse("panels:concerns", args=[self.review.pk]))
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        concern = self.get_concern()
        form = ConcernResolveForm(request.POST)
        if form.is_valid():
            try:
                services.concern_resolve(
                    actor=request.user, review=self.review, concern=concern, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The concern is closed, with what was done and by whom")
                return redirect("panels:concerns", pk=self.review.pk)
        return self.render_to_response(self.get_context_data(concern=concern, form=form))


# --- The panel's findings ------------------------------------------------------------------


class FindingsView(ReviewPageMixin, TemplateView):
    """The panel's consolidated findings, once the chair has finished: for the commissioner, and
    for the chair writing the report."""

    permission_required = Perm.VIEW_FINDINGS
    template_name = "panels/findings.html"

    def get_context_data(self, **kwargs):
        panel = queries.panel_for_review(self.review)
        finished = panel is not None and panel.is_finished
        kwargs.update(
            panel=panel,
            finished=finished,
            findings=[
                {"heading": str(kloe), "rows": presenters.consolidated_rows(row)}
                for kloe, row in (queries.consolidated_findings(panel) if finished else [])
            ],
            is_chair=self.request.user.has_perm(Perm.CONSOLIDATE, self.review),
            breadcrumbs=self.breadcrumbs(),
        )
        return super().get_context_data(**kwargs)


# --- The provider's part -------------------------------------------------------------------


class ProviderPartView(FormsPanelMixin, TemplateView):
    """The provider's physical health and medication sections (KLOE 5 and 6) of a hospital
    review, completed before the day."""

    permission_required = Perm.COMPLETE_PROVIDER_PART
    template_name = "panels/provider_part.html"

    def make_form(self, data=None):
        panel = self.panel
        parts = queries.provider_parts_by_kloe(panel)
        kloes = queries.provider_kloes(panel)
        initial = {f"kloe_{k.number}": parts[k.pk].text for k in kloes if k.pk in parts}
        self.parts = parts
        return ProviderPartForm(data, initial=initial, kloes=kloes)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.make_form())
        kwargs.update(
            parts=list(self.parts.values()),
            read_only=self.panel.is_finished,
            breadcrumbs=self.breadcrumbs(),
        )
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = self.make_form(request.POST)
        if self.panel.is_finished:
            messages.error(request, "The panel has finished: this part can no longer change")
            return redirect(request.path)
        if form.is_valid():
            try:
                services.provider_part_save(
                    actor=request.user, review=self.review, texts=form.texts()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Saved. The panel will see this beside KLOE 5 and 6.")
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))
