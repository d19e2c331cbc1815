"""The signed-in person's notices: every one, newest first, to read and mark as read (the home
page shows the newest unread ones)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import sessions
from accounts.http import AuthenticatedHttpRequest
from accounts.notices import Notice, notices_for, notices_mark_read

NOTICES_PAGE_SIZE = 25


def notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every notice the user has had, newest first, a page at a time (two queries)."""
    page = Paginator(notices_for(request.user), NOTICES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "workspace/notices.html", {"page": page, "notices": list(page)})


@sessions.posted_from("workspace:notices")
@require_POST
def notices_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mark every notice of the user's read."""
    notices_mark_read(by=request.user)
    return redirect("workspace:notices")


@sessions.posted_from("workspace:notices")
@require_POST
def notice_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one of the user's notices read; someone else's is not found."""
    try:
        notices_mark_read(by=request.user, notice_id=pk)
    except Notice.DoesNotExist:
        raise Http404 from None
    return redirect("workspace:notices")
