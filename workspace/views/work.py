"""The lists each home page's counts open (issue 21)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.audit import record_list
from accounts.http import AuthenticatedHttpRequest
from worklists import selectors as work_lists


def work_list(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """One of the user's work lists: exactly the rows the home page counted; 404 for a list
    that does not exist, 403 for one the user's roles do not have."""
    definition = work_lists.WORK_LISTS.get(key)
    if definition is None:
        raise Http404
    if not definition.allowed(request.user):
        raise PermissionDenied("Your role does not have this list.")
    today = work_lists.Today.of(timezone.localdate())
    rows = work_lists.rows_of(definition, request.user, today)
    return _page(request, definition.title, rows, key=key)


def caseload(request: AuthenticatedHttpRequest, worker_id: int) -> HttpResponse:
    """One worker's open allocations in the teams the manager manages."""
    if not work_lists.manages_caseloads(request.user):
        raise PermissionDenied("Only managers see their teams' caseloads.")
    rows = work_lists.caseload_rows(request.user, worker_id).order_by("started_at", "pk")
    return _page(request, "Caseload", rows, key=work_lists.CASELOAD)


def _page(request: AuthenticatedHttpRequest, title: str, rows, *, key: str) -> HttpResponse:
    paginator = Paginator(rows.values("pk"), work_lists.WORK_LIST_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    shown = work_lists.page_rows(
        rows, key=key, user=request.user,
        offset=page.start_index() - 1 if paginator.count else 0, limit=paginator.per_page,
    )  # fmt: skip
    record_list(request, rows.model, [row.pk for row in shown])
    return render(
        request,
        "workspace/work_list.html",
        {"title": title, "rows": shown, "page": page, "shows_child": any(r.child for r in shown)},
    )
