"""The dashboard, an organisation's page, static pages and the health check."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from .. import accessibility
from ..dashboard import cards_for
from ..formatting import nhs_date
from ..permissions import Perm
from ..queries import memberships_for_user, organisation_for_user
from .base import ScopedObjectMixin


class DashboardView(PermissionRequiredMixin, TemplateView):
    """Greets the user by role; every app adds its cards through ctr_portal.dashboard."""

    permission_required = Perm.VIEW_DASHBOARD
    template_name = "ctr_portal/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.update(
            roles=role_descriptions(user, memberships_for_user(user)),
            cards=cards_for(self.request),
        )
        return super().get_context_data(**kwargs)


def role_descriptions(user, memberships):
    """How the header and dashboard describe who someone is here."""
    roles = [f"{m.job_title}, {m.organisation.name}" for m in memberships]
    if user.is_staff:
        roles.append("Administrator")
    return roles


class OrganisationView(ScopedObjectMixin, DetailView):
    permission_required = Perm.VIEW_ORGANISATION
    template_name = "ctr_portal/organisation.html"
    object_type = "ctr_portal.organisation"
    context_object_name = "organisation"

    def get_scoped_object(self):
        return organisation_for_user(self.request.user, self.kwargs["pk"])


@method_decorator(login_not_required, name="dispatch")
class AccessibilityView(TemplateView):
    """The accessibility statement in the public sector format (the Public Sector Bodies
    Accessibility Regulations 2018), and its easy read version."""

    template_name = "ctr_portal/accessibility.html"

    def get_context_data(self, **kwargs):
        kwargs.update(
            operator=settings.SERVICE_OPERATOR,
            phone=settings.SERVICE_PHONE,
            contact_email=settings.SERVICE_CONTACT_EMAIL,
            prepared_on=nhs_date(accessibility.STATEMENT_PREPARED),
            reviewed_on=nhs_date(accessibility.STATEMENT_REVIEWED),
            tested_on=nhs_date(accessibility.LAST_TESTED),
            known_issues=accessibility.KNOWN_ISSUES,
        )
        return super().get_context_data(**kwargs)


class AccessibilityEasyReadView(AccessibilityView):
    template_name = "ctr_portal/accessibility_easy_read.html"


@method_decorator(login_not_required, name="dispatch")
class PrivacyView(TemplateView):
    template_name = "ctr_portal/privacy.html"


@login_not_required
@never_cache
def health(request):
    """For load balancers and container health checks: the app answers and the database with it.
    One indexed query, so it is also the floor that `make bench` compares pages with."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM django_migrations WHERE id = 1")
        cursor.fetchone()
    return JsonResponse({"status": "ok"})
