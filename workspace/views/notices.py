"""The signed-in person's notices: every one, newest first, to read and mark as read (the home
page shows the newest unread ones)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.notices import Notice, notices_for, notices_mark_read
from workspace.forms import NoticeReadForm

NOTICES_PAGE_SIZE = 25


def _notices_page(
    request: AuthenticatedHttpRequest, *, form: NoticeReadForm | None = None, status: int = 200
) -> HttpResponse:
    page = Paginator(notices_for(request.user), NOTICES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/notices.html",
        {"page": page, "notices": list(page), "form": form or NoticeReadForm()},
        status=status,
    )


def notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every notice the user has had, newest first, a page at a time (two queries)."""
    return _notices_page(request)


@require_POST
def notices_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mark one notice read, or all of them; someone else's notice is not found."""
    form = NoticeReadForm(request.POST)
    if not form.is_valid():
        return _notices_page(request, form=form, status=400)
    try:
        notices_mark_read(by=request.user, notice_id=form.cleaned_data["notice"])
    except Notice.DoesNotExist:
        raise Http404 from None
    return redirect("workspace:notices")
