"""The search of the register of children and adults (issue 20)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.audit import record_search
from accounts.http import AuthenticatedHttpRequest
from casework import access
from referrals import selectors
from referrals.forms.search import SearchForm
from referrals.models import Child


@require_http_methods(["GET", "POST"])
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Find a child or an adult: the terms are posted (never in the address, a log or the
    audit trail), the results shown on the answer, and the ids shown audited."""
    access.refuse_case_object(request.user)
    form = SearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        terms = form.terms()
        results = selectors.search_register(user=request.user, terms=terms)
        record_search(
            request, Child, [row.pk for row in results.children],
            people=[row.pk for row in results.adults], fields=terms.used(),
        )  # fmt: skip
    return render(
        request,
        "referrals/search.html",
        {"form": form, "results": results, "limit": selectors.SEARCH_LIMIT},
        status=200,
    )
