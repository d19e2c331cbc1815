"""The front door queue and a contact's page."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import sessions
from accounts.audit import case_view, record_list, record_read
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from casework import access
from casework.errors import (
    RuleBroken,
)
from notes import services as note_services
from notes.forms import ContactNoteForm
from referrals import selectors
from referrals.models import (
    Contact,
    ContactChild,
)
from referrals.models.contacts import ContactChildState
from referrals.views.partner_referrals import queue_section


def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The front door's queue: every open decision, oldest first, due and overdue marked."""
    access.refuse_case_object(request.user)
    paginator = Paginator(selectors.open_decisions(), selectors.QUEUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.front_door_queue(
        today=timezone.localdate(),
        user=request.user,
        offset=page.start_index() - 1 if paginator.count else 0,
        limit=paginator.per_page,
    )
    record_list(request, ContactChild, [row.contact_child.pk for row in rows])
    can_record = access.has_right(request.user, Perm.RECORD_CONTACTS)

    return render(
        request,
        "referrals/queue.html",
        {
            "rows": rows,
            "can_record": can_record,
            "page": page,
            **queue_section(request),
            # A proposed decision's row opens the contact's sign-off page for managers.
            "can_sign_off": access.has_right(request.user, Perm.SIGN_OFF_DECISIONS),
        },
    )


@case_view(Contact)
def contact_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One contact: what was reported, by whom, and the decision for each child."""
    contact = access.get_case_record_for_user(
        request.user,
        Contact.objects.select_related("taken_by", "recorded_by").prefetch_related(
            "children__child", "children__current_decision__level_of_need", "adults"
        ),
        children=lambda contact: [cc.child_id for cc in contact.children.all()],
        pk=pk,
    )
    for contact_child in contact.children.all():
        record_read(request, contact_child, child_ref=contact_child.child.census_id)
    return _contact_page(request, contact)


def _contact_page(
    request: AuthenticatedHttpRequest, contact: Contact, *, note_form=None
) -> HttpResponse:
    children = list(contact.children.all())
    return render(
        request,
        "referrals/contact.html",
        {
            "contact": contact,
            "children": children,
            "notes": contact.notes.select_related("author", "child"),
            "can_add_notes": access.has_right(request.user, Perm.RECORD_CONTACTS),
            "sign_off_waiting": access.has_right(request.user, Perm.SIGN_OFF_DECISIONS)
            and any(cc.state == ContactChildState.PROPOSED for cc in children),
            "note_form": note_form or ContactNoteForm(children=[cc.child for cc in children]),
        },
    )


@sessions.posted_from("referrals:contact", "pk")
@case_view(Contact)
@require_POST
def contact_note_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A note on a contact, about one of its children (it shows on the child's page too)."""
    contact = access.get_case_record_for_user(
        request.user, Contact, right=Perm.RECORD_CONTACTS, refusal=access.RECORDS_CONTACTS,
        children=lambda contact: [cc.child_id for cc in contact.children.all()], pk=pk,
    )  # fmt: skip
    children = [cc.child for cc in contact.children.select_related("child")]
    form = ContactNoteForm(request.POST, children=children)
    if form.is_valid():
        child = next(c for c in children if str(c.pk) == form.cleaned_data["child"])
        try:
            note_services.note_add(
                by=request.user, child=child, contact=contact, text=form.cleaned_data["text"],
                significant=form.cleaned_data["significant"],
            )  # fmt: skip
        except RuleBroken as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "The note is added.")
            return redirect("referrals:contact", pk=pk)
    return _contact_page(request, contact, note_form=form)
