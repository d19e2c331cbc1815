"""The home page: what each signed-in person sees first."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from accounts.http import AuthenticatedHttpRequest
from workspace import selectors


def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The signed-in user's home: who they are, their roles and agency, what their role does,
    and their newest unread notices."""
    return render(
        request,
        "workspace/home.html",
        {
            "profile": selectors.home_profile(request.user),
            "notices": selectors.home_notices(request.user),
        },
    )
