"""The reports for managers and auditors (issue 21): an index, each report's page (a chart, the
table beside it, the report's rows) and its CSV and XLSX downloads. Every page view and
download is in the audit trail with the filters used and the records it named."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from accounts.audit import Event, record_event
from accounts.http import AuthenticatedHttpRequest
from casework import access
from reports import selectors
from reports.charts import bar_chart
from reports.exports import csv_response, xlsx_response
from reports.forms import ReportFilterForm
from reports.selectors import REPORTS, REPORTS_BY_SLUG, Filters, Report


def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list of reports."""
    access.require_reports_reader(request.user)
    return render(
        request, "reports/index.html", {"reports": REPORTS, "can_assign": _can_assign(request)}
    )


def _can_assign(request: AuthenticatedHttpRequest) -> bool:
    return access.can_assign_quality_audits(request.user)


def _form_and_filters(
    request: AuthenticatedHttpRequest, slug: str
) -> tuple[ReportFilterForm, Filters]:
    form = ReportFilterForm(
        request.GET or None,
        teams=selectors.team_choices(),
        workers=selectors.worker_choices(),
        with_seed=slug == "no-further-action",
    )
    if form.is_bound and form.is_valid():
        return form, form.filters()
    default = selectors.last_twelve_months()
    seed = default.start.year * 100 + default.start.month
    return form, Filters(start=default.start, end=default.end, seed=seed)


def _audit(request: AuthenticatedHttpRequest, event: Event, report: Report, filters: Filters, *,
           what: str) -> None:  # fmt: skip
    """The report's view or download, with its filters and the records its rows named."""
    details: dict[str, Any] = {
        "path": request.path,
        "report": report.slug,
        "format": what,
        "from": filters.start.isoformat(),
        "to": filters.end.isoformat(),
        "team": filters.team_id,
        "worker": filters.worker_id,
    }
    if report.slug == "no-further-action":
        details["seed"] = filters.seed
    if report.model is not None:
        details["ids"] = [str(pk) for pk in report.ids]
    record_event(
        event,
        actor=request.user,
        model=report.model,
        object_repr=f"Report: {report.title}",
        details=details,
    )


def report(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """One report: its filters, chart and table, rows and download links."""
    access.require_reports_reader(request.user)
    kind = REPORTS_BY_SLUG.get(slug)
    if kind is None:
        raise Http404
    form, filters = _form_and_filters(request, slug)
    built = kind.build(filters, request.user)
    _audit(request, Event.READ, built, filters, what="page")
    query = urlencode([(key, str(value)) for key, value in request.GET.items()])
    assign_links = {}
    if built.slug == "no-further-action" and _can_assign(request):
        base = reverse("quality:assign")
        assign_links = {
            index: f"{base}?{urlencode({'kind': 'contact_decision', 'number': row[-1]})}"
            for index, row in enumerate(built.rows)
        }
    return render(
        request,
        "reports/report.html",
        {
            "kind": kind,
            "report": built,
            "chart": bar_chart(built.chart_title, built.bars, unit=built.chart_unit),
            "form": form,
            "filters": filters,
            "query": query,
            "rows": [(row, assign_links.get(index, "")) for index, row in enumerate(built.rows)],
        },
        status=400 if form.errors else 200,
    )


def download(request: AuthenticatedHttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    """A report's rows as CSV or XLSX (the same rows as its page), streamed."""
    access.require_reports_reader(request.user)
    kind = REPORTS_BY_SLUG.get(slug)
    if kind is None or fmt not in ("csv", "xlsx"):
        raise Http404
    form, filters = _form_and_filters(request, slug)
    if form.errors:
        return report(request, slug)
    built = kind.build(filters, request.user)
    _audit(request, Event.EXPORT, built, filters, what=fmt)
    filename = f"{slug}-{filters.start:%Y-%m}-to-{filters.end:%Y-%m}"
    if fmt == "csv":
        return csv_response(filename, built.columns, built.rows)
    return xlsx_response(filename, built.title, built.columns, built.rows)
