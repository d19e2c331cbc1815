"""The front door queue and a contact's page."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

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
from referrals.forms.queue import QueueFilterForm
from referrals.models import (
    Contact,
    ContactChild,
)
from referrals.models.contacts import ContactChildState
from referrals.views.partner_referrals import queue_section

QUEUE_FILTERS = "queue-filters"  # the session key: codes and a worker's id, never a name


def _kept_filters(request: AuthenticatedHttpRequest) -> selectors.QueueFilters:
    kept = request.session.get(QUEUE_FILTERS) or {}
    return selectors.QueueFilters(
        stage=kept.get("stage", ""), worker=kept.get("worker"), overdue=kept.get("overdue", False)
    )


@require_http_methods(["GET", "POST"])
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The front door's queue: every open decision, oldest first, each with its next step, the
    date it is due and a link to where it is done; filtered by what is posted, kept in the
    session (issue 19: never a name in the address)."""
    access.refuse_case_object(request.user)
    if request.method == "GET" and "q" in request.GET:
        # The queue is never searched through the address (a name would be kept in the
        # browser's history and the server's logs): say so rather than ignore it.
        messages.info(
            request,
            "The queue cannot be searched from the web address. Use the filters instead.",
        )
        return redirect("referrals:queue")
    workers = selectors.queue_workers()
    filters = _kept_filters(request)
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(QUEUE_FILTERS, None)
            return redirect("referrals:queue")
        form = QueueFilterForm(request.POST, workers=workers)
        if form.is_valid():
            request.session[QUEUE_FILTERS] = asdict(form.filters())
            return redirect("referrals:queue")
    else:
        form = QueueFilterForm(initial=QueueFilterForm.initial_for(filters), workers=workers)
    today = timezone.localdate()
    paginator = Paginator(
        selectors.open_decisions(filters=filters, today=today), selectors.QUEUE_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    rows = selectors.front_door_queue(
        today=today,
        user=request.user,
        filters=filters,
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
            "filter_form": form,
            "filtered": filters != selectors.QueueFilters(),
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
