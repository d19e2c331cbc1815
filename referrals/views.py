from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition

from accounts import sessions
from accounts.audit import case_view, record_list, record_read
from accounts.forms import ReviewForm
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
from notes.forms import ContactNoteForm, NoteForm
from notes.models import Note
from referrals import selectors, services
from referrals.contacts import FAMILY_TOLD_NEEDED, ContactChildState, Outcome
from referrals.forms import (
    AllocationForm,
    ChildDetailsForm,
    ClosureDayForm,
    ContactDetailsForm,
    FeedbackForm,
    FindAdultForm,
    FindChildForm,
    HouseholdForm,
    LevelOfNeedForm,
    ProposeDecisionForm,
    ScreeningNotesForm,
    TeamForm,
)
from referrals.models import (
    Child,
    ClosureDay,
    Contact,
    ContactChild,
    Household,
    LevelOfNeed,
    Person,
    Relationship,
    Team,
)
from referrals.partner_referral_services import NEW_CONTACT, partner_referral_record
from referrals.partner_referral_views import queue_section
from referrals.partner_referrals import PartnerReferral
from referrals.restrictions import Restriction


def _require_local_data_manager(request: HttpRequest) -> None:
    if not access.has_right(request.user, Perm.MANAGE_LOCAL_DATA):
        raise PermissionDenied("Only system administrators manage local data.")


def local_data(request: HttpRequest) -> HttpResponse:
    """The continuum of need and closure days (DESIGN.md "Settings and local data")."""
    _require_local_data_manager(request)
    form = ClosureDayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                ClosureDay.objects.create(**form.cleaned_data)
        except IntegrityError:
            form.add_error("day", "That date is already a closure day")
        else:
            messages.success(request, "The closure day is added. Due dates from now on skip it.")
            return redirect("referrals:local-data")
    return _local_data_page(request, form=form)


def _local_data_page(request: HttpRequest, *, form=None, team_form=None) -> HttpResponse:
    return render(
        request,
        "referrals/local_data.html",
        {
            "levels": LevelOfNeed.objects.all(),
            "closure_days": ClosureDay.objects.all(),
            "teams": Team.objects.select_related("manager").order_by("name"),
            "form": form or ClosureDayForm(),
            "team_form": team_form or TeamForm(),
        },
    )


@require_POST
def closure_day_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _require_local_data_manager(request)
    get_object_or_404(ClosureDay, pk=pk).delete()
    messages.success(request, "The closure day is removed. Due dates already set do not move.")
    return redirect("referrals:local-data")


def level_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_local_data_manager(request)
    level = get_object_or_404(LevelOfNeed, pk=pk) if pk else None
    initial = (
        {
            "name": level.name,
            "description": level.description,
            "order": level.order,
            "is_active": level.is_active,
        }
        if level
        else {"order": LevelOfNeed.objects.count() + 1}
    )
    form = LevelOfNeedForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        duplicate = LevelOfNeed.objects.filter(name__iexact=form.cleaned_data["name"])
        if level:
            duplicate = duplicate.exclude(pk=level.pk)
        if duplicate.exists():
            form.add_error("name", "A level with that name already exists")
        else:
            level = level or LevelOfNeed()
            for name, value in form.cleaned_data.items():
                setattr(level, name, value)
            level.save()
            messages.success(request, "The level of need is saved.")
            return redirect("referrals:local-data")
    heading = f"Change {level.name}" if level else "Add a level of need"
    return render(request, "referrals/level_form.html", {"form": form, "heading": heading})


def queue(request: HttpRequest) -> HttpResponse:
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
        {"rows": rows, "can_record": can_record, "page": page, **queue_section(request)},
    )


@case_view(Contact)
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One contact: what was reported, by whom, and the decision for each child."""
    access.refuse_case_object(request.user)
    contact = get_object_or_404(
        Contact.objects.select_related("taken_by", "recorded_by").prefetch_related(
            "children__child", "children__current_decision__level_of_need", "adults"
        ),
        pk=pk,
    )
    access.require_open(request.user, *(cc.child_id for cc in contact.children.all()))
    for contact_child in contact.children.all():
        record_read(request, contact_child, child_ref=contact_child.child.census_id)
    return _contact_page(request, contact)


def _contact_page(request: HttpRequest, contact: Contact, *, note_form=None) -> HttpResponse:
    children = list(contact.children.all())
    return render(
        request,
        "referrals/contact.html",
        {
            "contact": contact,
            "children": children,
            "notes": contact.notes.select_related("author", "child"),
            "can_add_notes": access.has_right(request.user, Perm.RECORD_CONTACTS),
            "note_form": note_form or ContactNoteForm(children=[cc.child for cc in children]),
        },
    )


# The decision for one child --------------------------------------------------------------


def _contact_child(
    request: HttpRequest, pk: int, cc_pk: int, *, right: Perm | None = None
) -> ContactChild:
    """The contact's child: 404 for partners, 403 for the administrator, then 403 without
    `right` (before any form is read), then the record, opened only if not restricted."""
    access.refuse_case_object(request.user)
    if right is not None:
        _require_right(request, right)
    contact_child = get_object_or_404(
        ContactChild.objects.select_related(
            "contact", "child", "current_decision__level_of_need", "current_decision__proposed_by"
        ),
        pk=cc_pk,
        contact_id=pk,
    )
    # The decision page names the contact's other children too: each must be open.
    access.require_open(request.user, ContactChild.objects.filter(contact_id=pk).values("child_id"))
    return contact_child


def _decision_page(
    request, contact_child, *, form=None, errors=(), status=200, notes_form=None, their_notes=None
) -> HttpResponse:

    decision = contact_child.current_decision
    family_needed = decision is not None and decision.outcome in FAMILY_TOLD_NEEDED
    siblings = [
        sibling
        for sibling in contact_child.contact.children.select_related("child", "current_decision")
        if sibling.pk != contact_child.pk and sibling.current_decision is not None
    ]
    if form is None:
        if contact_child.state == ContactChildState.SCREENING:
            # "Apply to siblings": a sibling's proposal pre-fills the form; this child's own
            # decision is still confirmed on its own.
            source = next((s for s in siblings if str(s.pk) == request.GET.get("from")), None)
            initial = {}
            if source is not None:
                initial = {
                    "outcome": source.current_decision.outcome,
                    "level_of_need": source.current_decision.level_of_need_id,
                    "rationale": source.current_decision.rationale,
                }
            form = ProposeDecisionForm(initial=initial)
        elif contact_child.state == ContactChildState.PROPOSED:
            form = ReviewForm(button="Confirm")
        elif contact_child.state == ContactChildState.SIGNED_OFF:
            form = FeedbackForm(family_needed=family_needed)
    return render(
        request,
        "referrals/decision.html",
        {
            "cc": contact_child,
            "contact": contact_child.contact,
            "decision": decision,
            "history": contact_child.decisions.select_related(
                "proposed_by", "reviewed_by", "level_of_need"
            ),
            "form": form,
            "errors": list(errors),
            "family_needed": family_needed,
            "siblings": siblings,
            "can_sign_off": access.has_right(request.user, Perm.SIGN_OFF_DECISIONS),
            "can_propose": access.has_right(request.user, Perm.PROPOSE_DECISIONS),
            "can_close": access.has_right(request.user, Perm.RECORD_CONTACTS),
            "ready_to_close": contact_child.state == ContactChildState.SIGNED_OFF
            and contact_child.feedback_given is not None,
            "notes_form": notes_form
            or ScreeningNotesForm(
                initial={
                    "screening_notes": contact_child.screening_notes,
                    "version": contact_child.version,
                }
            ),
            "their_notes": their_notes,
            "information_requests": list(
                contact_child.information_requests.select_related("agency").order_by("due_at", "pk")
            ),
            "can_request_information": access.has_right(request.user, Perm.REQUEST_INFORMATION),
        },
        status=status,
    )


@case_view(ContactChild)
def decision(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """The child's decision page: propose, review, or record feedback and close."""
    contact_child = _contact_child(request, pk, cc_pk)
    record_read(request, contact_child, child_ref=contact_child.child.census_id)
    return _decision_page(request, contact_child)


@case_view(ContactChild)
@require_POST
def decision_propose(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """Step 1: the proposal, kept in the session until checked."""
    contact_child = _contact_child(request, pk, cc_pk, right=Perm.PROPOSE_DECISIONS)
    form = ProposeDecisionForm(request.POST)
    if not form.is_valid():
        return _decision_page(request, contact_child, form=form)
    # Kept sealed until checked (a rationale never sits in the plain session table).
    sessions.keep(
        user=request.user,
        key=f"proposal-{contact_child.pk}",
        data={
            "outcome": form.cleaned_data["outcome"],
            "level_of_need": form.cleaned_data["level_of_need"].pk,
            "rationale": form.cleaned_data["rationale"],
        },
    )
    return redirect("referrals:decision-check", pk=pk, cc_pk=cc_pk)


@case_view(ContactChild)
def decision_check(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """Step 2: check your answers, then propose."""

    contact_child = _contact_child(request, pk, cc_pk, right=Perm.PROPOSE_DECISIONS)
    key = f"proposal-{contact_child.pk}"
    pending = sessions.kept(user=request.user, key=key)
    if not pending:
        return redirect("referrals:decision", pk=pk, cc_pk=cc_pk)
    level = LevelOfNeed.objects.filter(pk=pending["level_of_need"]).first()
    if request.method == "POST":
        try:
            services.decision_propose(
                by=request.user, contact_child=contact_child, outcome=pending["outcome"],
                level_of_need=level, rationale=pending["rationale"],
            )  # fmt: skip
        except RuleBroken as error:
            return _decision_page(request, contact_child, errors=[str(error)], status=409)
        except ConcurrentTransition:
            return _decision_page(
                request, contact_child, errors=[CHANGED_BY_SOMEONE_ELSE], status=409
            )
        sessions.forget(user=request.user, key=key)
        messages.success(request, "The decision is proposed. A manager will sign it off.")
        return redirect("referrals:contact", pk=pk)
    return render(
        request,
        "referrals/decision_check.html",
        {
            "cc": contact_child,
            "pending": pending,
            "outcome": Outcome(pending["outcome"]).label,
            "level": level,
        },
    )


@case_view(ContactChild)
@require_POST
def decision_review(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:

    contact_child = _contact_child(request, pk, cc_pk, right=Perm.SIGN_OFF_DECISIONS)
    form = ReviewForm(request.POST, button="Confirm")
    if not form.is_valid():
        return _decision_page(request, contact_child, form=form)
    try:
        if form.cleaned_data["action"] == "sign_off":
            services.decision_sign_off(
                by=request.user, contact_child=contact_child, comment=form.cleaned_data["comment"]
            )
            messages.success(request, "The decision is signed off.")
        else:
            services.decision_return(
                by=request.user, contact_child=contact_child, comment=form.cleaned_data["comment"]
            )
            messages.success(request, "The decision is returned with your comment.")
    except RuleBroken as error:
        return _decision_page(request, contact_child, form=form, errors=[str(error)], status=409)
    except ConcurrentTransition:
        fresh = _contact_child(request, pk, cc_pk)
        return _decision_page(
            request, fresh, form=form, errors=[CHANGED_BY_SOMEONE_ELSE], status=409
        )
    return redirect("referrals:contact", pk=pk)


@case_view(ContactChild)
@require_POST
def decision_feedback(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:

    contact_child = _contact_child(request, pk, cc_pk, right=Perm.RECORD_CONTACTS)
    decision = contact_child.current_decision
    family_needed = decision is not None and decision.outcome in FAMILY_TOLD_NEEDED
    form = FeedbackForm(request.POST, family_needed=family_needed)
    if not form.is_valid():
        return _decision_page(request, contact_child, form=form)
    try:
        services.feedback_record(by=request.user, contact_child=contact_child, **form.cleaned_data)
    except RuleBroken as error:
        return _decision_page(request, contact_child, form=form, errors=[str(error)], status=409)
    messages.success(request, "The feedback is recorded.")
    return redirect("referrals:decision", pk=pk, cc_pk=cc_pk)


@case_view(ContactChild)
@require_POST
def decision_close(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:

    contact_child = _contact_child(request, pk, cc_pk, right=Perm.RECORD_CONTACTS)
    try:
        services.contact_child_close(by=request.user, contact_child=contact_child)
    except RuleBroken as error:
        return _decision_page(request, contact_child, errors=[str(error)], status=409)
    except ConcurrentTransition:
        return _decision_page(request, contact_child, errors=[CHANGED_BY_SOMEONE_ELSE], status=409)
    messages.success(request, "The child's contact is closed.")
    return redirect("referrals:contact", pk=pk)


@case_view(Child)
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's page: who they are, who works with them, and everything recorded."""
    access.refuse_case_object(request.user)
    child = get_object_or_404(Child, pk=pk)
    access.require_open(request.user, child)
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


def _child_restriction(request: HttpRequest, child: Child) -> dict:
    """Whether the child's record is restricted (one query), and whether the user is a
    manager, who restricts it, names who may open it and lifts it."""

    return {
        "restricted": Restriction.objects.filter(child_id=child.pk).exists(),
        "can_restrict": access.can_restrict_records(request.user),
    }


def _child_page(
    request: HttpRequest, child: Child, *, note_form=None, allocation_form=None,
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


def _child_sharing(request: HttpRequest, child: Child, not_shared_form) -> dict:
    """The child's sharing records (one query) and the form to record a decision not to share."""

    can_record = access.can_record_not_shared(request.user)
    return {
        "sharing_records": list(child_sharing_records(child.census_id)),
        "can_record_not_shared": can_record,
        "not_shared_form": (not_shared_form or NotSharedForm()) if can_record else None,
    }


@case_view(Child)
@require_POST
def child_not_shared(request: HttpRequest, pk: int) -> HttpResponse:
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


# Recording a contact: details, the children (found first), check your answers -------------


def _require_recorder(request: HttpRequest) -> None:
    if not access.has_right(request.user, Perm.RECORD_CONTACTS):
        raise PermissionDenied("Your role does not record contacts.")


def _require_right(request: HttpRequest, perm: Perm) -> None:
    if not access.has_right(request.user, perm):
        raise PermissionDenied("Your role does not allow this.")


def contact_new(request: HttpRequest) -> HttpResponse:
    """Step 1: when the contact came in, who took it, who reported it, the concern."""
    _require_recorder(request)
    state = sessions.kept(user=request.user, key=NEW_CONTACT) or {}
    now = timezone.localtime()
    initial = state.get("details") or {
        "received_date": now.strftime("%d/%m/%Y"), "received_time": now.strftime("%H:%M"),
        "taken_by": request.user.pk,
    }  # fmt: skip
    form = ContactDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        details = {name: request.POST.get(name, "") for name in form.fields}
        details["urgent"] = bool(form.cleaned_data["urgent"])
        sessions.keep(
            user=request.user, key=NEW_CONTACT,
            data={**state, "details": details, "children": state.get("children", [])},
        )  # fmt: skip
        return redirect("referrals:contact-new-children")
    return render(
        request,
        "referrals/contact_new.html",
        {"form": form, "partner_referral": state.get("partner_referral")},
    )


def _describe(entry: dict) -> str:
    if "existing" in entry:
        described = f"{entry['name']} ({entry['census_id']}, known)"
    else:
        described = f"{entry['new']['first_name']} {entry['new']['last_name']} (new)"
    if entry.get("relationship"):
        described += f": {Relationship.Kind(entry['relationship']).label.lower()}"
    return described


PEOPLE_STEPS = {
    "children": {
        "model": Child, "form": FindChildForm, "next": "referrals:contact-new-adults",
        "heading": "Which children is it about?", "step": "step 2 of 4", "noun": "child",
        "intro": "We look for the child among those already known, so that their history "
        "follows them.",
        "none": "Add at least one child the contact is about",
    },
    "adults": {
        "model": Person, "form": FindAdultForm, "next": "referrals:contact-new-check",
        "heading": "Which adults are involved?", "step": "step 3 of 4", "noun": "adult",
        "intro": "Parents, carers, partners, anyone alleged to have caused harm. We look for "
        "them among those already known, so that history follows them too.",
        "none": "",
    },
}  # fmt: skip


def _people_step(request: HttpRequest, which: str) -> HttpResponse:
    """Steps 2 and 3: children, then adults, each looked for among those known before adding."""
    _require_recorder(request)
    step = PEOPLE_STEPS[which]
    state = sessions.kept(user=request.user, key=NEW_CONTACT)
    if state is None:
        return redirect("referrals:contact-new")
    entries = state.setdefault(which, [])
    form, matches, errors = step["form"](), None, []
    action = request.POST.get("action")
    if request.method == "POST" and action == "remove":
        index = request.POST.get("index", "")
        if index.isdigit() and int(index) < len(entries):
            entries.pop(int(index))
    elif request.method == "POST" and action == "continue":
        if entries or not step["none"]:
            sessions.keep(user=request.user, key=NEW_CONTACT, data=state)
            return redirect(step["next"])
        errors.append(step["none"])
    elif request.method == "POST" and action in ("find", "add"):
        form = step["form"](request.POST)
        if form.is_valid():
            data = form.cleaned_data
            matches = selectors.likely_matches(
                model=step["model"], first_name=data["first_name"], last_name=data["last_name"],
                date_of_birth=data["date_of_birth"], nhs_number=data["nhs_number"],
                user=request.user,
            )  # fmt: skip
            choice = request.POST.get("match", "")
            relationship = data.get("relationship", "")
            known_ids = {m.record.pk for m in matches}
            if action == "add" and which == "adults" and not relationship:
                errors.append("Choose the adult's relationship to the children")
            elif action == "add" and choice == "new":
                born = data["date_of_birth"]
                entries.append({"new": {
                    "first_name": data["first_name"], "last_name": data["last_name"],
                    "date_of_birth": born.isoformat() if born else "",
                    "nhs_number": data["nhs_number"],
                }, "relationship": relationship})  # fmt: skip
                form, matches = step["form"](), None
            elif action == "add" and choice.isdigit() and int(choice) in known_ids:
                match = next(m for m in matches if m.record.pk == int(choice))
                known = match.record
                entries.append({
                    "existing": known.pk, "census_id": str(known),
                    # A restricted child is chosen by reference only: no name in the session.
                    "name": "Restricted record" if match.restricted
                    else f"{known.first_name} {known.last_name}",
                    "relationship": relationship,
                })  # fmt: skip
                form, matches = step["form"](), None
            elif action == "add":
                errors.append(
                    f"Choose a known {step['noun']}, or say that this is a new {step['noun']}"
                )
    sessions.keep(user=request.user, key=NEW_CONTACT, data=state)
    # From a partner referral: the next child as the referrer gave them, ready to look for.
    referred = state.get("referred_children", []) if which == "children" else []
    if not form.is_bound and len(entries) < len(referred):
        form = _referred_child_form(referred[len(entries)])
    return render(
        request,
        "referrals/contact_new_people.html",
        {
            "form": form, "matches": matches, "errors": errors, "step": step,
            "added": [_describe(entry) for entry in entries],
            "partner_referral": state.get("partner_referral"),
            "referred": [{**c, "born": _iso_date(c["date_of_birth"])} for c in referred],
            "referred_adults": state.get("referred_adults", "") if which == "adults" else "",
        },
    )  # fmt: skip


def _iso_date(value: str):
    from datetime import date

    return date.fromisoformat(value) if value else None


def _referred_child_form(child: dict) -> FindChildForm:
    born = _iso_date(child["date_of_birth"])
    return FindChildForm(
        initial={
            "first_name": child["first_name"], "last_name": child["last_name"],
            "date_of_birth": born.strftime("%d/%m/%Y") if born else "",
        }
    )  # fmt: skip


def contact_new_children(request: HttpRequest) -> HttpResponse:
    return _people_step(request, "children")


def contact_new_adults(request: HttpRequest) -> HttpResponse:
    return _people_step(request, "adults")


def contact_new_check(request: HttpRequest) -> HttpResponse:
    """Step 3: check your answers, then record the contact with a decision to make per child."""
    from datetime import date, datetime

    _require_recorder(request)
    state = sessions.kept(user=request.user, key=NEW_CONTACT)
    if not state or not state.get("children"):
        return redirect("referrals:contact-new")
    form = ContactDetailsForm(state["details"])
    if not form.is_valid():
        return redirect("referrals:contact-new")
    details = form.cleaned_data
    errors = []
    if request.method == "POST":
        received_at = timezone.make_aware(
            datetime.combine(details["received_date"], details["received_time"])
        )
        try:
            with transaction.atomic():
                children = []
                for entry in state["children"]:
                    if "existing" in entry:
                        children.append(Child.objects.get(pk=entry["existing"]))
                    else:
                        new = entry["new"]
                        born = new["date_of_birth"]
                        children.append(
                            Child.objects.create(
                                first_name=new["first_name"], last_name=new["last_name"],
                                nhs_number=new["nhs_number"],
                                date_of_birth=date.fromisoformat(born) if born else None,
                            )
                        )  # fmt: skip
                adults = []
                for entry in state.get("adults", []):
                    if "existing" in entry:
                        adult = Person.objects.get(pk=entry["existing"])
                    else:
                        new = entry["new"]
                        born = new["date_of_birth"]
                        adult = Person.objects.create(
                            first_name=new["first_name"], last_name=new["last_name"],
                            nhs_number=new["nhs_number"],
                            date_of_birth=date.fromisoformat(born) if born else None,
                        )  # fmt: skip
                    adults.append(adult)
                    for child in children:
                        Relationship.objects.get_or_create(
                            child=child, person=adult, kind=entry["relationship"]
                        )
                contact = services.contact_record(
                    by=request.user, received_at=received_at, taken_by=details["taken_by"],
                    source=details["source"], concern=details["concern"],
                    consent=details["consent"],
                    urgent=details["urgent"], children=children,
                    referrer_name=details["referrer_name"], referrer_role=details["referrer_role"],
                    referrer_agency=details["referrer_agency"],
                    referrer_contact=details["referrer_contact"], adults=adults,
                )  # fmt: skip
                if state.get("partner_referral"):  # the partner referral it records (issue 9)
                    _record_partner_referral(request, state["partner_referral"]["pk"], contact)
        except RuleBroken as error:
            errors.append(str(error))
        except ConcurrentTransition:
            errors.append(CHANGED_BY_SOMEONE_ELSE)
        else:
            sessions.forget(user=request.user, key=NEW_CONTACT)
            messages.success(request, "The contact is recorded. Now decide for each child.")
            return redirect("referrals:contact", pk=contact.pk)
    return render(
        request,
        "referrals/contact_new_check.html",
        {
            "details": details,
            "form": form,
            "children": [_describe(e) for e in state["children"]],
            "adults": [_describe(e) for e in state.get("adults", [])],
            "errors": errors,
            "partner_referral": state.get("partner_referral"),
        },
    )


def _record_partner_referral(request: HttpRequest, pk: int, contact: Contact) -> None:

    partner_referral_record(
        by=request.user, partner_referral=PartnerReferral.objects.get(pk=pk), contact=contact
    )


@case_view(ContactChild)
@require_POST
def screening_notes(request: HttpRequest, pk: int, cc_pk: int) -> HttpResponse:
    """Save screening notes; if someone else saved first, show theirs and keep what was typed."""
    contact_child = _contact_child(request, pk, cc_pk, right=Perm.RECORD_CONTACTS)
    form = ScreeningNotesForm(request.POST)
    if not form.is_valid():
        return _decision_page(request, contact_child, notes_form=form)
    try:
        services.screening_notes_save(
            by=request.user, contact_child=contact_child,
            notes=form.cleaned_data["screening_notes"], version=form.cleaned_data["version"],
        )  # fmt: skip
    except ChangedBySomeoneElse as conflict:
        typed = ScreeningNotesForm(
            initial={
                "screening_notes": form.cleaned_data["screening_notes"],
                "version": conflict.current.version,
            }
        )
        return _decision_page(
            request, conflict.current, notes_form=typed, errors=[CHANGED_BY_SOMEONE_ELSE],
            their_notes=conflict.current.screening_notes, status=409,
        )  # fmt: skip
    except services.RuleBroken as error:
        return _decision_page(
            request, contact_child, notes_form=form, errors=[str(error)], status=409
        )
    messages.success(request, "The screening notes are saved.")
    return redirect("referrals:decision", pk=pk, cc_pk=cc_pk)


@case_view(Child)
@require_POST
def note_add(request: HttpRequest, pk: int) -> HttpResponse:
    access.refuse_case_object(request.user)
    _require_recorder(request)
    child = get_object_or_404(Child, pk=pk)
    access.require_open(request.user, child)
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
def note_correct(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    """Correct a note: a new version; the earlier one is kept and shown as superseded."""
    access.refuse_case_object(request.user)
    _require_recorder(request)
    note = get_object_or_404(Note.objects.select_related("child"), pk=note_pk, child_id=pk)
    access.require_open(request.user, note.child_id)
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
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a child's details (what the CIN census records)."""
    from django.core.exceptions import ValidationError

    access.refuse_case_object(request.user)
    if not access.has_right(request.user, Perm.RECORD_CONTACTS):
        raise PermissionDenied("Your role does not change children's details.")
    child = get_object_or_404(Child, pk=pk)
    access.require_open(request.user, child)
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
            form.data = form.data.copy()
            form.data["version"] = conflict.current.version
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


@require_POST
def team_add(request: HttpRequest) -> HttpResponse:
    _require_local_data_manager(request)
    form = TeamForm(request.POST)
    if form.is_valid():
        if Team.objects.filter(name__iexact=form.cleaned_data["name"]).exists():
            form.add_error("name", "A team with that name already exists")
        else:
            Team.objects.create(**form.cleaned_data)
            messages.success(request, "The team is added.")
            return redirect("referrals:local-data")
    return _local_data_page(request, team_form=form)


@case_view(Child)
@require_POST
def child_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    access.refuse_case_object(request.user)
    if not access.has_right(request.user, Perm.ALLOCATE_WORK):
        raise PermissionDenied("Only managers allocate work.")
    child = get_object_or_404(Child, pk=pk)
    access.require_open(request.user, child)
    form = AllocationForm(request.POST)
    if form.is_valid():
        try:
            services.allocation_set(by=request.user, child=child, **form.cleaned_data)
        except services.RuleBroken as error:
            form.add_error("worker", str(error))
        else:
            messages.success(request, "The child's work is allocated.")
            return redirect("referrals:child", pk=pk)
    return _child_page(request, child, allocation_form=form)


@case_view(Child)
@require_POST
def household_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A household the child lives in, with the adults and children who live there."""
    access.refuse_case_object(request.user)
    if not access.has_right(request.user, Perm.RECORD_CONTACTS):
        raise PermissionDenied("Your role does not record households.")
    child = get_object_or_404(Child, pk=pk)
    access.require_open(request.user, child)
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
        except services.RuleBroken as error:
            form.add_error("address", str(error))
        else:
            messages.success(request, "The household is added.")
            return redirect("referrals:child", pk=pk)
    record_read(request, child, child_ref=child.census_id)
    return _child_page(request, child, household_form=form)


@case_view(Child)
@require_POST
def household_leave(request: HttpRequest, pk: int, household_pk: int) -> HttpResponse:
    """A child or an adult no longer lives in one of the child's households."""
    access.refuse_case_object(request.user)
    if not access.has_right(request.user, Perm.RECORD_CONTACTS):
        raise PermissionDenied("Your role does not record households.")
    child = get_object_or_404(Child, pk=pk)
    access.require_open(request.user, child)
    household = get_object_or_404(Household, pk=household_pk, children=child)
    kind, _, member_pk = request.POST.get("member", "").partition(":")
    member = None
    if member_pk.isdigit() and kind in ("child", "person"):
        members = household.children if kind == "child" else household.people
        member = members.filter(pk=int(member_pk)).first()
    problem = "Choose who no longer lives there" if member is None else ""
    if member is not None:
        try:
            services.household_leave(by=request.user, household=household, **{kind: member})
        except services.RuleBroken as error:
            problem = str(error)
    if problem:
        record_read(request, child, child_ref=child.census_id)
        return _child_page(request, child, household_errors=[problem], status=409)
    messages.success(request, "The household is changed.")
    return redirect("referrals:child", pk=pk)


@case_view(Contact)
@require_POST
def contact_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A note on a contact, about one of its children (it shows on the child's page too)."""
    access.refuse_case_object(request.user)
    _require_recorder(request)
    contact = get_object_or_404(Contact, pk=pk)
    children = [cc.child for cc in contact.children.select_related("child")]
    access.require_open(request.user, *children)
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
