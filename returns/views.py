"""The returns pages (issue 22), for data officers and managers: the data-quality page, a
child's census details, and the exports with their progress and downloads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string

from accounts.audit import record_read
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access
from casework.errors import CHANGED_BY_SOMEONE_ELSE, ChangedBySomeoneElse, RuleBroken
from returns import selectors, services
from returns.forms import AnnexAForm, CensusExportForm, ChildCensusForm
from returns.models import Export, ExportKind


def _require_returns(request: AuthenticatedHttpRequest) -> None:
    access.require_right(request.user, Perm.PREPARE_RETURNS, access.PREPARES_RETURNS)


def data_quality(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The children whose records would break a census rule, each with the rule in plain
    words and a link to the page that fixes it (restricted children by reference only)."""
    _require_returns(request)
    problems = selectors.data_quality_problems(user=request.user)
    return render(
        request,
        "returns/data_quality.html",
        {
            "problems": problems,
            "counts": selectors.count_by_rule(problems),
            "reads_cases": access.can_view_case_records(request.user),
        },
    )


def child_census(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A child's census details: sex, ethnicity, disabilities, UPN or why there is none."""
    child = access.get_child_for_census(request.user, pk)
    initial = {name: getattr(child, name) for name in services.CENSUS_DETAILS}
    form = ChildCensusForm(request.POST or None, initial={**initial, "version": child.version})
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.child_census_update(by=request.user, child=child, **form.cleaned_data)
        except ChangedBySomeoneElse as conflict:
            errors.append(CHANGED_BY_SOMEONE_ELSE)
            child = conflict.current
            form.data = form.data.copy()  # type: ignore[attr-defined]  # a bound form's data is a QueryDict
            form.data["version"] = conflict.current.version  # type: ignore[index]  # the copy
        except RuleBroken as error:
            form.add_error(None, str(error))
        except ValidationError as invalid:
            for field, problems in invalid.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, f"The census details of {child.census_id} are saved.")
            return redirect("returns:data-quality")
    record_read(request, child, child_ref=child.census_id)
    return render(
        request, "returns/child_census.html", {"form": form, "child": child, "errors": errors}
    )


def exports(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Start a census or Annex A export (made in the background), and the exports so far."""
    _require_returns(request)
    kind = request.POST.get("kind", "") if request.method == "POST" else ""
    census_form = CensusExportForm(request.POST if kind == ExportKind.CENSUS else None)
    annex_form = AnnexAForm(request.POST if kind == ExportKind.ANNEX_A else None)
    form = census_form if kind == ExportKind.CENSUS else annex_form if kind else None
    if form is not None and form.is_valid():
        try:
            export = services.export_request(by=request.user, kind=kind, **form.cleaned_data)
        except RuleBroken as error:
            form.add_error(None, str(error))
        else:
            return redirect("returns:export", pk=export.pk)
    return render(
        request,
        "returns/exports.html",
        {
            "census_form": census_form,
            "annex_form": annex_form,
            "form": form,
            "exports": selectors.recent_exports(),
        },
    )


def export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One export: its progress (the page refreshes itself while it is being made) and, when
    ready, its download."""
    _require_returns(request)
    found = get_object_or_404(Export.objects.select_related("requested_by"), pk=pk)
    if request.GET.get("progress"):
        # What static/js/export-progress.mjs asks every two seconds.
        return JsonResponse(
            {
                "in_progress": found.in_progress,
                "percent": found.percent,
                "status": render_to_string(
                    "returns/includes/export_status.html", {"export": found}
                ).strip(),
            }
        )
    return render(request, "returns/export.html", {"export": found})


def export_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The export's file, for data officers and managers; every download is audited."""
    _require_returns(request)
    found = get_object_or_404(Export, pk=pk)
    try:
        path = services.export_download(by=request.user, export=found)
    except RuleBroken as error:
        messages.error(request, str(error))
        return redirect("returns:export", pk=pk)
    content_type = (
        "application/xml"
        if found.kind == ExportKind.CENSUS
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=found.download_name, content_type=content_type
    )
