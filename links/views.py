"""The pages a link opens (no sign-in: the link is the only key) and the commissioner's page
that hands links out and revokes them.

A link page shows only what its purpose needs. A token that opens nothing answers 404; a link
spent, expired, revoked, or no longer allowed by the object's rules (consent withdrawn, the
recommendation moved on) answers 410; both show the same page, so the holder learns nothing
of which it was. Each use and each refusal is audited (`ctr_portal.links`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from ctr_portal import links as link_mechanism
from ctr_portal.formatting import nhs_date
from ctr_portal.permissions import Perm
from ctr_portal.views.base import ScopedObjectMixin, add_service_errors
from documents.uploads import use_limited_upload_handlers
from recommendations.forms import RespondForm
from recommendations.queries import recommendation_for_user
from recommendations.views import add_errors
from reviews import services as review_services

from . import queries, services
from .forms import HandoverForm, LetterForm, LinkUpdateForm, ReachForm
from .models import Letter

Purpose = queries.Purpose
REFUSED = "links/refused.html"


@method_decorator([login_not_required, never_cache, csrf_exempt], name="dispatch")
class LinkUseView(View):
    """One page for every link: the purpose decides what it shows and what a POST does. An
    update may carry an evidence file: the upload streams to a size-limited temporary file
    before anything reads the form, then the CSRF check follows (as the owner's own "done"
    page does)."""

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            use_limited_upload_handlers(request)
        return csrf_protect(self._dispatch)(request, *args, **kwargs)

    def _dispatch(self, request, *args, **kwargs):
        self.link = link_mechanism.link_for_token(kwargs["token"])
        if self.link is None:
            link_mechanism.link_refusal_record(link=None, reason="unknown", request=request)
            return render(request, REFUSED, status=404)
        self.obj = queries.link_object(self.link)
        if self.link.state != "live" or not queries.link_still_allowed(self.link, self.obj):
            return self.refuse()
        return super().dispatch(request, *args, **kwargs)

    def refuse(self):
        link_mechanism.link_refusal_record(link=self.link, reason="refused", request=self.request)
        return render(self.request, REFUSED, status=410)

    def make_form(self, data=None, files=None):
        if self.link.purpose == Purpose.RESPOND:
            return RespondForm(data)
        if self.link.purpose == Purpose.UPDATE:
            return LinkUpdateForm(data, files)
        return None

    def get(self, request, *args, **kwargs):
        if self.link.purpose == Purpose.READ_REPORT:
            return self.report_page()
        link_mechanism.link_use(link=self.link, request=request, spend=False)
        return self.render_form(self.make_form())

    def report_page(self):
        version = queries.current_report(self.obj.review)
        easy_read = self.request.GET.get("version") != "full"
        link_mechanism.link_use(link=self.link, request=self.request, spend=False)
        review = self.obj.review
        return render(
            self.request,
            "links/report.html",
            {
                "version": version,
                "easy_read": easy_read,
                "issued_on": nhs_date(version.issued_at),
                "body": version.easy_read_html if easy_read else version.html,
                "plan_rows": queries.plan_as_it_stands(review),
                "commissioner": review.commissioner.name,
                "can_ask_for_account": bool(self.obj.email),
            },
        )

    def render_form(self, form, status=200):
        recommendation = self.obj
        return render(
            self.request,
            "links/recommendation.html",
            {
                "form": form,
                "link": self.link,
                "recommendation": recommendation,
                "due": nhs_date(recommendation.due_date) if recommendation.due_date else "",
                "heading": "Accept or dispute this recommendation"
                if self.link.purpose == Purpose.RESPOND
                else "Update this recommendation",
            },
            status=status,
        )

    def post(self, request, *args, **kwargs):
        if request.POST.get("account") == "ask":
            outcome = services.link_account_ask(link=self.link, obj=self.obj, request=request)
            return render(request, "links/account_asked.html", {"outcome": outcome})
        form = self.make_form(request.POST, request.FILES)
        if form is None:
            return self.get(request, *args, **kwargs)
        if not form.is_valid():
            return self.render_form(form)
        try:
            self.act(form.cleaned_data)
        except services.LinkSpent:
            return self.refuse()
        except services.RecommendationError as error:
            add_errors(form, error)
            return self.render_form(form)
        done = form.cleaned_data.get("kind") == "done"
        return render(request, "links/done.html", {"purpose": self.link.purpose, "done": done})

    def act(self, data):
        if self.link.purpose == Purpose.RESPOND:
            services.link_respond(
                link=self.link,
                recommendation=self.obj,
                response=data["response"],
                remit_confirmed=data["remit_confirmed"],
                reason=data["reason"],
                request=self.request,
            )
        else:
            services.link_update(
                link=self.link,
                recommendation=self.obj,
                done=data["kind"] == "done",
                note=data["note"],
                evidence=data.get("evidence") if data["kind"] == "done" else None,
                not_for_family=data.get("not_for_family", False),
                request=self.request,
            )


class RecommendationLinksView(ScopedObjectMixin, View):
    """The commissioner's page for a recommendation whose owner has no account: its links (live,
    used, expired, revoked), a new one made and shown once, and each live one revoked."""

    permission_required = Perm.MANAGE_RECOMMENDATION
    object_type = "recommendations.recommendation"

    def get_scoped_object(self):
        return recommendation_for_user(self.request.user, self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        return self.page()

    def post(self, request, *args, **kwargs):
        recommendation = self.get_object()
        revoke = request.POST.get("revoke", "")
        if revoke:
            return self.revoke(recommendation, revoke)
        if recommendation.owner_id is not None:
            messages.error(request, "The owner has an account: they sign in to act on it")
            return redirect("links:recommendation", pk=recommendation.pk)
        _link, token = services.recommendation_link_issue(
            actor=request.user, recommendation=recommendation
        )
        return self.page(
            new_url=link_mechanism.link_url(token), new_code=link_mechanism.short_code(token)
        )

    def revoke(self, recommendation, pk):
        link = next((x for x in link_mechanism.links_for(recommendation) if str(x.pk) == pk), None)
        if link is None:
            raise Http404("Not found")
        link_mechanism.link_revoke(actor=self.request.user, link=link)
        messages.success(self.request, "The link is revoked: it no longer works")
        return redirect("links:recommendation", pk=recommendation.pk)

    def page(self, **extra):
        recommendation = self.get_object()
        return render(
            self.request,
            "links/recommendation_links.html",
            {
                "recommendation": recommendation,
                "links": link_mechanism.links_for(recommendation),
                **extra,
            },
        )


# --- People without an account: how each is reached, and their letters ----------------------


class ReviewManagerMixin(ScopedObjectMixin):
    """A page of the review's commissioner: 404 for someone with no part, 403 for a
    participant without the right."""

    permission_required = Perm.MANAGE_REVIEW

    def get_permission_object(self):
        obj = self.get_object()
        return getattr(obj, "review", None) or obj.participant.review


class ReviewLettersView(ReviewManagerMixin, View):
    object_type = "reviews.review"

    def get_scoped_object(self):
        return queries.review_for_manager(self.request.user, self.kwargs["pk"])

    def get_permission_object(self):
        return self.get_object()

    def get(self, request, *args, **kwargs):
        review = self.get_object()
        return render(
            request,
            "links/review_letters.html",
            {"review": review, "people": queries.participants_without_account(review)},
        )

    def post(self, request, *args, **kwargs):
        """Revoke one of the review's links to someone without an account (a letter lost)."""
        review = self.get_object()
        wanted = request.POST.get("revoke", "")
        for person in queries.participants_without_account(review):
            for link in person.links:
                if str(link.pk) == wanted and link.state == "live":
                    link_mechanism.link_revoke(actor=request.user, link=link)
                    messages.success(request, "The link is revoked: it no longer works")
        return redirect("links:review_letters", pk=review.pk)


class _LettersFormView(ReviewManagerMixin, View):
    """A review manager's form about one participant without an account (or a letter to them),
    saved through a service and back to the review's letters."""

    form_class = None
    heading = ""
    success_message = ""

    def participant_of(self, obj):
        return obj

    def get_initial(self, obj):
        return {}

    def save(self, obj, cleaned_data):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        return self.render_form(self.form_class(initial=self.get_initial(self.get_object())))

    def extra_context(self, obj) -> dict:
        return {}

    def render_form(self, form):
        obj = self.get_object()
        participant = self.participant_of(obj)
        return render(
            self.request,
            "links/form.html",
            {
                "form": form,
                "participant": participant,
                "review": participant.review,
                "heading": self.heading.format(name=participant.name),
                **self.extra_context(obj),
            },
        )

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        obj = self.get_object()
        try:
            self.save(obj, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_form(form)
        messages.success(request, self.success_message)
        return redirect("links:review_letters", pk=self.participant_of(obj).review.pk)


class _ParticipantFormView(_LettersFormView):
    object_type = "reviews.participant"

    def get_scoped_object(self):
        return queries.participant_of_review_for_user(self.request.user, self.kwargs["pk"])


class ParticipantReachView(_ParticipantFormView):
    form_class = ReachForm
    heading = "How to reach {name}"
    success_message = "How to reach them is saved"

    def get_initial(self, participant):
        fields = ("invited_through", "email", "phone", "reached_through")
        return {field: getattr(participant, field) for field in fields}

    def save(self, participant, cleaned_data):
        review_services.participant_reach_set(
            actor=self.request.user, participant=participant, **cleaned_data
        )


class LetterMakeView(_ParticipantFormView):
    form_class = LetterForm
    heading = "Make a letter for {name}"
    success_message = "The letter is being made. Refresh the page in a moment"

    def get_initial(self, participant):
        kind = self.request.GET.get("kind", "")
        return {"kind": kind} if kind in Letter.Kind.values else {}

    def save(self, participant, cleaned_data):
        services.letter_request(
            actor=self.request.user, participant=participant, kind=cleaned_data["kind"]
        )


class LetterPdfView(ReviewManagerMixin, View):
    object_type = "links.letter"

    def get_scoped_object(self):
        return queries.letter_for_user(self.request.user, self.kwargs["pk"])

    def get(self, request, *args, **kwargs):
        letter = self.get_object()
        if not letter.file:
            raise Http404("Not made yet")
        services.letter_download_record(user=request.user, letter=letter, request=request)
        response = FileResponse(
            letter.file.open("rb"),
            as_attachment=True,
            filename=f"letter-{letter.pk}.pdf",
            content_type="application/pdf",
        )
        return response


class LetterHandoverView(_LettersFormView):
    object_type = "links.letter"
    form_class = HandoverForm
    heading = "Record who handed the letter over"
    success_message = "The hand-over is recorded"

    def get_scoped_object(self):
        return queries.letter_for_user(self.request.user, self.kwargs["pk"])

    def participant_of(self, letter):
        return letter.participant

    def save(self, letter, cleaned_data):
        services.letter_handover_record(actor=self.request.user, letter=letter, **cleaned_data)

    def extra_context(self, letter):
        return {"post_to": queries.letter_postal_address(letter)}

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") != "post":
            return super().post(request, *args, **kwargs)
        letter = self.get_object()
        try:
            services.letter_post(actor=request.user, letter=letter)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The letter will be posted")
        return redirect("links:review_letters", pk=letter.participant.review.pk)
