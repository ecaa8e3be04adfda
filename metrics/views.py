"""Service measures: parse the period, check the permission, call the measures, render.

Anyone who is not a commissioner or an oversight panel member is refused (403); an organisation
the user may not see is not found (404), through `queries.organisation_for_metrics`."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from ctr_portal.permissions import Perm
from ctr_portal.views.base import ScopedObjectMixin

from . import charts, measures, periods, presenters, queries
from .forms import PeriodForm

# A bar a month; a longer period shows its figures without a chart.
MAX_CHART_MONTHS = 24


class IndexView(PermissionRequiredMixin, TemplateView):
    """The organisations whose measures the user may see."""

    permission_required = Perm.VIEW_METRICS
    raise_exception = True
    template_name = "metrics/index.html"

    def get_context_data(self, **kwargs):
        organisations = queries.organisations_for_metrics(self.request.user)
        kwargs.update(
            rows=[
                [
                    {"text": o.name, "href": reverse("metrics:organisation", args=[o.pk])},
                    o.get_kind_display(),
                ]
                for o in organisations
            ],
            head=["Organisation", "Kind"],
            breadcrumbs=[("Home", reverse("dashboard"))],
        )
        return super().get_context_data(**kwargs)


class OrganisationMixin(ScopedObjectMixin):
    object_type = "ctr_portal.organisation"
    permission_required = Perm.VIEW_METRICS

    def get_permission_object(self):
        return None  # the role first (403), then the organisation (404)

    def get_scoped_object(self):
        return queries.organisation_for_metrics(self.request.user, self.kwargs["pk"])

    @cached_property
    def form(self):
        return PeriodForm(self.request.GET or None, today=timezone.localdate())

    def period(self):
        return self.form.chosen(), self.form.today

    def period_query(self, period) -> str:
        """The query that names `period` again, for the links between the pages."""
        if period.token == periods.DEFAULT:
            return ""
        query = {k: v for k, v in self.request.GET.items() if k != "submit"}
        return "?" + urlencode(query)


class OrganisationView(OrganisationMixin, TemplateView):
    template_name = "metrics/organisation.html"

    def get_context_data(self, **kwargs):
        organisation = self.get_object()
        period, today = self.period()
        figures = measures.figures([organisation.pk], period, today)
        query = self.period_query(period)
        for f in figures:
            f.href = reverse("metrics:rows", args=[organisation.pk, f.measure.key]) + query
        kwargs.update(
            form=self.form,
            organisation=organisation,
            period=period,
            figures=figures,
            charts=[
                _chart(f)
                for f in figures
                if f.measure.chart and 1 < len(f.months) <= MAX_CHART_MONTHS
            ],
            chart_head=[
                "Month",
                {"text": "Counted", "format": "numeric"},
                {"text": "On time", "format": "numeric"},
                {"text": "Share", "format": "numeric"},
            ],
            breadcrumbs=[
                ("Home", reverse("dashboard")),
                ("Service measures", reverse("metrics:index")),
            ],
        )
        return super().get_context_data(**kwargs)


def _chart(figure):
    return {
        "figure": figure,
        "id": figure.measure.key,
        "bars": charts.bars(figure.months),
        "gridlines": charts.gridlines(),
        "width": charts.WIDTH,
        "height": charts.HEIGHT,
        "left": charts.LEFT,
        "right_x": charts.WIDTH - charts.RIGHT,
        "label_y": charts.HEIGHT - 10,
        "rows": [
            [
                f"{m.first:%b %Y}",
                str(m.total),
                str(m.met),
                "–" if m.percent is None else f"{m.percent}%",
            ]
            for m in figure.months
        ],
    }


ROWS_PER_PAGE = 50


class MeasureRowsView(OrganisationMixin, TemplateView):
    """The rows behind one figure, each marked whether it counts in the numerator."""

    template_name = "metrics/rows.html"

    def get_context_data(self, **kwargs):
        organisation = self.get_object()
        measure = measures.BY_KEY.get(self.kwargs["measure"])
        if measure is None:
            raise Http404("No such measure")
        period, today = self.period()
        # The figure and the page of rows come from the same rows: a national panel's list runs
        # to thousands, so it is paged, and the totals are counted by the database.
        figure = measures.figure(measure, [organisation.pk], period, today)
        found = measures.rows(measure, [organisation.pk], period, today)
        page = Paginator(found, ROWS_PER_PAGE).get_page(self.request.GET.get("page"))
        head, cells = presenters.COLUMNS[measure.row_kind]
        kwargs.update(
            organisation=organisation,
            measure=measure,
            period=period,
            total=figure.total,
            met=figure.met,
            percent=None if measure.snapshot else figure.percent,
            page_obj=page,
            head=[*head, *([] if measure.snapshot else ["Counted in the numerator"])],
            rows=[
                [*cells(r), *([] if measure.snapshot else [presenters.counted(r)])] for r in page
            ],
            breadcrumbs=[
                ("Home", reverse("dashboard")),
                ("Service measures", reverse("metrics:index")),
                (
                    organisation.name,
                    reverse("metrics:organisation", args=[organisation.pk])
                    + self.period_query(period),
                ),
            ],
        )
        return super().get_context_data(**kwargs)
