"""The home page: what each signed-in person sees first."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import rights
from accounts import selectors as account_selectors
from accounts.http import AuthenticatedHttpRequest
from quality import selectors as quality_selectors
from workspace import selectors, work_lists


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's home: who they are, their roles and agency, what their role does,
    their newest unread notices, and their work lists' counts (issue 21)."""
    user = request.user
    # Administrators and the named manager: how many account changes wait for them (issue 16).
    approvals = (
        account_selectors.account_changes_waiting_count(user)
        if rights.can_approve_account_changes(user)
        else None
    )
    # Managers and auditors: the quality audits assigned to them and due (issue 21).
    today = timezone.localdate()
    quality_due = (
        quality_selectors.quality_audits_due(user, today=today)
        if rights.can_read_reports(user)
        else None
    )
    return render(
        request,
        "workspace/home.html",
        {
            "profile": selectors.home_profile(user),
            "approvals": approvals,
            "reads_administrators_actions": rights.can_read_administrators_actions(user),
            "notices": selectors.home_notices(user),
            "work": work_lists.home_work(user, today=today),
            "quality_due": quality_due,
            # The data officer's home lists the data-quality problems and the returns made
            # (issue 22); a manager's links to them.
            "returns_home": rights.can_prepare_returns(user)
            and not rights.can_view_case_records(user),
        },
    )
