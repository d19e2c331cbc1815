"""A child's page and the changes made from it: details, households, the allocated worker,
notes and decisions not to share."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import sessions
from accounts.audit import case_view, record_read
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import Perm
from accounts.selectors import child_sharing_records
from accounts.sharing import SharingRefused, decline
from accounts.sharing_views import CHILD_RECORD, NotSharedForm
from casework import access
from casework.errors import (
    CHANGED_BY_SOMEONE_ELSE,
    ChangedBySomeoneElse,
    RuleBroken,
)
from notes import selectors as note_selectors
from notes import services as note_services
from notes.forms import NoteForm
from notes.models import Note
from referrals import selectors, services
from referrals.forms import (
    AllocationForm,
    ChildDetailsForm,
    HouseholdForm,
)
from referrals.models import (
    Child,
    Household,
)
from referrals.models.restrictions import Restriction


@case_view(Child)
def child_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A child's page: who they are, who works with them, and everything recorded."""
    child = access.get_case_record_for_user(request.user, Child, pk=pk)
    record_read(request, child, child_ref=child.census_id)
    return _child_page(request, child)


def _adults_related(relationships: list) -> list[tuple]:
    """Each adult related to the child once, with every relationship they have to it."""
    adults: dict[int, tuple] = {}
    for relationship in relationships:
        person, kinds = adults.get(relationship.person_id, (relationship.person, []))
        adults[relationship.person_id] = (person, [*kinds, relationship.get_kind_display()])
    return [(person, ", ".join(kinds).lower()) for person, kinds in adults.values()]


def _household_form(child: Child, relationships: list, data=None, user=None) -> HouseholdForm:
    return HouseholdForm(
        data,
        adults=_adults_related(relationships),
        siblings=selectors.children_in_contacts_with(child, user=user),
    )


def _child_restriction(request: AuthenticatedHttpRequest, child: Child) -> dict:
    """Whether the child's record is restricted (one query), and whether the user is a
    manager, who restricts it, names who may open it and lifts it."""

    return {
        "restricted": Restriction.objects.active().filter(child_id=child.pk).exists(),
        "can_restrict": access.can_restrict_records(request.user),
    }


def _child_page(
    request: AuthenticatedHttpRequest, child: Child, *, note_form=None, allocation_form=None,
    household_form=None, household_errors=(), status: int = 200, not_shared_form=None,
) -> HttpResponse:  # fmt: skip
    allocation = (
        child.allocations.filter(ended_at__isnull=True).select_related("worker", "team").first()
    )
    relationships = list(child.relationships.select_related("person").order_by("pk"))
    can_record = access.has_right(request.user, Perm.RECORD_CONTACTS)
    if household_form is None and can_record:
        household_form = _household_form(child, relationships, user=request.user)
    return render(
        request,
        "referrals/child.html",
        {
            "child": child,
            "allocation": allocation,
            "relationships": relationships,
            "households": selectors.child_households(child, relationships, user=request.user),
            "household_form": household_form,
            "household_errors": list(household_errors),
            "timeline": note_selectors.child_timeline(child),
            "reads_audit_trail": access.can_read_audit_trail(request.user),
            "notes": note_selectors.notes_with_versions(child.notes.all()),
            "note_form": note_form or NoteForm(),
            "can_add_notes": can_record,
            "can_allocate": access.has_right(request.user, Perm.ALLOCATE_WORK),
            "allocation_form": allocation_form or AllocationForm(),
            **_child_restriction(request, child),
            **_child_sharing(request, child, not_shared_form),
        },
        status=status,
    )


def _child_sharing(request: AuthenticatedHttpRequest, child: Child, not_shared_form) -> dict:
    """The child's sharing records (one query) and the form to record a decision not to share."""

    can_record = access.can_record_not_shared(request.user)
    return {
        "sharing_records": list(child_sharing_records(child.census_id)),
        "can_record_not_shared": can_record,
        "not_shared_form": (not_shared_form or NotSharedForm()) if can_record else None,
    }


@sessions.posted_from("referrals:child", "pk")
@case_view(Child)
@require_POST
def child_not_shared(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record a decision not to share the child's information with an agency, and why
    (accounts.sharing.decline, which audits it)."""

    access.refuse_case_object(request.user)
    if not access.can_record_not_shared(request.user):
        raise PermissionDenied("Your role does not record decisions about sharing.")
    child = get_object_or_404(Child, pk=pk)
    access.require_open(request.user, child)
    form = NotSharedForm(request.POST)
    if form.is_valid():
        try:
            decline(
                by=request.user, obj=child, permission=CHILD_RECORD, child_ref=child.census_id,
                **form.decline_arguments(),
            )  # fmt: skip
        except SharingRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "The decision not to share is recorded.")
            return redirect("referrals:child", pk=pk)
    record_read(request, child, child_ref=child.census_id)
    return _child_page(request, child, not_shared_form=form)


@sessions.posted_from("referrals:child", "pk")
@case_view(Child)
@require_POST
def note_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = access.get_case_record_for_user(
        request.user, Child, right=Perm.RECORD_CONTACTS, refusal=access.RECORDS_CONTACTS, pk=pk
    )
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_services.note_add(by=request.user, child=child, **form.cleaned_data)
        except RuleBroken as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "The note is added.")
            return redirect("referrals:child", pk=pk)
    return _child_page(request, child, note_form=form, status=200)


@case_view(Child)
def note_correct(request: AuthenticatedHttpRequest, pk: int, note_pk: int) -> HttpResponse:
    """Correct a note: a new version; the earlier one is kept and shown as superseded."""
    note = access.get_case_record_for_user(
        request.user,
        Note.objects.select_related("child"),
        right=Perm.RECORD_CONTACTS,
        refusal=access.RECORDS_CONTACTS,
        pk=note_pk,
        child_id=pk,
    )
    form = NoteForm(
        request.POST or None, submit="Save the correction",
        initial={"text": note.text, "significant": note.significant},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            note_services.note_correct(by=request.user, note=note, **form.cleaned_data)
        except RuleBroken as error:
            form.add_error("text", str(error))
        else:
            messages.success(request, "The correction is saved; the earlier version is kept.")
            return redirect(_note_subject_url(note))
    record_read(request, note, child_ref=note.child.census_id)
    return render(request, "referrals/note_correct.html", {"form": form, "note": note})


def _note_subject_url(note: Note) -> str:
    """The page of the record a note is about (the child's page for a note on the child)."""
    from django.urls import reverse

    for name, pk in (
        ("strategy:section47", note.section47_id), ("strategy:discussion", note.discussion_id),
        ("referrals:referral", note.referral_id), ("referrals:contact", note.contact_id),
    ):  # fmt: skip
        if pk is not None:
            return reverse(name, args=[pk])
    return reverse("referrals:child", args=[note.child_id])


@case_view(Child)
def child_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change a child's details (what the CIN census records)."""
    from django.core.exceptions import ValidationError

    child = access.get_case_record_for_user(
        request.user,
        Child,
        right=Perm.RECORD_CONTACTS,
        refusal="Your role does not change children's details.",
        pk=pk,
    )
    initial = {name: getattr(child, name) for name in services.CHILD_DETAILS}
    initial["version"] = child.version
    form = ChildDetailsForm(request.POST or None, initial=initial)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            services.child_update(by=request.user, child=child, **form.cleaned_data)
        except ChangedBySomeoneElse as conflict:
            errors.append(CHANGED_BY_SOMEONE_ELSE)
            child = conflict.current
            form.data = form.data.copy()  # type: ignore[attr-defined]  # a bound form's data is a QueryDict
            form.data["version"] = conflict.current.version  # type: ignore[index]  # the copy
        except ValidationError as invalid:
            for field, messages_ in invalid.message_dict.items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            messages.success(request, "The child's details are saved.")
            return redirect("referrals:child", pk=pk)
    record_read(request, child, child_ref=child.census_id)
    return render(
        request, "referrals/child_edit.html", {"form": form, "child": child, "errors": errors}
    )


@sessions.posted_from("referrals:child", "pk")
@case_view(Child)
@require_POST
def child_allocate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = access.get_case_record_for_user(
        request.user, Child, right=Perm.ALLOCATE_WORK, refusal="Only managers allocate work.", pk=pk
    )
    form = AllocationForm(request.POST)
    if form.is_valid():
        try:
            services.allocation_set(by=request.user, child=child, **form.cleaned_data)
        except RuleBroken as error:
            form.add_error("worker", str(error))
        else:
            messages.success(request, "The child's work is allocated.")
            return redirect("referrals:child", pk=pk)
    return _child_page(request, child, allocation_form=form)


@sessions.posted_from("referrals:child", "pk")
@case_view(Child)
@require_POST
def household_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A household the child lives in, with the adults and children who live there."""
    child = access.get_case_record_for_user(
        request.user,
        Child,
        right=Perm.RECORD_CONTACTS,
        refusal="Your role does not record households.",
        pk=pk,
    )
    relationships = list(child.relationships.select_related("person"))
    form = _household_form(child, relationships, request.POST, user=request.user)
    if form.is_valid():
        try:
            services.household_add(
                by=request.user, child=child, address=form.cleaned_data["address"],
                postcode=form.cleaned_data["postcode"],
                people=form.cleaned_data.get("people", []),
                children=form.cleaned_data.get("children", []),
            )  # fmt: skip
        except RuleBroken as error:
            form.add_error("address", str(error))
        else:
            messages.success(request, "The household is added.")
            return redirect("referrals:child", pk=pk)
    record_read(request, child, child_ref=child.census_id)
    return _child_page(request, child, household_form=form)


@sessions.posted_from("referrals:child", "pk")
@case_view(Child)
@require_POST
def household_leave(request: AuthenticatedHttpRequest, pk: int, household_pk: int) -> HttpResponse:
    """A child or an adult no longer lives in one of the child's households."""
    child = access.get_case_record_for_user(
        request.user,
        Child,
        right=Perm.RECORD_CONTACTS,
        refusal="Your role does not record households.",
        pk=pk,
    )
    household = get_object_or_404(Household, pk=household_pk, children=child)
    kind, _, member_pk = request.POST.get("member", "").partition(":")
    member = None
    if member_pk.isdigit() and kind in ("child", "person"):
        members = household.children if kind == "child" else household.people
        member = members.filter(pk=int(member_pk)).first()
    problem = "Choose who no longer lives there" if member is None else ""
    if member is not None:
        try:
            services.household_leave(by=request.user, household=household, **{kind: member})  # type: ignore[arg-type]  # kind names member's own type
        except RuleBroken as error:
            problem = str(error)
    if problem:
        record_read(request, child, child_ref=child.census_id)
        return _child_page(request, child, household_errors=[problem], status=409)
    messages.success(request, "The household is changed.")
    return redirect("referrals:child", pk=pk)
