"""The notifications pages: each person's e-mail preferences, and the system administrator's
list of messages that could not be sent (issue 24)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access
from notifications import selectors, services
from notifications.forms import PreferenceForm

FAILURES_PAGE_SIZE = 50


def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Digest or immediate, and the morning digest on or off: everyone's own choice."""
    current = services.preference_for(request.user)
    form = PreferenceForm(
        request.POST or None,
        initial={"timing": current.timing, "morning_digest": current.morning_digest},
    )
    if request.method == "POST" and form.is_valid():
        services.preference_save(by=request.user, **form.cleaned_data)
        messages.success(request, "Your e-mail preferences are saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


def failures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """E-mails that failed for good or are waiting for another attempt: to whom, which
    template, when, how many attempts and the kind of error (never any case content)."""
    access.require_right(request.user, Perm.MANAGE_USERS)
    page = Paginator(selectors.failures(), FAILURES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/failures.html",
        {
            "page": page,
            "rows": list(page),
            "retrying": list(selectors.retrying()[:FAILURES_PAGE_SIZE]),
            "max_attempts": selectors.max_attempts(),
        },
    )
