"""An adult's page: who they are, the children they are related to, where they live and the
contacts that named them, for everyone who reads case records (the search's adults lead here)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render

from accounts.audit import case_view, record_read
from accounts.http import AuthenticatedHttpRequest
from casework import access
from referrals import selectors
from referrals.models import Person, Relationship


def _their_children(person: Person) -> tuple[QuerySet]:
    """The children an adult is related to (ids, as a subquery): the adult of a restricted
    child belongs to that child's identity, so their page opens as the child's does."""
    return (Relationship.objects.filter(person_id=person.pk).values("child_id"),)


@case_view(Person)
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Partners (404) and the system administrator (403) have no adults' pages: they search
    nothing either. An adult related to a restricted child not open to the user asks for a
    reason first (the break glass); a restricted child only in the adult's household or named
    with them in a contact shows as its reference."""
    person = access.get_case_record_for_user(request.user, Person, children=_their_children, pk=pk)
    record_read(request, person)
    return render(
        request,
        "referrals/person.html",
        {"page": selectors.person_page(person, user=request.user)},
    )
